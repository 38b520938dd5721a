// Package notes is the agents' internal notes on a ticket, their @mentions
// and the notifications those mentions give.
//
// Guarantees, and what keeps them:
//   - A note never reaches a citizen: it is stored through
//     ticket.Service.AddNote, which writes a message of direction "note"
//     and publishes nothing outbound; the citizen's status page lists no
//     notes.
//   - A mention is refused, and with it the whole note, when its handle
//     names nobody, names several agents, or names an agent who may not
//     see the ticket (the note would point them at a ticket they cannot
//     open, and its preview would leak it). The writer learns which
//     mention and why; nothing is half stored.
//   - The notifications are stored in the note's own transaction, so a
//     stored note always has them; each is then pushed as
//     notification.created to its recipient's consoles only.
//   - An agent lists and counts only their own notifications, and only
//     those of tickets they may still see (a ticket transferred out of
//     their queues drops out of the list).
package notes

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/ticket"
)

// KindMention is a notification of a mention in a note.
const KindMention = "mention"

// Tickets stores notes; ticket.Service implements it.
type Tickets interface {
	AddNote(ctx context.Context, viewer agent.Agent, ticketID int64, body string, fields map[string]string, hook ticket.NoteHook) (ticket.Message, error)
}

// Agents lists the agents a mention may name; agent.Service implements it.
type Agents interface {
	List(ctx context.Context) ([]agent.Agent, error)
}

// Events publishes realtime events.
type Events interface {
	Emit(ev bus.Event)
}

// Opts configures the service.
type Opts struct {
	DB      *db.DB
	Tickets Tickets
	// Summaries reads tickets for Mentionable (the ticket service).
	Summaries Summaries
	Agents    Agents
	Events    Events
	Log       *slog.Logger
}

// Service writes notes and serves notifications.
type Service struct {
	o     Opts
	store *store
}

// New returns the notes service.
func New(o Opts) *Service { return &Service{o: o, store: &store{db: o.DB}} }

// Mentioned is an agent a note mentions.
type Mentioned struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// Note is a stored note and whom it notified.
type Note struct {
	ticket.Message
	Mentioned []Mentioned `json:"mentioned"`
}

// Post stores viewer's note on a ticket and notifies the agents it
// mentions (the writer mentioning themself is no notification).
func (s *Service) Post(ctx context.Context, viewer agent.Agent, ticketID int64, body string) (Note, error) {
	handles := Mentions(body)
	var ve apperr.ValidationError
	if len(handles) > MaxMentions {
		ve.Add("body", "notes.mention_too_many", "max", MaxMentions)
		return Note{}, ve.Err()
	}
	var targets []agent.Agent
	if len(handles) > 0 {
		all, err := s.o.Agents.List(ctx)
		if err != nil {
			return Note{}, err
		}
		seen := map[int64]bool{}
		for _, r := range resolve(handles, all) {
			switch len(r.matches) {
			case 0:
				ve.Add("body", "notes.mention_unknown", "name", "@"+r.handle)
			case 1:
				a := r.matches[0]
				if !seen[a.ID] && a.ID != viewer.ID {
					seen[a.ID] = true
					targets = append(targets, a)
				}
			default:
				var alts []string
				for _, a := range r.matches {
					alts = append(alts, "@"+Handle(a))
				}
				sort.Strings(alts)
				ve.Add("body", "notes.mention_ambiguous", "name", "@"+r.handle, "choices", strings.Join(alts, ", "))
			}
		}
		if err := ve.Err(); err != nil {
			return Note{}, err
		}
	}
	fields := map[string]string{}
	if len(targets) > 0 {
		ids := make([]string, 0, len(targets))
		for _, a := range targets {
			ids = append(ids, strconv.FormatInt(a.ID, 10))
		}
		fields[ticket.NoteMentionsField] = strings.Join(ids, ",")
	}
	var sent []bus.NotificationCreated
	preview := ticket.NotePreview(strings.TrimSpace(body))
	hook := func(ctx context.Context, tx *gorm.DB, t ticket.Summary, messageID int64, now time.Time) error {
		sent = sent[:0]
		var out apperr.ValidationError
		for _, a := range targets {
			if !ticket.VisibleTo(a, t) {
				out.Add("body", "notes.mention_out_of_scope", "name", a.Name)
			}
		}
		if err := out.Err(); err != nil {
			return err
		}
		for _, a := range targets {
			id, err := s.store.insert(ctx, tx, a.ID, KindMention, t.ID, messageID, viewer.ID, preview, now)
			if err != nil {
				return err
			}
			sent = append(sent, bus.NotificationCreated{
				Scope:       bus.Scope{TicketID: t.ID, QueueID: idOf(t.QueueID), AssigneeID: idOf(t.AssigneeID)},
				RecipientID: a.ID, NotificationID: id, Kind: KindMention, MessageID: messageID, TrackingNumber: t.TrackingNumber,
				ActorID: viewer.ID, ActorName: viewer.Name, Preview: preview, At: now,
			})
		}
		return nil
	}
	msg, err := s.o.Tickets.AddNote(ctx, viewer, ticketID, body, fields, hook)
	if err != nil {
		return Note{}, err
	}
	for _, ev := range sent {
		bus.EmitIn(ctx, s.o.Events, ev)
	}
	n := Note{Message: msg, Mentioned: make([]Mentioned, 0, len(targets))}
	for _, a := range targets {
		n.Mentioned = append(n.Mentioned, Mentioned{ID: a.ID, Name: a.Name, Handle: Handle(a)})
	}
	return n, nil
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Notification is one entry of an agent's list.
type Notification struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	TicketID       int64      `json:"ticket_id"`
	TrackingNumber string     `json:"tracking_number"`
	MessageID      *int64     `json:"message_id"`
	ActorID        *int64     `json:"actor_id"`
	ActorName      string     `json:"actor_name"`
	Preview        string     `json:"preview"`
	ReadAt         *time.Time `json:"read_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Page is a page of notifications, newest first, with the unread count
// of the whole list.
type Page struct {
	Notifications []Notification `json:"notifications"`
	Unread        int            `json:"unread"`
}

// ListOpts narrows a notification list.
type ListOpts struct {
	UnreadOnly bool
	// Before: only notifications with a smaller id (the next page).
	Before int64
	// Limit: 1–100, default 30.
	Limit int
}

// List returns viewer's notifications of tickets they may see.
func (s *Service) List(ctx context.Context, viewer agent.Agent, o ListOpts) (Page, error) {
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 30
	}
	list, err := s.store.list(ctx, viewer, o)
	if err != nil {
		return Page{}, err
	}
	n, err := s.store.unread(ctx, viewer)
	if err != nil {
		return Page{}, err
	}
	return Page{Notifications: list, Unread: n}, nil
}

// MarkRead marks viewer's notifications read: the given ids, or all of
// them with all. Others' notifications are never touched. It answers the
// unread count after.
func (s *Service) MarkRead(ctx context.Context, viewer agent.Agent, ids []int64, all bool) (int, error) {
	if !all && len(ids) == 0 {
		var ve apperr.ValidationError
		ve.Add("ids", "validation.required")
		return 0, ve.Err()
	}
	if len(ids) > 500 {
		ids = ids[:500]
	}
	if err := s.store.markRead(ctx, viewer.ID, ids, all, time.Now().UTC()); err != nil {
		return 0, err
	}
	return s.store.unread(ctx, viewer)
}

// Summaries reads a ticket the viewer may see; ticket.Service implements it.
type Summaries interface {
	Summary(ctx context.Context, viewer agent.Agent, id int64) (ticket.Summary, error)
}

// Mentionable lists the agents a note on a ticket may mention: those who
// may see it, the viewer aside, by name.
func (s *Service) Mentionable(ctx context.Context, viewer agent.Agent, ticketID int64) ([]agent.Agent, error) {
	t, err := s.o.Summaries.Summary(ctx, viewer, ticketID)
	if err != nil {
		return nil, err
	}
	all, err := s.o.Agents.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]agent.Agent, 0, len(all))
	for _, a := range all {
		if a.ID != viewer.ID && ticket.VisibleTo(a, t) {
			out = append(out, a)
		}
	}
	return out, nil
}
