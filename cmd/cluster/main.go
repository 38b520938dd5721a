// Command cluster runs, on loopback only, a three-node NATS cluster with
// JetStream (this program re-run as each node, its own process, store
// folder and fixed ports; streams replicated three times) and two
// `tanggap serve` instances on it and on one PostgreSQL (DATABASE_URL),
// with a round-robin front on -addr (default 127.0.0.1:8080), so a
// browser or cmd/loadgen sees one address (make cluster). It prints the
// addresses (the front; each node's client and monitoring address; each
// instance's HTTP and metrics address) and process ids (a node can be
// killed with kill -9 and comes back only with the command) and stops
// everything it started on Ctrl-C or SIGTERM.
// -nats-url uses an existing NATS instead (NATS_URL as the instances read
// it). It refuses the embedded SQLite: two processes cannot share it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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

func main() {
	cluster.RunNodeIfAsked() // this program is also each NATS node
	os.Exit(run())
}

func run() int {
	bin := flag.String("bin", "bin/tanggap", "the tanggap binary (make build)")
	addr := flag.String("addr", "127.0.0.1:8080", "the front's address (loopback)")
	count := flag.Int("instances", 2, "instances to run")
	natsURL := flag.String("nats-url", "", "an existing NATS (JetStream on) instead of the three nodes started here")
	dir := flag.String("dir", "", "the NATS nodes' stores (default: a temporary folder, removed at the end)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	// The instances read the same environment and .env; only the two
	// shared services matter here.
	cfg, err := config.LoadLookup(os.LookupEnv, ".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var missing []string
	if cfg.DatabaseURL == "" {
		missing = append(missing, "DATABASE_URL (postgres://…): the embedded SQLite file belongs to one process")
	}
	if len(missing) > 0 {
		fmt.Fprintln(os.Stderr, "cluster: the instances must share a database; set:")
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
	var nc *cluster.NATSCluster
	if *natsURL != "" {
		env = append(env, "NATS_URL="+*natsURL)
	} else {
		store := *dir
		if store == "" {
			tmp, err := os.MkdirTemp("", "tanggap-cluster-nats-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			defer os.RemoveAll(tmp)
			store = tmp
		}
		nc, err = cluster.StartNATSCluster(ctx, cluster.NATSClusterOpts{StoreDir: store, Out: os.Stderr})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer nc.Stop()
		env = append(env, "NATS_URL="+nc.URL(), "NATS_REPLICAS=3")
	}
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
	printReady(os.Stdout, base, *natsURL, nc, c)
	<-ctx.Done()
	fmt.Println("stopping")
	return 0
}

// printReady names every address the run listens on (each checked before:
// the front listens, every node's /healthz and every instance's
// /readyz/core and /metrics answered) and every process it started, with
// its id. The last line says the cluster is ready.
func printReady(w io.Writer, front, natsURL string, nc *cluster.NATSCluster, c *cluster.Instances) {
	fmt.Fprintf(w, "\ncluster ready: front %s/ (round robin)\n", front)
	if nc != nil {
		for _, n := range nc.Nodes {
			fmt.Fprintf(w, "  %-9s  clients %s  monitoring %s/healthz  (pid %d)\n", n.Name(), n.URL(), n.MonitorURL(), n.PID())
		}
	} else {
		fmt.Fprintf(w, "  %-9s  %s (-nats-url, not started here)\n", "nats", natsURL)
	}
	for _, in := range c.Instances {
		fmt.Fprintf(w, "  %-9s  http %s  metrics %s  (pid %d)\n", in.Name, in.URL(), in.MetricsURL(), in.PID())
	}
	fmt.Fprintln(w, "Ctrl-C stops everything started here.")
}
