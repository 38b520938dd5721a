package channels

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// ErrorChannelOff is the error of the failed receipt RunOff records: the
// public code of a reply refused on a channel that is off, so the console
// says the same thing of a reply that was never sent for that reason.
const ErrorChannelOff = apperr.CodeChannelOff

// OffOpts is a channel this installation does not run.
type OffOpts struct {
	Bus     *bus.Bus
	Channel envelope.Channel
	Log     *slog.Logger
	// Since is when this instance started with the channel off. Replies
	// made before it were queued while the channel ran (or by a release
	// that did not refuse them) and are settled as failed. A newer one
	// can only come from another instance that runs the channel (this
	// installation refuses such replies): it is left to that instance.
	Since time.Time
	// Wait is how long a newer reply is left to the instance running the
	// channel before it is offered again (default 30s); after MaxDeliver
	// offers it is settled as failed too.
	Wait       time.Duration
	MaxDeliver int
	// Observe, when set, counts each reply settled ("failed").
	Observe DeliveryObserver
}

// RunOff settles, until ctx ends, the replies queued for a channel that is
// off: nothing here delivers them, and left in the stream they would show
// as queued forever and reach the citizen, late, the day the channel is
// turned on again. Each gets a failed receipt whose error is
// ErrorChannelOff (the agent sees it was not sent and why) and leaves the
// stream, through the channel's own durable consumer.
func RunOff(ctx context.Context, o OffOpts) error {
	if o.Wait <= 0 {
		o.Wait = 30 * time.Second
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 10
	}
	cons, err := deliveryConsumer(ctx, o.Bus, o.Channel)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("channels: %s (off) consumer: %w", o.Channel, err)
	}
	log := o.Log.With("channel", string(o.Channel))
	bus.Consume(ctx, cons, 100, log, "channel off", func(msgs <-chan jetstream.Msg) {
		for msg := range msgs {
			settleOff(ctx, o, log, msg)
		}
	})
	return nil
}

func settleOff(ctx context.Context, o OffOpts, log *slog.Logger, msg jetstream.Msg) {
	out, err := envelope.DecodeOutbound(msg.Data())
	if err != nil {
		log.Error("undeliverable outbound envelope", "err", err)
		settle(log, "term", 0, msg.Term())
		return
	}
	if out.CreatedAt.After(o.Since) && bus.Attempt(msg) < o.MaxDeliver {
		settle(log, "nak", out.MessageID, msg.NakWithDelay(o.Wait))
		return
	}
	rcpt := envelope.Receipt{V: envelope.Version, Channel: out.Channel, MessageID: out.MessageID, Status: domain.DeliveryFailed,
		Error: ErrorChannelOff, At: time.Now().UTC()}
	if err := o.Bus.PublishReceipt(ctx, rcpt); err != nil {
		log.Warn("receipt publish failed", "message_id", out.MessageID, "err", err)
		settle(log, "nak", out.MessageID, msg.NakWithDelay(time.Second))
		return
	}
	log.Warn("reply not sent: channel off in this installation", "message_id", out.MessageID, "ticket_id", out.TicketID)
	if o.Observe != nil {
		o.Observe.Delivered(string(out.Channel), "failed")
	}
	settle(log, "ack", out.MessageID, msg.Ack())
}
