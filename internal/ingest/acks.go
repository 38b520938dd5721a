package ingest

// Acknowledgements of new tickets. A channel named in Opts.Acks tells the
// citizen at once that their first message was received (the WhatsApp
// adapter: tracking number, and when agents are back while the queue is
// closed). The core knows which tickets a batch opened; after the commit
// and the acks it queues one bus.JobAck job per such ticket on the
// channel's job queue, keyed by the ticket id, so JetStream's dedupe
// window drops a copy. Nothing is read or written in the batch
// transaction for it. The acknowledgement is a courtesy, the message is
// already safe: a failed publish is logged, never retried, and a batch
// redelivered after a crash opens no ticket again, so it queues none.

import (
	"context"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/envelope"
)

// ackPublishTimeout bounds the publish of one batch's acknowledgements.
const ackPublishTimeout = 5 * time.Second

// queueAcks publishes the acknowledgement jobs of the tickets res opened
// on the channels that acknowledge.
func (c *Consumer) queueAcks(res result) {
	if len(c.ackChannels) == 0 || len(res.created) == 0 {
		return
	}
	// The opening message of each new ticket: the first of the batch on
	// it (stream order).
	first := make(map[int64]*item, len(res.created))
	for _, it := range res.messages {
		if _, ok := first[it.ticket.id]; !ok {
			first[it.ticket.id] = it
		}
	}
	var jobs []bus.Pending
	for _, t := range res.created {
		ch := envelope.Channel(t.channel)
		it := first[t.id]
		if !c.ackChannels[ch] || it == nil {
			continue
		}
		phone := it.in.Sender.WaID
		if phone == "" {
			phone = it.in.Sender.Phone
		}
		if phone == "" {
			continue
		}
		ack := bus.Ack{TicketID: t.id, TrackingNumber: t.trackingNumber, Phone: phone, Via: it.in.Fields[envelope.FieldVia],
			At: it.in.ReceivedAt.UTC(), Kind: it.in.Fields[envelope.FieldKind], CallOutcome: it.in.Fields[envelope.FieldCallOutcome]}
		p, err := c.bus.JobPending(ch, bus.JobAck, strconv.FormatInt(t.id, 10), ack)
		if err != nil {
			c.log.Warn("acknowledgement not queued", "ticket_id", t.id, "err", err)
			continue
		}
		jobs = append(jobs, p)
	}
	if len(jobs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ackPublishTimeout)
	defer cancel()
	if err := c.bus.PublishAll(ctx, jobs); err != nil {
		c.log.Warn("acknowledgements not queued; the citizens are not told", "tickets", len(jobs), "err", err)
	}
}
