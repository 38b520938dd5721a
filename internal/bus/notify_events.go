package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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
