package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Jobs ride the JOBS work queue as <prefix>.jobs.notify.send.
const (
	jobChannel = envelope.Channel("notify")
	jobKind    = "send"
)

// job is one notification to send: an event key (the dedupe key of the
// job and of its rows), what to tell and about which ticket.
type job struct {
	Key       string `json:"key"`
	Kind      Kind   `json:"kind"`
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id,omitempty"`
}

// listen subscribes to the events that may call for a notification:
//   - message.updated with a reply "posted" (the complaint form: the reply
//     waits on the status page) or "failed" (a live chat whose visitor is
//     gone, a phone call that is over): the citizen is told of the reply;
//   - ticket.updated with the status changed to pending or solved.
//
// Every instance hears every event; the job's Nats-Msg-Id (and for status
// changes the conditional UPDATE in statusChanged) keeps it one job.
func (s *Service) listen(ctx context.Context) (func(), error) {
	n := s.o.Bus.Names
	seen := &statusCache{m: map[int64]domain.TicketStatus{}}
	handle := func(m *nats.Msg) {
		name, _ := n.EventName(m.Subject)
		if err := s.onEvent(ctx, name, m.Data, seen); err != nil {
			s.log.Warn("notify: event", "event", name, "err", err)
		}
	}
	var subs []*nats.Subscription
	for _, subj := range []string{n.Event(bus.EntityMessage, bus.ActionUpdated), n.Event(bus.EntityTicket, bus.ActionUpdated)} {
		sub, err := s.o.Bus.NC.Subscribe(subj, handle)
		if err != nil {
			for _, s := range subs {
				_ = s.Unsubscribe()
			}
			return nil, fmt.Errorf("notify: subscribe: %w", err)
		}
		subs = append(subs, sub)
	}
	return func() {
		for _, s := range subs {
			_ = s.Unsubscribe()
		}
	}, nil
}

func (s *Service) onEvent(ctx context.Context, name string, data []byte, seen *statusCache) error {
	switch name {
	case bus.EntityMessage + "." + bus.ActionUpdated:
		var ev bus.MessageUpdated
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		if ev.DeliveryStatus != domain.DeliveryPosted && ev.DeliveryStatus != domain.DeliveryFailed {
			return nil
		}
		return s.Enqueue(ctx, job{Key: "reply:" + strconv.FormatInt(ev.MessageID, 10), Kind: KindReply, TicketID: ev.TicketID, MessageID: ev.MessageID})
	case bus.EntityTicket + "." + bus.ActionUpdated:
		var ev bus.TicketUpdated
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		if seen.same(ev.TicketID, ev.Status) {
			return nil
		}
		changed, seq, err := s.store.statusChanged(ctx, ev.TicketID, string(ev.Status))
		if err != nil {
			return err
		}
		seen.put(ev.TicketID, ev.Status)
		if !changed {
			return nil
		}
		kind := Kind("")
		switch ev.Status {
		case domain.StatusPending:
			kind = KindMoreInfo
		case domain.StatusSolved:
			kind = KindSolved
		default:
			return nil
		}
		return s.Enqueue(ctx, job{Key: fmt.Sprintf("status:%d:%d", ev.TicketID, seq), Kind: kind, TicketID: ev.TicketID})
	}
	return nil
}

// Enqueue queues a notification job; the key makes a second enqueue of the
// same event a no-op.
func (s *Service) Enqueue(ctx context.Context, j job) error {
	return s.o.Bus.PublishJob(ctx, jobChannel, jobKind, j.Key, j)
}

// statusCache remembers the last status this instance saw per ticket, so
// events that do not change it (a new message, a priority change) cost no
// database write. Bounded: cleared when it grows past its limit.
type statusCache struct {
	mu sync.Mutex
	m  map[int64]domain.TicketStatus
}

func (c *statusCache) same(id int64, st domain.TicketStatus) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[id]
	return ok && old == st
}

func (c *statusCache) put(id int64, st domain.TicketStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 100_000 {
		clear(c.m)
	}
	c.m[id] = st
}
