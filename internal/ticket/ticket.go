// Package ticket is the agents' side of tickets: listing and reading them,
// replying to the citizen, changing status, and recording delivery receipts
// of replies. Tickets and citizen messages are created by internal/ingest;
// this package never publishes inbound messages.
package ticket

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
)

// MaxReplyRunes bounds an agent reply.
const MaxReplyRunes = 10000

// Bus is what the service needs from the message bus.
type Bus interface {
	PublishOutbound(ctx context.Context, out envelope.Outbound) error
	Emit(ev bus.Event)
}

// Loads keeps agents' active_load in step with ticket status changes; the
// assignment engine (routing.Router) implements it.
type Loads interface {
	// Release gives back one unit of the assignee's load, inside tx.
	Release(ctx context.Context, tx *gorm.DB, ticketID int64) error
	// Reopen puts a reopened ticket back on an agent's load (its
	// assignee's when there is room, else routed afresh), inside tx.
	Reopen(ctx context.Context, tx *gorm.DB, t Reopened) error
	// AssignWaiting offers waiting tickets to an agent with free capacity.
	AssignWaiting(ctx context.Context, agentID int64) ([]int64, error)
}

// Reopened is a solved or closed ticket an agent moved back to
// new/open/pending, as Loads.Reopen needs it.
type Reopened struct {
	ID       int64
	Category string
	Channel  string
	// QueueID is the ticket's queue (0: none).
	QueueID int64
	// AssigneeID is the agent the ticket had (0: none).
	AssigneeID int64
}

// Clocks keeps the SLA clocks in step with the ticket; routing.Clocks
// implements it.
type Clocks interface {
	// StatusChanged keeps the SLA clock in step (pending pauses it), inside tx.
	StatusChanged(ctx context.Context, tx *gorm.DB, ticketID int64, from, to domain.TicketStatus, at time.Time) error
	// Replied stops the next-response clock of an agent's reply, inside tx.
	Replied(ctx context.Context, tx *gorm.DB, ticketID int64, at time.Time) error
}

// Opts configures the service.
type Opts struct {
	DB    *db.DB
	Bus   Bus
	Loads Loads
	// Clocks is needed where Loads is (status changes, replies).
	Clocks Clocks
	Log    *slog.Logger
	// ReplyPolicies: channels that limit free-text replies to a window
	// after the citizen's last message (keyed by channel name).
	ReplyPolicies map[string]ReplyPolicy
	// SolveGuard, when set, may refuse to solve a ticket (wrap-up codes).
	SolveGuard SolveGuard
	// EndGuard, when set, may refuse to solve or close a ticket whose
	// complaint lifecycle has not ended.
	EndGuard EndGuard
	// Attachments keeps files agents attach to replies (files.go).
	Attachments attachment.Store
	// Channels are the channels this installation runs (an adapter each,
	// delivering replies). A reply on a ticket of any other channel is
	// refused (ChannelOff): nothing would deliver it, and the agent would
	// believe the citizen was answered. Nil: every channel runs.
	Channels []domain.Channel
}

// Service serves tickets to agents.
type Service struct {
	db       *db.DB
	store    *store
	bus      Bus
	loads    Loads
	clocks   Clocks
	log      *slog.Logger
	policies map[string]ReplyPolicy
	guard    SolveGuard
	endGuard EndGuard
	files    attachment.Store
	// off are the channels of domain.Channels not in Opts.Channels (none
	// when Opts.Channels is nil).
	off map[string]bool
}

// New returns the ticket service.
func New(o Opts) *Service {
	s := &Service{db: o.DB, store: &store{db: o.DB}, bus: o.Bus, loads: o.Loads, clocks: o.Clocks, log: o.Log, policies: o.ReplyPolicies,
		guard: o.SolveGuard, endGuard: o.EndGuard, files: o.Attachments}
	if o.Channels != nil {
		for _, c := range domain.Channels {
			if !slices.Contains(o.Channels, c) {
				if s.off == nil {
					s.off = map[string]bool{}
				}
				s.off[string(c)] = true
			}
		}
	}
	return s
}

// channelOn reports whether this installation runs channel.
func (s *Service) channelOn(channel string) bool { return !s.off[channel] }

// CheckDelivers refuses (ChannelOff), before anything is stored or sent,
// a reply to the citizen of t when this installation does not run t's
// channel. Internal notes are not replies and stay allowed.
func (s *Service) CheckDelivers(t Summary) error {
	if !s.channelOn(t.Channel) {
		return ChannelOff(t.Channel)
	}
	return nil
}

// Summary is a ticket in a list.
type Summary struct {
	ID              int64               `json:"id"`
	TrackingNumber  string              `json:"tracking_number"`
	Status          domain.TicketStatus `json:"status"`
	Priority        domain.Priority     `json:"priority"`
	Channel         string              `json:"channel"`
	Category        string              `json:"category"`
	Subject         string              `json:"subject"`
	ContactID       int64               `json:"contact_id"`
	ContactName     string              `json:"contact_name"`
	QueueID         *int64              `json:"queue_id"`
	Queue           string              `json:"queue"`
	AssigneeID      *int64              `json:"assignee_id"`
	AssigneeName    string              `json:"assignee_name"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
	LastMessageAt   time.Time           `json:"last_message_at"`
	FirstResponseAt *time.Time          `json:"first_response_at"`
	SolvedAt        *time.Time          `json:"solved_at"`
	// SLA due times, for events.
	FirstResponseDueAt *time.Time `json:"-"`
	ResolutionDueAt    *time.Time `json:"-"`
}

// event is the ticket as a ticket.* event shows it (preview empty).
func (t Summary) event(at time.Time) bus.Ticket {
	return bus.Ticket{
		Scope:          bus.Scope{TicketID: t.ID, QueueID: idOf(t.QueueID), AssigneeID: idOf(t.AssigneeID)},
		TrackingNumber: t.TrackingNumber, Status: t.Status, Channel: t.Channel, Priority: t.Priority,
		Subject: mask.Preview(t.Subject), FirstResponseDue: utc(t.FirstResponseDueAt), ResolutionDue: utc(t.ResolutionDueAt),
		At: at,
	}
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Detail is one ticket with its contact and thread.
type Detail struct {
	Summary
	Contact  Contact   `json:"contact"`
	Messages []Message `json:"messages"`
	// ReplyWindow is set on channels that only take free text for a while
	// after the citizen's last message.
	ReplyWindow *ReplyWindow `json:"reply_window,omitempty"`
}

// Contact is the citizen as the console shows them. The NIK is masked:
// agents verify it by asking, they never need to read it out.
type Contact struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	NIKMasked string `json:"nik_masked"`
	Province  string `json:"province"`
}

// Message is one entry of a thread.
type Message struct {
	ID             int64                 `json:"id"`
	Direction      domain.Direction      `json:"direction"`
	Channel        string                `json:"channel"`
	Body           string                `json:"body"`
	Author         string                `json:"author"`
	AgentID        *int64                `json:"agent_id,omitempty"`
	CreatedAt      time.Time             `json:"created_at"`
	DeliveryStatus domain.DeliveryStatus `json:"delivery_status,omitempty"`
	DeliveryError  string                `json:"delivery_error,omitempty"`
	Attachments    []Attachment          `json:"attachments"`
	// Fields is the structured data of a citizen message (e.g. a phone
	// call's menu path and outcome).
	Fields map[string]string `json:"fields,omitempty"`
}

// Attachment is a file on a message.
type Attachment struct {
	ID         int64  `json:"id"`
	Filename   string `json:"filename"`
	MIME       string `json:"mime"`
	Size       int64  `json:"size"`
	Available  bool   `json:"available"`
	StorageKey string `json:"-"`
}

// Summary returns a ticket the viewer may see without its thread,
// contact or reply window: for frequent actions (typing, read marks) that
// only need to know what the ticket is.
func (s *Service) Summary(ctx context.Context, viewer agent.Agent, id int64) (Summary, error) {
	t, err := s.store.summary(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	if !visible(viewer, t) {
		return Summary{}, ErrForbidden
	}
	return t, nil
}

// Get returns one ticket with its thread, if the viewer may see it.
func (s *Service) Get(ctx context.Context, viewer agent.Agent, id int64) (Detail, error) {
	d, err := s.store.detail(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	if !visible(viewer, d.Summary) {
		return Detail{}, ErrForbidden
	}
	if d.ReplyWindow, err = s.replyWindow(ctx, d.Summary); err != nil {
		return Detail{}, err
	}
	return d, nil
}

func visible(v agent.Agent, t Summary) bool {
	if v.SeesAll() {
		return true
	}
	if t.AssigneeID != nil && *t.AssigneeID == v.ID {
		return true
	}
	if t.QueueID != nil {
		for _, q := range v.QueueIDs {
			if q == *t.QueueID {
				return true
			}
		}
	}
	return false
}

// Reply stores an agent's reply and hands it to the ticket's channel.
//
// The reply row and the outbound publish share one database transaction:
// the publish happens before the commit, so a bus failure rolls the reply
// back (the agent sees an error and nothing half-sent exists). If the commit
// fails after the publish, the adapter delivers a message the database does
// not know; its receipt finds no row and is dropped after retries. That
// window is much narrower than the opposite order, where a committed reply
// could never reach the citizen.
func (s *Service) Reply(ctx context.Context, viewer agent.Agent, ticketID int64, body string) (Message, error) {
	return s.ReplyWith(ctx, viewer, ticketID, Draft{Body: body})
}

// ReplyWith is Reply with a template or quick reply buttons. On a channel
// with a reply window (ReplyPolicy), free text outside the window is
// refused with ErrWindowClosed; a configured template is always accepted.
// On a channel this installation does not run, every reply is refused
// (ChannelOff) and nothing is stored.
func (s *Service) ReplyWith(ctx context.Context, viewer agent.Agent, ticketID int64, d Draft) (Message, error) {
	if len(s.off) > 0 {
		// A ticket's channel never changes: checked once, before the
		// draft (a template or a window refusal would only mislead).
		t, err := s.Summary(ctx, viewer, ticketID)
		if err != nil {
			return Message{}, err
		}
		if err := s.CheckDelivers(t); err != nil {
			return Message{}, err
		}
	}
	policy, windowed := s.policies[s.channelOf(ctx, ticketID)]
	policy, err := policy.inForce(ctx)
	if err != nil {
		return Message{}, err
	}
	body, tpl, err := checkDraft(d, policy)
	if err != nil {
		return Message{}, err
	}
	now := time.Now().UTC()
	var msg Message
	var ev bus.Ticket
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err := s.lockVisible(ctx, tx, viewer, ticketID)
		if err != nil {
			return err
		}
		if t.Status == domain.StatusClosed {
			return ErrClosed
		}
		last, via, err := s.store.lastInbound(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if windowed && tpl == nil && !policy.window(last, now).Open {
			return ErrWindowClosed
		}
		if d.Seen > 0 {
			// Under the ticket's lock: of two replies sent at once, the
			// second sees the first.
			clash, err := s.store.repliedSince(ctx, tx, t.ID, d.Seen, viewer.ID)
			if err != nil {
				return err
			}
			if clash != nil {
				return clash
			}
		}
		providerID, err := newProviderID()
		if err != nil {
			return err
		}
		id, err := s.store.insertReply(ctx, tx, t.ID, t.Channel, viewer.ID, providerID, body, now)
		if err != nil {
			return err
		}
		status := t.Status
		if status == domain.StatusNew {
			status = domain.StatusOpen
		}
		ev = t.event(now)
		ev.Status, ev.Preview = status, mask.Preview(body)
		atts, err := s.store.insertReplyFiles(ctx, tx, id, d.Files, now)
		if err != nil {
			return err
		}
		if err := s.store.markReplied(ctx, tx, t.ID, status, now); err != nil {
			return err
		}
		if err := s.clocks.Replied(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if err := s.store.audit(ctx, tx, viewer.ID, "ticket.reply", t.ID, fmt.Sprintf("message %d", id), now); err != nil {
			return err
		}
		to, err := s.store.recipient(ctx, tx, t.ContactID)
		if err != nil {
			return err
		}
		if to, err = s.conversationTo(ctx, tx, t.ID, to); err != nil { // contacts: the number this conversation came from
			return err
		}
		out := envelope.Outbound{
			V: envelope.Version, Channel: envelope.Channel(t.Channel), MessageID: id, ID: providerID, TicketID: t.ID,
			TrackingNumber: t.TrackingNumber, To: to, Text: body, AgentName: viewer.Name, CreatedAt: now,
			Via: via, Template: tpl, Buttons: d.Buttons, Attachments: outboundFiles(d.Files),
		}
		if err := s.bus.PublishOutbound(ctx, out); err != nil {
			return err
		}
		agentID := viewer.ID
		msg = Message{ID: id, Direction: domain.DirectionOut, Channel: t.Channel, Body: body, Author: viewer.Name, AgentID: &agentID,
			CreatedAt: now, DeliveryStatus: domain.DeliveryQueued, Attachments: atts}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	s.emit(ctx, bus.MessageCreated{Scope: ev.Scope, MessageID: msg.ID, Direction: domain.DirectionOut, Channel: ev.Channel,
		Preview: ev.Preview, At: now})
	s.emit(ctx, bus.TicketUpdated(ev))
	return msg, nil
}

// emit is Emit continuing ctx's trace (the agent's request) into the
// console push, when the bus can carry it (bus.Bus.EmitCtx).
func (s *Service) emit(ctx context.Context, ev bus.Event) {
	if b, ok := s.bus.(interface {
		EmitCtx(context.Context, bus.Event)
	}); ok {
		b.EmitCtx(ctx, ev)
		return
	}
	s.bus.Emit(ev)
}

// lockVisible locks a ticket for the rest of tx, if viewer may work it
// and its citizen has not restricted processing.
func (s *Service) lockVisible(ctx context.Context, tx *gorm.DB, viewer agent.Agent, ticketID int64) (Summary, error) {
	t, err := s.store.lockTicket(ctx, tx, ticketID)
	if err != nil {
		return Summary{}, err
	}
	if !visible(viewer, t) {
		return Summary{}, ErrForbidden
	}
	// A citizen who restricted processing has every agent's change of
	// their tickets refused here, whichever path asks (reply, status,
	// notes, tags, wrap-up, bulk actions, macros).
	if err := CheckNotRestricted(ctx, tx, ticketID); err != nil {
		return Summary{}, err
	}
	return t, nil
}

// transitions lists which status an agent may move a ticket to from each
// status. "new" is only ever set by the core; closed is final (a citizen
// writing again opens a new ticket).
var transitions = map[domain.TicketStatus][]domain.TicketStatus{
	domain.StatusNew:     {domain.StatusOpen, domain.StatusPending, domain.StatusSolved, domain.StatusClosed},
	domain.StatusOpen:    {domain.StatusPending, domain.StatusSolved, domain.StatusClosed},
	domain.StatusPending: {domain.StatusOpen, domain.StatusSolved, domain.StatusClosed},
	domain.StatusSolved:  {domain.StatusOpen, domain.StatusClosed},
	domain.StatusClosed:  {},
}

// SetStatus moves a ticket through its lifecycle.
func (s *Service) SetStatus(ctx context.Context, viewer agent.Agent, ticketID int64, status domain.TicketStatus) (Summary, error) {
	if _, ok := transitions[status]; !ok || status == domain.StatusNew {
		var ve apperr.ValidationError
		ve.Add("status", "validation.status_invalid")
		return Summary{}, ve.Err()
	}
	now := time.Now().UTC()
	var out Summary
	var freedAgent int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err := s.lockVisible(ctx, tx, viewer, ticketID)
		if err != nil {
			return err
		}
		if t.Status == status {
			out = t
			return nil
		}
		if !allowed(t.Status, status) {
			return ErrInvalidStatusChange
		}
		if err := s.mayEnd(ctx, tx, t, status); err != nil {
			return err
		}
		if s.guard != nil && ends(t.Status, status) {
			if err := s.guard.BeforeSolve(ctx, tx, t); err != nil {
				return err
			}
		}
		switch {
		case t.AssigneeID != nil && t.Status.Active() && !status.Active():
			if err := s.loads.Release(ctx, tx, t.ID); err != nil {
				return err
			}
			freedAgent = *t.AssigneeID
		case !t.Status.Active() && status.Active():
			re := Reopened{ID: t.ID, Category: t.Category, Channel: t.Channel}
			if t.QueueID != nil {
				re.QueueID = *t.QueueID
			}
			if t.AssigneeID != nil {
				re.AssigneeID = *t.AssigneeID
			}
			if err := s.loads.Reopen(ctx, tx, re); err != nil {
				return err
			}
		}
		if err := s.store.setStatus(ctx, tx, t.ID, status, now); err != nil {
			return err
		}
		if err := s.clocks.StatusChanged(ctx, tx, t.ID, t.Status, status, now); err != nil {
			return err
		}
		if err := s.store.audit(ctx, tx, viewer.ID, "ticket.status", t.ID, string(t.Status+" -> "+status), now); err != nil {
			return err
		}
		out = t
		out.Status = status
		out.UpdatedAt = now
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	// Routing may have changed the assignee: answer with what is stored.
	if fresh, err := s.store.summary(ctx, ticketID); err == nil {
		out = fresh
	}
	s.emit(ctx, bus.TicketUpdated(out.event(time.Now().UTC())))
	if freedAgent != 0 {
		// Capacity freed: the oldest waiting ticket goes to this agent now,
		// not on some later sweep.
		if _, err := s.loads.AssignWaiting(ctx, freedAgent); err != nil {
			s.log.Warn("assign waiting after status change", "agent_id", freedAgent, "err", err)
		}
	}
	return out, nil
}

// mayEnd asks the EndGuard about a move to solved or closed.
func (s *Service) mayEnd(ctx context.Context, q *gorm.DB, t Summary, to domain.TicketStatus) error {
	if s.endGuard == nil || (to != domain.StatusSolved && to != domain.StatusClosed) {
		return nil
	}
	return s.endGuard.BeforeEnd(ctx, q, t, to)
}

// CheckEnd tells, without changing anything, whether moving a ticket to
// status would be refused by the EndGuard (a complaint whose lifecycle
// has not ended): for callers that check every step before taking the
// first (macros).
func (s *Service) CheckEnd(ctx context.Context, t Summary, status domain.TicketStatus) error {
	if t.Status == status {
		return nil
	}
	return s.mayEnd(ctx, s.db.DB, t, status)
}

func allowed(from, to domain.TicketStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ApplyReceipt records a delivery receipt. Statuses only move forward
// (queued < sent < posted < delivered < read; failed is terminal), so a late
// "delivered" never undoes a "read". ErrMessageNotFound means the message
// is not (yet) committed: the caller retries later.
func (s *Service) ApplyReceipt(ctx context.Context, r envelope.Receipt) error {
	changed, err := s.store.applyReceipt(ctx, r, time.Now().UTC())
	if err != nil {
		return err
	}
	if changed != nil {
		s.emit(ctx, bus.MessageUpdated{Scope: bus.Scope{TicketID: changed.TicketID, QueueID: idOf(changed.QueueID), AssigneeID: idOf(changed.AssigneeID)},
			MessageID: r.MessageID, DeliveryStatus: r.Status, DeliveryError: mask.Reason(r.Error), At: time.Now().UTC()})
	}
	return nil
}

// Attachment returns an attachment the viewer may open.
func (s *Service) Attachment(ctx context.Context, viewer agent.Agent, attachmentID int64) (Attachment, error) {
	a, ticketID, err := s.store.attachment(ctx, attachmentID)
	if err != nil {
		return Attachment{}, err
	}
	d, err := s.store.summary(ctx, ticketID)
	if err != nil {
		return Attachment{}, err
	}
	if !visible(viewer, d) {
		return Attachment{}, ErrForbidden
	}
	return a, nil
}

func newProviderID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("ticket: random: %w", err)
	}
	return "agent-" + hex.EncodeToString(b[:]), nil
}
