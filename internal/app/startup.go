package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tanggap/internal/backoff"
	"tanggap/internal/bus"
	"tanggap/internal/config"
)

// Starting while a dependency is down. A crash during a database outage
// used to leave nothing taking webhooks until someone restarted the
// process after the database was back; now:
//
//   - JetStream: Serve retries the connection with backoff (at most
//     15 s apart) until ctx ends; the gateways need it to take
//     anything (a message is acknowledged only once it is in JetStream).
//   - The database: the pool is opened without waiting for it, the
//     gateways serve at once, and runCore waits for the database in the
//     background, then applies the migrations, the queues, the first admin
//     and the seed and starts the core (consumers, sweeps) and the senders.
//     Messages taken meanwhile wait in JetStream and are stored then.
//     /readyz/core answers 503 until the core runs (api/readyz.go).

// startBackoff is the wait between two attempts to reach a dependency at
// start: 250ms, 500ms, 1s … capped at 15s.
var startBackoff = backoff.Doubling{First: 250 * time.Millisecond, Max: 15 * time.Second}

// connectBus connects to NATS, again with backoff until ctx ends. The
// first failure is logged as a warning, later ones at debug level, and
// the connection once made says how long it took.
func connectBus(ctx context.Context, cfg config.Config, observe bus.InboundObserver, log *slog.Logger) (*bus.Bus, error) {
	started := time.Now()
	for attempt := 1; ; attempt++ {
		b, err := bus.Connect(ctx, bus.Config{
			URL: cfg.NATSURL, StoreDir: cfg.NATSStoreDir(), SubjectPrefix: cfg.NATSSubjectPrefix,
			Replicas: cfg.NATSReplicas, Name: "tanggap", Observe: observe,
		}, log)
		if err == nil {
			if attempt > 1 {
				log.Info("nats reachable: gateways starting", "waited", time.Since(started).Round(time.Millisecond).String(), "attempts", attempt)
			}
			return b, nil
		}
		if cfg.NATSURL == "" {
			return nil, err // the embedded server: nothing to wait for
		}
		level := slog.LevelDebug
		if attempt == 1 {
			level = slog.LevelWarn
		}
		log.Log(ctx, level, "nats unavailable at start; retrying", "err", err, "attempt", attempt)
		if !startBackoff.Sleep(ctx, attempt) {
			return nil, fmt.Errorf("app: nats unavailable at start: %w (%w)", err, ctx.Err())
		}
	}
}

// coreState says whether the core runs; it is a readiness check of
// /readyz/core.
type coreState struct {
	ready chan struct{}
}

func newCoreState() *coreState { return &coreState{ready: make(chan struct{})} }

// errCoreStarting: the core waits for the database.
var errCoreStarting = errors.New("app: the core is waiting for the database")

// Ping is nil once the core runs.
func (c *coreState) Ping(context.Context) error {
	select {
	case <-c.ready:
		return nil
	default:
		return errCoreStarting
	}
}

// WaitCore returns once the core runs, or the app's error if it stopped
// first, or ctx's.
func (a *App) WaitCore(ctx context.Context) error {
	select {
	case <-a.core.ready:
		return nil
	case <-a.done:
		if a.err != nil {
			return a.err
		}
		return errors.New("app: stopped before the core started")
	case <-ctx.Done():
		return fmt.Errorf("app: waiting for the core: %w", ctx.Err())
	}
}

// CoreReady is closed once the core runs.
func (a *App) CoreReady() <-chan struct{} { return a.core.ready }

// runCore waits for the database (probing with backoff), runs setup and
// starts the core. A setup that fails while the database answers is a
// real failure (a migration refused, a bad seed file) and stops the app;
// one that fails because the database went away again is retried.
func (a *App) runCore(ctx context.Context, setup func(context.Context) error, start func()) error {
	started := time.Now()
	for attempt := 1; ; attempt++ {
		err := a.db.Ping(ctx)
		if err == nil {
			if err = setup(ctx); err == nil {
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			if a.db.Ping(ctx) == nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		level := slog.LevelDebug
		if attempt == 1 {
			level = slog.LevelWarn
		}
		a.log.Log(ctx, level, "database unavailable: the gateways take messages (kept in JetStream); the core starts when it answers",
			"err", err, "attempt", attempt)
		if !startBackoff.Sleep(ctx, attempt) {
			return nil
		}
	}
	start()
	close(a.core.ready)
	a.log.Info("core started", "waited_for_database", time.Since(started).Round(time.Millisecond).String())
	return nil
}
