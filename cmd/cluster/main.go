// Command cluster runs two `tanggap serve` instances on one PostgreSQL
// (DATABASE_URL) and one NATS (NATS_URL) with a round-robin front on
// -addr (default 127.0.0.1:8080), so a browser or cmd/loadgen sees
// one address (make cluster). It prints the addresses and stops everything
// it started on Ctrl-C. It refuses the embedded defaults: two processes
// cannot share the embedded SQLite file nor the in-process NATS.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"tanggap/internal/cluster"
	"tanggap/internal/config"
)

func main() { os.Exit(run()) }

func run() int {
	bin := flag.String("bin", "bin/tanggap", "the tanggap binary (make build)")
	addr := flag.String("addr", "127.0.0.1:8080", "the front's address (loopback)")
	count := flag.Int("instances", 2, "instances to run")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	// The instances read the same environment and .env; only the two
	// shared services matter here.
	cfg, err := config.Load(os.Getenv, ".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var missing []string
	if cfg.DatabaseURL == "" {
		missing = append(missing, "DATABASE_URL (postgres://…): the embedded SQLite file belongs to one process")
	}
	if cfg.NATSURL == "" {
		missing = append(missing, "NATS_URL (nats://…, JetStream on): the embedded NATS belongs to one process")
	}
	if len(missing) > 0 {
		fmt.Fprintln(os.Stderr, "cluster: the instances must share a database and a NATS server; set:")
		for _, m := range missing {
			fmt.Fprintln(os.Stderr, "  -", m)
		}
		return 2
	}
	host, portText, err := net.SplitHostPort(*addr)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || (host != "127.0.0.1" && host != "localhost") {
		fmt.Fprintln(os.Stderr, "cluster: -addr must be 127.0.0.1:port (the cluster stays on loopback)")
		return 2
	}
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	front, err := cluster.NewFront([]string{"http://127.0.0.1:1"}, log) // replaced once the instances run
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	base, stopFront, err := cluster.Serve(front, port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer stopFront()
	env := []string{"TRUSTED_PROXIES=127.0.0.1"}
	if os.Getenv("PUBLIC_URL") == "" {
		env = append(env, "PUBLIC_URL="+base) // links and cookies name the front
	}
	c, err := cluster.StartInstances(ctx, cluster.InstancesOpts{Bin: abs, Count: *count, Env: env, Out: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Stop()
	if err := front.SetBackends(c.URLs()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("\ncluster ready: front %s/ (round robin)\n", base)
	for _, in := range c.Instances {
		fmt.Printf("  %s  %s  (pid %d)\n", in.Name, in.URL(), in.PID())
	}
	fmt.Println("Ctrl-C stops everything started here.")
	<-ctx.Done()
	fmt.Println("stopping")
	return 0
}
