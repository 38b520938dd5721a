package app_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/localport"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
)

// signalLog closes seen at the first record whose message contains want.
type signalLog struct {
	slog.Handler
	want string
	seen chan struct{}
	once *sync.Once
}

func (h signalLog) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.want) {
		h.once.Do(func() { close(h.seen) })
	}
	return h.Handler.Handle(ctx, r)
}

func (h signalLog) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

func (h signalLog) WithGroup(g string) slog.Handler {
	h.Handler = h.Handler.WithGroup(g)
	return h
}

// serve runs app.Serve and stops the app at cleanup.
func serve(t *testing.T, ctx context.Context, cfg config.Config, log *slog.Logger) *app.App {
	t.Helper()
	a, err := app.Serve(ctx, cfg, log)
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return a
}

func readiness(t *testing.T, c *apptest.Client, path string) (int, string) {
	t.Helper()
	var body struct{ Gateway, Core string }
	res := c.Do(http.MethodGet, path, nil)
	res.JSON(t, &body)
	return res.Status, body.Gateway + "/" + body.Core
}

// complaintStored waits until the complaint's status page answers (the
// core stored it).
func complaintStored(t *testing.T, c *apptest.Client, tn, phone string) {
	t.Helper()
	testenv.CheckFor(t, 30*time.Second, 20*time.Millisecond, func() error {
		if res := c.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+phone, nil); res.Status != http.StatusOK {
			return fmt.Errorf("complaint %s: %d", tn, res.Status)
		}
		return nil
	})
}

// The server starts while PostgreSQL does not answer (its TCP path is cut
// by a proxy the test controls): the gateway is ready and takes a
// complaint (201: it is in JetStream), the core says not ready; once the
// database answers the core starts by itself, migrates the fresh database
// and stores the complaint.
func TestServeStartsWithTheDatabaseDown(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("the embedded SQLite database cannot be down; the outage is a cut TCP path to PostgreSQL")
	}
	cfg := apptest.Config(t)
	via, proxy := testenv.DBViaProxy(t, db.Config{URL: cfg.DatabaseURL})
	cfg.DatabaseURL = via.URL
	proxy.Cut()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := serve(t, ctx, cfg, testenv.Logger(t))
	citizen := apptest.NewClient(t, a.URL())

	if code, state := readiness(t, citizen, "/readyz"); code != http.StatusOK || state != "ready/unavailable" {
		t.Fatalf("/readyz with the database down: %d %s, want 200 ready/unavailable", code, state)
	}
	if code, _ := readiness(t, citizen, "/readyz/core"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz/core with the database down: %d, want 503", code)
	}
	const phone = "081234567801"
	tn := citizen.Complaint(map[string]string{"name": "Rina", "phone": phone, "category": "lainnya",
		"description": "Dikirim saat basis data mati."})

	proxy.Restore()
	if err := a.WaitCore(ctx); err != nil {
		t.Fatalf("the core did not start once the database answered: %v", err)
	}
	if code, state := readiness(t, citizen, "/readyz/core"); code != http.StatusOK || state != "ready/ready" {
		t.Fatalf("/readyz/core with the database back: %d %s", code, state)
	}
	complaintStored(t, citizen, tn, phone)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword) // the first admin was made once the database answered
}

// freePort returns a TCP port nothing listens on (for a server the test
// starts later on it).
func freePort(t *testing.T) int {
	t.Helper()
	p, err := localport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startingReadiness is a readiness answer while NATS is awaited.
type startingReadiness struct {
	Status, Gateway, Core string
	Checks                map[string]string
}

// The server starts while NATS is absent. Its HTTP port answers at once:
// /healthz 200, /readyz and /readyz/core 503 saying nats is unavailable,
// a webhook and the complaint form 503 with the API's error (nothing
// accepted). It keeps trying, and once a NATS server (in-process, on the
// configured port) starts, the app's own server takes the same port over
// without a refused or failed /healthz in between, then serves, takes a
// complaint and stores it.
func TestServeWaitsForNATS(t *testing.T) {
	cfg := apptest.Config(t)
	natsPort := freePort(t)
	cfg.NATSURL = fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	cfg.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := "http://" + cfg.HTTPAddr

	retrying := make(chan struct{})
	log := slog.New(signalLog{Handler: testenv.Logger(t).Handler(), want: "nats unavailable at start", seen: retrying, once: &sync.Once{}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type started struct {
		a   *app.App
		err error
	}
	out := make(chan started, 1)
	go func() {
		a, err := app.Serve(ctx, cfg, log)
		out <- started{a, err}
	}()
	select {
	case <-retrying:
	case s := <-out:
		t.Fatalf("Serve returned without NATS: %v", s.err)
	case <-ctx.Done():
		t.Fatal("Serve did not report NATS missing")
	}

	// While NATS is absent.
	probe := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, error) {
		res, err := probe.Get(base + path)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	testenv.CheckFor(t, 30*time.Second, 20*time.Millisecond, func() error {
		if code, err := get("/healthz"); err != nil || code != http.StatusOK {
			return fmt.Errorf("/healthz while NATS is absent: %d %v", code, err)
		}
		if code, err := get("/readyz"); err != nil || code != http.StatusServiceUnavailable {
			return fmt.Errorf("/readyz while NATS is absent: %d %v", code, err)
		}
		return nil
	})
	citizen := apptest.NewClient(t, base)
	for _, path := range []string{"/readyz", "/readyz/core"} {
		res := citizen.Do(http.MethodGet, path, nil)
		var body startingReadiness
		res.JSON(t, &body)
		if res.Status != http.StatusServiceUnavailable || body.Status != "unavailable" || body.Gateway != "unavailable" ||
			body.Core != "unavailable" || body.Checks["nats"] != "unavailable" {
			t.Errorf("%s while NATS is absent: %d %s, want 503 and nats unavailable", path, res.Status, res.Body)
		}
	}
	refused := []struct {
		name string
		send func() apptest.Response
	}{
		{"the WhatsApp webhook", func() apptest.Response {
			return citizen.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", `{"object":"whatsapp_business_account","entry":[]}`, nil)
		}},
		{"the complaint form", func() apptest.Response {
			return citizen.Do(http.MethodPost, "/api/v1/complaints", map[string]string{"name": "Sari", "phone": "081234567803",
				"category": "lainnya", "description": "Dikirim sebelum NATS menyala."})
		}},
		{"the complaint page", func() apptest.Response { return citizen.Do(http.MethodGet, "/pengaduan", nil) }},
	}
	for _, r := range refused {
		res := r.send()
		var body struct {
			Error struct{ Code, Message string }
		}
		res.JSON(t, &body)
		if res.Status != http.StatusServiceUnavailable || body.Error.Code != "unavailable" || body.Error.Message == "" {
			t.Errorf("%s while NATS is absent: %d %s, want 503 unavailable", r.name, res.Status, res.Body)
		}
	}

	// From now until the app is ready /healthz must answer 200 every time:
	// the port is handed over, never closed.
	stopProbe := make(chan struct{})
	probeFailed := make(chan error, 1)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if code, err := get("/healthz"); err != nil || code != http.StatusOK {
				probeFailed <- fmt.Errorf("/healthz while NATS started: %d %v", code, err)
				return
			}
			select {
			case <-stopProbe:
				return
			case <-tick.C:
			}
		}
	}()

	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: natsPort, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)

	var a *app.App
	select {
	case s := <-out:
		if s.err != nil {
			t.Fatalf("Serve once NATS started: %v", s.err)
		}
		a = s.a
	case <-ctx.Done():
		t.Fatal("Serve did not start once NATS answered")
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	testenv.CheckFor(t, 30*time.Second, 20*time.Millisecond, func() error {
		if code, state := readiness(t, citizen, "/readyz"); code != http.StatusOK || !strings.HasPrefix(state, "ready/") {
			return fmt.Errorf("/readyz once NATS answered: %d %s", code, state)
		}
		return nil
	})
	close(stopProbe)
	<-probed
	select {
	case err := <-probeFailed:
		t.Fatal(err)
	default:
	}
	const phone = "081234567802"
	tn := citizen.Complaint(map[string]string{"name": "Budi", "phone": phone, "category": "lainnya",
		"description": "Dikirim setelah NATS menyala."})
	if err := a.WaitCore(ctx); err != nil {
		t.Fatal(err)
	}
	complaintStored(t, citizen, tn, phone)
}

// TestStartRefusesNewerDatabase: on a database that records a migration
// this binary does not carry, Start fails with ErrDatabaseNewer and the
// app stops on its own (Done closes) instead of serving 503s forever.
func TestStartRefusesNewerDatabase(t *testing.T) {
	cfg := apptest.Config(t)
	dbc := db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}
	d := testenv.OpenDB(t, dbc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := migrate.Up(ctx, d, testenv.Logger(t)); err != nil {
		t.Fatal(err)
	}
	_, latest, err := migrate.Status(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_a_newer_release', ?)`, latest+1, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	a, err := app.Start(ctx, cfg, testenv.Logger(t))
	if err == nil {
		_ = a.Stop(ctx)
		t.Fatal("started on a database from a newer release")
	}
	if !errors.Is(err, migrate.ErrDatabaseNewer) {
		t.Fatalf("start: %v, want ErrDatabaseNewer", err)
	}
}
