package wallboard

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
)

// PublishOpts configures Run.
type PublishOpts struct {
	Bus *bus.Bus
	// Interval: a change is pushed at most this long after its event
	// (default 500 ms).
	Interval time.Duration
	// Every: the board is pushed at least this often even without events
	// (waits grow; default 30 s).
	Every time.Duration
}

// changesBoard reports whether an event (entity.action) can change the
// board's figures: a ticket arriving, changing status (a reply sets the
// first response and emits ticket.updated), moving between agents and
// queues; an agent's presence; an SLA target noted breached; a phone call
// starting or ending (the calls line). Messages,
// typing, tags, wrap-up codes, notifications and SLA warnings do not, so
// they cost no recompute.
func changesBoard(name string) bool {
	entity, action, _ := strings.Cut(name, ".")
	switch entity {
	case bus.EntityTicket:
		switch action {
		case bus.ActionCreated, bus.ActionUpdated, bus.ActionAssigned, bus.ActionUnassigned, bus.ActionTransferred:
			return true
		}
	case bus.EntityAgent:
		return action == bus.ActionPresence
	case bus.EntitySLA:
		return action == bus.ActionSLABreached
	case bus.EntityCall:
		return action == bus.ActionCallStarted || action == bus.ActionCallEnded
	}
	return false
}

// Run pushes the wallboard: after the events that change its figures
// (changesBoard; at most once per Interval) and every Every, until ctx
// ends.
func (s *Service) Run(ctx context.Context, o PublishOpts) error {
	if o.Interval <= 0 {
		o.Interval = 500 * time.Millisecond
	}
	if o.Every <= 0 {
		o.Every = 30 * time.Second
	}
	var dirty atomic.Bool
	wake := make(chan struct{}, 1)
	sub, err := o.Bus.NC.QueueSubscribe(o.Bus.Names.EventsAll(), o.Bus.Names.GroupWallboard(), func(m *nats.Msg) {
		name, ok := o.Bus.Names.EventName(m.Subject)
		if !ok {
			return
		}
		if !changesBoard(name) {
			return
		}
		dirty.Store(true)
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return fmt.Errorf("wallboard: subscribe: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			dirty.Store(true)
		case <-wake:
		}
		if wait := o.Interval - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
		if !dirty.Swap(false) {
			continue
		}
		last = time.Now()
		b, err := s.Board(ctx, last)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("wallboard", "err", err)
			}
			continue
		}
		o.Bus.Emit(b)
	}
}
