package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
)

// Bus returns a connected bus with its streams declared, owned by this
// test and closed at cleanup.
func Bus(t testing.TB) *bus.Bus {
	t.Helper()
	return ConnectBus(t, BusConfig(t))
}

// BusConfig returns a config unique to this test: a fresh subject prefix,
// and on the embedded server a fresh StoreDir. Connecting with it again
// after Close reaches the same streams (restart tests). On external NATS
// the prefix's streams are deleted at cleanup.
func BusConfig(t testing.TB) bus.Config {
	t.Helper()
	requireExternal(t, EnvNATSURL)
	cfg := bus.Config{
		URL:           os.Getenv(EnvNATSURL),
		SubjectPrefix: "t" + uniqueID(t),
		Name:          "test " + t.Name(),
	}
	if cfg.URL == "" {
		cfg.StoreDir = t.TempDir()
		return cfg
	}
	t.Cleanup(func() { deleteStreams(t, cfg) })
	return cfg
}

// SharedBusConfig is BusConfig for several connections to one server at
// once (two "instances", each with its own ConnectBus): on external NATS
// it is BusConfig; otherwise it starts an in-process server with
// JetStream listening on a random local port (the embedded bus opens no
// port and belongs to one connection), shut down at cleanup.
func SharedBusConfig(t testing.TB) bus.Config {
	t.Helper()
	cfg := BusConfig(t)
	if cfg.URL != "" {
		return cfg
	}
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: cfg.StoreDir, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatalf("testenv: nats server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		t.Fatal("testenv: nats server did not start")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	cfg.URL, cfg.StoreDir = ns.ClientURL(), ""
	return cfg
}

// ConnectBus connects with cfg (from BusConfig) and closes the bus at
// cleanup; closing it earlier in the test is fine.
func ConnectBus(t testing.TB, cfg bus.Config) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("testenv: connect bus: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// deleteStreams removes every stream that captures subjects under the
// test's prefix, including any a test declared itself.
func deleteStreams(t testing.TB, cfg bus.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc, err := nats.Connect(cfg.URL, nats.Name("testenv cleanup"))
	if err != nil {
		t.Errorf("testenv: cleanup connect: %v", err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Errorf("testenv: cleanup jetstream: %v", err)
		return
	}
	names := js.StreamNames(ctx, jetstream.WithStreamListSubject(cfg.SubjectPrefix+".>"))
	var list []string
	for name := range names.Name() {
		list = append(list, name)
	}
	if err := names.Err(); err != nil {
		t.Errorf("testenv: cleanup list streams: %v", err)
	}
	for _, name := range list {
		if err := js.DeleteStream(ctx, name); err != nil {
			t.Errorf("testenv: cleanup delete stream %s: %v", name, err)
		}
	}
}
