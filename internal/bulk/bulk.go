// Package bulk applies one action to many tickets an agent selected:
// assign, transfer, status, tags or priority, with a result per ticket.
//
// Guarantees, and what keeps them:
//   - No half-applied ticket: each ticket's change is one call of the
//     service that owns it (ticket status, tags, routing), each of which
//     runs in one transaction; a ticket whose change fails is left as it
//     was, and the others go on.
//   - Scope: every ticket is checked against the viewer's scope before
//     anything is done to it (the ticket service's rule, the same as for
//     one ticket), and the owning services check it again under the row
//     lock. A ticket outside the scope gets "forbidden" and is never
//     touched.
//   - The same rules as for one ticket hold: a solve in a queue that
//     requires a wrap-up code is refused per ticket (ticket.SolveGuard).
package bulk

import (
	"context"
	"errors"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// MaxTickets bounds one request.
const MaxTickets = 200

// Actions.
const (
	ActionAssign   = "assign"
	ActionTransfer = "transfer"
	ActionStatus   = "status"
	ActionTags     = "tags"
	ActionPriority = "priority"
)

// How a tags action combines the names with each ticket's tags.
const (
	TagsAdd     = "add"
	TagsRemove  = "remove"
	TagsReplace = "replace"
)

// ErrSupervisorOnly: the action (assign) is for supervisors and admins.
var ErrSupervisorOnly = errors.New("bulk: action reserved to supervisors")

// Tickets is what bulk needs from the ticket service.
type Tickets interface {
	Summary(ctx context.Context, viewer agent.Agent, id int64) (ticket.Summary, error)
	SetStatus(ctx context.Context, viewer agent.Agent, ticketID int64, status domain.TicketStatus) (ticket.Summary, error)
}

// Tagger changes tickets' tags (internal/tags).
type Tagger interface {
	AddTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) error
	RemoveTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) ([]string, error)
	SetTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) ([]string, error)
}

// Work moves tickets between agents and queues (internal/routing).
type Work interface {
	Transfer(ctx context.Context, by routing.Actor, ticketID int64, to routing.Target, note string) error
	Assign(ctx context.Context, by routing.Actor, ticketID, agentID int64) error
	SetPriority(ctx context.Context, by routing.Actor, ticketID int64, priority domain.Priority) error
}

// Service runs bulk actions.
type Service struct {
	tickets Tickets
	tags    Tagger
	work    Work
}

// New returns the service. Without work, assign, transfer and priority
// are refused as unknown actions; without tags, tags is.
func New(tickets Tickets, tags Tagger, work Work) *Service {
	return &Service{tickets: tickets, tags: tags, work: work}
}

// Request is one bulk action.
type Request struct {
	IDs    []int64 `json:"ids"`
	Action string  `json:"action"`
	// status
	Status domain.TicketStatus `json:"status"`
	// priority
	Priority domain.Priority `json:"priority"`
	// assign (agent_id), transfer (agent_id or queue, note)
	AgentID int64  `json:"agent_id"`
	Queue   string `json:"queue"`
	Note    string `json:"note"`
	// tags: names and how they combine (add, the default; remove; replace)
	Tags     []string `json:"tags"`
	TagsMode string   `json:"tags_mode"`
}

// Result is what happened to one ticket; Err nil means done.
type Result struct {
	ID  int64
	Err error
}

// Apply validates the request as a whole, then changes each ticket in
// turn (in the order given, repeats dropped).
func (s *Service) Apply(ctx context.Context, viewer agent.Agent, r Request) ([]Result, error) {
	ids, err := s.check(viewer, &r)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			out = append(out, Result{ID: id, Err: err})
			continue
		}
		out = append(out, Result{ID: id, Err: s.one(ctx, viewer, id, r)})
	}
	return out, nil
}

func (s *Service) check(viewer agent.Agent, r *Request) ([]int64, error) {
	var ve apperr.ValidationError
	var ids []int64
	seen := map[int64]bool{}
	for _, id := range r.IDs {
		if id <= 0 {
			ve.Add("ids", "bulk.ids_invalid")
			break
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	switch {
	case len(r.IDs) == 0:
		ve.Add("ids", "bulk.ids_required")
	case len(ids) > MaxTickets:
		ve.Add("ids", "bulk.too_many", "max", MaxTickets)
	}
	switch r.Action {
	case ActionStatus:
		if !r.Status.Known() || r.Status == domain.StatusNew {
			ve.Add("status", "validation.status_invalid")
		}
	case ActionPriority:
		if s.work == nil {
			ve.Add("action", "bulk.action_invalid")
		} else if !r.Priority.Known() {
			ve.Add("priority", "validation.invalid")
		}
	case ActionAssign:
		if s.work == nil {
			ve.Add("action", "bulk.action_invalid")
		} else if r.AgentID <= 0 {
			ve.Add("agent_id", "validation.required")
		}
	case ActionTransfer:
		if s.work == nil {
			ve.Add("action", "bulk.action_invalid")
		} else if r.AgentID <= 0 && r.Queue == "" {
			ve.Add("agent_id", "validation.required")
		}
	case ActionTags:
		if r.TagsMode == "" {
			r.TagsMode = TagsAdd
		}
		switch {
		case s.tags == nil:
			ve.Add("action", "bulk.action_invalid")
		case r.TagsMode != TagsAdd && r.TagsMode != TagsRemove && r.TagsMode != TagsReplace:
			ve.Add("tags_mode", "validation.invalid")
		case len(r.Tags) == 0 && r.TagsMode != TagsReplace:
			ve.Add("tags", "validation.required")
		}
	default:
		ve.Add("action", "bulk.action_invalid")
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	if r.Action == ActionAssign && !viewer.Can(permission.TicketsAssign) {
		return nil, ErrSupervisorOnly
	}
	return ids, nil
}

// one changes one ticket: the scope check first, then the one call of
// the service that owns the change.
func (s *Service) one(ctx context.Context, viewer agent.Agent, id int64, r Request) error {
	if _, err := s.tickets.Summary(ctx, viewer, id); err != nil {
		return err
	}
	by := routing.Actor{ID: viewer.ID, Supervisor: viewer.SeesAll()}
	switch r.Action {
	case ActionStatus:
		_, err := s.tickets.SetStatus(ctx, viewer, id, r.Status)
		return err
	case ActionPriority:
		return s.work.SetPriority(ctx, by, id, r.Priority)
	case ActionAssign:
		return s.work.Assign(ctx, by, id, r.AgentID)
	case ActionTransfer:
		return s.work.Transfer(ctx, by, id, routing.Target{AgentID: r.AgentID, Queue: r.Queue}, r.Note)
	case ActionTags:
		var err error
		switch r.TagsMode {
		case TagsRemove:
			_, err = s.tags.RemoveTags(ctx, viewer, id, r.Tags)
		case TagsReplace:
			_, err = s.tags.SetTags(ctx, viewer, id, r.Tags)
		default:
			err = s.tags.AddTags(ctx, viewer, id, r.Tags)
		}
		return err
	}
	return nil
}
