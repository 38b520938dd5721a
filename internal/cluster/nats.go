package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/localport"
)

// nodeEnv names the environment variable that turns a cluster or chaos
// command (or the cluster package's test binary) into one NATS node: its
// value is the node's configuration as JSON (nodeConfig). The node runs
// the nats-server Go package, so no nats-server binary is needed, and it
// is its own OS process, so kill -9 kills it for real.
const nodeEnv = "TANGGAP_CLUSTER_NATS_NODE"

// nodeConfig is one node's configuration, passed to the node process.
type nodeConfig struct {
	Name        string   `json:"name"`
	Port        int      `json:"port"`         // clients
	ClusterPort int      `json:"cluster_port"` // routes between the nodes
	HTTPPort    int      `json:"http_port"`    // monitoring: /healthz
	Routes      []string `json:"routes"`       // the other nodes' cluster URLs
	StoreDir    string   `json:"store_dir"`
	Log         bool     `json:"log"`
}

// RunNodeIfAsked runs this process as a NATS node when the environment
// asks for one (NATSCluster starts its nodes so), and exits when the node
// stops; otherwise it returns at once. Call it first in main (and in
// TestMain).
func RunNodeIfAsked() {
	raw := os.Getenv(nodeEnv)
	if raw == "" {
		return
	}
	var c nodeConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		fmt.Fprintln(os.Stderr, "cluster: nats node configuration:", err)
		os.Exit(2)
	}
	if err := runNode(c); err != nil {
		fmt.Fprintln(os.Stderr, "cluster: nats node", c.Name+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// nodeOptions is the nats-server configuration of one node: loopback only,
// JetStream on its own store, a cluster named "tanggap" routed to the
// other nodes. A real server's configuration file says the same (README,
// "Running at scale").
func nodeOptions(c nodeConfig) *server.Options {
	var routes []string
	for _, r := range c.Routes {
		routes = append(routes, "nats-route://"+r)
	}
	return &server.Options{
		ServerName: c.Name,
		Host:       "127.0.0.1", Port: c.Port,
		HTTPHost: "127.0.0.1", HTTPPort: c.HTTPPort,
		JetStream: true, StoreDir: c.StoreDir,
		Cluster: server.ClusterOpts{Name: "tanggap", Host: "127.0.0.1", Port: c.ClusterPort},
		Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		NoSigs:  true, NoLog: !c.Log,
	}
}

func runNode(c nodeConfig) error {
	// The server, without a log, would only wait out its 30 s below when
	// a port is taken; say which and why at once.
	for _, p := range []int{c.Port, c.ClusterPort, c.HTTPPort} {
		if err := localport.Check(p); err != nil {
			return fmt.Errorf("port %d: %w", p, err)
		}
	}
	ns, err := server.NewServer(nodeOptions(c))
	if err != nil {
		return err
	}
	if c.Log {
		ns.ConfigureLogger()
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return fmt.Errorf("did not take connections on port %d", c.Port)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	ns.Shutdown()
	ns.WaitForShutdown()
	return nil
}

// NATSNode is one node of a NATSCluster: a child process on fixed local
// ports and its own store folder, so a restart brings back the same
// address and the same streams.
type NATSNode struct {
	config nodeConfig
	exe    string
	out    io.Writer

	proc // Kill, Stop, PID
}

// Name is the node's server name.
func (n *NATSNode) Name() string { return n.config.Name }

// URL is the node's client URL.
func (n *NATSNode) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.config.Port) }

// MonitorURL is the node's monitoring address (/healthz, /varz, /jsz).
func (n *NATSNode) MonitorURL() string { return fmt.Sprintf("http://127.0.0.1:%d", n.config.HTTPPort) }

// Start runs the node process; Ready waits for it.
func (n *NATSNode) Start() error {
	raw, err := json.Marshal(n.config)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.exe)
	cmd.Env = append(os.Environ(), nodeEnv+"="+string(raw))
	cmd.Stdout, cmd.Stderr = n.out, n.out
	return n.start(n.config.Name, cmd)
}

// Ready waits until the node's /healthz answers 200: it takes clients,
// and its JetStream is current with the cluster's (after a restart: it
// caught up with what the other nodes stored meanwhile).
func (n *NATSNode) Ready(ctx context.Context) error {
	return n.waitHealthy(ctx, n.MonitorURL()+"/healthz", "healthy")
}

// NATSCluster is a three-node NATS cluster with JetStream on loopback,
// each node its own process. The instances connect with every node's URL
// (URL) and replicate their streams on all three (NATS_REPLICAS=3), so
// one node may die without losing or refusing anything for long.
type NATSCluster struct {
	Nodes []*NATSNode
}

// NATSClusterOpts configures StartNATSCluster.
type NATSClusterOpts struct {
	// Exe is the program run as each node; it must call RunNodeIfAsked
	// first. Empty: this program (os.Executable).
	Exe      string
	StoreDir string // each node stores under StoreDir/<name>
	Nodes    int    // 0: three
	Out      io.Writer
	Log      bool // the nodes log to Out
}

// StartNATSCluster starts the nodes on free local ports and waits until
// every one is healthy. On error, what started is stopped.
func StartNATSCluster(ctx context.Context, o NATSClusterOpts) (*NATSCluster, error) {
	if o.Nodes <= 0 {
		o.Nodes = 3
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("cluster: nats nodes: %w", err)
		}
		o.Exe = exe
	}
	configs := make([]nodeConfig, o.Nodes)
	for k := range configs {
		var ports [3]int
		for p := range ports {
			port, err := localport.Free()
			if err != nil {
				return nil, err
			}
			ports[p] = port
		}
		name := fmt.Sprintf("nats-%d", k+1)
		configs[k] = nodeConfig{
			Name: name, Port: ports[0], ClusterPort: ports[1], HTTPPort: ports[2],
			StoreDir: filepath.Join(o.StoreDir, name), Log: o.Log,
		}
	}
	c := &NATSCluster{}
	for k := range configs {
		for j := range configs {
			if j != k {
				configs[k].Routes = append(configs[k].Routes, fmt.Sprintf("127.0.0.1:%d", configs[j].ClusterPort))
			}
		}
		node := &NATSNode{config: configs[k], exe: o.Exe, out: o.Out}
		if err := node.Start(); err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, node)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, node := range c.Nodes {
		if err := node.Ready(rctx); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// URL is every node's client URL, comma-separated: NATS_URL for the
// instances, so a client whose node dies reconnects to another.
func (c *NATSCluster) URL() string {
	var urls []string
	for _, n := range c.Nodes {
		urls = append(urls, n.URL())
	}
	return strings.Join(urls, ",")
}

// Stop stops every node (SIGTERM, then SIGKILL).
func (c *NATSCluster) Stop() {
	for _, n := range c.Nodes {
		_ = n.Stop(10 * time.Second)
	}
}

// Replication lists the cluster's JetStream streams and how many nodes
// hold each (the leader and its current replicas): with NATS_REPLICAS=3
// every stream must be on all three.
func (c *NATSCluster) Replication(ctx context.Context) (map[string]int, error) {
	conn, err := nats.Connect(c.URL(), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("cluster: nats: %w", err)
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		return nil, fmt.Errorf("cluster: nats: %w", err)
	}
	out := map[string]int{}
	list := js.ListStreams(ctx)
	for info := range list.Info() {
		n := 0
		if info.Cluster != nil {
			if info.Cluster.Leader != "" {
				n++
			}
			for _, r := range info.Cluster.Replicas {
				if r.Current {
					n++
				}
			}
		}
		out[info.Config.Name] = n
	}
	if err := list.Err(); err != nil {
		return out, fmt.Errorf("cluster: nats: list streams: %w", err)
	}
	return out, nil
}

// WaitReplicated polls Replication every 200 ms until there is a stream
// and every one is on every node, or within has passed; it returns the
// last answer.
func (c *NATSCluster) WaitReplicated(ctx context.Context, within time.Duration) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		streams, err := c.Replication(ctx)
		all := len(streams) > 0
		for _, n := range streams {
			all = all && n == len(c.Nodes)
		}
		if all || ctx.Err() != nil {
			return streams, nil
		}
		if err != nil {
			return streams, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}
