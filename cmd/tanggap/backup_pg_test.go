package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
)

// TestPostgresDumpAndRestore runs README "Backups"' PostgreSQL commands:
// pg_dump -Fc of the schema a running tanggap writes to, pg_restore
// --no-owner into a new empty database, and tanggap started on the copy
// reads back what was stored through its API. A dump of a database
// migrated by a newer release is refused at start.
func TestPostgresDumpAndRestore(t *testing.T) {
	testenv.RequirePostgres(t)
	pgDump, pgRestore := testenv.RequireTool(t, "pg_dump"), testenv.RequireTool(t, "pg_restore")
	cfg := apptest.Config(t)
	live := apptest.Start(t, cfg)
	s := seed(t, live.URL())

	// The dump is taken while the app runs (online).
	dump := filepath.Join(t.TempDir(), "tanggap.dump")
	pgURL, schema := withoutSearchPath(t, cfg.DatabaseURL)
	runTool(t, pgDump, "-Fc", "-d", pgURL, "-n", schema, "-f", dump)

	restored := cfg
	restored.DatabaseURL = newDatabase(t, cfg.DatabaseURL)
	runTool(t, pgRestore, "--no-owner", "-d", mustStrip(t, restored.DatabaseURL), dump)
	restored.DataDir = t.TempDir()
	bc := testenv.BusConfig(t) // a bus of its own: the live app still consumes its streams
	restored.NATSURL, restored.NATSSubjectPrefix = bc.URL, bc.SubjectPrefix
	copyApp := apptest.Start(t, restored)
	checkRecords(t, copyApp.URL(), s)
	d := testenv.OpenDB(t, db.Config{URL: restored.DatabaseURL, MaxOpenConns: 2})
	cur, latest, err := migrate.Status(context.Background(), d)
	if err != nil || cur != latest {
		t.Fatalf("restored schema at version %d of %d: %v", cur, latest, err)
	}

	// A database from a newer release: its dump restores, tanggap refuses it.
	future := latest + 1
	if err := d.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_a_newer_release', ?)`, future, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(t.TempDir(), "newer.dump")
	pgURL, schema = withoutSearchPath(t, restored.DatabaseURL)
	runTool(t, pgDump, "-Fc", "-d", pgURL, "-n", schema, "-f", newer)
	again := restored
	again.DatabaseURL = newDatabase(t, cfg.DatabaseURL)
	runTool(t, pgRestore, "--no-owner", "-d", mustStrip(t, again.DatabaseURL), newer)
	again.DataDir = t.TempDir()
	bc = testenv.BusConfig(t)
	again.NATSURL, again.NATSSubjectPrefix = bc.URL, bc.SubjectPrefix
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Start(ctx, again, testenv.Logger(t))
	if err == nil {
		_ = a.Stop(ctx)
		t.Fatal("tanggap started on a database from a newer release")
	}
	if !errors.Is(err, migrate.ErrDatabaseNewer) {
		t.Fatalf("start on a newer database: %v, want ErrDatabaseNewer", err)
	}
}

// runTool runs a command and fails the test with its output when it fails.
func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// withoutSearchPath splits a DATABASE_URL into the URL pg_dump accepts
// (libpq refuses the search_path parameter that pgx sends to the server)
// and the schema it named.
func withoutSearchPath(t *testing.T, raw string) (string, string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal("DATABASE_URL is not a URL")
	}
	q := u.Query()
	schema := q.Get("search_path")
	if schema == "" {
		t.Fatal("the test database names no search_path")
	}
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func mustStrip(t *testing.T, raw string) string {
	t.Helper()
	u, _ := withoutSearchPath(t, raw)
	return u
}

// newDatabase creates an empty database beside the one of raw, dropped at
// cleanup, and returns raw pointed at it (same search_path).
func newDatabase(t *testing.T, raw string) string {
	t.Helper()
	base, _ := withoutSearchPath(t, raw)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "restore_" + hex.EncodeToString(b)
	admin := func(stmt string) {
		// CREATE and DROP DATABASE wait for a checkpoint, which takes a
		// while when other packages' tests keep the server busy.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	admin(`CREATE DATABASE ` + pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { admin(`DROP DATABASE IF EXISTS ` + pgx.Identifier{name}.Sanitize() + ` WITH (FORCE)`) })
	u, _ := url.Parse(raw)
	u.Path = "/" + name
	return u.String()
}
