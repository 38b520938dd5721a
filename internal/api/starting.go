package api

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"tanggap/internal/locale"
)

// The HTTP port while the process starts. `tanggap serve` listens before
// it reaches JetStream (it retries NATS with backoff), so an orchestrator
// sees a live process and a balancer a clear "not ready" instead of a
// refused connection. Until the app's own server takes the port over
// (Starting's app stops accepting, the same listener goes on):
//
//   - GET /healthz answers 200, as it does later: the process lives.
//   - GET /readyz and GET /readyz/core answer 503 with the usual
//     readiness body, "nats" unavailable among the checks (readyz.go).
//   - Every other route answers 503 with the API's error body (code
//     "unavailable") and Retry-After: nothing is accepted, so a provider
//     retries its webhook and a citizen's form is not lost.

// errStarting: JetStream has not answered yet; nothing can be accepted.
var errStarting = errors.New("api: starting, waiting for JetStream")

// notYet is the nats check while the process starts.
type notYet struct{}

func (notYet) Ping(context.Context) error { return errStarting }

// StartingOpts wires the answers given while the process starts.
type StartingOpts struct {
	Log    *slog.Logger
	Locale *locale.Catalog
	Lang   func(*fiber.Ctx) string
	// CoreReady are reported as Opts.CoreReady are (the database, the
	// core), so the readiness answers carry every check.
	CoreReady map[string]Checker
	// BodyLimit is the app's own: a large upload is refused with 503 like
	// any other request, not with 413.
	BodyLimit int
}

// Starting builds the fiber app that answers while the process starts.
// It keeps no connection open between requests, so when the app's own
// server takes the port over no client is left talking to this one.
func Starting(o StartingOpts) *fiber.App {
	s := &Server{o: Opts{Log: o.Log, Locale: o.Locale, Lang: o.Lang,
		Ready: map[string]Checker{"nats": notYet{}}, CoreReady: o.CoreReady}}
	app := fiber.New(fiber.Config{
		AppName:               "tanggap",
		BodyLimit:             o.BodyLimit,
		ErrorHandler:          errorHandler(o.Locale, o.Lang, o.Log),
		DisableStartupMessage: true,
		DisableKeepalive:      true,
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          60 * time.Second,
	})
	app.Use(recover.New())
	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)
	app.Get("/readyz/core", s.handleReadyzCore)
	app.Use(func(*fiber.Ctx) error { return errStarting })
	return app
}
