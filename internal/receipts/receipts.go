// Package receipts feeds delivery receipts from every channel into the
// ticketing core, so agents see whether their replies reached the citizen.
package receipts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/envelope"
	"tanggap/internal/tracing"
)

// Applier records one receipt. It returns NotYet (wrapped) when the message
// it names is not committed yet, so the receipt is retried.
type Applier interface {
	ApplyReceipt(ctx context.Context, r envelope.Receipt) error
}

// Opts configures the consumer.
type Opts struct {
	Bus     *bus.Bus
	Applier Applier
	// NotYet is the error that means "retry later".
	NotYet error
	Log    *slog.Logger
	// MaxDeliver bounds retries of a receipt whose message never appears
	// (its reply transaction rolled back after the publish).
	MaxDeliver int
}

// Run consumes receipts until ctx ends.
func Run(ctx context.Context, o Opts) error {
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 20
	}
	names := o.Bus.Names
	cons, err := o.Bus.JS.CreateOrUpdateConsumer(ctx, names.StreamReceipts(), jetstream.ConsumerConfig{
		Durable:       names.DurableReceipts(),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    -1,
		MaxAckPending: 5000,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("receipts: consumer: %w", err)
	}
	bus.Consume(ctx, cons, 200, o.Log, "receipts", func(msgs <-chan jetstream.Msg) {
		for msg := range msgs {
			handle(ctx, o, msg)
		}
	})
	return nil
}

// settle reports a failed ack/nak/term: the message then comes back after
// the ack wait, which is safe, but it must not happen silently.
func settle(o Opts, what string, r envelope.Receipt, err error) {
	if err != nil {
		o.Log.Warn("receipt "+what+" failed", "message_id", r.MessageID, "err", err)
	}
}

func handle(ctx context.Context, o Opts, msg jetstream.Msg) {
	r, err := envelope.DecodeReceipt(msg.Data())
	if err != nil {
		o.Log.Error("invalid receipt", "err", err)
		settle(o, "term", r, msg.Term())
		return
	}
	// The delivery's trace goes on to the status pushed to the consoles.
	err = o.Applier.ApplyReceipt(tracing.Extract(ctx, msg.Headers()), r)
	switch {
	case err == nil:
		settle(o, "ack", r, msg.Ack())
	case errors.Is(err, o.NotYet):
		n := bus.Attempt(msg)
		if n >= o.MaxDeliver {
			o.Log.Warn("receipt for unknown message dropped", "message_id", r.MessageID, "status", r.Status)
			settle(o, "term", r, msg.Term())
			return
		}
		settle(o, "nak", r, msg.NakWithDelay(time.Duration(n)*200*time.Millisecond))
	default:
		o.Log.Warn("apply receipt", "message_id", r.MessageID, "err", err)
		settle(o, "nak", r, msg.NakWithDelay(time.Second))
	}
}
