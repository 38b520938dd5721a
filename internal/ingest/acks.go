package ingest

// Acknowledgements. A channel named in Opts.Acks has its citizens told,
// once the batch is committed, where their message went:
//   - a ticket a batch opens on it: its opening message (the WhatsApp
//     adapter answers with the tracking number and, while the queue is
//     closed, when agents are back), keyed by the ticket id;
//   - a message that leaves the citizen waiting on us
//     (domain.AwaitsAnswer: a voicemail, a callback request, a call that
//     ended in one), on whichever ticket it lands: notify sends a caller
//     the ticket's tracking number, once per ticket. Keyed by the
//     message, so an earlier job of its ticket (the menu-only call that
//     opened it) does not hide it in JetStream's dedupe window.
//
// One bus.JobAck job each, on the channel's job queue. Nothing is read
// or written in the batch transaction for it. The acknowledgement is a
// courtesy, the message is already safe: a failed publish is logged,
// never retried, and a batch redelivered after a crash stores nothing
// again, so it queues none.

import (
	"context"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// ackPublishTimeout bounds the publish of one batch's acknowledgements.
const ackPublishTimeout = 5 * time.Second

// queueAcks publishes the acknowledgement jobs of a committed batch.
func (c *Consumer) queueAcks(res result) {
	if len(c.ackChannels) == 0 {
		return
	}
	var jobs []bus.Pending
	opened := map[int64]bool{} // new tickets whose opening message is taken
	for _, it := range res.messages {
		t := it.ticket
		if !c.ackChannels[it.in.Channel] {
			continue
		}
		key := ""
		kind, outcome := it.in.Fields[envelope.FieldKind], it.in.Fields[envelope.FieldCallOutcome]
		switch {
		case t.isNew && !opened[t.id]:
			opened[t.id] = true
			key = strconv.FormatInt(t.id, 10)
		case domain.AwaitsAnswer(domain.Kind(kind), outcome):
			key = strconv.FormatInt(t.id, 10) + ":" + it.in.ProviderMessageID
		default:
			continue
		}
		phone := it.in.Sender.WaID
		if phone == "" {
			phone = it.in.Sender.Phone
		}
		if phone == "" {
			continue
		}
		tn := t.trackingNumber
		if !t.isNew {
			tn = t.row.TrackingNumber
		}
		ack := bus.Ack{TicketID: t.id, TrackingNumber: tn, Phone: phone, Via: it.in.Fields[envelope.FieldVia],
			At: it.in.ReceivedAt.UTC(), Kind: kind, CallOutcome: outcome}
		p, err := c.bus.JobPending(it.in.Channel, bus.JobAck, key, ack)
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
