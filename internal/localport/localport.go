// Package localport picks ports on 127.0.0.1 for a child process to listen
// on: the NATS nodes and instances of the cluster command, and servers that
// tests start on an address given beforehand.
package localport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// lowestPort is the lowest port Free picks outside the ephemeral
// range: above the ports of common services (PostgreSQL, NATS, HTTP).
const lowestPort = 10000

// ephemeralRange is where Linux says it finds the ports it hands out.
const ephemeralRange = "/proc/sys/net/ipv4/ip_local_port_range"

// Free returns a port on 127.0.0.1 free at the time of the call, for a
// child process (a NATS node, an instance) to listen on. Where the system
// says which ports it hands out itself (Linux), the port is picked below
// that range: a port from it (what a listener on port 0 gets) may go, in
// the time between this call and the child's bind, to any outgoing
// connection of any process on the machine as its local port, and the
// child cannot listen then (a NATS node of the cluster command failed so
// while the test suite's other packages connected to PostgreSQL and NATS).
// Below the range a port is taken only by a process that binds it on
// purpose: another process picking at random, or a service of its own
// starting meanwhile. A port this process was given once is not given
// again (a cluster picks all its nodes' ports before any node binds).
// Elsewhere the kernel picks, with that risk; the child then fails to
// start, loudly.
func Free() (int, error) {
	if lo, ok := ephemeralLow(); ok && lo > lowestPort {
		given.mu.Lock()
		defer given.mu.Unlock()
		for range 64 {
			p := lowestPort + rand.IntN(lo-lowestPort)
			if given.ports[p] || Check(p) != nil {
				continue
			}
			given.ports[p] = true
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("localport: listener has no TCP address")
	}
	return addr.Port, nil
}

// given is what Free has handed out in this process.
var given = struct {
	mu    sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// ephemeralLow is the lowest port of the kernel's ephemeral range, if the
// system says.
func ephemeralLow() (int, bool) {
	raw, err := os.ReadFile(ephemeralRange)
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(raw))
	if len(f) != 2 {
		return 0, false
	}
	lo, err := strconv.Atoi(f[0])
	return lo, err == nil
}

// Check reports why a port on 127.0.0.1 cannot be listened on, if it
// cannot.
func Check(p int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		return err
	}
	return l.Close()
}
