// Command chaos runs the fault test of a two-instance cluster (make chaos):
// a private three-node NATS cluster (this program re-run as each node, the
// streams replicated three times), two `tanggap serve` processes on a
// private PostgreSQL schema of DATABASE_URL reached through a proxy, a
// round-robin front; throughput of complaint forms, signed WhatsApp
// webhooks and live chat with one instance and two; then a burst during
// which one instance is killed (SIGKILL) and started again while its
// live-chat visitors reconnect to the other, a NATS node is killed
// (SIGKILL) and started again, and the database is away for -db-down
// (the proxy cuts every connection; the PostgreSQL server itself is not
// touched). It prints a table per fault and exits 1 if any accepted
// message was lost, duplicated or misfiled, a visitor did not resume in
// its ticket, or /readyz/core did not say 503 during the outage. It
// touches no NATS server it did not start, and drops its schema at the
// end (-keep leaves it).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"tanggap/internal/cluster"
	"tanggap/internal/config"
)

func main() {
	cluster.RunNodeIfAsked() // this program is also each NATS node of the run
	os.Exit(run())
}

func run() int {
	bin := flag.String("bin", "bin/tanggap", "the tanggap binary (make build)")
	perPhase := flag.Int("n", 4000, "messages per throughput phase (one instance, then two)")
	faulty := flag.Int("faulty", 3000, "messages in the burst with faults")
	conc := flag.Int("c", 32, "parallel clients")
	killNode := flag.Bool("kill-nats-node", true, "kill one NATS node (SIGKILL) mid-burst and start it again")
	dbDown := flag.Duration("db-down", 20*time.Second, "how long the database is away from the instances mid-burst (0: not at all)")
	visitors := flag.Int("visitors", 3, "live-chat visitors on the killed instance, to reconnect to the other (-1: none)")
	keep := flag.Bool("keep", false, "keep the PostgreSQL schema and the work folder")
	verbose := flag.Bool("v", false, "pass the instances' logs through")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	cfg, err := config.LoadLookup(os.LookupEnv, ".env") // DATABASE_URL, its _FILE, or .env
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	base := cfg.DatabaseURL
	if base == "" {
		fmt.Fprintln(os.Stderr, "chaos: set DATABASE_URL to a PostgreSQL server (postgres://…): two instances cannot share the embedded SQLite file; the run uses a private schema of it and drops it at the end")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dbURL, drop, err := cluster.PrivateSchema(ctx, base, "chaos_")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	work, err := os.MkdirTemp("", "tanggap-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer func() {
		if *keep {
			fmt.Fprintln(os.Stderr, "kept the schema (search_path in the URL) and", work)
			return
		}
		if err := drop(); err != nil {
			fmt.Fprintln(os.Stderr, "drop schema:", err)
		}
		_ = os.RemoveAll(work)
	}()
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var out io.Writer = io.Discard
	if *verbose {
		out = os.Stderr
	}
	started := time.Now()
	rep, err := cluster.Chaos(ctx, cluster.ChaosOpts{
		Bin: abs, DatabaseURL: dbURL, WorkDir: work,
		PerPhase: *perPhase, Faulty: *faulty, Concurrency: *conc, KillNATSNode: *killNode, DBDown: *dbDown, Visitors: *visitors,
		Log: log, InstanceOut: out,
	})
	if err != nil {
		rep.Print(os.Stdout)
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 2
	}
	rep.Print(os.Stdout)
	fmt.Printf("took %v\n", time.Since(started).Round(time.Second))
	if !rep.OK() {
		return 1
	}
	return 0
}
