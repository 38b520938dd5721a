package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultProbeInterval is how often a paused consumer asks the database
// whether it is back.
const DefaultProbeInterval = 250 * time.Millisecond

// outage pauses the consumer while the database is down. Without it every
// message of a failing batch was naked with its own growing delay (up to
// five minutes) and logged each time: after a three-minute outage the
// backlog took minutes more to drain, behind tens of thousands of log
// lines. Instead:
//
//   - a batch that fails while the database does not answer a probe starts
//     an outage, logged once;
//   - while it lasts nothing is fetched, and the batches in hand are held
//     (the heartbeat keeps them ours, nothing is naked or logged);
//   - one prober asks the database every ProbeInterval; the moment it
//     answers the held batches are stored, fetching resumes, and the end
//     of the outage is logged once, with how long it lasted.
//
// A batch that fails while the database answers is the batch's own
// problem, handled as before (one message per transaction, the failing
// ones redelivered later).
type outage struct {
	probe func(ctx context.Context) error
	every time.Duration
	log   *slog.Logger

	mu    sync.Mutex
	down  bool
	since time.Time
	back  chan struct{} // closed when the database answers again
	held  int           // batches held during the outage
}

func newOutage(probe func(ctx context.Context) error, every time.Duration, log *slog.Logger) *outage {
	return &outage{probe: probe, every: every, log: log}
}

// check reports whether err, a batch's failure, comes from a database that
// does not answer. The first such failure starts the outage: it is logged
// and a prober runs until ctx ends or the database answers.
func (o *outage) check(ctx context.Context, err error) bool {
	o.mu.Lock()
	if o.down {
		o.held++
		o.mu.Unlock()
		return true
	}
	o.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	pctx, cancel := context.WithTimeout(ctx, max(2*time.Second, o.every))
	perr := o.probe(pctx)
	cancel()
	if perr == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held++
	if o.down {
		return true
	}
	o.down, o.since, o.back = true, time.Now(), make(chan struct{})
	o.log.Error("database unavailable: ingest paused until it answers (messages stay in JetStream)", "err", err, "probe", perr)
	go o.watch(ctx, o.back)
	return true
}

// watch probes until the database answers (then ends the outage) or ctx
// ends.
func (o *outage) watch(ctx context.Context, back chan struct{}) {
	t := time.NewTicker(o.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, max(2*time.Second, o.every))
		err := o.probe(pctx)
		cancel()
		if err != nil {
			continue
		}
		o.mu.Lock()
		o.down = false
		took, held := time.Since(o.since), o.held
		o.held = 0
		close(back)
		o.mu.Unlock()
		o.log.Info("database back: ingest resumed", "paused_for", took.Round(time.Millisecond).String(), "held_batches", held)
		return
	}
}

// await returns true at once while the database is up, or as soon as it
// is back; false when ctx ends first.
func (o *outage) await(ctx context.Context) bool {
	o.mu.Lock()
	down, back := o.down, o.back
	o.mu.Unlock()
	if !down {
		return true
	}
	select {
	case <-back:
		return true
	case <-ctx.Done():
		return false
	}
}
