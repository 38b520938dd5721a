package canned

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Macro limits.
const (
	MaxMacroTags   = 20
	MaxTagRunes    = 50
	MaxMacroRunes  = 120
	macrosTable    = "macros"
	responsesTable = "canned_responses"
)

// Macro is one action on a ticket: a canned reply sent to the citizen,
// then a priority, tags, a status and a transfer, each optional.
type Macro struct {
	ID            int64               `json:"id"`
	OwnerID       *int64              `json:"owner_id"`
	QueueID       *int64              `json:"queue_id"`
	Queue         string              `json:"queue"`
	Name          string              `json:"name"`
	CannedID      *int64              `json:"canned_id"`
	Status        domain.TicketStatus `json:"status" gorm:"column:set_status"`
	Priority      domain.Priority     `json:"priority" gorm:"column:set_priority"`
	Tags          []string            `json:"tags" gorm:"-"`
	TagsJSON      string              `json:"-" gorm:"column:add_tags"`
	TransferQueue string              `json:"transfer_queue"`
	TransferAgent *int64              `json:"transfer_agent_id" gorm:"column:transfer_agent"`
	UsageCount    int64               `json:"usage_count"`
	Shared        bool                `json:"shared"`
	Editable      bool                `json:"editable" gorm:"-"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
}

// MacroDraft is a macro as created or changed.
type MacroDraft struct {
	Shared        bool                `json:"shared"`
	QueueID       *int64              `json:"queue_id"`
	Name          string              `json:"name"`
	CannedID      *int64              `json:"canned_id"`
	Status        domain.TicketStatus `json:"status"`
	Priority      domain.Priority     `json:"priority"`
	Tags          []string            `json:"tags"`
	TransferQueue string              `json:"transfer_queue"`
	TransferAgent *int64              `json:"transfer_agent_id"`
}

// checkMacro checks and tidies a macro as saved by viewer. It returns the
// macro's tags not on the tag list yet: the saver may create tags
// (TAGS_FREE), and SaveMacro puts them on the list once the macro is
// saved, as tagging a ticket with them would, so that whoever applies the
// macro may add them. A saver who may not create tags is refused them
// here, all named, instead of the macro failing when applied.
func (s *Service) checkMacro(ctx context.Context, viewer agent.Agent, d *MacroDraft) ([]string, error) {
	d.Name = strings.TrimSpace(d.Name)
	d.TransferQueue = strings.TrimSpace(d.TransferQueue)
	var ve apperr.ValidationError
	if d.Name == "" {
		ve.Add("name", "validation.required")
	} else if utf8.RuneCountInString(d.Name) > MaxMacroRunes {
		ve.Add("name", "validation.too_long", "max", MaxMacroRunes)
	}
	if d.Status != "" && (!d.Status.Known() || d.Status == domain.StatusNew) {
		ve.Add("status", "validation.status_invalid")
	}
	if d.Priority != "" && !d.Priority.Known() {
		ve.Add("priority", "validation.invalid")
	}
	var tags []string
	seen := map[string]bool{}
	for _, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagRunes {
			ve.Add("tags", "validation.too_long", "max", MaxTagRunes)
		}
		seen[strings.ToLower(t)] = true
		tags = append(tags, t)
	}
	if len(tags) > MaxMacroTags {
		ve.Add("tags", "macros.too_many_tags", "max", MaxMacroTags)
	}
	d.Tags = tags
	var missing []string
	if len(tags) > 0 && s.o.Tagger == nil {
		ve.Add("tags", "macros.tags_unavailable")
	} else if len(tags) > 0 && !ve.Has("tags") {
		norm, m, err := s.o.Tagger.CheckTags(ctx, viewer, tags)
		var tve *apperr.ValidationError
		switch {
		case errors.As(err, &tve):
			for field, fe := range tve.Fields {
				ve.Add(field, fe.Key, fe.Args...)
			}
		case err != nil:
			return nil, err
		default:
			d.Tags, missing = norm, m
		}
	}
	if d.TransferQueue != "" && d.TransferAgent != nil {
		ve.Add("transfer_queue", "macros.transfer_one")
	}
	if d.CannedID == nil && d.Status == "" && d.Priority == "" && len(tags) == 0 && d.TransferQueue == "" && d.TransferAgent == nil {
		ve.Add("name", "macros.empty")
	}
	if d.CannedID != nil {
		if _, err := s.Get(ctx, viewer, *d.CannedID); err != nil {
			ve.Add("canned_id", "macros.canned_unknown")
		}
	}
	if !d.Shared && d.QueueID != nil {
		ve.Add("queue_id", "canned.personal_no_queue")
	}
	return missing, ve.Err()
}

// Macros lists the macros viewer may apply.
func (s *Service) Macros(ctx context.Context, viewer agent.Agent) ([]Macro, error) {
	q, args := ListMacrosSQL(viewer)
	var rows []Macro
	if err := s.o.DB.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("canned: macros: %w", err)
	}
	out := make([]Macro, 0, len(rows))
	for _, m := range rows {
		if err := m.decode(); err != nil {
			return nil, err
		}
		m.Editable = mayEdit(viewer, m.OwnerID, m.QueueID)
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

const macroColumns = `c.id, c.owner_id, c.queue_id, COALESCE(q.name, '') AS queue, c.name, c.canned_id, c.set_status, c.set_priority,
	c.add_tags, c.transfer_queue, c.transfer_agent, c.usage_count, c.created_at, c.updated_at,
	CASE WHEN c.owner_id IS NULL THEN 1 ELSE 0 END AS shared`

// ListMacrosSQL is the statement Macros runs for viewer (for the plan tests).
func ListMacrosSQL(viewer agent.Agent) (string, []any) {
	return visibleSQL(macrosTable, macroColumns, viewer)
}

func (m *Macro) decode() error {
	m.Tags = []string{}
	if m.TagsJSON != "" {
		if err := json.Unmarshal([]byte(m.TagsJSON), &m.Tags); err != nil {
			return fmt.Errorf("canned: macro %d tags: %w", m.ID, err)
		}
	}
	return nil
}

// Macro returns one macro viewer may apply.
func (s *Service) Macro(ctx context.Context, viewer agent.Agent, id int64) (Macro, error) {
	var rows []Macro
	if err := s.o.DB.WithContext(ctx).Raw(`SELECT `+macroColumns+` FROM macros c LEFT JOIN queues q ON q.id = c.queue_id WHERE c.id = ?`, id).
		Scan(&rows).Error; err != nil {
		return Macro{}, fmt.Errorf("canned: macro: %w", err)
	}
	if len(rows) == 0 || !mayUse(viewer, rows[0].OwnerID, rows[0].QueueID) {
		return Macro{}, ErrNotFound
	}
	m := rows[0]
	if err := m.decode(); err != nil {
		return Macro{}, err
	}
	m.Editable = mayEdit(viewer, m.OwnerID, m.QueueID)
	return m, nil
}

// SaveMacro creates (id 0) or changes a macro the viewer manages.
func (s *Service) SaveMacro(ctx context.Context, viewer agent.Agent, id int64, d MacroDraft) (Macro, error) {
	missing, err := s.checkMacro(ctx, viewer, &d)
	if err != nil {
		return Macro{}, err
	}
	if err := mayManage(viewer, d.Shared, d.QueueID); err != nil {
		return Macro{}, err
	}
	tags, err := json.Marshal(append([]string{}, d.Tags...))
	if err != nil {
		return Macro{}, fmt.Errorf("canned: macro tags: %w", err)
	}
	now := time.Now().UTC()
	q := s.o.DB.WithContext(ctx)
	if id == 0 {
		var owner *int64
		if !d.Shared {
			o := viewer.ID
			owner = &o
		}
		if err := q.Raw(`INSERT INTO macros (owner_id, queue_id, name, canned_id, set_status, set_priority, add_tags, transfer_queue, transfer_agent,
				created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			owner, d.QueueID, d.Name, d.CannedID, d.Status, d.Priority, string(tags), d.TransferQueue, d.TransferAgent, viewer.ID, now, now).
			Scan(&id).Error; err != nil {
			return Macro{}, fmt.Errorf("canned: insert macro: %w", err)
		}
		if err := s.ensureTags(ctx, missing); err != nil {
			return Macro{}, err
		}
		return s.Macro(ctx, viewer, id)
	}
	old, err := s.Macro(ctx, viewer, id)
	if err != nil {
		return Macro{}, err
	}
	if !old.Editable {
		return Macro{}, ErrForbidden
	}
	if old.Shared != d.Shared {
		var ve apperr.ValidationError
		ve.Add("shared", "canned.kind_fixed")
		return Macro{}, ve.Err()
	}
	if err := q.Exec(`UPDATE macros SET queue_id = ?, name = ?, canned_id = ?, set_status = ?, set_priority = ?, add_tags = ?, transfer_queue = ?,
			transfer_agent = ?, updated_at = ? WHERE id = ?`,
		d.QueueID, d.Name, d.CannedID, d.Status, d.Priority, string(tags), d.TransferQueue, d.TransferAgent, now, id).Error; err != nil {
		return Macro{}, fmt.Errorf("canned: update macro: %w", err)
	}
	if err := s.ensureTags(ctx, missing); err != nil {
		return Macro{}, err
	}
	return s.Macro(ctx, viewer, id)
}

// ensureTags puts a saved macro's new tags on the list (see checkMacro).
func (s *Service) ensureTags(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	if err := s.o.Tagger.EnsureTags(ctx, names); err != nil {
		return fmt.Errorf("canned: macro tags: %w", err)
	}
	return nil
}

// DeleteMacro removes a macro the viewer manages.
func (s *Service) DeleteMacro(ctx context.Context, viewer agent.Agent, id int64) error {
	old, err := s.Macro(ctx, viewer, id)
	if err != nil {
		return err
	}
	if !old.Editable {
		return ErrForbidden
	}
	return s.store.delete(ctx, macrosTable, id)
}

// Steps of a macro, in the order they are applied.
const (
	StepReply    = "reply"
	StepPriority = "priority"
	StepTags     = "tags"
	StepStatus   = "status"
	StepTransfer = "transfer"
)

// Applied is what a macro did to a ticket.
type Applied struct {
	Steps   []string        `json:"steps"`
	Message *ticket.Message `json:"message,omitempty"`
}

// Apply runs a macro on a ticket, through the same services (and so the
// same checks, audit and events) as the console's own buttons.
//
// All or nothing where possible: everything that can be known before a
// change is checked first (the macro and ticket are visible, the ticket
// is not closed, the status move is allowed (and not held by a complaint's
// lifecycle), the reply has a channel to go out on, tags can be added, the
// viewer may transfer), and nothing changes when one check fails. Then
// the reply goes first, since it is the step most likely to be refused
// (reply window, the bus) and cannot be taken back once sent; then
// priority, tags, status, and the transfer last (after it the ticket may
// leave the viewer's scope). A step refused after that stops the rest
// with a PartialError that names what was applied.
func (s *Service) Apply(ctx context.Context, viewer agent.Agent, ticketID, macroID int64) (Applied, error) {
	m, err := s.Macro(ctx, viewer, macroID)
	if err != nil {
		return Applied{}, err
	}
	t, err := s.o.Tickets.Summary(ctx, viewer, ticketID)
	if err != nil {
		return Applied{}, err
	}
	if t.Status == domain.StatusClosed {
		return Applied{}, ticket.ErrClosed
	}
	if len(m.Tags) > 0 && s.o.Tagger == nil {
		return Applied{}, ErrNoTagger
	}
	if m.Status != "" && !ticket.CanMove(t.Status, m.Status) && !(t.Status == domain.StatusNew && m.CannedID != nil && ticket.CanMove(domain.StatusOpen, m.Status)) {
		return Applied{}, ticket.ErrInvalidStatusChange
	}
	if m.Status != "" {
		// A complaint whose lifecycle has not ended is not solved by a
		// macro either: refused before its reply goes out.
		if err := s.o.Tickets.CheckEnd(ctx, t, m.Status); err != nil {
			return Applied{}, err
		}
	}
	if m.CannedID != nil {
		// A reply nothing could deliver (the ticket's channel is off
		// here) refuses the whole macro, not only its first step.
		if err := s.o.Tickets.CheckDelivers(t); err != nil {
			return Applied{}, err
		}
	}
	transfer := m.TransferQueue != "" || m.TransferAgent != nil
	if (transfer || m.Priority != "") && s.o.Work == nil {
		return Applied{}, ErrForbidden
	}
	if transfer && !viewer.SeesAll() && (t.AssigneeID == nil || *t.AssigneeID != viewer.ID) {
		return Applied{}, routing.ErrForbidden
	}
	var reply *Response
	if m.CannedID != nil {
		r, err := s.Get(ctx, viewer, *m.CannedID)
		if err != nil {
			return Applied{}, err
		}
		reply = &r
	}

	out := Applied{Steps: []string{}}
	stop := func(step string, err error) (Applied, error) {
		if len(out.Steps) == 0 {
			return Applied{}, err // nothing changed yet
		}
		return out, &PartialError{Applied: append([]string{}, out.Steps...), Failed: step, Err: err}
	}
	by := routing.Actor{ID: viewer.ID, Supervisor: viewer.SeesAll()}
	if reply != nil {
		msg, err := s.o.Tickets.ReplyWith(ctx, viewer, t.ID, ticket.Draft{Body: s.render(*reply, viewer, t)})
		if err != nil {
			return stop(StepReply, err)
		}
		out.Message = &msg
		out.Steps = append(out.Steps, StepReply)
		if err := s.store.used(ctx, responsesTable, reply.ID); err != nil {
			s.o.Log.Warn("count canned reply use", "canned_id", reply.ID, "err", err)
		}
	}
	if m.Priority != "" && m.Priority != t.Priority {
		if err := s.o.Work.SetPriority(ctx, by, t.ID, m.Priority); err != nil {
			return stop(StepPriority, err)
		}
		out.Steps = append(out.Steps, StepPriority)
	}
	if len(m.Tags) > 0 {
		if err := s.o.Tagger.AddTags(ctx, viewer, t.ID, m.Tags); err != nil {
			return stop(StepTags, err)
		}
		out.Steps = append(out.Steps, StepTags)
	}
	if m.Status != "" {
		if _, err := s.o.Tickets.SetStatus(ctx, viewer, t.ID, m.Status); err != nil {
			return stop(StepStatus, err)
		}
		out.Steps = append(out.Steps, StepStatus)
	}
	if transfer {
		to := routing.Target{Queue: m.TransferQueue}
		if m.TransferAgent != nil {
			to.AgentID = *m.TransferAgent
		}
		if err := s.o.Work.Transfer(ctx, by, t.ID, to, ""); err != nil {
			return stop(StepTransfer, err)
		}
		out.Steps = append(out.Steps, StepTransfer)
	}
	if err := s.store.used(ctx, macrosTable, m.ID); err != nil {
		s.o.Log.Warn("count macro use", "macro_id", m.ID, "err", err)
	}
	return out, nil
}
