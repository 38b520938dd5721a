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

	"tanggap/channels"
	"tanggap/internal/agent"
	"tanggap/internal/attachment"
	"tanggap/internal/auth"
	"tanggap/internal/bulk"
	"tanggap/internal/canned"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/notes"
	"tanggap/internal/search"
	"tanggap/internal/tags"
	"tanggap/internal/ticket"
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
}

// Opts wires the API to the services.
type Opts struct {
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
	Ready    map[string]Checker
	// Adapters mount their routes; those that implement an optional
	// interface of package channels add console routes (ConsoleActions)
	// or hear the agent's typing and read marks (Conversation).
	Adapters []channels.Adapter
	// Notes (internal notes, mentions, notifications) and Canned (canned
	// replies, macros): their routes are mounted when set.
	Notes  *notes.Service
	Canned *canned.Service
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
	// LoginFailuresPerMinute bounds failed sign-ins per client address
	// (0: no limit; known devices exempt, see loginLimit).
	LoginFailuresPerMinute int
	SessionTTL             time.Duration
	// TouchInterval: an agent's requests record a sign of life at most
	// this often (0: 20s).
	TouchInterval time.Duration
	// TrustedProxies are load balancers whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Search serves the search box and saved views (nil: not mounted).
	Search *search.Service
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
	s.routes(app)
	return app
}
