package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

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
//     The HTTP port listens meanwhile, answered by api.Starting (/healthz
//     200, /readyz and /readyz/core 503, any other route 503), and the
//     app's own server takes the same listener over once it is built
//     (startingServer below): no connection is refused in between.
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

// startingServer answers on the HTTP port while Serve waits for NATS and
// builds the app, then hands the port over to the app's own server.
//
// Concurrency: its fiber app accepts through gate, never on the listener
// itself. handOver closes the gate (a blocked Accept is woken by a past
// deadline and ends with net.ErrClosed, so its server's accept loop
// returns), waits for that loop to return, and only then clears the
// deadline: from there the listener is the app's server's alone, and a
// connection arriving in between waits in the listen backlog. Requests
// the starting app is still answering finish on their own connections,
// which it closes after one answer (api.Starting keeps none open).
type startingServer struct {
	gate   *gate
	app    *fiber.App
	log    *slog.Logger
	served chan struct{} // closed once the accept loop returned

	once sync.Once
	err  error // handOver's, set once
}

// deadliner is a listener whose Accept a deadline interrupts (TCP's).
type deadliner interface {
	SetDeadline(time.Time) error
}

// serveStarting starts answering on ln with app.
func serveStarting(ln net.Listener, app *fiber.App, log *slog.Logger) (*startingServer, error) {
	d, ok := ln.(deadliner)
	if !ok {
		return nil, fmt.Errorf("app: listener %T cannot be handed over", ln)
	}
	s := &startingServer{gate: &gate{Listener: ln, deadline: d}, app: app, log: log, served: make(chan struct{})}
	go func() {
		defer close(s.served)
		if err := app.Listener(s.gate); err != nil {
			// The port stays open and connections wait until the app's
			// server takes over.
			log.Error("http while starting: accept failed", "err", err)
		}
	}()
	return s, nil
}

// handOver stops taking connections and returns once the listener is free
// for another server. Safe to call more than once and concurrently.
func (s *startingServer) handOver() error {
	s.once.Do(func() {
		s.gate.Close()
		<-s.served
		if err := s.gate.deadline.SetDeadline(time.Time{}); err != nil {
			s.err = fmt.Errorf("app: take over the HTTP port: %w", err)
		}
	})
	return s.err
}

// stop hands over and waits (until ctx ends) for the answers still
// under way.
func (s *startingServer) stop(ctx context.Context) {
	if err := s.handOver(); err != nil {
		s.log.Warn("http while starting: stop", "err", err)
	}
	if err := s.app.ShutdownWithContext(ctx); err != nil {
		s.log.Warn("http while starting: shutdown", "err", err)
	}
}

// gate is the listener as the starting server sees it: Close stops its
// Accept and leaves the port open.
type gate struct {
	net.Listener
	deadline deadliner
	closed   atomic.Bool
}

func (g *gate) Accept() (net.Conn, error) {
	if g.closed.Load() {
		return nil, net.ErrClosed
	}
	c, err := g.Listener.Accept()
	if err != nil && g.closed.Load() {
		return nil, net.ErrClosed
	}
	return c, err
}

// Close wakes a blocked Accept (a deadline in the past) and makes every
// later one fail; the first call only, so a later Close (the fiber app's
// shutdown) never touches the listener the app's server then uses.
func (g *gate) Close() error {
	if g.closed.Swap(true) {
		return nil
	}
	return g.deadline.SetDeadline(time.Now())
}
