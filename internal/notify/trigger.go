package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/backoff"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/tracing"
)

// Jobs ride the JOBS work queue as <prefix>.jobs.notify.send.
const (
	jobChannel = bus.NotifyJobs
	jobKind    = "send"
)

// job is one notification to send: an event key (the dedupe key of the
// job and of its rows), what to tell and about which ticket.
type job struct {
	Key       string `json:"key"`
	Kind      Kind   `json:"kind"`
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id,omitempty"`
	// Queued is when the job was queued (Enqueue): a status notice waits
	// only behind replies written before it (replyAhead).
	Queued time.Time `json:"queued,omitzero"`
}

// statusKey names one status transition of a ticket: its status_seq (the
// count of its status changes, kept by the database) and the status it
// entered.
func statusKey(ticketID, seq int64, status string) string {
	return "status:" + strconv.FormatInt(ticketID, 10) + ":" + strconv.FormatInt(seq, 10) + ":" + status
}

// keySeq is the status_seq and status a status notification's key names;
// ok is false for any other key.
func keySeq(key string) (seq int64, status string, ok bool) {
	p := strings.Split(key, ":")
	if len(p) != 4 || p[0] != "status" {
		return 0, "", false
	}
	seq, err := strconv.ParseInt(p[2], 10, 64)
	return seq, p[3], err == nil
}

// superseded reports whether a status notice of key no longer stands for
// t: the ticket changed status since (reopened, say; the new transition
// has its own notice). A solved ticket closed since is still told it was
// solved.
func superseded(key string, t ticketInfo) bool {
	seq, st, ok := keySeq(key)
	if !ok || seq == t.StatusSeq {
		return false
	}
	return !(domain.TicketStatus(st) == domain.StatusSolved && domain.TicketStatus(t.Status) == domain.StatusClosed)
}

// errBadEvent: an event that cannot be read; it is dropped.
var errBadEvent = errors.New("notify: unreadable event")

// consumeEvents takes the events that may call for a notification from the
// durable NOTIFY_EVENTS stream (bus.NotifyEvents) until ctx ends:
//   - message.updated with a reply "posted" (the complaint form: the reply
//     waits on the status page) or "failed" (a live chat whose visitor is
//     gone, a phone call that is over): the citizen is told of the reply;
//   - ticket.updated, when the ticket (read from the database, not from
//     the event) is pending or solved: the citizen is told of that status
//     transition once.
//
// The consumer is shared by every instance, so each event is handled by
// one of them, and events published while no instance runs wait on the
// stream. An event is acknowledged only once its job is queued.
func (s *Service) consumeEvents(ctx context.Context) {
	cons := s.declared
	retry := backoff.Doubling{First: 500 * time.Millisecond, Max: 10 * time.Second}
	for attempt := 1; cons == nil; attempt++ {
		var err error
		if cons, err = s.o.Bus.NotifyEvents(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("notify: events consumer", "err", err)
		if !retry.Sleep(ctx, attempt) {
			return
		}
	}
	n := s.o.Bus.Names
	sem := make(chan struct{}, s.o.Parallel)
	bus.Consume(ctx, cons, 100, s.log, "notify events", func(msgs <-chan jetstream.Msg) {
		var wg sync.WaitGroup
		for msg := range msgs {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				name, _ := n.EventName(msg.Subject())
				// The job goes on in the trace of the change (bus.EmitIn).
				err := s.onEvent(tracing.Extract(ctx, msg.Headers()), name, msg.Data())
				s.eventsHandled.Add(1)
				switch {
				case err == nil:
					err = msg.Ack()
				case errors.Is(err, errBadEvent):
					s.log.Warn("notify: event dropped", "event", name, "err", err)
					err = msg.Term()
				default:
					if ctx.Err() == nil {
						s.log.Warn("notify: event", "event", name, "err", err)
					}
					err = msg.NakWithDelay(s.backoff(bus.Attempt(msg)))
				}
				if err != nil && ctx.Err() == nil {
					s.log.Warn("notify: event settle", "err", err)
				}
			}()
		}
		wg.Wait()
	})
}

func (s *Service) onEvent(ctx context.Context, name string, data []byte) error {
	switch name {
	case bus.EntityMessage + "." + bus.ActionUpdated:
		var ev bus.MessageUpdated
		if err := json.Unmarshal(data, &ev); err != nil {
			return fmt.Errorf("%w: %v", errBadEvent, err)
		}
		if ev.DeliveryStatus != domain.DeliveryPosted && ev.DeliveryStatus != domain.DeliveryFailed {
			return nil
		}
		return s.replyEvent(ctx, ev.TicketID, ev.MessageID)
	case bus.EntityTicket + "." + bus.ActionUpdated:
		var ev bus.TicketUpdated
		if err := json.Unmarshal(data, &ev); err != nil {
			return fmt.Errorf("%w: %v", errBadEvent, err)
		}
		return s.statusEvent(ctx, ev.TicketID)
	}
	return nil
}

// statusEvent queues the notice of the ticket's current status transition
// if it calls for one and none was queued. The event only says "look": the
// transition is the database's (status, status_seq), so an event that
// changed nothing of the status (a priority change, a reply, a redelivery,
// the first event an instance sees after a restart) finds its transition
// taken up already and queues nothing, and a change whose own event came
// late or out of order is still told once.
//
// Order: check the mark, queue the job, then mark. A crash between queuing
// and marking queues the job again on the event's redelivery, which the
// job's Nats-Msg-Id and its rows' unique key make a no-op.
func (s *Service) statusEvent(ctx context.Context, ticketID int64) error {
	st, seq, err := s.store.ticketStatus(ctx, ticketID)
	if errors.Is(err, errNoTicket) {
		return nil
	}
	if err != nil {
		return err
	}
	var kind Kind
	switch domain.TicketStatus(st) {
	case domain.StatusPending:
		kind = KindMoreInfo
	case domain.StatusSolved:
		kind = KindSolved
	default:
		return nil
	}
	key := statusKey(ticketID, seq, st)
	seen, _, err := s.store.notice(ctx, key)
	if err != nil || seen {
		return err
	}
	if err := s.Enqueue(ctx, job{Key: key, Kind: kind, TicketID: ticketID}); err != nil {
		return err
	}
	return s.store.markNotice(ctx, key, ticketID, s.o.Now().UTC())
}

// replyKey names the notice of one agent reply.
func replyKey(messageID int64) string {
	return "reply:" + strconv.FormatInt(messageID, 10)
}

// replyEvent queues the notice of a reply posted or failed unless one was
// queued, and marks it (as statusEvent does) so that the catch-up sweep
// leaves it alone.
func (s *Service) replyEvent(ctx context.Context, ticketID, messageID int64) error {
	key := replyKey(messageID)
	seen, _, err := s.store.notice(ctx, key)
	if err != nil || seen {
		return err
	}
	if err := s.Enqueue(ctx, job{Key: key, Kind: KindReply, TicketID: ticketID, MessageID: messageID}); err != nil {
		return err
	}
	return s.store.markNotice(ctx, key, ticketID, s.o.Now().UTC())
}

// Enqueue queues a notification job; the key makes a second enqueue of the
// same event a no-op.
func (s *Service) Enqueue(ctx context.Context, j job) error {
	if j.Queued.IsZero() {
		j.Queued = s.o.Now().UTC()
	}
	return s.o.Bus.PublishJob(ctx, jobChannel, jobKind, j.Key, j)
}
