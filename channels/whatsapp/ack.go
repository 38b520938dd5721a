package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/reopen"
	"tanggap/internal/routing"
)

// The acknowledgement of a citizen's first message.
//
// When a citizen's WhatsApp message opens a ticket, the core queues a
// bus.JobAck job (internal/ingest, acks.go) and this adapter answers with
// one text from the business number the citizen wrote to: the message is
// received, its tracking number, and, when the ticket's queue is closed
// (outside business hours with nobody online, routing.WaitEstimate), when
// agents are back in the queue's time zone; otherwise that an agent will
// reply here. A follow-up threaded into an open ticket opens none, so it
// is not acknowledged. The text goes within the 24-hour window the
// citizen's message opened, or not at all.
//
// Like the survey question, the text is recorded under "ack:<ticket id>"
// in whatsapp_sends before it goes: only the attempt that made the record
// sends, a send Meta refused for now takes the record back for the next
// attempt, and a crash between the record and Meta's answer leaves it, so
// a redelivered job never sends twice. The text is not a message of the
// ticket (reports and SLA clocks count those); the log says it went.

// Waiter tells where tickets stand in their queues (routing.Metrics, as
// the live chat and the console read it).
type Waiter interface {
	EstimateWaits(ctx context.Context, ticketIDs []int64) (map[int64]routing.WaitEstimate, error)
}

// maxAckAttempts bounds the tries of one acknowledgement (a few minutes
// with the job backoff): it is a courtesy, not worth a day of retries.
const maxAckAttempts = 8

// RunAcks acknowledges the first messages of new WhatsApp tickets until
// ctx ends.
func (a *Adapter) RunAcks(ctx context.Context) error {
	return a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: bus.JobAck, Log: a.log},
		func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
			return a.ackJob(ctx, data, attempt), a.o.MediaBackoff(attempt)
		})
}

func (a *Adapter) ackJob(ctx context.Context, data []byte, attempt int) outcome {
	var j bus.Ack
	if err := json.Unmarshal(data, &j); err != nil || j.TicketID == 0 || j.TrackingNumber == "" {
		a.log.Warn("ack job not readable; dropped", "err", err)
		return drop
	}
	log := a.log.With("ticket_id", j.TicketID)
	later := func(why string, err error) outcome {
		if attempt >= maxAckAttempts {
			log.Warn("acknowledgement not sent", "why", why, "err", err)
			return drop
		}
		return retry
	}
	key := "ack:" + strconv.FormatInt(j.TicketID, 10)
	if _, ok, err := a.store.sent(ctx, key); err != nil {
		return later("database", err)
	} else if ok {
		return done // sent, or cut off after its record: never twice
	}
	to, from := recipient(envelope.Sender{Phone: j.Phone}), j.Via
	if from == "" {
		from = a.o.PhoneNumberID
	}
	if to == "" || from == "" {
		log.Info("acknowledgement: no WhatsApp number to send to or from")
		return drop
	}
	if !j.At.IsZero() && time.Since(j.At) >= ServiceWindow {
		log.Info("acknowledgement: the 24-hour window is over; not sent")
		return drop
	}
	if a.o.Waiter == nil {
		log.Warn("acknowledgement: no wait estimates; not sent")
		return drop
	}
	waits, err := a.o.Waiter.EstimateWaits(ctx, []int64{j.TicketID})
	if err != nil {
		return later("wait estimate", err)
	}
	w, ok := waits[j.TicketID]
	if !ok {
		log.Info("acknowledgement: ticket gone; not sent")
		return drop
	}
	msg := newMessage(to, "text")
	msg.Text = &outText{Body: a.ackText(j.TrackingNumber, w)}
	out, sent := a.sendOnce(ctx, key, from, msg, attempt, maxAckAttempts, log, "acknowledgement")
	if !sent {
		return out
	}
	log.Info("acknowledgement sent: the citizen has the tracking number", "tracking_number", j.TrackingNumber,
		"queue_closed", w.Closed, "phone_number_id", from)
	return done
}

// ackText words the acknowledgement in the program's language.
func (a *Adapter) ackText(tracking string, w routing.WaitEstimate) string {
	switch {
	case !w.Closed:
		return a.text("whatsapp.ack_open", "tracking", tracking)
	case w.OpensAt.IsZero():
		return a.text("whatsapp.ack_closed_later", "tracking", tracking)
	default:
		return a.text("whatsapp.ack_closed", "tracking", tracking, "when", a.opensAt(w.OpensAt))
	}
}

// opensAt is when a closed queue opens, in its zone (OpensAt carries it):
// the day, the date and the time, as the launcher says it ("Senin,
// 07-12-2026 pukul 08.00 WIB"). The text stays in the chat, so it names
// the date rather than "tomorrow".
func (a *Adapter) opensAt(at time.Time) string {
	clock := a.text("launcher.clock", "hh", fmt.Sprintf("%02d", at.Hour()), "mm", fmt.Sprintf("%02d", at.Minute()),
		"zone", at.Format("MST"))
	return a.text("whatsapp.ack_when", "day", a.text(reopen.DayKey(at.Weekday())), "date", at.Format("02-01-2006"), "time", clock)
}
