package bus

// The event catalog: every realtime event published on
// <prefix>.events.<entity>.<action> is one of the types below, and
// EVENTS.md documents each with an example (a test keeps the two in step).
//
// Events are hints for live screens, never the truth: a screen that missed
// one refetches. They carry what a screen needs to update without another
// read, and never unmasked personal data: subjects and previews go through
// mask.Preview, and no phone number, NIK, e-mail address or name of a
// citizen is ever a field. Every event bound to a ticket carries the scope
// fields (Scope), so a gateway decides who may see it without reading the
// database.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/domain"
	"tanggap/internal/tracing"
)

// Version is the version of the event JSON, sent as "v" in every event.
const Version = 1

// Entities.
const (
	EntityTicket  = "ticket"
	EntityMessage = "message"
	EntitySLA     = "sla"
	EntityQueue   = "queue"
	EntityAgent   = "agent"
	// EntityNotification: events meant for one agent (RecipientID).
	EntityNotification = "notification"
	// EntityRole: a role's definition (its permissions) changed.
	EntityRole = "role"
)

// Actions.
const (
	ActionCreated      = "created"
	ActionUpdated      = "updated"
	ActionAssigned     = "assigned"
	ActionUnassigned   = "unassigned"
	ActionTransferred  = "transferred"
	ActionTyping       = "typing"
	ActionSLAWarning   = "warning"
	ActionSLABreached  = "breached"
	ActionQueueMetrics = "metrics"
	ActionPresence     = "presence"
)

// Event is one catalog entry: it names its own entity and action, so no
// caller spells a subject.
type Event interface {
	EventName() (entity, action string)
}

// Name is "<entity>.<action>", the event's name on the console socket.
func Name(e Event) string {
	entity, action := e.EventName()
	return entity + "." + action
}

// V is the "v" field of every event. Its zero value is sent as Version, so
// a publisher never sets it; a decoded event keeps what it carried.
type V int

// MarshalJSON writes the version, Version when unset.
func (v V) MarshalJSON() ([]byte, error) {
	if v == 0 {
		v = Version
	}
	return []byte(fmt.Sprint(int(v))), nil
}

// UnmarshalJSON reads the version.
func (v *V) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("bus: event version: %w", err)
	}
	*v = V(n)
	return nil
}

// Scope is carried by every event bound to a ticket: whose screens it
// concerns. Zero ids mean none.
type Scope struct {
	TicketID   int64 `json:"ticket_id"`
	QueueID    int64 `json:"queue_id"`
	AssigneeID int64 `json:"assignee_id"`
	// PreviousAssigneeID is the agent the event took the ticket from
	// (unassigned, transferred, reassigned); 0 and omitted otherwise.
	PreviousAssigneeID int64 `json:"previous_assignee_id,omitempty"`
	// PreviousQueueID is the queue the event moved the ticket out of
	// (transferred to another queue, its queue removed); 0 and omitted
	// otherwise. Its members hear the move, so their lists drop the ticket.
	PreviousQueueID int64 `json:"previous_queue_id,omitempty"`
}

// Ticket is the payload of every ticket.* event except typing: the ticket
// as a list row shows it, after the change.
type Ticket struct {
	V V `json:"v"`
	Scope
	TrackingNumber string              `json:"tracking_number"`
	Status         domain.TicketStatus `json:"status"`
	Channel        string              `json:"channel"`
	Priority       domain.Priority     `json:"priority"`
	// Subject is masked (mask.Preview).
	Subject          string     `json:"subject"`
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
	// Preview is the masked start of the message that came with the
	// change (mask.Preview); empty when the change came with none.
	Preview string    `json:"preview,omitempty"`
	At      time.Time `json:"at"`
}

// TicketCreated: a citizen's first message opened a ticket.
type TicketCreated Ticket

// TicketUpdated: the status, priority or queue changed, or a message
// reopened the ticket.
type TicketUpdated Ticket

// TicketAssigned: a waiting ticket got an assignee (AssigneeID) from
// routing, an offer, a claim or a supervisor.
type TicketAssigned Ticket

// TicketUnassigned: the ticket went back to its queue; PreviousAssigneeID
// is the agent who lost it.
type TicketUnassigned Ticket

// TicketTransferred: an agent or supervisor moved the ticket to another
// agent or queue, or a supervisor reassigned it. PreviousAssigneeID is the
// agent it came from (0: it was waiting); AssigneeID the new one (0: it
// waits in QueueID).
type TicketTransferred Ticket

// TicketTyping: the citizen of a live chat is (not) typing.
type TicketTyping struct {
	V V `json:"v"`
	Scope
	On bool      `json:"on"`
	At time.Time `json:"at"`
}

// MessageCreated: a message was stored in a ticket's thread.
type MessageCreated struct {
	V V `json:"v"`
	Scope
	MessageID int64 `json:"message_id"`
	// Direction is domain.DirectionIn (citizen), DirectionOut (agent
	// reply) or DirectionNote (internal).
	Direction domain.Direction `json:"direction"`
	Channel   string           `json:"channel"`
	// Kind is the envelope's message kind when it has one (a web-form
	// complaint, a live-chat message, …).
	Kind domain.Kind `json:"kind,omitempty"`
	// Preview is the masked start of the body (mask.Preview).
	Preview string    `json:"preview"`
	At      time.Time `json:"at"`
}

// MessageUpdated: an agent reply's delivery status moved (sent, delivered,
// read, failed, ...).
type MessageUpdated struct {
	V V `json:"v"`
	Scope
	MessageID      int64                 `json:"message_id"`
	DeliveryStatus domain.DeliveryStatus `json:"delivery_status"`
	// DeliveryError is why the channel could not deliver the reply (a
	// provider's error, a bounce, channel_off), masked with mask.Reason,
	// so the agent reads it as it happens instead of after a reload.
	DeliveryError string    `json:"delivery_error,omitempty"`
	At            time.Time `json:"at"`
}

// SLA is the payload of sla.warning and sla.breached. On a breach the
// ticket's priority went up one step (Priority is the new one) and
// SupervisorIDs are the queue's supervisors to notify.
type SLA struct {
	V V `json:"v"`
	Scope
	// AgentID is AssigneeID, kept for earlier readers.
	AgentID       int64           `json:"agent_id,omitempty"`
	Target        string          `json:"target"`
	DueAt         time.Time       `json:"due_at"`
	Priority      domain.Priority `json:"priority"`
	SupervisorIDs []int64         `json:"supervisor_ids,omitempty"`
}

// SLAWarning: an SLA target of the ticket is near its due time.
type SLAWarning SLA

// SLABreached: an SLA target of the ticket passed its due time.
type SLABreached SLA

// QueueFigures is one queue's live state.
type QueueFigures struct {
	QueueID int64  `json:"queue_id"`
	Queue   string `json:"queue"`
	Name    string `json:"name"`
	Waiting int    `json:"waiting"`
	// OldestWaitSeconds is how long the oldest waiting ticket has waited.
	OldestWaitSeconds int64 `json:"oldest_wait_seconds"`
	// AgentsAvailable are online members with room; AgentsBusy are online
	// members at capacity or members whose presence is busy.
	AgentsAvailable int  `json:"agents_available"`
	AgentsBusy      int  `json:"agents_busy"`
	AgentsOnline    int  `json:"agents_online"`
	Open            bool `json:"open"`
	// OverflowAfterSeconds is the wait after which the queue's tickets
	// overflow into another queue; 0 when the queue has no overflow.
	OverflowAfterSeconds int64 `json:"overflow_after_seconds"`
	// SLADueSoon counts the queue's active tickets whose resolution or
	// unmet first response falls due within the hour (SLA at risk; the
	// console's "SLA due soon" filter).
	SLADueSoon int `json:"sla_due_soon"`
}

// QueueMetrics: every queue's figures, published periodically. No ticket
// scope: for supervisors and admins.
type QueueMetrics struct {
	V      V              `json:"v"`
	Queues []QueueFigures `json:"queues"`
	At     time.Time      `json:"at"`
}

// AgentPresence: an agent's presence changed. No ticket scope: every
// signed-in console user may see it (they may transfer to that agent).
type AgentPresence struct {
	V        V               `json:"v"`
	AgentID  int64           `json:"agent_id"`
	Presence domain.Presence `json:"presence"`
	QueueIDs []int64         `json:"queue_ids"`
	At       time.Time       `json:"at"`
}

// RoleUpdated: an admin changed a role's permissions. Every console
// gateway reads again the rights of the open consoles of that role's
// holders (their scope may have narrowed or widened). No ticket scope:
// for admins' screens.
type RoleUpdated struct {
	V    V           `json:"v"`
	Role domain.Role `json:"role"`
	At   time.Time   `json:"at"`
}

// NotificationCreated: an agent got a notification (a colleague mentioned
// them in an internal note). Only the recipient's consoles receive it, and
// only while the recipient may see the ticket (the scope fields). Preview
// is the masked start of the note (mask.Preview).
type NotificationCreated struct {
	V V `json:"v"`
	Scope
	RecipientID    int64     `json:"recipient_id"`
	NotificationID int64     `json:"notification_id"`
	Kind           string    `json:"kind"`
	MessageID      int64     `json:"message_id"`
	TrackingNumber string    `json:"tracking_number"`
	ActorID        int64     `json:"actor_id"`
	ActorName      string    `json:"actor_name"`
	Preview        string    `json:"preview"`
	At             time.Time `json:"at"`
}

func (TicketCreated) EventName() (string, string)     { return EntityTicket, ActionCreated }
func (TicketUpdated) EventName() (string, string)     { return EntityTicket, ActionUpdated }
func (TicketAssigned) EventName() (string, string)    { return EntityTicket, ActionAssigned }
func (TicketUnassigned) EventName() (string, string)  { return EntityTicket, ActionUnassigned }
func (TicketTransferred) EventName() (string, string) { return EntityTicket, ActionTransferred }
func (TicketTyping) EventName() (string, string)      { return EntityTicket, ActionTyping }
func (MessageCreated) EventName() (string, string)    { return EntityMessage, ActionCreated }
func (MessageUpdated) EventName() (string, string)    { return EntityMessage, ActionUpdated }
func (SLAWarning) EventName() (string, string)        { return EntitySLA, ActionSLAWarning }
func (SLABreached) EventName() (string, string)       { return EntitySLA, ActionSLABreached }
func (QueueMetrics) EventName() (string, string)      { return EntityQueue, ActionQueueMetrics }
func (AgentPresence) EventName() (string, string)     { return EntityAgent, ActionPresence }
func (RoleUpdated) EventName() (string, string)       { return EntityRole, ActionUpdated }
func (NotificationCreated) EventName() (string, string) {
	return EntityNotification, ActionCreated
}

// Catalog lists one value of every event type, for documentation checks
// and for readers that decode by name (NewEvent).
func Catalog() []Event {
	return []Event{
		TicketCreated{}, TicketUpdated{}, TicketAssigned{}, TicketUnassigned{}, TicketTransferred{}, TicketTyping{},
		MessageCreated{}, MessageUpdated{}, SLAWarning{}, SLABreached{}, QueueMetrics{}, AgentPresence{},
		TicketTagged{}, TicketWrapup{},
		TicketNotified{}, // notify
		NotificationCreated{},
		RoleUpdated{}, // role definitions (internal/agent)
		CSATRated{}, CSATLowRating{}, CSATCommented{},
		ComplaintUpdated{}, ComplaintEscalated{}, ComplaintWarning{}, // complaint lifecycle (events_complaint.go)
		Wallboard{},                // the wallboard (wallboard.go)
		CallStarted{}, CallEnded{}, // phone calls (events_call.go)
	}
}

// NewEvent returns a pointer to a zero event of the named type
// ("ticket.assigned"), ready to decode into, or false for an unknown name.
func NewEvent(name string) (Event, bool) {
	for _, ev := range Catalog() {
		if Name(ev) == name {
			return reflect.New(reflect.TypeOf(ev)).Interface().(Event), true
		}
	}
	return nil, false
}

// Emit publishes a realtime event on core NATS, on the subject of its
// entity and action. Events are hints for live screens; losing one costs
// a refresh, so errors are logged, not returned.
func (b *Bus) Emit(ev Event) {
	entity, action := ev.EventName()
	data, err := json.Marshal(ev)
	if err == nil {
		err = b.NC.Publish(b.Names.Event(entity, action), data)
	}
	if err != nil {
		b.log.Warn("emit event", "entity", entity, "action", action, "err", err)
	}
}

// EmitCtx is Emit continuing ctx's trace: the event carries the span
// context in its headers (traceparent), so the console push that fans it
// out joins the trace of the change that caused it. Without a sampled
// span in ctx it is Emit, with no header.
func (b *Bus) EmitCtx(ctx context.Context, ev Event) {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		b.Emit(ev)
		return
	}
	entity, action := ev.EventName()
	data, err := json.Marshal(ev)
	if err == nil {
		msg := &nats.Msg{Subject: b.Names.Event(entity, action), Data: data, Header: nats.Header{}}
		tracing.Inject(ctx, msg.Header)
		err = b.NC.PublishMsg(msg)
	}
	if err != nil {
		b.log.Warn("emit event", "entity", entity, "action", action, "err", err)
	}
}

// EventSubject is the subject of an event type on these names.
func (n Names) EventSubject(ev Event) string {
	entity, action := ev.EventName()
	return n.Event(entity, action)
}

// Tags and wrap-up codes (internal/tags).

// Actions of the tags events.
const (
	ActionTagged = "tagged"
	ActionWrapup = "wrapup"
)

// TicketTagged: the ticket's tags changed (set, added to, removed from by
// an agent, a bulk action or a macro). Tags is the whole set after the
// change, sorted by name.
type TicketTagged struct {
	V V `json:"v"`
	Scope
	Tags []string  `json:"tags"`
	At   time.Time `json:"at"`
}

// TicketWrapup: an agent chose the ticket's wrap-up (disposition) code.
type TicketWrapup struct {
	V V `json:"v"`
	Scope
	CodeID int64     `json:"code_id"`
	Code   string    `json:"code"`
	At     time.Time `json:"at"`
}

func (TicketTagged) EventName() (string, string) { return EntityTicket, ActionTagged }
func (TicketWrapup) EventName() (string, string) { return EntityTicket, ActionWrapup }

// EmitIn is em.Emit(ev) continuing ctx's trace when em can carry it (a
// *Bus: EmitCtx), so a change's console push, notification or job joins
// the trace of the request or message that made the change. Packages keep
// their small Emit interfaces (and their test fakes).
func EmitIn(ctx context.Context, em interface{ Emit(Event) }, ev Event) {
	if b, ok := em.(interface {
		EmitCtx(context.Context, Event)
	}); ok {
		b.EmitCtx(ctx, ev)
		return
	}
	em.Emit(ev)
}
