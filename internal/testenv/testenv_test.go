package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/db"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
)

func TestDBIsMigratedAndIsolated(t *testing.T) {
	a := testenv.DB(t)
	b := testenv.DB(t)
	ctx := context.Background()

	cur, latest, err := migrate.Status(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if cur != latest || cur == 0 {
		t.Fatalf("status = %d/%d, want fully migrated", cur, latest)
	}
	if err := a.Exec(`INSERT INTO queues (code, name, created_at) VALUES ('umum', 'Umum', ?)`, time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := b.Raw(`SELECT COUNT(*) FROM queues`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second test database sees %d queues of the first", n)
	}
	if testenv.UsingPostgres() != (a.Dialect == db.Postgres) {
		t.Fatalf("dialect %s but UsingPostgres() = %v", a.Dialect, testenv.UsingPostgres())
	}
	if a.Dialect == db.Postgres {
		var schema string
		if err := a.Raw(`SELECT current_schema()`).Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, "t_") {
			t.Fatalf("current_schema = %q, want the test's own t_… schema", schema)
		}
	}
}

func TestOpenDBTwiceSharesData(t *testing.T) {
	cfg := testenv.DBConfig(t)
	a := testenv.OpenDB(t, cfg)
	b := testenv.OpenDB(t, cfg)
	if err := a.Exec(`INSERT INTO queues (code, name, created_at) VALUES ('umum', 'Umum', ?)`, time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := b.Raw(`SELECT COUNT(*) FROM queues`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("second handle sees %d queues, want 1", n)
	}
}

func TestPostgresSchemaDroppedAtCleanup(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("PostgreSQL only: SQLite files live in t.TempDir()")
	}
	var schema string
	t.Run("inner", func(t *testing.T) {
		d := testenv.DB(t)
		if err := d.Raw(`SELECT current_schema()`).Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
	})
	d := testenv.DB(t)
	var n int64
	if err := d.Raw(`SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`, schema).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("schema %s still exists after its test ended", schema)
	}
}

func TestBusPublishAndRestart(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.BusConfig(t)
	b := testenv.ConnectBus(t, cfg)
	if testenv.UsingExternalNATS() == (cfg.URL == "") {
		t.Fatalf("config URL %q but UsingExternalNATS() = %v", cfg.URL, testenv.UsingExternalNATS())
	}
	subject := b.Names.Inbound("webform")
	if !strings.HasPrefix(subject, cfg.SubjectPrefix+".") || cfg.SubjectPrefix == "cc" {
		t.Fatalf("subject %q does not use the test's own prefix %q", subject, cfg.SubjectPrefix)
	}
	if err := b.Publish(ctx, subject, "m1", []byte("halo")); err != nil {
		t.Fatal(err)
	}
	b.Close()

	// "Crash and restart": the same config reaches the same stream.
	b2 := testenv.ConnectBus(t, cfg)
	st, err := b2.JS.Stream(ctx, b2.Names.StreamInbound())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("stream has %d messages after reconnect, want 1", info.State.Msgs)
	}
}

func TestBusesAreIsolated(t *testing.T) {
	ctx := context.Background()
	a := testenv.Bus(t)
	b := testenv.Bus(t)
	if err := a.Publish(ctx, a.Names.Inbound("webform"), "m1", []byte("halo")); err != nil {
		t.Fatal(err)
	}
	st, err := b.JS.Stream(ctx, b.Names.StreamInbound())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Fatalf("second bus sees %d messages of the first", info.State.Msgs)
	}
}

func TestExternalStreamsDeletedAtCleanup(t *testing.T) {
	if !testenv.UsingExternalNATS() {
		t.Skip("external NATS only: the embedded server's store lives in t.TempDir()")
	}
	var stream string
	t.Run("inner", func(t *testing.T) {
		stream = testenv.Bus(t).Names.StreamInbound()
	})
	b := testenv.Bus(t)
	_, err := b.JS.Stream(context.Background(), stream)
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("stream %s after its test ended: err = %v, want not found", stream, err)
	}
}

func TestCheckFor(t *testing.T) {
	var calls atomic.Int32
	testenv.CheckFor(t, 5*time.Second, time.Millisecond, func() error {
		if calls.Add(1) < 3 {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	if calls.Load() != 3 {
		t.Fatalf("f called %d times, want 3", calls.Load())
	}

	ft := &fatalTB{TB: t}
	runFatal(ft, func() {
		testenv.CheckFor(ft, 20*time.Millisecond, time.Millisecond, func() error { return errors.New("never") })
	})
	if !strings.Contains(ft.msg, "never") {
		t.Fatalf("timed-out CheckFor: fatal message %q, want the last error", ft.msg)
	}
}

func TestCIRequiresExternalServices(t *testing.T) {
	cases := []struct {
		name      string
		ci, only  string
		env       string // the variable left empty
		call      func(testing.TB)
		wantFatal bool
	}{
		{name: "local run without database URL uses SQLite", env: testenv.EnvDatabaseURL,
			call: func(tb testing.TB) { testenv.EmptyDBConfig(tb) }},
		{name: "CI without database URL fails", ci: "true", env: testenv.EnvDatabaseURL,
			call: func(tb testing.TB) { testenv.EmptyDBConfig(tb) }, wantFatal: true},
		{name: "CI embedded pass may use SQLite", ci: "true", only: "1", env: testenv.EnvDatabaseURL,
			call: func(tb testing.TB) { testenv.EmptyDBConfig(tb) }},
		{name: "CI without NATS URL fails", ci: "true", env: testenv.EnvNATSURL,
			call: func(tb testing.TB) { testenv.BusConfig(tb) }, wantFatal: true},
		{name: "CI embedded pass may use embedded NATS", ci: "true", only: "1", env: testenv.EnvNATSURL,
			call: func(tb testing.TB) { testenv.BusConfig(tb) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(testenv.EnvCI, tc.ci)
			t.Setenv(testenv.EnvEmbeddedOnly, tc.only)
			t.Setenv(tc.env, "")
			ft := &fatalTB{TB: t}
			runFatal(ft, func() { tc.call(ft) })
			if ft.fatal != tc.wantFatal {
				t.Fatalf("fatal = %v (%q), want %v", ft.fatal, ft.msg, tc.wantFatal)
			}
			if tc.wantFatal && !strings.Contains(ft.msg, tc.env) {
				t.Fatalf("message %q does not name %s", ft.msg, tc.env)
			}
		})
	}
}

func TestLoggerDropsRecordsAfterCleanup(t *testing.T) {
	rt := &recordTB{TB: t}
	log := testenv.Logger(rt)
	log.Warn("sebelum", "n", 1)
	for _, f := range rt.cleanups {
		f()
	}
	// A real t.Log here would panic once a top-level test has completed.
	log.Warn("sesudah", "n", 2)
	if len(rt.logs) != 1 || !strings.Contains(rt.logs[0], "msg=sebelum n=1") {
		t.Fatalf("logged %q, want only the record from before cleanup", rt.logs)
	}
	if strings.HasSuffix(rt.logs[0], "\n") {
		t.Fatalf("record %q keeps its newline", rt.logs[0])
	}
}

// recordTB keeps Log calls and cleanups instead of passing them on.
type recordTB struct {
	testing.TB
	logs     []string
	cleanups []func()
}

func (r *recordTB) Log(args ...any)  { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recordTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// fatalTB records Fatalf instead of stopping the real test.
type fatalTB struct {
	testing.TB
	fatal bool
	msg   string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.fatal = true
	f.msg = fmt.Sprintf(format, args...)
	panic(errFatal)
}

var errFatal = errors.New("fatal")

// runFatal runs fn, absorbing the panic fatalTB uses to stop it.
func runFatal(f *fatalTB, fn func()) {
	defer func() {
		if r := recover(); r != nil && r != errFatal {
			panic(r)
		}
	}()
	fn()
}

// The routine records of an app starting are left out unless asked for,
// so a failing test's output shows why it failed.
func TestLoggerShowsWarningsUnlessAskedForMore(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  int
	}{{"", 1}, {"info", 2}, {"DEBUG", 3}, {"error", 0}, {"nonsense", 1}} {
		t.Run(tc.level, func(t *testing.T) {
			t.Setenv("TEST_LOG_LEVEL", tc.level)
			rt := &recordTB{TB: t}
			log := testenv.Logger(rt)
			log.Debug("rinci")
			log.Info("migration applied")
			log.Warn("ingest retry")
			if len(rt.logs) != tc.want {
				t.Fatalf("TEST_LOG_LEVEL=%q logged %q, want %d records", tc.level, rt.logs, tc.want)
			}
		})
	}
}
