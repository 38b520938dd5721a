package agent

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"tanggap/internal/domain"
)

// Liveness: presence must not lie. An agent is only as online as their
// console is alive.
//
// Guarantees, and what keeps them:
//   - Every sign of life (an authenticated API request, a console socket
//     heartbeat) reaches Touch, which stores agents.last_seen_at. Callers
//     throttle it in memory; the sweep's timings are minutes, so a sign
//     of life recorded a few seconds late changes nothing.
//   - A console silent for AwayAfter takes its agent from online or busy
//     to away; silent for OfflineAfter, from away to offline, with the
//     same reaction as a manual switch (Reactor.PresenceChanged: tickets
//     go back to the queue per the routing configuration).
//   - Each move is one conditional UPDATE ... RETURNING (store.silence),
//     so several instances sweeping at once move and report each agent
//     once, and an agent who spoke or switched meanwhile stays as they are.

// Reactor reacts to a presence change the way a manual switch does (the
// router: an agent going offline gives tickets back).
type Reactor interface {
	PresenceChanged(ctx context.Context, agentID int64, presence domain.Presence) error
}

// Touch records that the agent's console is alive now. It is cheap (one
// indexed UPDATE) but callers on a hot path should throttle it.
func (s *Service) Touch(ctx context.Context, agentID int64) error {
	return s.store.touch(ctx, agentID, time.Now().UTC())
}

// SweepOpts configures the liveness sweep.
type SweepOpts struct {
	// AwayAfter: a silent console's agent goes from online or busy to
	// away; 0 disables the step.
	AwayAfter time.Duration
	// OfflineAfter: a silent console's agent goes from away to offline; 0
	// disables the step.
	OfflineAfter time.Duration
	// Interval between sweeps; 0 means 30s.
	Interval time.Duration
	// React is told of each change (nil: nobody).
	React Reactor
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Sweeper moves agents whose console went silent. Run it in the core;
// every instance may run one.
type Sweeper struct {
	agents *Service
	o      SweepOpts
}

// NewSweeper returns the liveness sweeper of the agents.
func NewSweeper(agents *Service, o SweepOpts) *Sweeper {
	if o.Interval <= 0 {
		o.Interval = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = agents.log
	}
	return &Sweeper{agents: agents, o: o}
}

// Run sweeps every Interval until ctx ends.
func (w *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
				w.o.Log.Warn("presence sweep", "err", err)
			}
		}
	}
}

// Sweep moves the silent agents once and reports each change to React.
func (w *Sweeper) Sweep(ctx context.Context) error {
	now := w.o.Now().UTC()
	var errs []error
	if w.o.OfflineAfter > 0 {
		// First, so an agent is not taken to away and to offline by one sweep.
		errs = append(errs, w.move(ctx, domain.PresenceAway, domain.PresenceOffline, now.Add(-w.o.OfflineAfter), now))
	}
	if w.o.AwayAfter > 0 {
		for _, from := range []domain.Presence{domain.PresenceOnline, domain.PresenceBusy} {
			errs = append(errs, w.move(ctx, from, domain.PresenceAway, now.Add(-w.o.AwayAfter), now))
		}
	}
	return errors.Join(errs...)
}

func (w *Sweeper) move(ctx context.Context, from, to domain.Presence, before, now time.Time) error {
	ids, err := w.agents.store.silence(ctx, from, to, before, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		w.o.Log.Info("console silent: presence changed", "agent_id", id, "from", from, "to", to)
		if w.o.React == nil {
			continue
		}
		if err := w.o.React.PresenceChanged(ctx, id, to); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TouchMany records that the consoles of several agents are alive now, in
// one statement per chunk: a console gateway's heartbeat for all the
// consoles it holds costs a few statements, not one per console.
func (s *Service) TouchMany(ctx context.Context, agentIDs []int64) error {
	return s.store.touchMany(ctx, agentIDs, time.Now().UTC())
}
