package channels

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/tracing"
)

// DeliveryOpts tunes the delivery loop.
type DeliveryOpts struct {
	Bus     *bus.Bus
	Adapter Adapter
	Log     *slog.Logger
	// MaxDeliver bounds attempts of a reply; the last failure is recorded as
	// a failed receipt so the agent sees it.
	MaxDeliver int
	// Backoff is the delay before attempt n+1 (n starts at 1).
	Backoff func(attempt int) time.Duration
	// Observe, when set, counts each attempt's outcome (sent, retry,
	// failed) per channel (internal/metrics implements it).
	Observe DeliveryObserver
	// Tracer, when set, traces each attempt as the child of the reply's
	// publisher (the agent's request).
	Tracer trace.Tracer
}

// DeliveryObserver counts outbound attempts.
type DeliveryObserver interface {
	Delivered(channel, outcome string)
}

// RunDelivery consumes the adapter's outbound subject through a durable
// consumer until ctx ends. Each reply is acked only after its receipt is
// published, so a crash redelivers it; adapters make delivery idempotent by
// the outbound MessageID.
func RunDelivery(ctx context.Context, o DeliveryOpts) error {
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 12
	}
	if o.Backoff == nil {
		o.Backoff = func(n int) time.Duration {
			d := time.Second << min(n-1, 8)
			return min(d, 5*time.Minute)
		}
	}
	ch := o.Adapter.Channel()
	cons, err := deliveryConsumer(ctx, o.Bus, ch)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("channels: %s delivery consumer: %w", ch, err)
	}
	log := o.Log.With("channel", string(ch))
	bus.Consume(ctx, cons, 100, log, "delivery", func(msgs <-chan jetstream.Msg) {
		for msg := range msgs {
			deliverOne(ctx, o, log, msg)
		}
	})
	return nil
}

// deliveryConsumer is the durable consumer of ch's replies: the one
// delivery loop of the channel's adapter, or RunOff while the channel is
// off (both by the same durable, so a reply is taken by one of them).
func deliveryConsumer(ctx context.Context, b *bus.Bus, ch envelope.Channel) (jetstream.Consumer, error) {
	return b.JS.CreateOrUpdateConsumer(ctx, b.Names.StreamOutbound(), jetstream.ConsumerConfig{
		Durable:       b.Names.DurableDeliver(ch),
		FilterSubject: b.Names.Outbound(ch),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       60 * time.Second,
		MaxDeliver:    -1,
		MaxAckPending: 1000,
	})
}

func deliverOne(ctx context.Context, o DeliveryOpts, log *slog.Logger, msg jetstream.Msg) {
	out, err := envelope.DecodeOutbound(msg.Data())
	if err != nil {
		// Nothing can ever deliver it; keep it out of the way and say so.
		log.Error("undeliverable outbound envelope", "err", err)
		settle(log, "term", 0, msg.Term())
		return
	}
	attempt := bus.Attempt(msg)
	ctx, span := o.startSpan(ctx, msg, out, attempt)
	rcpt, err := o.Adapter.Deliver(ctx, out)
	if span != nil {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "delivery failed")
		}
		span.End()
	}
	if err != nil {
		if !IsPermanent(err) && attempt < o.MaxDeliver {
			log.Warn("delivery failed, will retry", "message_id", out.MessageID, "attempt", attempt, "err", err)
			o.observe(out.Channel, "retry")
			settle(log, "nak", out.MessageID, msg.NakWithDelay(o.Backoff(attempt)))
			return
		}
		rcpt = envelope.Receipt{Status: domain.DeliveryFailed, Error: err.Error()}
		log.Warn("delivery failed for good", "message_id", out.MessageID, "attempt", attempt, "err", err)
		o.observe(out.Channel, "failed")
	} else {
		o.observe(out.Channel, "sent")
	}
	rcpt.V = envelope.Version
	rcpt.Channel = out.Channel
	rcpt.MessageID = out.MessageID
	if rcpt.At.IsZero() {
		rcpt.At = time.Now().UTC()
	}
	if err := o.Bus.PublishReceipt(ctx, rcpt); err != nil {
		// The receipt is the record of delivery: without it, try again.
		log.Warn("receipt publish failed", "message_id", out.MessageID, "err", err)
		settle(log, "nak", out.MessageID, msg.NakWithDelay(time.Second))
		return
	}
	// A lost ack redelivers the reply; adapters deliver idempotently by
	// MessageID, so the worst case is a duplicate provider call they absorb.
	settle(log, "ack", out.MessageID, msg.Ack())
}

// startSpan opens the attempt's span under the trace the reply came with.
func (o DeliveryOpts) startSpan(ctx context.Context, msg jetstream.Msg, out envelope.Outbound, attempt int) (context.Context, trace.Span) {
	if o.Tracer == nil {
		return ctx, nil
	}
	ctx = tracing.Extract(ctx, msg.Headers())
	return o.Tracer.Start(ctx, "deliver "+string(out.Channel), trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.Int64("message_id", out.MessageID), attribute.Int("attempt", attempt)))
}

func (o DeliveryOpts) observe(ch envelope.Channel, outcome string) {
	if o.Observe != nil {
		o.Observe.Delivered(string(ch), outcome)
	}
}

// settle reports a failed ack/nak/term instead of dropping the error.
func settle(log *slog.Logger, what string, messageID int64, err error) {
	if err != nil {
		log.Warn("outbound "+what+" failed", "message_id", messageID, "err", err)
	}
}
