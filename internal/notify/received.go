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
// not filed yet, and without it they cannot ask after their ticket on
// the phone line's status menu or the status page. When such a message
// lands on a ticket (domain.AwaitsAnswer; a new ticket or one an earlier
// call opened), the core queues the phone line's acknowledgement job
// (bus.JobAck on the voice channel, internal/ingest acks.go); this turns
// it into a notification like the others: an SMS with the tracking
// number and the signed status-page link, on the configured routes,
// recorded, retried, told to the console and sent once per ticket (its
// key is the ticket's). A call that only went through the menu, reached
// an agent or was abandoned is told nothing: the agent who answered or
// calls back gives the number.

// receivedMaxAge: a job older than this (it waited while no notifier
// took the phone line's jobs) is let go; a tracking number days after
// the call would puzzle more than help.
const receivedMaxAge = 24 * time.Hour

// receivedKey names the notice of a ticket's tracking number.
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
			if !domain.AwaitsAnswer(domain.Kind(a.Kind), a.CallOutcome) {
				return bus.JobDone, 0
			}
			if age := s.o.Now().Sub(a.At); !a.At.IsZero() && age > receivedMaxAge {
				s.log.Info("notify: tracking number not sent, the call is too long ago", "ticket_id", a.TicketID, "age", age.Round(time.Minute))
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
