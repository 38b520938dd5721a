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
	"strings"
	"sync/atomic"
	"time"

	"tanggap/internal/loadgen"
	"tanggap/internal/localport"
)

// ChaosOpts configures a fault run.
type ChaosOpts struct {
	Bin         string // the tanggap binary
	DatabaseURL string // PostgreSQL, already private to this run (PrivateSchema)
	WorkDir     string // the instances' DATA_DIR and the NATS stores live here
	// NATSExe is the program run as each NATS node (it calls
	// RunNodeIfAsked first); empty: this program.
	NATSExe string
	// PerPhase complaints are sent in each throughput phase (one instance,
	// then two); Faulty during the fault phase.
	PerPhase, Faulty int
	Concurrency      int
	// KillNATSNode kills one NATS node (SIGKILL) mid-burst and starts it
	// again.
	KillNATSNode bool
	// DBDown, when positive, takes PostgreSQL away from the instances
	// mid-burst for that long (through the run's database proxy: every
	// connection closed, new ones refused), then gives it back.
	DBDown time.Duration
	// Visitors live-chat visitors are connected to the instance that is
	// killed; each must reconnect to the other and go on in its ticket
	// (0: three; negative: none).
	Visitors int
	// MaxLoad bounds each load phase; Drain bounds the wait for the core
	// to store every accepted complaint.
	MaxLoad, Drain time.Duration
	Log            *slog.Logger
	InstanceOut    io.Writer // the instances' and NATS nodes' logs (nil: discarded)
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
	Faults   []Fault  // each fault's window: what was sent, acknowledged and became of it
	Verify   Verification
	Drained  time.Duration // from the end of the load to every accepted complaint stored
	RanFault bool
	// Readiness of the instance that is never killed, polled every 50 ms
	// through the fault phase: the gateway's (/readyz, JetStream) and the
	// core's (/readyz/core, the database). While the database is down
	// the core must say 503 and the gateway, which still accepts
	// webhooks into JetStream, 200.
	ReadyzPolls             int
	CoreDownDuringOutage    int // /readyz/core 503s while the database was down
	GatewayDownDuringOutage int // /readyz 503s while the database was down
	CoreDown                int // /readyz/core 503s in all
	GatewayDown             int // /readyz 503s in all
	// Resume is what became of the live-chat visitors of the killed
	// instance.
	Resume ResumeCheck
	// Streams are the JetStream streams the instances created, with the
	// number of nodes holding each when the instances were ready.
	Streams map[string]int
	Nodes   int // NATS nodes in the cluster
}

// Fault is one fault's window of the burst: from the fault until the
// cluster had recovered (the instance, node or database ready again).
type Fault struct {
	Name string
	Sent int // requests sent in the window, retries included
	// Verify covers the messages acknowledged (2xx) in the window:
	// Verify.Accepted of them.
	Verify Verification
	// WhatsApp acknowledged in the window (during a database outage: the
	// gateway still takes webhooks).
	WhatsApp   int
	first, end int // the window's acknowledged messages, by their index in the burst's result
	sent0      int64
}

// DBOutageOK reports whether a database outage was seen as it must be:
// the core not ready, the gateway still taking webhooks.
func (r ChaosReport) DBOutageOK() bool {
	for _, f := range r.Faults {
		if f.Name == faultDB {
			return r.CoreDownDuringOutage > 0 && f.WhatsApp > 0
		}
	}
	return true
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

// OK reports a run with nothing lost, duplicated or misfiled, every
// live-chat visitor of the killed instance resumed in its ticket, and the
// database outage seen as it must be (DBOutageOK).
func (r ChaosReport) OK() bool {
	v := r.Verify
	resumed := r.Resume.Visitors == 0 || r.Resume.OK()
	return v.Accepted > 0 && v.Lost == 0 && v.Duplicates == 0 && v.WrongTicket == 0 && resumed && r.DBOutageOK()
}

const (
	phaseOne   = "1 instance"
	phaseTwo   = "2 instances"
	phaseFault = "2 instances, faults"

	faultInstance = "instance killed"
	faultNode     = "NATS node killed"
	faultDB       = "database down"
)

// Chaos starts a three-node NATS cluster (each node its own process, the
// streams replicated three times), a proxy to the PostgreSQL of
// DatabaseURL, two instances on both and a front; measures throughput of
// citizens' messages (complaint forms, signed WhatsApp webhooks and
// live-chat messages, a third each) through the front with one instance,
// then two; then sends a burst during which one instance is killed with
// SIGKILL and started again (its live-chat visitors reconnecting to the
// other), a NATS node is killed with SIGKILL and started again
// (KillNATSNode), and the database is away for DBDown; the load generator
// retries what got no 2xx as a provider would (the same Idempotency-Key,
// the same WhatsApp message id, the same chat visitor and cid). Finally it
// checks every accepted message against the database. Everything it
// started is stopped on return.
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
	if o.Visitors == 0 {
		o.Visitors = 3
	}
	if o.InstanceOut == nil {
		o.InstanceOut = io.Discard
	}
	nc, err := StartNATSCluster(ctx, NATSClusterOpts{Exe: o.NATSExe, StoreDir: filepath.Join(o.WorkDir, "nats"), Out: o.InstanceOut})
	if err != nil {
		return rep, err
	}
	defer nc.Stop()
	rep.Nodes = len(nc.Nodes)
	proxy, err := NewDBProxy(o.DatabaseURL)
	if err != nil {
		return rep, err
	}
	defer proxy.Close()

	waSecret := randomHex(16)
	c, err := StartInstances(ctx, InstancesOpts{
		Bin: o.Bin, Dir: o.WorkDir, Count: 2, Out: o.InstanceOut,
		Env: []string{
			"DATABASE_URL=" + proxy.URL(o.DatabaseURL),
			"NATS_URL=" + nc.URL(),
			"NATS_REPLICAS=3",
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
	// The instances created their streams: each on every node (the
	// replicas current within 30 s).
	if rep.Streams, err = nc.WaitReplicated(ctx, 30*time.Second); err != nil {
		return rep, err
	}

	front, err := NewFront([]string{a.URL()}, o.Log)
	if err != nil {
		return rep, err
	}
	base, stopFront, err := Serve(front, 0)
	if err != nil {
		return rep, err
	}
	defer stopFront()

	load := func(first, n int, progress, attempts *atomic.Int64, stop <-chan struct{}) loadgen.Result {
		res, _ := loadgen.Run(ctx, loadgen.Opts{ // errors only on bad options
			BaseURL: base, Total: n, Concurrency: o.Concurrency, MaxDuration: o.MaxLoad,
			First: first, Retry: true, KeyPrefix: "chaos-complaint-", Progress: progress, Attempts: attempts, Stop: stop,
			WhatsAppSecret: waSecret, Chat: true,
		})
		return res
	}
	var accepted []loadgen.Result
	// measure runs one throughput phase and waits for the core to store
	// it, so the next phase starts on an empty backlog.
	measure := func(name string, first, backends int) error {
		start := time.Now()
		res := load(first, o.PerPhase, nil, nil, nil)
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

	// Faults mid-burst, struck as the accepted count passes a quarter,
	// half and three quarters of the burst; the burst goes on until every
	// fault is behind it and another quarter is accepted after the last,
	// so each fault lands mid-burst however slowly an instance starts.
	var visitors []*chatter
	var faultWant []map[int]Want
	if o.Faulty > 0 {
		rep.RanFault = true
		f := &faultRun{o: o, b: b, a: a, nats: nc, proxy: proxy, base: base}
		f.load = func(first, n int, d time.Duration) loadgen.Result {
			res, _ := loadgen.Run(ctx, loadgen.Opts{
				BaseURL: base, Total: n, Concurrency: 2, MaxDuration: max(d, time.Millisecond),
				First: first, KeyPrefix: "chaos-probe-", WhatsAppSecret: waSecret, WhatsAppOnly: true,
			})
			return res
		}
		stopLoad := make(chan struct{})
		script := make(chan error, 1)
		sctx, cancelScript := context.WithCancel(ctx)
		watch := watchReadyz(sctx, a, &f.dbDown)
		go func() {
			defer close(stopLoad)
			script <- f.play(sctx)
		}()
		res := load(2*o.PerPhase+1, 1_000_000, &f.progress, &f.attempts, stopLoad)
		cancelScript() // the burst ran out of time: the script stops too
		w := <-watch
		rep.ReadyzPolls, rep.CoreDown, rep.GatewayDown = w.polls, w.coreDown, w.gatewayDown
		rep.CoreDownDuringOutage, rep.GatewayDownDuringOutage = w.coreDuringOutage, w.gatewayDuringOutage
		err := <-script
		rep.Events = f.events
		rep.Phases = append(rep.Phases, Phase{Name: phaseFault, Result: res, Backends: 2})
		accepted = append(accepted, res)
		if err != nil {
			return rep, fmt.Errorf("cluster: fault script (the burst ended after %d accepted): %w", res.Accepted, err)
		}
		accepted = append(accepted, f.probe)
		visitors = f.visitors
		rep.Resume = f.resume
		for _, w := range f.windows {
			fr := *w
			part := res
			end := min(fr.end, len(res.Citizens))
			first := min(fr.first, end)
			part.Citizens, part.Channels, part.Tracking = res.Citizens[first:end], res.Channels[first:end], res.Tracking[first:end]
			for _, ch := range part.Channels {
				if ch == "whatsapp" {
					fr.WhatsApp++
				}
			}
			runs := []loadgen.Result{part}
			if fr.Name == faultDB {
				runs = append(runs, f.probe)
			}
			rep.Faults = append(rep.Faults, fr)
			faultWant = append(faultWant, wantOf(runs...))
		}
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
	// Each fault's window, read once now that the backlog is drained.
	for k := range rep.Faults {
		fv, err := Verify(dctx, o.DatabaseURL, faultWant[k], false)
		if err != nil {
			return rep, err
		}
		rep.Faults[k].Verify = fv
	}
	if len(visitors) > 0 {
		same, err := checkResumed(dctx, o.DatabaseURL, visitors)
		if err != nil {
			return rep, err
		}
		rep.Resume.SameTicket = same
	}
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

// faultRun plays the fault script against the running burst.
type faultRun struct {
	o        ChaosOpts
	a, b     *Instance // b is killed; a is watched
	nats     *NATSCluster
	proxy    *DBProxy
	base     string // the front
	progress atomic.Int64
	attempts atomic.Int64
	dbDown   atomic.Bool
	events   []string // read by the caller after play returns
	windows  []*Fault
	visitors []*chatter
	resume   ResumeCheck
	// load runs a WhatsApp-only probe of n citizens from first, for at
	// most d, without retries.
	load  func(first, n int, d time.Duration) loadgen.Result
	probe loadgen.Result // the probe during the database outage
}

// probeFirst numbers the citizens of the database outage's WhatsApp
// probe, apart from the burst's.
const probeFirst = 90_000_001

func (f *faultRun) note(format string, args ...any) {
	f.events = append(f.events, fmt.Sprintf("at %d accepted: ", f.progress.Load())+fmt.Sprintf(format, args...))
}

// open starts a fault's window; close ends it.
func (f *faultRun) open(name string) *Fault {
	w := &Fault{Name: name, first: int(f.progress.Load()), sent0: f.attempts.Load()}
	f.windows = append(f.windows, w)
	return w
}

func (f *faultRun) close(w *Fault) {
	w.end = int(f.progress.Load())
	w.Sent += int(f.attempts.Load() - w.sent0)
}

func (f *faultRun) waitFor(ctx context.Context, n int64) error {
	for f.progress.Load() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func (f *faultRun) play(ctx context.Context) error {
	o := f.o
	defer func() { // on a failure too: no visitor's socket outlives the script
		for _, v := range f.visitors {
			v.conn.Close()
		}
	}()
	quarter := int64(max(o.Faulty/4, 1))
	if o.Visitors > 0 {
		vs, err := openChattersOn(ctx, f.base, hostOf(f.b.URL()), o.Visitors)
		f.visitors = vs
		if err != nil {
			return err
		}
		f.resume.Visitors = len(vs)
		f.note("%d live-chat visitors on %s", len(vs), f.b.Name)
	}
	if err := f.waitFor(ctx, quarter); err != nil {
		return err
	}

	// 1. An instance killed, its visitors moving to the other one.
	w := f.open(faultInstance)
	if err := f.b.Kill(); err != nil {
		return err
	}
	f.note("%s killed (SIGKILL)", f.b.Name)
	for _, v := range f.visitors {
		if err := v.cut(ctx); err != nil {
			return err
		}
		if err := v.connect(ctx); err != nil {
			return err
		}
		if err := v.say(ctx); err != nil {
			return err
		}
		f.resume.Resumed++
		if v.backend != hostOf(f.b.URL()) {
			f.resume.OnOther++
		}
		v.conn.Close()
	}
	if len(f.visitors) > 0 {
		f.note("%d of %d visitors reconnected with their token and sent again", f.resume.Resumed, len(f.visitors))
	}
	if err := f.waitFor(ctx, 2*quarter); err != nil {
		return err
	}
	if err := f.b.Start(); err != nil {
		return err
	}
	f.note("%s started again", f.b.Name)
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := f.b.Ready(rctx); err != nil {
		return err
	}
	f.note("%s ready", f.b.Name)
	f.close(w)

	// 2. A NATS node killed while the burst goes on, then started again.
	if o.KillNATSNode {
		node := f.nats.Nodes[len(f.nats.Nodes)-1]
		w := f.open(faultNode)
		if err := node.Kill(); err != nil {
			return err
		}
		f.note("%s killed (SIGKILL)", node.Name())
		if err := f.waitFor(ctx, f.progress.Load()+quarter/2); err != nil {
			return err
		}
		if err := node.Start(); err != nil {
			return err
		}
		f.note("%s started again", node.Name())
		if err := node.Ready(rctx); err != nil {
			return err
		}
		f.note("%s healthy (JetStream current)", node.Name())
		f.close(w)
	}

	// 3. The database away, then back.
	last := f.progress.Load()
	if o.DBDown > 0 {
		if err := f.waitFor(ctx, max(3*quarter, last+quarter/2)); err != nil {
			return err
		}
		w := f.open(faultDB)
		f.dbDown.Store(true)
		f.proxy.Down()
		f.note("database down (connections cut, new ones refused)")
		outage := time.Now()
		// The burst's workers soon all wait on forms and chats, which
		// need the database; a probe of WhatsApp webhooks alone, in the
		// first half of the outage and never retried, shows the gateway
		// still taking them.
		f.probe = f.load(probeFirst, 40, time.Until(outage.Add(o.DBDown/2)))
		w.WhatsApp, w.Sent = f.probe.Accepted, f.probe.Sent
		f.note("%d of %d WhatsApp webhooks acknowledged while the database was down", f.probe.Accepted, f.probe.Sent)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(outage.Add(o.DBDown))):
		}
		err := f.proxy.Up()
		f.dbDown.Store(false)
		if err != nil {
			return err
		}
		f.note("database back after %v", o.DBDown)
		if err := f.a.Ready(rctx); err != nil {
			return err
		}
		f.note("%s core ready again", f.a.Name)
		f.close(w)
		last = f.progress.Load()
	}
	return f.waitFor(ctx, max(int64(o.Faulty), last+quarter))
}

// hostOf is a base URL's host:port.
func hostOf(base string) string { return strings.TrimPrefix(base, "http://") }

type readyzWatch struct {
	polls, coreDown, gatewayDown          int
	coreDuringOutage, gatewayDuringOutage int
}

// watchReadyz polls in's /readyz (the gateway) and /readyz/core (the
// core) every 50 ms until ctx ends, and sends what it saw.
func watchReadyz(ctx context.Context, in *Instance, dbDown *atomic.Bool) <-chan readyzWatch {
	out := make(chan readyzWatch, 1)
	go func() {
		var w readyzWatch
		client := &http.Client{Timeout: 3 * time.Second}
		unavailable := func(path string) (bool, bool) {
			res, err := client.Get(in.URL() + path)
			if err != nil {
				return false, false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusServiceUnavailable, true
		}
		for ctx.Err() == nil {
			down := dbDown.Load()
			core, ok1 := unavailable("/readyz/core")
			gw, ok2 := unavailable("/readyz")
			if ok1 && ok2 {
				w.polls++
				if core {
					w.coreDown++
				}
				if gw {
					w.gatewayDown++
				}
				if down && dbDown.Load() {
					if core {
						w.coreDuringOutage++
					}
					if gw {
						w.gatewayDuringOutage++
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
		port, err := localport.Free()
		if err != nil {
			c.Stop()
			return nil, err
		}
		metrics, err := localport.Free()
		if err != nil {
			c.Stop()
			return nil, err
		}
		in := &Instance{
			Name: fmt.Sprintf("tanggap-%d", k+1), Bin: o.Bin, Dir: o.Dir,
			Port: port, MetricsPort: metrics, Env: env, Out: o.Out,
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
