// Package app is the composition root: it builds every service from the
// configuration with explicit constructor arguments and runs the long-lived
// parts (HTTP server, ingest consumer, receipts consumer, channel delivery
// loops) under one errgroup. cmd/tanggap and the end-to-end tests both start
// the contact center through it, so tests exercise the real wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"

	"tanggap/channels"
	"tanggap/channels/livechat"
	"tanggap/channels/voice"
	"tanggap/channels/webform"
	"tanggap/internal/agent"
	"tanggap/internal/api"
	"tanggap/internal/auth"
	"tanggap/internal/bulk"
	"tanggap/internal/bus"
	"tanggap/internal/canned"
	"tanggap/internal/category"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/consolews"
	"tanggap/internal/contact"
	"tanggap/internal/db"
	"tanggap/internal/ingest"
	"tanggap/internal/launcher"
	"tanggap/internal/locale"
	"tanggap/internal/metrics"
	"tanggap/internal/migrate"
	"tanggap/internal/notes"
	"tanggap/internal/pages"
	"tanggap/internal/realtime"
	"tanggap/internal/receipts"
	"tanggap/internal/refused"
	"tanggap/internal/routing"
	"tanggap/internal/search"
	"tanggap/internal/tags"
	"tanggap/internal/ticket"
	"tanggap/internal/tracing"
	"tanggap/internal/viewaudit"
	"tanggap/internal/wallboard"
	"tanggap/internal/webhooks"
)

// App is a running contact center.
type App struct {
	cfg  config.Config
	log  *slog.Logger
	db   *db.DB
	bus  *bus.Bus
	http *fiber.App
	ln   net.Listener
	// starting answers on ln until http takes it over (startup.go).
	starting *startingServer
	chat     *livechat.Adapter
	// console is the agents' push socket (nil without the http component).
	console *consolews.Gateway
	// metrics is nil when METRICS_ADDR is empty; metricsLn is its listener.
	metrics   *metrics.Metrics
	metricsLn net.Listener
	// traces is nil unless OTEL_* asks for traces; tracer is its tracer
	// (nil when off, so nothing is traced).
	traces *tracing.Provider
	tracer trace.Tracer
	// views is the view audit (nil without the http component).
	views *viewaudit.Recorder
	// complaints is the complaint lifecycle (issue 18).
	complaints *complaint.Service

	cancel context.CancelFunc
	done   chan struct{}
	err    error
	// core is ready once the database answered and the core's setup ran
	// (migrations, queues, first admin, seed) and its parts started.
	core *coreState

	stopOnce sync.Once
}

// Start builds everything and starts serving. It returns once the process
// is ready: migrations applied, streams declared, HTTP listening, the core
// running (Serve, then WaitCore).
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a, err := Serve(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := a.WaitCore(ctx); err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = a.Stop(sctx)
		return nil, err
	}
	return a, nil
}

// Serve builds everything and starts serving as soon as JetStream answers
// (retried with backoff until ctx ends): from then on the gateways take
// webhooks, forms and chat messages, which wait in JetStream. Until then
// the HTTP port already listens: /healthz answers 200, /readyz,
// /readyz/core and every other route 503 (startup.go). The database
// may still be down: the core (migrations, queues, first admin, seed, the
// consumers) starts in the background the moment it answers; /readyz/core
// says 503 until then. See startup.go.
func Serve(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log, done: make(chan struct{}), core: newCoreState()}
	programBrand, err := loadBrand(cfg)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			a.closeResources()
		}
	}()

	a.db, err = db.Open(ctx, db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Lazy: true}, log)
	if err != nil {
		return nil, err
	}
	if a.metrics, err = newMetrics(cfg, a.db, log); err != nil {
		return nil, err
	}
	if err := a.startTracing(ctx, cfg); err != nil {
		return nil, err
	}
	cat, err := locale.Load()
	if err != nil {
		return nil, err
	}
	bodyLimit := max(int(cfg.AttachmentMaxBytes)*max(cfg.AttachmentMaxFiles, 1)+1<<20, cfg.ReplyFiles.LargestRequest())
	// The port listens while NATS is awaited: /healthz 200, /readyz 503,
	// every other route 503 (startup.go). A taken port fails the start
	// before any wait.
	if cfg.Components["http"] {
		a.ln, err = net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("app: listen %s: %w", cfg.HTTPAddr, err)
		}
		a.starting, err = serveStarting(a.ln, api.Starting(api.StartingOpts{Log: log, Locale: cat, Lang: pages.Lang,
			CoreReady: map[string]api.Checker{"database": a.db, "core": a.core}, BodyLimit: bodyLimit}), log)
		if err != nil {
			return nil, err
		}
	}
	a.bus, err = connectBus(ctx, cfg, inboundObserver(a.metrics), log)
	if err != nil {
		return nil, err
	}

	ivrMenu, err := voice.LoadMenu(cfg.Voice.IVRMenuFile)
	if err != nil {
		return nil, err
	}
	settings, err := newSettings(ctx, cfg, a.db, a.bus, log)
	if err != nil {
		return nil, err
	}
	router := routing.New(routing.Opts{DB: a.db, Settings: settings, Events: a.bus, Log: log,
		AwayGrace: cfg.Routing.AwayGrace, ReturnTickets: cfg.Routing.ReturnTickets, Tracer: a.tracer})
	queueAdmin := routing.NewAdmin(routing.AdminOpts{DB: a.db, Settings: settings, Work: router, Events: a.bus, Log: log})
	metrics := routing.NewMetrics(routing.PartOpts{DB: a.db, Queues: settings, Events: a.bus, Log: log})
	// The clocks' warnings and breaches are counted where announced, once.
	clocks := routing.NewClocks(routing.PartOpts{DB: a.db, Queues: settings, Events: a.metrics.CountingSLA(a.bus), Log: log})
	agents := agent.New(agent.Opts{DB: a.db, Log: log, BcryptCost: cfg.PasswordCost, Events: a.bus})
	categories := category.New(a.db) // admin screens: the form's complaint categories
	// whatsapp.go: the approved templates, on the WhatsApp adapter's admin screen.
	waTemplates, err := newWhatsAppTemplates(ctx, a.db, a.bus)
	if err != nil {
		return nil, err
	}
	// What the core needs of the database before it runs, done when the
	// database answers (startup.go).
	setup := func(ctx context.Context) error {
		if _, err := migrate.Up(ctx, a.db, log); err != nil {
			return err
		}
		if err := settings.EnsureQueues(ctx, append(withVoiceQueues(queueSpecs(cfg), ivrMenu), unitQueues(cfg)...)); err != nil {
			return err
		}
		if n, err := settings.AdoptChannelDefaults(ctx); err != nil {
			return err
		} else if n > 0 {
			log.Info("agents' channel capacities holding the default's number now follow the default", "rows", n)
		}
		if err := agents.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword, queueCodes(cfg)); err != nil {
			return fmt.Errorf("app: first admin: %w", err)
		}
		if err := seedCategories(ctx, cfg, categories, cat); err != nil { // categories.go
			return err
		}
		if err := seedWhatsAppTemplates(ctx, cfg, waTemplates); err != nil { // whatsapp.go
			return err
		}
		return seedRouting(ctx, cfg.Routing.SeedFile, queueAdmin, agents, log)
	}
	deviceKey, err := loginDeviceKey(cfg) // known-device cookies of the sign-in limit (issue 17 item 8)
	if err != nil {
		return nil, err
	}
	sessions := auth.New(auth.Opts{DB: a.db, Agents: agents, TTL: cfg.SessionTTL, Log: log,
		Throttle: loginThrottle(cfg), DeviceKey: deviceKey, DeviceTTL: cfg.Login.DeviceTTL,
		AddressFailuresPerMinute: cfg.Login.AddressFailuresPerMinute}) // both sign-in limits, shared by instances in the database
	board, err := newWallboard(a.db, cfg.WallboardServiceLevel) // wallboard and admin screens
	if err != nil {
		return nil, err
	}
	contacts := contact.New(contact.Opts{DB: a.db, Log: log})
	files, err := newFileStore(ctx, cfg, a.bus, log) // files.go: local folder or JetStream object store
	if err != nil {
		return nil, err
	}
	wrapupRules := tags.NewRules(a.db) // the queues' "wrap-up code before solve" rule guards every solve
	// channels.go: replies on a ticket of any other channel are refused.
	running := channelsOn(cfg)
	tickets := ticket.New(ticket.Opts{DB: a.db, Bus: a.bus, Loads: router, Clocks: clocks, Log: log, ReplyPolicies: replyPolicies(waTemplates),
		SolveGuard: wrapupRules, Attachments: files, Channels: running,
		EndGuard: complaint.NewGuard(a.db)}) // a complaint's ticket ends with its lifecycle, not by a status change
	labels := tags.New(tags.Opts{DB: a.db, Tickets: tickets, Events: a.bus, Rules: wrapupRules, FreeTags: tags.FreeTags(cfg.Tags.Free), Log: log})
	// Complaint lifecycle (issue 18): kinds, stages on working days,
	// anonymous and confidential complaints.
	if a.complaints, err = newComplaints(cfg, a.db, a.bus, tickets, router, log); err != nil {
		return nil, err
	}
	// Its cached calendars go with every holiday change (any instance's).
	if err := a.bus.OnNotice(ctx, a.bus.Names.RoutingSettings(), a.complaints.DropCalendars); err != nil {
		return nil, fmt.Errorf("app: complaint calendar notices: %w", err)
	}
	front := newLauncher(cfg, programBrand, queueAdmin, metrics, ivrMenu, cat, log)
	secret, err := livechat.LoadSecret(cfg.LivechatSecret, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	satisfaction := newCSAT(cfg, a.db, a.bus, secret, cfg.WhatsApp.Enabled(), log) // csat: surveys, ratings, report
	// notify: citizen notifications; a "solved" one carries the CSAT survey link.
	notifier, err := newNotify(cfg, a.db, a.bus, cat, satisfaction, waTemplates, sendObserver(a.metrics), log)
	if err != nil {
		return nil, err
	}
	if cfg.Components["delivery"] {
		// Before any traffic: events of the first solves wait on the stream.
		if err := notifier.svc.DeclareEvents(ctx); err != nil {
			log.Warn("notify: events stream not declared at start; retried in the background", "err", err)
		}
	}
	pg := pages.New(pages.Opts{Locale: cat, Log: log, AttachmentMaxFiles: cfg.AttachmentMaxFiles, AttachmentMaxBytes: cfg.AttachmentMaxBytes,
		Brand: programBrand, Menus: front,
		StatusLinks: notifier.links, // notify
		Texts:       categories,     // the admins' complaint categories, by name on every page
	})

	form := webform.New(webform.Opts{
		Bus: a.bus, Tickets: tickets, Attachments: files, Locale: cat, Lang: pages.Lang,
		Categories: formCategories(cfg), MaxFiles: cfg.AttachmentMaxFiles, MaxBytes: cfg.AttachmentMaxBytes, Log: log,
		DB:                   a.db, // complaint idempotency keys (issue 17 item 7)
		ReplyFiles:           channels.FileLimits{MaxBytes: cfg.ReplyFiles.WebformMaxBytes, MaxFiles: cfg.ReplyFiles.MaxFiles},
		SubmissionsPerMinute: cfg.FormRateLimit, FailedLookupsPerMinute: cfg.LookupRateLimit,
		Lifecycle:     a.complaints,
		Surveys:       satisfaction, // csat: the rating card after a status lookup
		CategoryStore: categories,   // admin screens
	})
	phone := voice.New(voice.Opts{Surveys: satisfaction,
		DB: a.db, Bus: a.bus, Tickets: tickets, Hours: settings, Attachments: files, Texts: cat, Menu: ivrMenu,
		Provider: voice.Provider{AccountSID: cfg.Voice.TwilioAccountSID, AuthToken: cfg.Voice.TwilioAuthToken,
			APIBaseURL: cfg.Voice.TwilioAPIBaseURL, CallerID: cfg.Voice.TwilioCallerID},
		PublicURL: cfg.BaseURL(), Log: log,
		CallbackTargets: cfg.Voice.CallbackTargets, // allow-list of call-back "to" (issue 17 item 9)
		MenuSource:      menuSource(cfg),           // admin screens: the IVR menu's text
		Lang:            pages.Lang,
	})
	a.chat, err = livechat.New(livechat.Opts{
		DB: a.db, Bus: a.bus, Router: metrics, Tickets: tickets, Attachments: files, Locale: cat, Secret: secret,
		AllowedOrigins: cfg.LivechatAllowedOrigins, PublicURL: cfg.BaseURL(), MaxFileBytes: cfg.AttachmentMaxBytes,
		ReplyFiles: channels.FileLimits{MaxBytes: cfg.ReplyFiles.LivechatMaxBytes, MaxFiles: cfg.ReplyFiles.MaxFiles},
		Realtime: realtime.Options{MaxConnsPerIP: cfg.LivechatMaxConnsPerIP, NewConnsPerMinute: cfg.LivechatNewConnsPerMinute,
			FramesPerSecond: float64(cfg.LivechatFramesPerSecond), Burst: 4 * cfg.LivechatFramesPerSecond},
		Log:     log,
		Brand:   livechat.WidgetBrand{Name: programBrand.ShortName, Logo: launcher.LogoPath(front)},
		Surveys: satisfaction, // csat: the widget's rating card
	})
	if err != nil {
		return nil, err
	}
	adapters := []channels.Adapter{form, phone, a.chat}
	wa := newWhatsApp(cfg, a.db, a.bus, tickets, files, log, satisfaction, cat, waTemplates, metrics, a.tracer)
	if wa != nil {
		adapters = append(adapters, wa)
	}
	if err := sameChannels(running, adapters); err != nil { // channels.go
		return nil, err
	}
	offSince := time.Now().UTC()

	if cfg.Components["http"] {
		a.console, err = consolews.New(consolews.Opts{
			NC: a.bus.NC, Names: a.bus.Names, Sessions: sessions, Scopes: tickets,
			Typing:    api.TypingRelay{Tickets: tickets, Adapters: adapters},
			Liveness:  agents,
			PublicURL: cfg.BaseURL(), Heartbeat: cfg.ConsoleHeartbeat, SendQueue: cfg.ConsoleSendQueue, Log: log,
			Tracer: a.tracer, // the push joins the trace of the change it carries
		})
		if err != nil {
			return nil, err
		}
	}

	// The metrics port listens before the app's goroutines start, so a
	// taken port fails the start with nothing running to unwind.
	if a.metricsLn, err = listenMetrics(cfg, a.metrics); err != nil {
		return nil, err
	}
	a.registerStateMetrics()

	// reports: historical reports; the core keeps their rollup fresh and
	// makes the monthly report.
	history, err := newReports(cfg, a.db, cat, log)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	g, gctx := errgroup.WithContext(runCtx)
	if a.metrics != nil {
		g.Go(func() error { return a.metrics.Serve(gctx, a.metricsLn) })
		g.Go(func() error { return a.metrics.Watch(gctx, a.bus.NC, a.bus.Names) })
	}

	// Items channels refused: kept by the core, listed to admins.
	refusedItems := refused.New(refused.Opts{DB: a.db})

	// The core and the senders start once the database answers and setup
	// ran; the gateways below serve meanwhile.
	startCore := func(g *errgroup.Group, gctx context.Context) {
		if cfg.Components["core"] {
			consumer := ingest.New(ingest.Opts{DB: a.db, Bus: a.bus, Contacts: contacts, Router: ingestRouter(router, a.metrics, a.tracer), Observe: batchObserver(a.metrics), Tracer: a.tracer, Queues: settings, Clocks: clocks, Log: log, BatchSize: cfg.IngestBatchSize,
				ReopenWindow: cfg.ReopenWindow, AckWait: cfg.IngestAckWait, Linger: ingestLinger(cfg), Fill: cfg.IngestFill,
				Refused: refusedItems, Acks: ackChannels(cfg)})
			g.Go(func() error { return consumer.Run(gctx) })
			g.Go(func() error {
				return receipts.Run(gctx, receipts.Opts{Bus: a.bus, Applier: tickets, NotYet: ticket.ErrMessageNotFound, Log: log})
			})
			g.Go(func() error {
				return router.Run(gctx, routing.RunOpts{Sweep: cfg.Routing.SweepInterval})
			})
			g.Go(func() error { return metrics.Run(gctx, cfg.Routing.MetricsInterval, a.bus) })
			g.Go(func() error { return clocks.Run(gctx, cfg.Routing.SweepInterval) })
			g.Go(func() error { return satisfaction.Run(gctx) })                                 // csat: asks on every solve
			g.Go(func() error { return a.complaints.Run(gctx, cfg.Complaint.TickInterval) })     // complaint lifecycle clocks
			g.Go(func() error { return history.RunSchedule(gctx, cfg.Reports.RefreshInterval) }) // reports: rollup and monthly report
			g.Go(func() error {                                                                  // wallboard: pushed by the core
				return board.Run(gctx, wallboard.PublishOpts{Bus: a.bus, Interval: cfg.WallboardInterval})
			})
			presence := agent.NewSweeper(agents, agent.SweepOpts{AwayAfter: cfg.Presence.AwayAfter, OfflineAfter: cfg.Presence.OfflineAfter,
				Interval: cfg.Presence.SweepInterval, React: router, Log: log})
			g.Go(func() error { return presence.Run(gctx) })
		}
		if cfg.Components["delivery"] {
			for _, ad := range adapters {
				ad := ad
				g.Go(func() error {
					return channels.RunDelivery(gctx, channels.DeliveryOpts{Bus: a.bus, Adapter: ad, Log: log, Observe: deliveryObserver(a.metrics), Tracer: a.tracer})
				})
			}
			for _, ch := range channelsOff(running) { // channels.go: replies queued while the channel ran
				g.Go(func() error {
					return channels.RunOff(gctx, channels.OffOpts{Bus: a.bus, Channel: ch, Log: log, Since: offSince, Observe: deliveryObserver(a.metrics)})
				})
			}
			g.Go(func() error { return phone.RunRecordings(gctx) })
			g.Go(func() error { return a.chat.RunSurveys(gctx) }) // csat: the widget's rating card
			if wa != nil {
				g.Go(func() error { return wa.Run(gctx) }) // media downloads, status updates
				// csat: asks solved tickets' citizens.
				g.Go(func() error { return wa.RunSurveys(gctx) })
				g.Go(func() error { return wa.RunSurveyThanks(gctx) })
				if cfg.WhatsApp.Ack { // a new ticket's citizen is told it was received
					g.Go(func() error { return wa.RunAcks(gctx) })
				}
			}
			g.Go(func() error { return notifier.svc.Run(gctx) }) // notify: citizen notifications
			if notifier.bounce != nil {
				g.Go(func() error { return notifier.bounce.Run(gctx) }) // notify: bounces of notification e-mails
			}
		}
	}
	g.Go(func() error { return a.runCore(gctx, setup, func() { startCore(g, gctx) }) })
	if cfg.Components["http"] {
		g.Go(func() error { return a.chat.Run(gctx) })
		g.Go(func() error { return a.console.Run(gctx) })
		// Notes, canned replies and macros; a macro's tags go through the
		// tags service (scope-checked, audited, pushed like any tag change).
		teamNotes := notes.New(notes.Opts{DB: a.db, Tickets: tickets, Summaries: tickets, Agents: agents, Events: a.bus, Log: log})
		pdp := newPrivacy(cfg, a.db, files, log) // privacy.go: view audit, subject requests, retention
		pdp.start(g, gctx)
		a.views = pdp.views
		// Webhook health: counted in memory per request, added to the
		// database once a second (internal/webhooks).
		hooks := webhooks.New(webhooks.Opts{DB: a.db, Log: log, Channels: webhookChannels(running)})
		g.Go(func() error { return hooks.Run(gctx) })
		cannedReplies := canned.New(canned.Opts{DB: a.db, Tickets: tickets, Work: router, Tagger: labels, Texts: cat, PublicURL: cfg.BaseURL(), Log: log})
		a.http = api.New(api.Opts{
			Observe: requestObserver(a.metrics), Tracer: a.tracer,
			Notes: teamNotes, Canned: cannedReplies,
			Log: log, Locale: cat, Lang: pages.Lang, Auth: sessions, Agents: agents, Tickets: tickets,
			Attachments: files, Assigner: router, Work: router, Queues: queueAdmin, SLA: clocks, Metrics: metrics,
			Tags: labels, Bulk: bulk.New(tickets, labels, router),
			Contacts:       contact.NewHistory(contact.HistoryOpts{DB: a.db, Tickets: tickets, Log: log}),
			Ready:          map[string]api.Checker{"nats": a.bus},                    // the gateway: /readyz
			CoreReady:      map[string]api.Checker{"database": a.db, "core": a.core}, // the core: /readyz/core
			Adapters:       adapters,
			ConsoleSocket:  a.console,
			Pages:          pg,
			Launcher:       front,
			BodyLimit:      bodyLimit,
			SecureCookies:  strings.HasPrefix(cfg.PublicURL, "https://"),
			SessionTTL:     cfg.SessionTTL,
			TouchInterval:  cfg.Presence.TouchInterval,
			TrustedProxies: cfg.TrustedProxies,
			Search:         search.New(search.Opts{DB: a.db, Tickets: tickets, Log: log}), // search and views
			Privacy:        pdp.api(refusedItems),
			Notify:         notifier.svc,   // notify
			NotifyHooks:    notifier.hooks, // notify
			// csat: report, alerts, ratings, survey links
			CSAT:       satisfaction,
			Complaints: a.complaints,                 // complaint lifecycle
			Reports:    history,                      // reports
			Wallboard:  board, Audit: newAudit(a.db), // wallboard and admin screens
			Categories: categories, // admin screens: complaint categories
			Webhooks:   hooks,      // admin screens: webhook health per channel
		})
		// The starting answers end here, once the app is built: the app's
		// server accepts on the same listener (connections wait in its
		// backlog for the moment between).
		if a.starting != nil {
			if err := a.starting.handOver(); err != nil {
				cancel()
				return nil, err
			}
		}
		g.Go(func() error {
			if err := a.http.Listener(a.ln); err != nil && !errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("app: http: %w", err)
			}
			return nil
		})
		// A component that stops on its own (a migration refused: the
		// database is newer than the binary) cancels gctx; the HTTP server
		// must stop with it, or Done never closes and the process serves
		// 503s forever instead of exiting with the reason.
		g.Go(func() error {
			<-gctx.Done()
			shut, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			_ = a.http.ShutdownWithContext(shut) // a second shutdown after Stop's returns at once
			// The shutdown closes only the listeners the server already
			// serves: if the core failed before Listener got there, the
			// closed listener makes it return at once instead.
			_ = a.ln.Close()
			return nil
		})
	}
	go func() {
		a.err = g.Wait()
		close(a.done)
	}()
	ok = true
	return a, nil
}

// URL is where the HTTP server answers (the real port when HTTP_ADDR used :0).
func (a *App) URL() string {
	if a.ln == nil {
		return ""
	}
	addr := a.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	if a.cfg.PublicURL != "" && !strings.HasSuffix(a.cfg.HTTPAddr, ":0") {
		return a.cfg.BaseURL()
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Routes lists the HTTP routes (the route table's test walks them).
func (a *App) Routes() []fiber.Route {
	if a.http == nil {
		return nil
	}
	return a.http.GetRoutes(true)
}

// Done is closed when a component stopped on its own (with Err set).
func (a *App) Done() <-chan struct{} { return a.done }

// Err is why the app stopped; nil while it runs.
func (a *App) Err() error {
	select {
	case <-a.done:
		return a.err
	default:
		return nil
	}
}

// Stop shuts down gracefully: stop accepting and finish in-flight HTTP
// requests, stop the consumers (their unacked messages are redelivered),
// drain NATS, close the database.
func (a *App) Stop(ctx context.Context) error {
	var err error
	a.stopOnce.Do(func() {
		if a.chat != nil {
			// Chat connections are hijacked: the HTTP shutdown does not
			// see them. Refuse new ones and send widgets elsewhere first.
			if e := a.chat.Shutdown(ctx); e != nil {
				err = fmt.Errorf("app: live chat shutdown: %w", e)
			}
		}
		if a.console != nil {
			// Hijacked like the chat's: consoles reconnect elsewhere.
			if e := a.console.Shutdown(ctx); e != nil {
				err = errors.Join(err, fmt.Errorf("app: console socket shutdown: %w", e))
			}
		}
		if a.http != nil {
			if e := a.http.ShutdownWithContext(ctx); e != nil {
				err = fmt.Errorf("app: http shutdown: %w", e)
			}
		}
		a.cancel()
		select {
		case <-a.done:
		case <-ctx.Done():
			err = errors.Join(err, ctx.Err())
		}
		a.closeResources()
	})
	return err
}

func (a *App) closeResources() {
	if a.chat != nil {
		// Idempotent; after a failed start it stops the fan-out.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := a.chat.Shutdown(ctx); err != nil {
			a.log.Warn("live chat shutdown", "err", err)
		}
		cancel()
	}
	if a.console != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := a.console.Shutdown(ctx); err != nil {
			a.log.Warn("console socket shutdown", "err", err)
		}
		cancel()
	}
	if a.starting != nil {
		// Idempotent; after a failed start it stops the starting answers
		// before the listener closes.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		a.starting.stop(ctx)
		cancel()
	}
	if a.ln != nil && a.http == nil {
		a.ln.Close() // listening, but the server never took it over
	}
	if a.metricsLn != nil {
		a.metricsLn.Close() // the metrics server, if it ran, has stopped by now
	}
	if a.traces != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := a.traces.Shutdown(ctx); err != nil {
			a.log.Warn("tracing: flush", "err", err)
		}
		cancel()
	}
	if a.bus != nil {
		a.bus.Close()
	}
	if a.db != nil {
		if err := a.db.Close(); err != nil {
			a.log.Warn("close database", "err", err)
		}
	}
}

// newSettings builds the queue settings and keeps their cached copy in
// step with the other instances: every committed admin change is announced
// on the bus, and every announcement (this instance's own too) drops the
// cached settings, so all instances route on the new ones at once. The
// cache's own TTL covers a lost notice.
func newSettings(ctx context.Context, cfg config.Config, d *db.DB, b *bus.Bus, log *slog.Logger) (*routing.Settings, error) {
	subject := b.Names.RoutingSettings()
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, CategoryQueues: cfg.CategoryQueues, DefaultQueue: cfg.DefaultQueue, Log: log,
		ChannelCapacity: cfg.Routing.ChannelCapacity, DefaultChannelCapacity: cfg.Routing.DefaultChannelCapacity,
		SettingsChanged: func() { b.Notify(subject) }})
	if err := b.OnNotice(ctx, subject, settings.DropCachedSettings); err != nil {
		return nil, fmt.Errorf("app: routing settings notices: %w", err)
	}
	return settings, nil
}

// seedRouting applies the routing seed file when its contents changed
// since it was last applied (routing.Admin.SeedApplied; a restart with
// the same file keeps what admins edited since): agents it lists with a
// password are created when missing, then queues, profiles, holidays and
// priority rules are saved (upserts).
func seedRouting(ctx context.Context, path string, admin *routing.Admin, agents *agent.Service, log *slog.Logger) error {
	if path == "" {
		return nil
	}
	seed, err := routing.LoadSeed(path)
	if err != nil {
		return err
	}
	switch applied, err := admin.SeedApplied(ctx, seed.Digest); {
	case err != nil:
		return err
	case applied:
		// The same file as last time: what admins changed since on the
		// admin screens stays.
		log.Info("routing seed unchanged since applied; not applied again", "file", filepath.Base(path))
		return nil
	}
	// Queues first, so new agents can join them.
	if err := admin.ApplySeed(ctx, routing.Seed{Queues: seed.Queues, Holidays: seed.Holidays, Rules: seed.Rules}); err != nil {
		return fmt.Errorf("app: routing seed: %w", err)
	}
	for _, sa := range seed.Agents {
		if sa.Password == "" {
			continue
		}
		_, err := agents.Create(ctx, agent.NewAgent{Email: sa.Email, Name: sa.Name, Password: sa.Password, Role: sa.Role})
		if err != nil && !errors.Is(err, agent.ErrEmailTaken) {
			return fmt.Errorf("app: seed agent: %w", err)
		}
	}
	if err := admin.ApplySeed(ctx, routing.Seed{Agents: seed.Agents}); err != nil {
		return fmt.Errorf("app: routing seed: %w", err)
	}
	if err := admin.MarkSeedApplied(ctx, seed.Digest); err != nil {
		return err
	}
	log.Info("routing seed applied", "queues", len(seed.Queues), "agents", len(seed.Agents), "holidays", len(seed.Holidays))
	return nil
}

// ingestLinger is INGEST_LINGER as the consumer takes it: 0 (no
// gathering) is a negative Linger there, whose zero means its default.
func ingestLinger(cfg config.Config) time.Duration {
	if cfg.IngestLinger == 0 {
		return -1
	}
	return cfg.IngestLinger
}

// queueSpecs lists the queues the configuration names.
func queueSpecs(cfg config.Config) []routing.QueueSpec {
	seen := map[string]bool{cfg.DefaultQueue: true}
	specs := []routing.QueueSpec{{Code: cfg.DefaultQueue, Name: title(cfg.DefaultQueue)}}
	codes := make([]string, 0, len(cfg.CategoryQueues))
	for _, q := range cfg.CategoryQueues {
		codes = append(codes, q)
	}
	for _, q := range cfg.WhatsApp.NumberQueues {
		codes = append(codes, q)
	}
	sort.Strings(codes)
	for _, q := range codes {
		if !seen[q] {
			seen[q] = true
			specs = append(specs, routing.QueueSpec{Code: q, Name: title(q)})
		}
	}
	return specs
}

// withVoiceQueues adds the queues the IVR menu names (agents, callbacks).
func withVoiceQueues(specs []routing.QueueSpec, m *voice.Menu) []routing.QueueSpec {
	for _, code := range []string{m.Queues.Agent, m.Queues.Callback} {
		if !slices.ContainsFunc(specs, func(s routing.QueueSpec) bool { return s.Code == code }) {
			specs = append(specs, routing.QueueSpec{Code: code, Name: title(code)})
		}
	}
	return specs
}

func queueCodes(cfg config.Config) []string {
	var out []string
	for _, s := range queueSpecs(cfg) {
		out = append(out, s.Code)
	}
	return out
}

func formCategories(cfg config.Config) []webform.Category {
	out := make([]webform.Category, 0, len(cfg.ComplaintCategories))
	for _, c := range cfg.ComplaintCategories {
		out = append(out, webform.Category{Code: c.Code, Label: c.Label})
	}
	return out
}

func title(code string) string {
	if code == "" {
		return code
	}
	return strings.ToUpper(code[:1]) + strings.ReplaceAll(code[1:], "_", " ")
}
