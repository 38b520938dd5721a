package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Citizen notifications (internal/notify).

// ActionNotified is the action of ticket.notified.
const ActionNotified = "notified"

// TicketNotified: a notification to the ticket's citizen (e-mail, SMS or
// WhatsApp template) was queued, sent, delivered or failed on one route.
// Reason is the masked cause of a failure (mask.Preview); the citizen's
// address is never a field.
type TicketNotified struct {
	V V `json:"v"`
	Scope
	DeliveryID int64     `json:"delivery_id"`
	Route      string    `json:"route"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

func (TicketNotified) EventName() (string, string) { return EntityTicket, ActionNotified }

// NotifyEventSubjects are the events citizen notifications start from.
func (n Names) NotifyEventSubjects() []string {
	return []string{n.Event(EntityTicket, ActionUpdated), n.Event(EntityMessage, ActionUpdated)}
}

// NotifyEvents creates (or updates) the stream that keeps the events of
// NotifyEventSubjects and returns the durable consumer every notifier
// instance shares. Events are still published on core NATS (Emit); the
// stream captures them as they pass, so each is handled by exactly one
// instance, and one published while no notifier runs waits for the next
// (for up to a week). A work queue: a handled event is gone.
func (b *Bus) NotifyEvents(ctx context.Context) (jetstream.Consumer, error) {
	n := b.Names
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        n.StreamNotifyEvents(),
		Description: "events citizen notifications start from, each taken by one notifier",
		Subjects:    n.NotifyEventSubjects(),
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		MaxAge:      7 * 24 * time.Hour,
		Discard:     jetstream.DiscardOld,
		Replicas:    b.cfg.Replicas,
	}); err != nil {
		return nil, fmt.Errorf("bus: stream %s: %w", n.StreamNotifyEvents(), err)
	}
	cons, err := b.JS.CreateOrUpdateConsumer(ctx, n.StreamNotifyEvents(), jetstream.ConsumerConfig{
		// No filter: the stream holds only these subjects (and a server
		// before 2.10 refuses several filter subjects).
		Durable:       n.DurableNotifyEvents(),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       time.Minute,
		MaxDeliver:    -1,
		MaxAckPending: 1000,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s: %w", n.DurableNotifyEvents(), err)
	}
	return cons, nil
}

// Provider statuses of citizen notifications that reach a channel adapter
// (a WhatsApp status webhook about a template notify sent) are handed to
// notify as jobs on its own job subject, so no adapter reads or writes
// notify's tables and notify needs no provider webhook of its own.
const (
	// NotifyJobs is the job "channel" of internal/notify: its sends
	// (Job(NotifyJobs, "send")) and the provider statuses handed to it
	// (Job(NotifyJobs, NotifyStatusKind)).
	NotifyJobs envelope.Channel = "notify"
	// NotifyStatusKind is the job kind of a NotifyStatus.
	NotifyStatusKind = "status"
	// NotifyRefPrefix starts the reference notify gives a message it sends
	// through a provider that echoes one back with its statuses (WhatsApp's
	// biz_opaque_callback_data): a status whose reference has it is
	// notify's, whatever the adapter's own records say.
	NotifyRefPrefix = "tanggap-notify:"
)

// NotifyStatus is one provider status of a citizen notification, as the
// adapter that received it read it. Example:
//
//	{"v":1,"route":"whatsapp","ref":"tanggap-notify:42","provider_id":"wamid.HBg...","status":"failed",
//	 "error":"131026 Message undeliverable","at":"2026-12-03T07:00:00Z"}
type NotifyStatus struct {
	V          V                     `json:"v"`
	Route      string                `json:"route"`
	Ref        string                `json:"ref"`
	ProviderID string                `json:"provider_id"`
	Status     domain.DeliveryStatus `json:"status"`
	Error      string                `json:"error,omitempty"`
	At         time.Time             `json:"at"`
}

// NotifyStatusPending is the publish of st for a batch (Bus.PublishBatch):
// one job per provider message and status, so a provider's retry of the
// same webhook queues nothing twice.
func (b *Bus) NotifyStatusPending(st NotifyStatus) (Pending, error) {
	st.V = 1
	data, err := json.Marshal(st)
	if err != nil {
		return Pending{}, fmt.Errorf("bus: encode notify status: %w", err)
	}
	return Pending{Subject: b.Names.Job(NotifyJobs, NotifyStatusKind),
		MsgID: JobMsgID(NotifyJobs, NotifyStatusKind, st.Route+":"+st.ProviderID+":"+string(st.Status)), Data: data}, nil
}
