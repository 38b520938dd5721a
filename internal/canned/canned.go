// Package canned is the agents' canned replies and macros.
//
// A canned reply is personal (its owner's only) or shared: shared ones
// belong to one queue (or, made by an admin, to every queue). Agents see
// their own and the shared ones of their queues; supervisors and admins
// see every shared one. Agents manage their personal ones; supervisors
// manage the shared ones of their queues, admins every shared one. A
// reply is written in id-ID or en-US with variables ({{citizen_name}},
// …, see Variables) that are filled when an agent inserts it into a
// ticket (Use), which also counts the use.
//
// A macro is one action on a ticket: a canned reply sent, then priority,
// tags, status and a transfer, in that order (see Apply).
package canned

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Languages a canned reply is written in.
var Languages = []string{"id-ID", "en-US"}

// Limits.
const (
	MaxTitleRunes    = 120
	MaxShortcutRunes = 40
)

var shortcutRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Tickets is what canned replies and macros need of the ticket service
// (ticket.Service implements it); every call is scope-checked there.
type Tickets interface {
	Summary(ctx context.Context, viewer agent.Agent, id int64) (ticket.Summary, error)
	ReplyWith(ctx context.Context, viewer agent.Agent, ticketID int64, d ticket.Draft) (ticket.Message, error)
	SetStatus(ctx context.Context, viewer agent.Agent, ticketID int64, status domain.TicketStatus) (ticket.Summary, error)
	// CheckEnd refuses, before anything changes, a status a complaint's
	// lifecycle holds (ticket.EndGuard).
	CheckEnd(ctx context.Context, t ticket.Summary, status domain.TicketStatus) error
	// CheckDelivers refuses, before anything changes, a reply on a
	// ticket whose channel this installation does not run.
	CheckDelivers(t ticket.Summary) error
}

// Work moves tickets and sets priorities; the routing engine implements it
// (the API's Work).
type Work interface {
	Transfer(ctx context.Context, by routing.Actor, ticketID int64, to routing.Target, note string) error
	SetPriority(ctx context.Context, by routing.Actor, ticketID int64, priority domain.Priority) error
}

// Tagger adds tags to a ticket (scope-checked, audited, with its event);
// the tags service implements it. Nil: macros with tags are refused.
type Tagger interface {
	AddTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) error
	// CheckTags checks the tags a macro saved by viewer will add: it
	// returns them normalized and those not on the list yet, or a
	// validation error naming the ones viewer may not use (TAGS_FREE).
	CheckTags(ctx context.Context, viewer agent.Agent, names []string) (norm, missing []string, err error)
	// EnsureTags puts names on the list as free tags (after the save).
	EnsureTags(ctx context.Context, names []string) error
}

// Texts renders a word in a language (ticket statuses for {{status}}).
type Texts interface {
	T(lang, key string, args ...any) string
}

// Opts configures the service.
type Opts struct {
	DB      *db.DB
	Tickets Tickets
	Work    Work
	Tagger  Tagger
	Texts   Texts
	// PublicURL is the base of {{status_link}} (the citizen's status page).
	PublicURL string
	Log       *slog.Logger
}

// Service serves canned replies and macros.
type Service struct {
	o     Opts
	store *store
}

// New returns the service.
func New(o Opts) *Service { return &Service{o: o, store: &store{db: o.DB}} }

// Response is a canned reply.
type Response struct {
	ID         int64     `json:"id"`
	OwnerID    *int64    `json:"owner_id"`
	QueueID    *int64    `json:"queue_id"`
	Queue      string    `json:"queue"`
	Lang       string    `json:"lang"`
	Title      string    `json:"title"`
	Shortcut   string    `json:"shortcut"`
	Body       string    `json:"body"`
	UsageCount int64     `json:"usage_count"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Shared is true for a shared reply (no owner).
	Shared bool `json:"shared"`
	// Editable: the viewer may change or delete it.
	Editable bool `json:"editable" gorm:"-"`
	// Filled is the body as inserting it into the ticket named in the
	// list's ListOpts.TicketID would write it (the same render as Use):
	// what the picker previews. Empty without a ticket.
	Filled string `json:"filled,omitempty" gorm:"-"`
}

// Draft is a canned reply as created or changed.
type Draft struct {
	Shared   bool   `json:"shared"`
	QueueID  *int64 `json:"queue_id"`
	Lang     string `json:"lang"`
	Title    string `json:"title"`
	Shortcut string `json:"shortcut"`
	Body     string `json:"body"`
}

// ListOpts narrows a list of canned replies.
type ListOpts struct {
	// Q matches the start of any word of the title, or the shortcut.
	Q    string
	Lang string
	// TicketID, when set, fills each reply for that ticket (Filled), as
	// Use would, without counting a use; the ticket must be one the
	// viewer may see.
	TicketID int64
}

// List returns the canned replies viewer may use, most used first.
func (s *Service) List(ctx context.Context, viewer agent.Agent, o ListOpts) ([]Response, error) {
	rows, err := s.store.list(ctx, viewer)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(o.Q), "/")))
	out := make([]Response, 0, len(rows))
	for _, r := range rows {
		if o.Lang != "" && r.Lang != o.Lang {
			continue
		}
		if q != "" && !matches(r, q) {
			continue
		}
		r.Editable = mayEdit(viewer, r.OwnerID, r.QueueID)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].UsageCount != out[j].UsageCount {
			return out[i].UsageCount > out[j].UsageCount
		}
		return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title)
	})
	if o.TicketID != 0 {
		t, err := s.o.Tickets.Summary(ctx, viewer, o.TicketID)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Filled = s.render(out[i], viewer, t)
		}
	}
	return out, nil
}

func matches(r Response, q string) bool {
	if strings.HasPrefix(r.Shortcut, q) {
		return true
	}
	title := strings.ToLower(r.Title)
	if strings.HasPrefix(title, q) {
		return true
	}
	for _, w := range strings.Fields(title) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return false
}

// mayUse: the viewer sees this reply (or macro).
func mayUse(v agent.Agent, owner, queue *int64) bool {
	if owner != nil {
		return *owner == v.ID
	}
	if v.SeesAll() || queue == nil {
		return true
	}
	return inQueues(v, *queue)
}

// mayEdit: the viewer manages this reply (or macro).
func mayEdit(v agent.Agent, owner, queue *int64) bool {
	if owner != nil {
		return *owner == v.ID
	}
	switch {
	case v.Can(permission.QueuesAll):
		return true
	case v.Can(permission.CannedShare):
		return queue != nil && inQueues(v, *queue)
	}
	return false
}

func inQueues(v agent.Agent, q int64) bool {
	for _, id := range v.QueueIDs {
		if id == q {
			return true
		}
	}
	return false
}

func (s *Service) check(d *Draft) error {
	d.Title, d.Body = strings.TrimSpace(d.Title), strings.TrimSpace(d.Body)
	d.Shortcut = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d.Shortcut), "/"))
	if d.Lang == "" {
		d.Lang = Languages[0]
	}
	var ve apperr.ValidationError
	if d.Title == "" {
		ve.Add("title", "validation.required")
	} else if utf8.RuneCountInString(d.Title) > MaxTitleRunes {
		ve.Add("title", "validation.too_long", "max", MaxTitleRunes)
	}
	if d.Body == "" {
		ve.Add("body", "validation.required")
	} else if utf8.RuneCountInString(d.Body) > ticket.MaxReplyRunes {
		ve.Add("body", "validation.too_long", "max", ticket.MaxReplyRunes)
	} else if bad := unknownVariables(d.Body); len(bad) > 0 {
		ve.Add("body", "canned.unknown_variable", "name", "{{"+bad[0]+"}}", "known", "{{"+strings.Join(Variables, "}}, {{")+"}}")
	}
	if d.Shortcut != "" && (utf8.RuneCountInString(d.Shortcut) > MaxShortcutRunes || !shortcutRE.MatchString(d.Shortcut)) {
		ve.Add("shortcut", "canned.shortcut_invalid", "max", MaxShortcutRunes)
	}
	okLang := false
	for _, l := range Languages {
		okLang = okLang || d.Lang == l
	}
	if !okLang {
		ve.Add("lang", "canned.lang_invalid")
	}
	if !d.Shared && d.QueueID != nil {
		ve.Add("queue_id", "canned.personal_no_queue")
	}
	return ve.Err()
}

// mayManage checks that viewer may own a reply or macro of this kind.
func mayManage(viewer agent.Agent, shared bool, queue *int64) error {
	if !shared {
		return nil
	}
	if !mayEdit(viewer, nil, queue) {
		return ErrForbidden
	}
	return nil
}

// Create stores a canned reply: personal (the viewer's), or shared when
// the viewer may manage the queue's shared replies.
func (s *Service) Create(ctx context.Context, viewer agent.Agent, d Draft) (Response, error) {
	if err := s.check(&d); err != nil {
		return Response{}, err
	}
	if err := mayManage(viewer, d.Shared, d.QueueID); err != nil {
		return Response{}, err
	}
	var owner *int64
	if !d.Shared {
		id := viewer.ID
		owner = &id
	}
	id, err := s.store.insert(ctx, owner, d, viewer.ID, time.Now().UTC())
	if err != nil {
		return Response{}, err
	}
	return s.Get(ctx, viewer, id)
}

// Get returns one canned reply viewer may use.
func (s *Service) Get(ctx context.Context, viewer agent.Agent, id int64) (Response, error) {
	r, err := s.store.get(ctx, id)
	if err != nil {
		return Response{}, err
	}
	if !mayUse(viewer, r.OwnerID, r.QueueID) {
		return Response{}, ErrNotFound
	}
	r.Editable = mayEdit(viewer, r.OwnerID, r.QueueID)
	return r, nil
}

// Update changes a canned reply the viewer manages. Whether it is shared
// and its queue change only within what the viewer may manage.
func (s *Service) Update(ctx context.Context, viewer agent.Agent, id int64, d Draft) (Response, error) {
	if err := s.check(&d); err != nil {
		return Response{}, err
	}
	old, err := s.Get(ctx, viewer, id)
	if err != nil {
		return Response{}, err
	}
	if !old.Editable {
		return Response{}, ErrForbidden
	}
	if d.Shared != old.Shared {
		// A personal reply stays its owner's; a shared one stays shared.
		var ve apperr.ValidationError
		ve.Add("shared", "canned.kind_fixed")
		return Response{}, ve.Err()
	}
	if err := mayManage(viewer, d.Shared, d.QueueID); err != nil {
		return Response{}, err
	}
	if err := s.store.update(ctx, id, d, time.Now().UTC()); err != nil {
		return Response{}, err
	}
	return s.Get(ctx, viewer, id)
}

// Delete removes a canned reply the viewer manages.
func (s *Service) Delete(ctx context.Context, viewer agent.Agent, id int64) error {
	old, err := s.Get(ctx, viewer, id)
	if err != nil {
		return err
	}
	if !old.Editable {
		return ErrForbidden
	}
	return s.store.delete(ctx, "canned_responses", id)
}

// Rendered is a canned reply filled for one ticket.
type Rendered struct {
	ID    int64  `json:"id"`
	Lang  string `json:"lang"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Use fills a canned reply for a ticket the viewer may see and counts the
// use. The agent still reads and sends the text themself.
func (s *Service) Use(ctx context.Context, viewer agent.Agent, id, ticketID int64) (Rendered, error) {
	r, err := s.Get(ctx, viewer, id)
	if err != nil {
		return Rendered{}, err
	}
	t, err := s.o.Tickets.Summary(ctx, viewer, ticketID)
	if err != nil {
		return Rendered{}, err
	}
	if err := s.store.used(ctx, "canned_responses", id); err != nil {
		return Rendered{}, err
	}
	return Rendered{ID: r.ID, Lang: r.Lang, Title: r.Title, Body: s.render(r, viewer, t)}, nil
}

func (s *Service) render(r Response, viewer agent.Agent, t ticket.Summary) string {
	name := strings.TrimSpace(t.ContactName)
	if name == "" {
		name = s.o.Texts.T(r.Lang, "canned.citizen_fallback")
	}
	link := strings.TrimRight(s.o.PublicURL, "/") + "/pengaduan/status?tn=" + url.QueryEscape(t.TrackingNumber)
	if r.Lang != Languages[0] {
		link += "&lang=" + url.QueryEscape(r.Lang)
	}
	return fill(r.Body, map[string]string{
		"citizen_name":    name,
		"tracking_number": t.TrackingNumber,
		"agent_name":      viewer.Name,
		"queue":           t.Queue,
		"status":          s.o.Texts.T(r.Lang, "ticket_status."+string(t.Status)),
		"status_link":     link,
	})
}
