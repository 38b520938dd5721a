package consolews

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nats-io/nats.go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/contact"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/ingest"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracing"
)

// TestPushJoinsTheTraceOfTheCitizensMessage: one trace runs from the
// request that took a citizen's message, through JetStream and the ingest
// commit, to the push of its events to an agent's console: the push span
// (one per event, not per socket) has the request's trace id and the
// ingest batch as its parent.
func TestPushJoinsTheTraceOfTheCitizensMessage(t *testing.T) {
	ctx := context.Background()
	log := testenv.Logger(t)
	d := testenv.DB(t)
	b := testenv.Bus(t)
	e := envOn(t, d)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := tp.Tracer("test")

	// The core, traced.
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, DefaultQueue: "umum", Log: log})
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}}); err != nil {
		t.Fatal(err)
	}
	router := routing.New(routing.Opts{DB: d, Settings: settings, Events: b, Log: log})
	consumer := ingest.New(ingest.Opts{DB: d, Bus: b, Contacts: contact.New(contact.Opts{DB: d, Log: log}), Router: router,
		Queues: settings, Clocks: routing.NewClocks(routing.PartOpts{DB: d, Queues: settings, Log: log}), Tracer: tr, Log: log})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	// The console gateway, traced, with an admin's console (sees all).
	gw, err := New(Opts{NC: b.NC, Names: b.Names, Sessions: e.sessions, Scopes: e.tickets, Typing: e.typing,
		Liveness: e.touch, Heartbeat: time.Hour, Log: log, Tracer: tr})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = true
	app.Get("/api/v1/ws", func(c *fiber.Ctx) error {
		token := strings.TrimPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		a, err := e.sessions.Authenticate(c.UserContext(), token)
		if err != nil {
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		return gw.Serve(c, a, token)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Shutdown(sctx)
		_ = app.ShutdownWithContext(sctx)
	})
	_, token := e.agent("Admin", domain.RoleAdmin)
	console := connect(t, "ws://"+ln.Addr().String()+"/api/v1/ws", "admin", token)

	// The request that takes the citizen's message (a webhook, the form).
	reqCtx, req := tr.Start(ctx, "POST /webhooks/whatsapp", trace.WithSpanKind(trace.SpanKindServer))
	in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWebform, ProviderMessageID: "trace-1", ReceivedAt: time.Now().UTC(),
		Sender: envelope.Sender{Phone: "+6281234500001", Name: "Warga"}, Text: "Bantuan belum cair",
		Fields: map[string]string{envelope.FieldKind: string(domain.KindComplaint)}}
	if err := b.PublishInbound(reqCtx, in); err != nil {
		t.Fatal(err)
	}
	req.End()
	want := req.SpanContext().TraceID()

	console.wait(func(f frame) bool { return f.Type == "event" && f.Event == "message.created" }, "message.created")
	var pushes []sdktrace.ReadOnlySpan
	var batch sdktrace.ReadOnlySpan
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		pushes, batch = nil, nil
		for _, s := range rec.Ended() {
			switch s.Name() {
			case "console push":
				pushes = append(pushes, s)
			case "ingest batch":
				batch = s
			}
		}
		for _, p := range pushes {
			if ev := attr(p, "tanggap.event"); ev == "message.created" {
				return nil
			}
		}
		return errf("no push span of message.created yet (%d push spans)", len(pushes))
	})
	if batch == nil || batch.SpanContext().TraceID() != want {
		t.Fatalf("the ingest batch is not in the request's trace")
	}
	for _, p := range pushes {
		if p.SpanContext().TraceID() != want {
			t.Errorf("push of %s in trace %s, want the request's %s", attr(p, "tanggap.event"), p.SpanContext().TraceID(), want)
		}
		if p.Parent().SpanID() != batch.SpanContext().SpanID() {
			t.Errorf("push of %s is not a child of the ingest batch", attr(p, "tanggap.event"))
		}
	}
	t.Logf("%d push spans in trace %s", len(pushes), want)

	// An agent's change: the push of its event joins the agent's request.
	admin, err := e.agents.Get(ctx, mustAgentID(t, e, "admin@tanggap.test"))
	if err != nil {
		t.Fatal(err)
	}
	tickets := ticket.New(ticket.Opts{DB: d, Bus: b, Loads: router, Clocks: routing.NewClocks(routing.PartOpts{DB: d, Queues: settings, Log: log}), Log: log})
	umum, err := settings.QueueID("umum")
	if err != nil {
		t.Fatal(err)
	}
	id := e.ticket(umum, 0)
	reqCtx, req = tr.Start(ctx, "PUT /api/v1/tickets/:id<int>/status", trace.WithSpanKind(trace.SpanKindServer))
	if _, err := tickets.SetStatus(reqCtx, admin, id, domain.StatusPending); err != nil {
		t.Fatal(err)
	}
	req.End()
	want = req.SpanContext().TraceID()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		for _, s := range rec.Ended() {
			if s.Name() == "console push" && s.SpanContext().TraceID() == want {
				if attr(s, "tanggap.event") != "ticket.updated" || s.Parent().SpanID() != req.SpanContext().SpanID() {
					return errf("push %s under %s", attr(s, "tanggap.event"), s.Parent().SpanID())
				}
				return nil
			}
		}
		return errf("no push span in the status change's trace yet")
	})
}

func mustAgentID(t *testing.T, e *env, email string) int64 {
	t.Helper()
	var id int64
	if err := e.db.Raw(`SELECT id FROM agents WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("agent %s: %d %v", email, id, err)
	}
	return id
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, a := range s.Attributes() {
		if string(a.Key) == key {
			return a.Value.AsString()
		}
	}
	return ""
}

// BenchmarkEventDispatch is the gateway's own work per event (decode,
// scope, frame; no console open, so the sockets' writes, which dominate
// BenchmarkConsoleFanout, are left out and the span's share shows at its
// largest): tracing off; tracing on for an event without a trace; and an
// event carrying a trace, with a span exported in batches to nowhere.
//
//	go test -run '^$' -bench EventDispatch ./internal/consolews/
func BenchmarkEventDispatch(b *testing.B) {
	bs := testenv.Bus(b)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	payload := []byte(`{"v":1,"ticket_id":42,"queue_id":3,"assignee_id":7,"tracking_number":"4821-0193-7730-1265","status":"open","channel":"whatsapp","priority":"normal","preview":"Sudah 2 minggu insentif belum masuk ke rekening sa***","at":"2026-12-02T13:00:00Z"}`)
	subject := bs.Names.Event("message", "created")
	traced := nats.Header{}
	ctx, span := tp.Tracer("bench").Start(context.Background(), "request")
	tracing.Inject(ctx, traced)
	span.End()
	for _, c := range []struct {
		name   string
		tracer trace.Tracer
		header nats.Header
	}{
		{"tracing off", nil, nil},
		{"tracing on, event without trace", tp.Tracer("bench"), nil},
		{"tracing on, traced event", tp.Tracer("bench"), traced},
	} {
		b.Run(c.name, func(b *testing.B) {
			gw, err := New(Opts{NC: bs.NC, Names: bs.Names, Sessions: benchSessions{}, Scopes: noScopes{}, Typing: &typingLog{},
				Liveness: &touchCounter{n: map[int64]int{}}, Heartbeat: time.Hour, Log: testenv.Logger(b), Tracer: c.tracer})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = gw.Shutdown(context.Background()) })
			m := &nats.Msg{Subject: subject, Data: payload, Header: c.header}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				gw.onEvent(m)
			}
		})
	}
}
