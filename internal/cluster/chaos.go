package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"tanggap/internal/loadgen"
)

// ChaosOpts configures a fault run.
type ChaosOpts struct {
	Bin         string // the tanggap binary
	DatabaseURL string // PostgreSQL, already private to this run (PrivateSchema)
	WorkDir     string // the instances' DATA_DIR and the NATS store live here
	// PerPhase complaints are sent in each throughput phase (one instance,
	// then two); Faulty during the fault phase.
	PerPhase, Faulty int
	Concurrency      int
	// RestartNATS stops the run's own NATS server mid-burst for NATSDown
	// (default 2 s) and starts it again.
	RestartNATS bool
	NATSDown    time.Duration
	// MaxLoad bounds each load phase; Drain bounds the wait for the core
	// to store every accepted complaint.
	MaxLoad, Drain time.Duration
	Log            *slog.Logger
	InstanceOut    io.Writer // the instances' logs (nil: discarded)
}

// Phase is one load run's figures.
type Phase struct {
	Name     string
	Result   loadgen.Result
	Backends int
	// StoredIn is the time from the phase's start until the core had
	// stored every message accepted in it (0: not waited for).
	StoredIn time.Duration
}

// StoredPerSecond is the phase's end-to-end throughput: accepted messages
// over the time until the last was stored.
func (p Phase) StoredPerSecond() float64 {
	if p.StoredIn <= 0 {
		return 0
	}
	return float64(p.Result.Accepted) / p.StoredIn.Seconds()
}

// ChaosReport is what a fault run found.
type ChaosReport struct {
	Phases   []Phase
	Events   []string // the faults, with how many complaints were accepted then
	Verify   Verification
	Drained  time.Duration // from the end of the load to every accepted complaint stored
	RanFault bool
	// Readiness of the instance that is never killed, polled through the
	// fault phase: 503s seen while NATS was down, and answers 503 seen
	// while it was up (before the outage or after NATS was back and the
	// instance had answered 200 again).
	ReadyzDown, ReadyzPolls int
	ReadyzDuringOutage      bool
}

// Ratio is the throughput of two instances over one (0 when unknown):
// of accepted messages, and of stored ones.
func (r ChaosReport) Ratio() (accepted, stored float64) {
	var one, two *Phase
	for k := range r.Phases {
		switch r.Phases[k].Name {
		case phaseOne:
			one = &r.Phases[k]
		case phaseTwo:
			two = &r.Phases[k]
		}
	}
	if one == nil || two == nil {
		return 0, 0
	}
	if a := one.Result.PerSecond(); a > 0 {
		accepted = two.Result.PerSecond() / a
	}
	if s := one.StoredPerSecond(); s > 0 {
		stored = two.StoredPerSecond() / s
	}
	return accepted, stored
}

// OK reports a run with nothing lost, duplicated or misfiled.
func (r ChaosReport) OK() bool {
	v := r.Verify
	return v.Accepted > 0 && v.Lost == 0 && v.Duplicates == 0 && v.WrongTicket == 0
}

const (
	phaseOne   = "1 instance"
	phaseTwo   = "2 instances"
	phaseFault = "2 instances, faults"
)

// Chaos starts a private NATS server, two instances on DatabaseURL and a
// front; measures throughput of citizens' messages (complaint forms,
// signed WhatsApp webhooks and live-chat messages, a third each) through
// the front with one instance, then two; then sends a burst during which one instance is
// killed with SIGKILL and started again and (RestartNATS) the NATS server
// is down for NATSDown, the load generator retrying what got no 2xx as a
// provider would (the same Idempotency-Key, the same WhatsApp message id,
// the same chat visitor and cid);
// and finally checks every accepted message against the database.
// Everything it started is stopped on return.
func Chaos(ctx context.Context, o ChaosOpts) (ChaosReport, error) {
	var rep ChaosReport
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.MaxLoad <= 0 {
		o.MaxLoad = 2 * time.Minute
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Minute
	}
	if o.NATSDown <= 0 {
		o.NATSDown = 2 * time.Second
	}
	if o.InstanceOut == nil {
		o.InstanceOut = io.Discard
	}
	natsPort, err := FreePort()
	if err != nil {
		return rep, err
	}
	nats := &NATS{Port: natsPort, StoreDir: filepath.Join(o.WorkDir, "nats")}
	if err := nats.Start(); err != nil {
		return rep, err
	}
	defer nats.Stop()

	waSecret := randomHex(16)
	c, err := StartInstances(ctx, InstancesOpts{
		Bin: o.Bin, Dir: o.WorkDir, Count: 2, Out: o.InstanceOut,
		Env: []string{
			"DATABASE_URL=" + o.DatabaseURL,
			"NATS_URL=" + nats.URL(),
			"NATS_REPLICAS=1", // one server, whatever the caller's environment says
			"DATA_DIR=" + filepath.Join(o.WorkDir, "data"),
			"FORM_RATE_LIMIT=0", // every load-generator client shares one address
			"WHATSAPP_APP_SECRET=" + waSecret,
			"WHATSAPP_VERIFY_TOKEN=" + randomHex(16),
			"WHATSAPP_ACCESS_TOKEN=" + randomHex(16),
			// Nothing leaves the machine: a reply or a media fetch would
			// go to a closed local port.
			"WHATSAPP_API_BASE_URL=http://127.0.0.1:1",
			// Every load-generator visitor comes from one address.
			"LIVECHAT_MAX_CONNS_PER_IP=0",
			"LIVECHAT_NEW_CONNS_PER_MINUTE=0",
			"LOG_LEVEL=warn",
			"SHUTDOWN_TIMEOUT=5s",
		},
	})
	if err != nil {
		return rep, err
	}
	defer c.Stop()
	a, b := c.Instances[0], c.Instances[1]

	front, err := NewFront([]string{a.URL()}, o.Log)
	if err != nil {
		return rep, err
	}
	base, stopFront, err := Serve(front, 0)
	if err != nil {
		return rep, err
	}
	defer stopFront()

	load := func(first, n int, progress *atomic.Int64, stop <-chan struct{}) loadgen.Result {
		res, _ := loadgen.Run(ctx, loadgen.Opts{ // errors only on bad options
			BaseURL: base, Total: n, Concurrency: o.Concurrency, MaxDuration: o.MaxLoad,
			First: first, Retry: true, KeyPrefix: "chaos-complaint-", Progress: progress, Stop: stop,
			WhatsAppSecret: waSecret, Chat: true,
		})
		return res
	}
	var accepted []loadgen.Result
	// measure runs one throughput phase and waits for the core to store
	// it, so the next phase starts on an empty backlog.
	measure := func(name string, first, backends int) error {
		start := time.Now()
		res := load(first, o.PerPhase, nil, nil)
		accepted = append(accepted, res)
		p := Phase{Name: name, Result: res, Backends: backends}
		dctx, cancel := context.WithTimeout(ctx, o.Drain)
		defer cancel()
		v, err := Verify(dctx, o.DatabaseURL, wantOf(res), true)
		if err != nil {
			return err
		}
		if v.Lost == 0 {
			p.StoredIn = time.Since(start)
		}
		rep.Phases = append(rep.Phases, p)
		return nil
	}

	// Throughput: the same burst through one instance, then two.
	if err := measure(phaseOne, 1, 1); err != nil {
		return rep, err
	}
	if err := front.SetBackends([]string{a.URL(), b.URL()}); err != nil {
		return rep, err
	}
	if err := measure(phaseTwo, o.PerPhase+1, 2); err != nil {
		return rep, err
	}
	var res loadgen.Result

	// Faults mid-burst, struck as the accepted count passes a quarter,
	// half and three quarters of the burst; the burst goes on until every
	// fault is behind it and another quarter is accepted after the last,
	// so each fault lands mid-burst however slowly an instance starts.
	if o.Faulty > 0 {
		rep.RanFault = true
		var progress atomic.Int64
		stopLoad := make(chan struct{})
		var events []string
		note := func(format string, args ...any) {
			events = append(events, fmt.Sprintf("at %d accepted: ", progress.Load())+fmt.Sprintf(format, args...))
		}
		script := make(chan error, 1)
		sctx, cancelScript := context.WithCancel(ctx)
		var natsDown atomic.Bool
		watch := watchReadyz(sctx, a, &natsDown)
		go func() {
			defer close(stopLoad)
			script <- o.faults(sctx, &progress, b, nats, &natsDown, note)
		}()
		res = load(2*o.PerPhase+1, 1_000_000, &progress, stopLoad)
		cancelScript() // the burst ran out of time: the script stops too
		w := <-watch
		rep.ReadyzPolls, rep.ReadyzDown, rep.ReadyzDuringOutage = w.polls, w.down, w.duringOutage
		if err := <-script; err != nil {
			return rep, fmt.Errorf("cluster: fault script (the burst ended after %d accepted): %w", res.Accepted, err)
		}
		rep.Events = events
		rep.Phases = append(rep.Phases, Phase{Name: phaseFault, Result: res, Backends: 2})
		accepted = append(accepted, res)
	}

	// Every accepted message stored exactly once, in its citizen's ticket.
	start := time.Now()
	want := wantOf(accepted...)
	dctx, cancel := context.WithTimeout(ctx, o.Drain)
	defer cancel()
	v, err := Verify(dctx, o.DatabaseURL, want, true)
	if err != nil {
		return rep, err
	}
	rep.Drained = time.Since(start)
	rep.Verify = v
	return rep, nil
}

// wantOf is what the accepted messages of runs must have become.
func wantOf(runs ...loadgen.Result) map[int]Want {
	want := map[int]Want{}
	for _, r := range runs {
		for k, n := range r.Citizens {
			want[n] = Want{Channel: r.Channels[k], Tracking: r.Tracking[k]}
		}
	}
	return want
}

// faults plays the fault script against the running burst. note is
// called from this goroutine only; the caller reads the notes after the
// script's result.
func (o ChaosOpts) faults(ctx context.Context, progress *atomic.Int64, b *Instance, nats *NATS, natsDown *atomic.Bool, note func(string, ...any)) error {
	waitFor := func(n int64) error {
		for progress.Load() < n {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
		return nil
	}
	quarter := int64(max(o.Faulty/4, 1))
	if err := waitFor(quarter); err != nil {
		return err
	}
	if err := b.Kill(); err != nil {
		return err
	}
	note("%s killed (SIGKILL)", b.Name)
	if err := waitFor(2 * quarter); err != nil {
		return err
	}
	if err := b.Start(); err != nil {
		return err
	}
	note("%s started again", b.Name)
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := b.Ready(rctx); err != nil {
		return err
	}
	note("%s ready", b.Name)
	last := progress.Load()
	if o.RestartNATS {
		if err := waitFor(3 * quarter); err != nil {
			return err
		}
		natsDown.Store(true)
		nats.Stop()
		note("NATS server stopped")
		select {
		case <-ctx.Done():
		case <-time.After(o.NATSDown):
		}
		err := nats.Start()
		natsDown.Store(false)
		if err != nil {
			return err
		}
		note("NATS server started again")
		last = progress.Load()
	}
	return waitFor(max(int64(o.Faulty), last+quarter))
}

type readyzWatch struct {
	polls, down  int
	duringOutage bool
}

// watchReadyz polls in's /readyz every 50 ms until ctx ends, and sends
// what it saw.
func watchReadyz(ctx context.Context, in *Instance, natsDown *atomic.Bool) <-chan readyzWatch {
	out := make(chan readyzWatch, 1)
	go func() {
		var w readyzWatch
		client := &http.Client{Timeout: 3 * time.Second}
		for ctx.Err() == nil {
			res, err := client.Get(in.URL() + "/readyz")
			if err == nil {
				res.Body.Close()
				w.polls++
				if res.StatusCode == http.StatusServiceUnavailable {
					w.down++
					if natsDown.Load() {
						w.duringOutage = true
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
		out <- w
	}()
	return out
}

// InstancesOpts configures StartInstances.
type InstancesOpts struct {
	Bin   string
	Dir   string // working directory of every instance
	Count int
	Env   []string // shared by every instance
	Out   io.Writer
}

// Instances is a set of running instances.
type Instances struct{ Instances []*Instance }

// StartInstances starts Count instances one after the other (the first
// applies the migrations and creates the shared files), each waiting to
// be ready. They share Env and the secrets that must match across
// instances (live-chat tokens, status links), generated here unless Env
// or the parent's environment names them. On error, what started is
// stopped.
func StartInstances(ctx context.Context, o InstancesOpts) (*Instances, error) {
	env := append([]string(nil), o.Env...)
	for _, name := range []string{"LIVECHAT_SECRET", "STATUS_LINK_SECRET", "LOGIN_DEVICE_SECRET"} {
		if os.Getenv(name) == "" && os.Getenv(name+"_FILE") == "" && !hasKey(env, name) {
			env = append(env, name+"="+randomHex(32))
		}
	}
	c := &Instances{}
	for k := 0; k < o.Count; k++ {
		port, err := FreePort()
		if err != nil {
			c.Stop()
			return nil, err
		}
		metrics, err := FreePort()
		if err != nil {
			c.Stop()
			return nil, err
		}
		in := &Instance{
			Name: fmt.Sprintf("tanggap-%d", k+1), Bin: o.Bin, Dir: o.Dir, Port: port, Out: o.Out,
			Env: append(append([]string(nil), env...), fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", metrics)),
		}
		if err := in.Start(); err != nil {
			c.Stop()
			return nil, err
		}
		c.Instances = append(c.Instances, in)
		rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		err = in.Ready(rctx)
		cancel()
		if err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// Stop stops every instance gracefully (SIGTERM, then SIGKILL).
func (c *Instances) Stop() {
	for _, in := range c.Instances {
		_ = in.Stop(15 * time.Second)
	}
}

// URLs are the instances' base URLs.
func (c *Instances) URLs() []string {
	var out []string
	for _, in := range c.Instances {
		out = append(out, in.URL())
	}
	return out
}

// Serve runs h on 127.0.0.1:port (0: a free port) and returns its base
// URL and a stop function.
func Serve(h http.Handler, port int) (string, func(), error) {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", nil, fmt.Errorf("cluster: front: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + l.Addr().String(), stop, nil
}

func hasKey(env []string, name string) bool {
	for _, kv := range env {
		if len(kv) > len(name) && kv[:len(name)+1] == name+"=" {
			return true
		}
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (Go 1.24)
	return hex.EncodeToString(b)
}
