// Package testenv gives every package's tests real, isolated services.
//
// Database: DB(t) returns a migrated *db.DB of its own. With
// TEST_DATABASE_URL set (postgres://…) it is a fresh PostgreSQL schema
// t_<hex>, selected through the search_path runtime parameter of the
// connection URL and dropped with CASCADE when the test ends; otherwise an
// SQLite file in t.TempDir(). EmptyDBConfig/DBConfig + OpenDB split the
// steps for tests that need an unmigrated database or several handles
// (several "instances") on one database.
//
// Bus: Bus(t) returns a *bus.Bus with its streams declared. With
// TEST_NATS_URL set it connects to that server under a unique subject
// prefix t<hex> (stream names derive from the prefix, so they are unique
// too) and deletes the prefix's streams when the test ends; otherwise it
// starts an embedded server on t.TempDir(). For restart tests ("the core
// crashes after publishing, before acking"), take cfg := BusConfig(t) once
// and call ConnectBus(t, cfg) again after closing the first bus: the same
// prefix on external NATS, the same StoreDir for the embedded server, so
// streams and durable consumers survive the reconnect. For two "instances"
// connected at once, take cfg := SharedBusConfig(t) and call ConnectBus
// twice: on the embedded default it runs a server listening on a local
// port, since the embedded bus belongs to one connection.
//
// CI rule: when CI=true, a missing TEST_DATABASE_URL or TEST_NATS_URL
// fails the test (CI must exercise PostgreSQL and a real NATS server),
// unless TEST_EMBEDDED_ONLY=1, which the Makefile sets for its second,
// embedded pass. RequirePostgres applies the rule to tests that only make
// sense on PostgreSQL (they skip on the embedded pass).
//
// Also: CheckFor polls instead of sleeping; Logger(t) logs through t.Log;
// RequireTool finds a program a test runs (pg_dump), by the same CI rule.
//
// Every helper calls t.Fatal on failure, so call them from the test's own
// goroutine.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Environment variables read by this package.
const (
	EnvDatabaseURL  = "TEST_DATABASE_URL"
	EnvNATSURL      = "TEST_NATS_URL"
	EnvEmbeddedOnly = "TEST_EMBEDDED_ONLY"
	EnvCI           = "CI"
)

// UsingPostgres reports whether DB returns PostgreSQL databases.
func UsingPostgres() bool { return os.Getenv(EnvDatabaseURL) != "" }

// UsingExternalNATS reports whether Bus connects to an external server.
func UsingExternalNATS() bool { return os.Getenv(EnvNATSURL) != "" }

// RequirePostgres is for tests that only make sense on PostgreSQL (several
// processes on one database): it skips the test on the embedded run and,
// by the CI rule, fails it when CI=true names no TEST_DATABASE_URL.
func RequirePostgres(t testing.TB) {
	t.Helper()
	requireExternal(t, EnvDatabaseURL)
	if !UsingPostgres() {
		t.Skip("PostgreSQL only: set " + EnvDatabaseURL)
	}
}

// requireExternal fails the test when CI expects a real service that the
// environment does not name.
func requireExternal(t testing.TB, envVar string) {
	t.Helper()
	if os.Getenv(envVar) != "" {
		return
	}
	if os.Getenv(EnvCI) == "true" && os.Getenv(EnvEmbeddedOnly) != "1" {
		t.Fatalf("testenv: CI=true but %s is not set: CI must test against the real service "+
			"(set %s=1 only for the deliberate embedded pass)", envVar, EnvEmbeddedOnly)
	}
}

// CheckFor calls f every step until it returns nil, and fails the test
// with f's last error once total has passed.
func CheckFor(t testing.TB, total, step time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: condition not met after %v: %v", total, err)
			return
		}
		time.Sleep(step)
	}
}

// uniqueID returns 12 random hex characters, for schema and prefix names.
func uniqueID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// RequireTool returns the path of the program name (pg_dump, …) for tests
// that run it. A missing program skips the test, except under CI=true,
// where it fails it: CI machines carry the tools the tests name.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(EnvCI) == "true" {
		t.Fatalf("testenv: CI=true but %s is not on PATH: %v", name, err)
	}
	t.Skipf("%s is not on PATH", name)
	return ""
}
