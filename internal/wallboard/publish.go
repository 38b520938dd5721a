package wallboard

import (
	"context"
	"strings"
	"time"

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
// board's figures: what changes a queue's (bus.ChangesQueues) and a phone
// call starting or ending (the calls line).
func changesBoard(name string) bool {
	if bus.ChangesQueues(name) {
		return true
	}
	entity, action, _ := strings.Cut(name, ".")
	return entity == bus.EntityCall && (action == bus.ActionCallStarted || action == bus.ActionCallEnded)
}

// Run pushes the wallboard: after the events that change its figures
// (changesBoard; at most once per Interval) and every Every, until ctx
// ends.
func (s *Service) Run(ctx context.Context, o PublishOpts) error {
	return o.Bus.Repush(ctx, bus.RepushOpts{Group: o.Bus.Names.GroupWallboard(), Changes: changesBoard, Interval: o.Interval, Every: o.Every},
		func(ctx context.Context, at time.Time, _ bool) {
			b, err := s.Board(ctx, at)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("wallboard", "err", err)
				}
				return
			}
			o.Bus.Emit(b)
		})
}
