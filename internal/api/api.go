// Package api is the HTTP edge: one fiber app, one route table, one error
// handler. Handlers parse, validate, call a service and respond; rules live
// in the services. Channel adapters and pages mount their own routes here.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"go.opentelemetry.io/otel/trace"

	"tanggap/channels"
	"tanggap/internal/agent"
	"tanggap/internal/attachment"
	"tanggap/internal/audit"
	"tanggap/internal/auth"
	"tanggap/internal/bulk"
	"tanggap/internal/canned"
	"tanggap/internal/category"
	"tanggap/internal/complaint"
	"tanggap/internal/csat"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/notes"
	"tanggap/internal/reports"
	"tanggap/internal/search"
	"tanggap/internal/tags"
	"tanggap/internal/ticket"
	"tanggap/internal/wallboard"
	"tanggap/internal/webhooks"
)

// Checker is a dependency readiness depends on.
type Checker interface {
	Ping(ctx context.Context) error
}

// Mounter adds routes (pages, static assets).
type Mounter interface {
	Mount(r fiber.Router)
}

// Assigner reacts to an agent's presence change: waiting tickets go to an
// agent coming online, an agent leaving gives tickets back.
type Assigner interface {
	PresenceChanged(ctx context.Context, agentID int64, presence domain.Presence) error
	// AccountDeactivated returns every active ticket of the account to
	// its queue.
	AccountDeactivated(ctx context.Context, agentID, by int64) error
}

// Opts wires the API to the services.
type Opts struct {
	// Observe, when set, is told of every request (metrics).
	Observe RequestObserver
	// Tracer, when set, traces every request (OpenTelemetry).
	Tracer  trace.Tracer
	Log     *slog.Logger
	Locale  *locale.Catalog
	Lang    func(*fiber.Ctx) string
	Auth    *auth.Service
	Agents  *agent.Service
	Tickets *ticket.Service
	// Tags (tags, wrap-up codes, transcript) and Bulk mount their routes
	// when set.
	Tags        *tags.Service
	Bulk        *bulk.Service
	Attachments attachment.Store
	Assigner    Assigner
	// The routing, queue and admin routing routes are mounted when their
	// services are set (nil: those routes are absent).
	Work    Work
	Queues  QueueAdmin
	SLA     SLAClocks
	Metrics QueueMetrics
	// Contacts serves the contact panel, notes, merges and duplicates
	// (nil: those routes are absent).
	Contacts Contacts
	// Ready are the gateway's dependencies (JetStream): /readyz answers
	// 200 while they answer, because webhooks, forms and chat messages are
	// then safely accepted (acknowledged once in JetStream), whatever the
	// core's state.
	Ready map[string]Checker
	// CoreReady are the core's own dependencies (the database): /readyz/core
	// answers 200 only while they and Ready answer. See readyz.go.
	CoreReady map[string]Checker
	// Adapters mount their routes; those that implement an optional
	// interface of package channels add console routes (ConsoleActions)
	// or hear the agent's typing and read marks (Conversation).
	Adapters []channels.Adapter
	// Notes (internal notes, mentions, notifications) and Canned (canned
	// replies, macros): their routes are mounted when set.
	Notes  *notes.Service
	Canned *canned.Service
	// CSAT: the satisfaction report, alerts, ratings and survey links
	// (nil: those routes are absent).
	CSAT *csat.Service
	// ConsoleSocket is the agents' push socket (nil: not mounted).
	ConsoleSocket ConsoleSocket
	Pages         Mounter
	// Launcher serves the launcher's menu to the allowed sites (nil: not
	// mounted).
	Launcher Mounter
	// BodyLimit bounds a request body (form uploads included).
	BodyLimit int
	// SecureCookies marks the session cookie Secure (PUBLIC_URL is https).
	SecureCookies bool
	SessionTTL    time.Duration
	// TouchInterval: an agent's requests record a sign of life at most
	// this often (0: 20s).
	TouchInterval time.Duration
	// TrustedProxies are load balancers whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Search serves the search box and saved views (nil: not mounted).
	Search *search.Service
	// Privacy: view audit, data-subject requests, retention, frozen
	// tickets (privacy.go; nil: off).
	Privacy *Privacy
	// Notify: the ticket's citizen notifications; NotifyHooks mounts the
	// providers' status callbacks of notifications (nil: not mounted).
	Notify      Notifications
	NotifyHooks Mounter
	// Complaints runs the complaint lifecycle (nil: its routes are absent).
	Complaints *complaint.Service
	// Reports serves /api/v1/reports/:name, the per-ticket export and the
	// monthly report (nil: not mounted).
	Reports *reports.Service
	// Wallboard and Audit: the wallboard, supervisor actions, not-ready
	// reasons, account admin and the audit log (nil: those routes are absent).
	Wallboard *wallboard.Service
	Audit     *audit.Service
	// Categories: the complaint categories' admin screen (categories.go; nil:
	// its routes are absent).
	Categories *category.Service
	// Webhooks: the providers' webhooks' health per channel (webhooks.go;
	// nil: not counted, no admin summary).
	Webhooks *webhooks.Service
}

// Server holds the handlers' dependencies.
type Server struct {
	o     Opts
	alive *liveness
}

// New builds the fiber app with every route.
func New(o Opts) *fiber.App {
	if o.TouchInterval <= 0 {
		o.TouchInterval = 20 * time.Second
	}
	s := &Server{o: o, alive: newLiveness(o.TouchInterval)}
	cfg := fiber.Config{
		AppName:               "tanggap",
		BodyLimit:             o.BodyLimit,
		ErrorHandler:          errorHandler(o.Locale, o.Lang, o.Log),
		DisableStartupMessage: true,
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	}
	if len(o.TrustedProxies) > 0 {
		// Behind a load balancer every request comes from its address; the
		// client is the first valid address of X-Forwarded-For, believed
		// only from the listed proxies.
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = o.TrustedProxies
		cfg.EnableIPValidation = true
	}
	app := fiber.New(cfg)
	// A websocket upgraded with fasthttp's hijack stays open after the
	// hijack handler returns, so fasthttp keeps no goroutine, request
	// context or reader per open websocket (see realtime.Hub.ServeFiber).
	app.Server().KeepHijackedConns = true
	app.Use(recover.New())
	app.Use(requestid.New())
	if o.Tracer != nil {
		app.Use(traced(o.Tracer))
	}
	if o.Observe != nil {
		app.Use(observe(o.Observe))
	}
	s.routes(app)
	return app
}
