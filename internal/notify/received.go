package notify

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
)

// The tracking number of a caller's ticket.
//
// A caller who leaves a voicemail or asks to be called back hangs up
// with nothing in hand: the IVR cannot read out a number the core has
// not made yet, and without it they cannot ask after their ticket on
// the phone line's status menu or the status page. When such a call
// opens a ticket, the core queues the phone line's acknowledgement job
// (bus.JobAck on the voice channel, internal/ingest acks.go); this
// turns it into a notification like the others: an SMS with the
// tracking number and the signed status-page link, on the configured
// routes, recorded, retried, told to the console and sent once (its key
// is the ticket's). A call that only went through the menu, reached an
// agent or was abandoned opens a ticket too, and is told nothing: the
// agent who answered or calls back gives the number.

// leftSomething reports whether a ticket's opening message a is from a
// caller who left something to answer: a voicemail or a callback
// request, or the call's record saying the call ended in one (the record
// at hang-up often comes before the voicemail, which waits on the
// recording's download).
func leftSomething(a bus.Ack) bool {
	switch domain.Kind(a.Kind) {
	case domain.KindVoicemail, domain.KindCallbackRequest:
		return true
	case domain.KindCallRecord:
		return a.CallOutcome == callOutcomeVoicemail || a.CallOutcome == callOutcomeCallback
	}
	return false
}

// The phone line's call outcomes (envelope.FieldCallOutcome) of a caller
// who left a voicemail or asked to be called back.
const (
	callOutcomeVoicemail = "voicemail"
	callOutcomeCallback  = "callback"
)

// receivedKey names the notice of a ticket's opening.
func receivedKey(ticketID int64) string {
	return "received:" + strconv.FormatInt(ticketID, 10)
}

func (s *Service) runReceived(ctx context.Context) error {
	return s.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelVoice, Kind: bus.JobAck, Log: s.log},
		func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
			var a bus.Ack
			if err := json.Unmarshal(data, &a); err != nil || a.TicketID <= 0 {
				s.log.Warn("notify: unreadable acknowledgement job dropped", "err", err)
				return bus.JobDrop, 0
			}
			if !leftSomething(a) {
				return bus.JobDone, 0
			}
			if err := s.Enqueue(ctx, job{Key: receivedKey(a.TicketID), Kind: KindReceived, TicketID: a.TicketID}); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("notify: tracking number notice not queued", "ticket_id", a.TicketID, "attempt", attempt, "err", err)
				}
				return bus.JobRetry, s.backoff(attempt)
			}
			return bus.JobDone, 0
		})
}
