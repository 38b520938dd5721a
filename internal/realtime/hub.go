// Package realtime is the websocket layer shared by the live-chat gateway
// and the agents' push socket (internal/consolews): it upgrades
// connections on the HTTP port, keeps each one healthy (deadlines,
// ping/pong, a bounded send queue, a frame size limit and a frame rate
// limit), refuses floods and foreign sites, and fans messages out to every
// connection subscribed to a topic on any instance through NATS core
// subjects.
//
// Concurrency: each Conn has exactly one reader goroutine (the one that
// called Hub.Serve) and at most one writer goroutine, which writes the
// data frames; control frames (ping, pong, close) go through gorilla
// beside it, whole frames on one socket lock (see wire). Other goroutines
// hand frames to the writer through Conn.Send or Conn.SendPrepared, which
// never block: a client whose queue is full is disconnected, so a slow
// client never holds up anyone else. The writer puts every frame waiting
// in the queue on the socket in one system call.
package realtime

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Options tunes a Hub. Zero values take the defaults below.
type Options struct {
	// AllowedOrigins are the sites (scheme://host[:port]) whose pages may
	// open a connection. "*" allows any site. A request without an Origin
	// header (not a browser) is allowed.
	AllowedOrigins []string
	// MaxFrameBytes bounds one frame from a client; a bigger one closes
	// the connection with 1009 (message too big).
	MaxFrameBytes int64
	// SendQueue is how many frames may wait for a slow client before it
	// is disconnected.
	SendQueue int
	// FramesPerSecond and Burst bound what one connection may send.
	FramesPerSecond float64
	Burst           int
	// MaxConnsPerIP bounds the open connections of one client address;
	// NewConnsPerMinute bounds how fast one address may open new ones.
	// 0 turns a limit off.
	MaxConnsPerIP     int
	NewConnsPerMinute int
	// PingInterval is how often the server pings; a client that answers
	// no pong within PongWait is dropped. WriteWait bounds each write.
	PingInterval time.Duration
	PongWait     time.Duration
	WriteWait    time.Duration
	// PingWriteWait bounds one ping; the pinger pings every connection in
	// turn, so a stuck client holds it up this long at most.
	PingWriteWait time.Duration
	// ClientIP names the client of a request (behind a proxy); default:
	// the address of the TCP peer.
	ClientIP func(r *http.Request) string
	Log      *slog.Logger
}

// Handler is the protocol spoken on a hub's connections.
type Handler interface {
	// Open is called once a connection is upgraded, before its first frame.
	Open(c *Conn)
	// Frame handles one text frame. It runs on the connection's reader
	// goroutine, so frames of one connection are handled in order.
	Frame(c *Conn, data []byte)
	// Closed is called once when the connection is gone.
	Closed(c *Conn)
	// Limited is called instead of Frame when a frame exceeds the rate
	// limit; the frame is dropped.
	Limited(c *Conn, data []byte)
}

// Refusal reasons, answered as HTTP errors before the upgrade.
var (
	ErrShuttingDown = errors.New("realtime: shutting down")
	ErrOrigin       = errors.New("realtime: origin not allowed")
	ErrTooManyConns = errors.New("realtime: too many connections from this address")
)

// Hub accepts and tracks connections.
type Hub struct {
	o        Options
	handler  Handler
	upgrader websocket.Upgrader
	origins  map[string]bool
	anyOrig  bool

	closing atomic.Bool
	mu      sync.Mutex
	conns   map[*Conn]struct{}
	perIP   map[string]int
	newRate map[string]*rate.Limiter
	wg      sync.WaitGroup

	pingerOnce sync.Once
	stopPinger chan struct{}
}

// writeBuffers is shared by every connection: a connection holds a write
// buffer only while it writes, which keeps idle connections small.
var writeBuffers sync.Pool

// New returns a hub speaking handler's protocol.
func New(o Options, handler Handler) *Hub {
	if o.MaxFrameBytes <= 0 {
		o.MaxFrameBytes = 16 << 10
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 32
	}
	if o.FramesPerSecond <= 0 {
		o.FramesPerSecond = 5
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 25 * time.Second
	}
	if o.PongWait <= 0 {
		o.PongWait = o.PingInterval * 2
	}
	if o.WriteWait <= 0 {
		o.WriteWait = 10 * time.Second
	}
	if o.PingWriteWait <= 0 {
		o.PingWriteWait = 500 * time.Millisecond
	}
	if o.ClientIP == nil {
		o.ClientIP = peerIP
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h := &Hub{o: o, handler: handler, origins: map[string]bool{}, conns: map[*Conn]struct{}{},
		perIP: map[string]int{}, newRate: map[string]*rate.Limiter{}, stopPinger: make(chan struct{})}
	for _, s := range o.AllowedOrigins {
		if s == "*" {
			h.anyOrig = true
			continue
		}
		if n, ok := NormalizeOrigin(s); ok {
			h.origins[n] = true
		}
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &writeBuffers,
		CheckOrigin:      h.requestOriginAllowed,
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, http.StatusText(status), status)
		},
	}
	return h
}

// NormalizeOrigin lower-cases scheme and host and drops a default port and
// any path, so "https://Example.go.id:443/" equals "https://example.go.id".
func NormalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}

// OriginAllowed reports whether a page of origin may connect. An empty
// origin (no browser) is allowed: the origin check protects visitors'
// browsers from other sites, it is not authentication.
func (h *Hub) OriginAllowed(origin string) bool {
	if origin == "" || h.anyOrig {
		return true
	}
	n, ok := NormalizeOrigin(origin)
	return ok && h.origins[n]
}

// requestOriginAllowed also admits the server's own pages (the Origin's
// host is the Host the request was sent to), whatever the allow-list says.
func (h *Hub) requestOriginAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if u, err := url.Parse(origin); err == nil && origin != "" && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return h.OriginAllowed(origin)
}

// ServeHTTP upgrades the request and serves the connection until it
// closes. Refusals are plain HTTP errors: 503 while shutting down, 403 for
// a foreign origin, 429 for an address over its limits.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip, status, retry := h.check(r)
	if status != 0 {
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		http.Error(w, refusalText(status), status)
		return
	}
	c, ok := h.accept(w, r, ip, nil)
	if !ok {
		return
	}
	// The connection gets a goroutine of its own and this one returns:
	// the deep stack of the upgrade is not kept alive for as long as the
	// visitor stays.
	go c.serve()
}

// check refuses a request before the upgrade (an HTTP status and a
// Retry-After) or counts it against its address, which accept releases
// if the upgrade fails.
func (h *Hub) check(r *http.Request) (ip string, status int, retry string) {
	if h.closing.Load() {
		return "", http.StatusServiceUnavailable, "5"
	}
	if !h.requestOriginAllowed(r) {
		return "", http.StatusForbidden, ""
	}
	ip = h.o.ClientIP(r)
	if !h.admit(ip) {
		return "", http.StatusTooManyRequests, "30"
	}
	return ip, 0, ""
}

// QueueSizer is implemented by a connection's state that needs a longer
// send queue than Opts.SendQueue (never a shorter one): a client that
// receives every event of a busy system (an admin's console) would be
// disconnected as slow by a burst an agent's console never sees.
type QueueSizer interface{ SendQueue() int }

// accept upgrades an admitted request and tracks the connection with its
// protocol state; the caller serves it.
func (h *Hub) accept(w http.ResponseWriter, r *http.Request, ip string, state any) (*Conn, bool) {
	ww := &wiringWriter{ResponseWriter: w}
	ws, err := h.upgrader.Upgrade(ww, r, nil)
	if err != nil {
		h.release(ip)
		return nil, false // the upgrader answered the client
	}
	h.pingerOnce.Do(func() { go h.pinger() })
	queue := h.o.SendQueue
	if qs, ok := state.(QueueSizer); ok {
		queue = max(queue, qs.SendQueue())
	}
	c := &Conn{hub: h, ws: ws, wire: ww.wire, ip: ip, send: make(chan []byte, queue), done: make(chan struct{}),
		finished: make(chan struct{}), limit: rate.NewLimiter(rate.Limit(h.o.FramesPerSecond), h.o.Burst), State: state}
	if !h.track(c) {
		// Shutdown began during the upgrade.
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "shutting down"), time.Now().Add(time.Second))
		ws.Close()
		h.release(ip)
		return nil, false
	}
	return c, true
}

// admit counts a new connection of ip against its limits.
func (h *Hub) admit(ip string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.o.MaxConnsPerIP > 0 && h.perIP[ip] >= h.o.MaxConnsPerIP {
		return false
	}
	if h.o.NewConnsPerMinute > 0 {
		l := h.newRate[ip]
		if l == nil {
			if len(h.newRate) > 100000 {
				h.newRate = map[string]*rate.Limiter{} // bound the memory a scan of addresses costs
			}
			l = rate.NewLimiter(rate.Limit(float64(h.o.NewConnsPerMinute)/60), h.o.NewConnsPerMinute)
			h.newRate[ip] = l
		}
		if !l.Allow() {
			return false
		}
	}
	h.perIP[ip]++
	return true
}

func (h *Hub) release(ip string) {
	h.mu.Lock()
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
	h.mu.Unlock()
}

func (h *Hub) track(c *Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing.Load() {
		return false
	}
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	return true
}

func (h *Hub) untrack(c *Conn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.release(c.ip)
	h.wg.Done()
}

// pinger pings every connection once per PingInterval: one goroutine for
// the hub instead of a timer per connection.
func (h *Hub) pinger() {
	t := time.NewTicker(h.o.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stopPinger:
			return
		case <-t.C:
		}
		h.mu.Lock()
		conns := make([]*Conn, 0, len(h.conns))
		for c := range h.conns {
			conns = append(conns, c)
		}
		h.mu.Unlock()
		for _, c := range conns {
			c.ping()
		}
	}
}

// Len is the number of open connections.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// Shutdown refuses new connections, tells every client to come back later
// (close code 1013, so widgets reconnect to another instance) and waits
// until the connections are gone or ctx ends.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closing.Swap(true) {
		close(h.stopPinger)
	}
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.CloseWith(websocket.CloseTryAgainLater, "server restarting")
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
