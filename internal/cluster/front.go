// Package cluster runs tanggap as a small cluster on one machine: several
// `tanggap serve` processes on their own ports, one PostgreSQL and one NATS,
// and a round-robin front so a browser or a load generator sees one
// address. It backs `make cluster` (cmd/cluster) and the fault run
// `make chaos` (cmd/chaos, Chaos in chaos.go).
//
// It is a tool for trying and proving the design's multi-instance
// guarantees on a laptop or in CI, not a production load balancer: in
// production any HTTP balancer that checks /readyz does this job.
package cluster

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// BackendHeader names, in every answer of the front, the backend
// (host:port) that gave it: a fault run finds the live-chat visitors whose
// socket is on the instance it will kill.
const BackendHeader = "X-Cluster-Backend"

// downFor is how long a backend that refused a connection is skipped.
const downFor = time.Second

// Front is a round-robin reverse proxy over the instances' base URLs.
//
// What it promises: a request goes to the next backend in turn; when that
// backend refuses the connection (its process is gone), the request goes
// to the next one instead, and the refusing backend is skipped for
// downFor. Only a refused connection fails over: nothing of the request
// has been sent then, so a POST is never sent twice by the front. A
// connection that breaks after the request was sent is answered 502, and
// the client (a provider, the load generator) retries as it would any
// 5xx. Websocket upgrades pass through (httputil.ReverseProxy), each to
// one backend for its whole life. X-Forwarded-For names the client, so
// instances started with TRUSTED_PROXIES=127.0.0.1 see the citizen.
type Front struct {
	proxy *httputil.ReverseProxy
	log   *slog.Logger

	mu       sync.Mutex
	backends []*url.URL
	down     map[string]time.Time
	next     atomic.Uint64
}

// NewFront proxies to the given base URLs (http://127.0.0.1:port).
func NewFront(backends []string, log *slog.Logger) (*Front, error) {
	f := &Front{log: log, down: map[string]time.Time{}}
	if err := f.SetBackends(backends); err != nil {
		return nil, err
	}
	base := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     30 * time.Second,
	}
	f.proxy = &httputil.ReverseProxy{
		// The backend is chosen by the transport, which may fail over;
		// the director only keeps the path and sets X-Forwarded-For.
		Director:  func(r *http.Request) { r.URL.Scheme = "http" },
		Transport: &failover{f: f, base: base},
		ErrorLog:  slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Warn("front: backend failed", "path", r.URL.Path, "err", err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	return f, nil
}

// SetBackends replaces the list of backends (the throughput run starts
// with one, then two).
func (f *Front) SetBackends(backends []string) error {
	var list []*url.URL
	for _, b := range backends {
		u, err := url.Parse(b)
		if err != nil || u.Host == "" {
			return errors.New("cluster: backend " + b + " is not a base URL")
		}
		list = append(list, u)
	}
	if len(list) == 0 {
		return errors.New("cluster: no backend")
	}
	f.mu.Lock()
	f.backends = list
	f.mu.Unlock()
	return nil
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.proxy.ServeHTTP(w, r) }

// order returns the backends to try for one request: the next in turn
// first, the ones marked down last.
func (f *Front) order() []*url.URL {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.backends)
	start := int(f.next.Add(1) % uint64(n))
	now := time.Now()
	up := make([]*url.URL, 0, n)
	var down []*url.URL
	for k := 0; k < n; k++ {
		b := f.backends[(start+k)%n]
		if until, ok := f.down[b.Host]; ok && now.Before(until) {
			down = append(down, b)
			continue
		}
		up = append(up, b)
	}
	return append(up, down...)
}

func (f *Front) markDown(host string) {
	f.mu.Lock()
	f.down[host] = time.Now().Add(downFor)
	f.mu.Unlock()
}

// failover sends a request to one backend after another while they
// refuse the connection.
type failover struct {
	f    *Front
	base http.RoundTripper
}

func (t *failover) RoundTrip(r *http.Request) (*http.Response, error) {
	// The transport closes a request's body when the dial fails; the next
	// backend must still read it, so attempts get a body that does not
	// close, and the real one is closed here.
	body := r.Body
	if body != nil && body != http.NoBody {
		defer body.Close()
	}
	var err error
	for _, b := range t.f.order() {
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host = b.Scheme, b.Host
		out.Host = r.Host
		if body != nil && body != http.NoBody {
			out.Body = io.NopCloser(body)
		}
		var res *http.Response
		res, err = t.base.RoundTrip(out)
		if err == nil {
			res.Header.Set(BackendHeader, b.Host)
			return res, nil
		}
		if !refused(err) {
			return nil, err
		}
		t.f.markDown(b.Host)
	}
	return nil, err
}

// refused reports a connection that was never made: nothing was sent.
func refused(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}
