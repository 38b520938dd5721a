package ingest

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/envelope"
)

// RefusedItems keeps the records of items a channel could not read
// (internal/refused implements it).
type RefusedItems interface {
	Record(ctx context.Context, r envelope.Refused) (bool, error)
}

// keepRefused stores one refused item's record, then acks it: the record
// has its own table, outside the message batches (they are rare: one
// small INSERT … ON CONFLICT DO NOTHING of its own, run beside the
// fetching goroutine, keeps them out of the batches' citizen order). A failed insert is naked with
// a growing delay, like a message that could not be stored; a record that
// cannot be read, or a core without the table's service, is terminated
// and logged (it stays in the stream).
func (c *Consumer) keepRefused(ctx context.Context, m jetstream.Msg, r envelope.Refused, err error) {
	attrs := []any{"channel", r.Channel, "item", r.Item, "provider_message_id", r.ProviderMessageID, "cause", r.Cause, "record", r.ID}
	if err != nil || c.refused == nil {
		if err == nil {
			err = errNoRefusedStore
		}
		c.log.Error("refused item's record not kept (kept in the stream)", append(attrs, "err", err, "subject", m.Subject())...)
		if err := m.Term(); err != nil {
			c.log.Warn("ingest term failed", "err", err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ackWait/2)
	defer cancel()
	fresh, err := c.refused.Record(ctx, r)
	if err != nil {
		c.redeliverLater(m, err, "refused item's record not kept; redelivering later", attrs)
		return
	}
	if fresh {
		c.log.Info("refused item kept for the admins' list", attrs...)
	}
	if err := m.Ack(); err != nil {
		c.log.Warn("ingest ack failed", append(attrs, "err", err)...)
	}
}
