package cluster

import (
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS is a private NATS server with JetStream, run inside this process
// on a fixed local port and store folder, so Restart brings back the same
// address and the same streams. The fault run restarts it; it never
// touches a NATS server it did not start.
type NATS struct {
	Port     int
	StoreDir string

	mu sync.Mutex
	ns *server.Server
}

// URL is the client URL the instances connect to.
func (n *NATS) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.Port) }

// Start runs the server and waits until it takes connections.
func (n *NATS) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ns != nil {
		return nil
	}
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: n.Port, JetStream: true, StoreDir: n.StoreDir,
		NoSigs: true, NoLog: true, ServerName: "cluster-nats",
	})
	if err != nil {
		return fmt.Errorf("cluster: nats server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(15 * time.Second) {
		ns.Shutdown()
		return fmt.Errorf("cluster: nats server did not start on port %d", n.Port)
	}
	n.ns = ns
	return nil
}

// Stop shuts the server down (every client is disconnected at once).
func (n *NATS) Stop() {
	n.mu.Lock()
	ns := n.ns
	n.ns = nil
	n.mu.Unlock()
	if ns != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
	}
}

// Restart stops the server and starts it again on the same port and
// store.
func (n *NATS) Restart() error {
	n.Stop()
	return n.Start()
}
