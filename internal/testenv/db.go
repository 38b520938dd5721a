package testenv

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tanggap/internal/db"
	"tanggap/internal/mask"
	"tanggap/internal/migrate"
)

// testMaxConns bounds each test pool: packages run in parallel against one
// PostgreSQL server (max_connections is often 100).
const testMaxConns = 8

// DB returns a migrated database owned by this test, closed (and on
// PostgreSQL, dropped) when the test ends.
func DB(t testing.TB) *db.DB {
	t.Helper()
	return OpenDB(t, DBConfig(t))
}

// DBConfig prepares a fresh migrated database and returns the config that
// opens it; every OpenDB(t, cfg) with it reaches the same data.
func DBConfig(t testing.TB) db.Config {
	t.Helper()
	cfg := EmptyDBConfig(t)
	d := openDB(t, cfg)
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := migrate.Up(ctx, d, Logger(t)); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	return cfg
}

// EmptyDBConfig prepares a fresh database with no tables at all (for
// migration tests): a new PostgreSQL schema dropped at cleanup, or a new
// SQLite data folder.
func EmptyDBConfig(t testing.TB) db.Config {
	t.Helper()
	requireExternal(t, EnvDatabaseURL)
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		return db.Config{DataDir: t.TempDir(), MaxOpenConns: 4}
	}
	schema := "t_" + uniqueID(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: %s is not a URL", EnvDatabaseURL) // the error would print the password
	}
	// pgx sends unknown URL parameters as startup runtime parameters, so
	// every pooled connection starts with this search_path.
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	adminExec(t, base, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
	t.Cleanup(func() {
		adminExec(t, base, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	})
	return db.Config{URL: u.String(), MaxOpenConns: testMaxConns}
}

// OpenDB opens cfg (from DBConfig or EmptyDBConfig) and closes it at
// cleanup. Open it twice for two "instances" sharing one database.
func OpenDB(t testing.TB, cfg db.Config) *db.DB {
	t.Helper()
	d := openDB(t, cfg)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func openDB(t testing.TB, cfg db.Config) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("testenv: open database: %v", err)
	}
	return d
}

// adminExec runs one statement on a short-lived connection to the base URL.
func adminExec(t testing.TB, base, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("testenv: connect %s: %v", mask.URL(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Fatalf("testenv: %s: %v", stmt, err)
	}
}
