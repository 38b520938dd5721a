package bus

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// RepushOpts configures Repush.
type RepushOpts struct {
	// Group is the queue group of the publishers: each event wakes one
	// instance's.
	Group string
	// Changes reports whether an event (entity.action) can change what is
	// pushed.
	Changes func(name string) bool
	// Interval: a change is pushed at most this long after its event, and
	// pushes come at most this often (default 500 ms).
	Interval time.Duration
	// Every: a push comes at least this often even without events
	// (default 30 s).
	Every time.Duration
}

// Repush runs push after the events o.Changes accepts (at most once per
// o.Interval, however many came) and every o.Every, until ctx ends. It is
// how a screen's figures (the wallboard, the queue metrics) follow the
// events that change them without being recomputed per event. periodic
// tells push it comes from the o.Every tick (housekeeping that need not
// run per event can wait for it).
func (b *Bus) Repush(ctx context.Context, o RepushOpts, push func(ctx context.Context, at time.Time, periodic bool)) error {
	if o.Interval <= 0 {
		o.Interval = 500 * time.Millisecond
	}
	if o.Every <= 0 {
		o.Every = 30 * time.Second
	}
	var dirty atomic.Bool
	wake := make(chan struct{}, 1)
	sub, err := b.NC.QueueSubscribe(b.Names.EventsAll(), o.Group, func(m *nats.Msg) {
		name, ok := b.Names.EventName(m.Subject)
		if !ok || !o.Changes(name) {
			return
		}
		dirty.Store(true)
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return fmt.Errorf("bus: subscribe %s: %w", o.Group, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	var last time.Time
	for {
		periodic := false
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			dirty.Store(true)
			periodic = true
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
		push(ctx, last.UTC(), periodic)
	}
}

// ChangesQueues reports whether an event (entity.action) can change a
// queue's live figures: a ticket arriving, changing status (a reply sets
// the first response and emits ticket.updated), moving between agents and
// queues; an agent's presence; an SLA target noted breached. Messages,
// typing, tags, wrap-up codes, notifications and SLA warnings do not.
func ChangesQueues(name string) bool {
	entity, action, _ := strings.Cut(name, ".")
	switch entity {
	case EntityTicket:
		switch action {
		case ActionCreated, ActionUpdated, ActionAssigned, ActionUnassigned, ActionTransferred:
			return true
		}
	case EntityAgent:
		return action == ActionPresence
	case EntitySLA:
		return action == ActionSLABreached
	}
	return false
}
