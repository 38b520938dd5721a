package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// BenchmarkIngestCPUPerMessage compares the CPU one stored message costs
// at a trickle (40 messages/s, paced, for 10 s) with its cost at full load
// (5,000 messages published at once). The CPU counted is this process's
// (the consumer, and on the embedded defaults SQLite and NATS too) plus,
// on PostgreSQL + external NATS on this machine, the servers' processes
// (see cpuOf): other work on the same servers counts too, so give the
// benchmark servers of its own on a shared machine. The CPU of 5 s with
// nothing to do is reported apart (idle-cpu-ms/s: open pulls, background
// work of the servers); the trickle's figure includes its share. Reports
// cpu-ms/msg at each rate and their ratio (target: within 2×, and at most
// 2 ms per message at 40/s).
//
// Part of that is not ingest's: the publish floor, what the servers spend
// on a citizen's message arriving and being stored in JetStream before
// any consumer sees it. A message that arrives on its own costs NATS a
// read, a store and an acknowledgement of its own; under load they come
// many to a syscall. The benchmark measures the floor in the same run, by
// publishing the same messages at the same rates to a stream of the same
// settings that nothing consumes (floor-cpu-ms/msg), and reports what
// storing the messages added on top of it (ingest-cpu-ms/msg) and that
// ratio (ingest-low/full): the part the consumer's gathering can change.
//
// With an external NATS the publisher, which plays the citizens, runs in
// a process of its own and is not counted; its CPU is reported apart
// (pub-cpu-ms). INGEST_LINGER and INGEST_FILL set the consumer's
// gathering.
func BenchmarkIngestCPUPerMessage(b *testing.B) {
	const (
		rate     = 40
		trickle  = 10 * time.Second
		fullLoad = 5000
	)
	for b.Loop() {
		e := newEnv(b)
		for range 5 {
			e.agent("kartu", 1000)
			e.agent("umum", 1000)
		}
		linger, fill := benchGathering(b)
		c := e.consumer(Opts{Log: discardLog(), MaxWait: DefaultMaxWait, Linger: linger, Fill: fill})
		e.start(c)
		envs := workload(rate*int(trickle/time.Second) + fullLoad)
		for i := range envs {
			envs[i].ProviderMessageID = fmt.Sprintf("cpu-%d", i)
		}
		slow, fast := envs[:rate*int(trickle/time.Second)], envs[rate*int(trickle/time.Second):]
		time.Sleep(time.Second) // the consumer settles (first pull, caches)
		// What an earlier benchmark of this process left (a heap to give
		// back to the system) is not this one's idle cost: the runtime's
		// background scavenger would spend up to 1% of every core on it
		// through the windows measured here.
		runtime.GC()
		debug.FreeOSMemory()
		cpuOf(b, e) // finds the servers' processes
		// What the process spends with nothing to do (the consumer's open
		// pull, in-process NATS and SQLite housekeeping): part of the cost
		// per message at a trickle.
		idle0 := cpuOf(b, e)
		stopProf := phaseProfile(b, "idle")
		time.Sleep(5 * time.Second)
		stopProf()
		idle := cpuOf(b, e).minus(idle0)
		b.ReportMetric(idle.total()/5, "idle-cpu-ms/s")

		// The publish floor at each rate, on a stream nothing reads.
		floor := floorStream(b, e)
		f0 := cpuOf(b, e)
		publishTo(b, e, slow, rate, floor)
		f1 := cpuOf(b, e)
		publishTo(b, e, fast, 0, floor)
		f2 := cpuOf(b, e)
		floorLow, floorFull := f1.minus(f0).total()/float64(len(slow)), f2.minus(f1).total()/float64(len(fast))

		cpu0 := cpuOf(b, e)
		stopProf = phaseProfile(b, "trickle")
		pubLow := publish(b, e, slow, rate)
		waitStored(b, e, int64(len(slow)))
		stopProf()
		cpu1 := cpuOf(b, e)
		pubFull := publish(b, e, fast, 0)
		waitStored(b, e, int64(len(envs)))
		cpu2 := cpuOf(b, e)

		low, full := cpu1.minus(cpu0), cpu2.minus(cpu1)
		lowMS, fullMS := low.total()/float64(len(slow)), full.total()/float64(len(fast))
		b.ReportMetric(lowMS, "cpu-ms/msg@40/s")
		b.ReportMetric(fullMS, "cpu-ms/msg@full")
		b.ReportMetric(lowMS/fullMS, "low/full")
		b.ReportMetric(floorLow, "floor-cpu-ms/msg@40/s")
		b.ReportMetric(floorFull, "floor-cpu-ms/msg@full")
		b.ReportMetric(lowMS-floorLow, "ingest-cpu-ms/msg@40/s")
		b.ReportMetric(fullMS-floorFull, "ingest-cpu-ms/msg@full")
		b.ReportMetric((lowMS-floorLow)/(fullMS-floorFull), "ingest-low/full")
		if e.busCfg.URL != "" {
			// The load generator's own CPU, not counted above.
			b.ReportMetric(ms(pubLow)/float64(len(slow)), "pub-cpu-ms/msg@40/s")
			b.ReportMetric(ms(pubFull)/float64(len(fast)), "pub-cpu-ms/msg@full")
		}
		if e.dbCfg.URL != "" || e.busCfg.URL != "" {
			// Who spends it: this process (the consumer and the
			// publisher), the database server, the NATS server.
			for _, r := range []struct {
				name string
				c    cpuParts
				n    float64
			}{{"idle", idle, 5}, {"40/s", low, float64(len(slow))}, {"full", full, float64(len(fast))}} {
				unit := "/msg@" + r.name
				if r.name == "idle" {
					unit = "/s@idle"
				}
				b.ReportMetric(ms(r.c.self)/r.n, "self-cpu-ms"+unit)
				b.ReportMetric(ms(r.c.db)/r.n, "db-cpu-ms"+unit)
				b.ReportMetric(ms(r.c.nats)/r.n, "nats-cpu-ms"+unit)
			}
		}
	}
}

// benchGathering is the consumer's gathering as INGEST_LINGER and
// INGEST_FILL set it (the defaults when unset; a linger of 0 gathers
// nothing), to weigh them against each other.
func benchGathering(b *testing.B) (linger time.Duration, fill int) {
	b.Helper()
	if v := os.Getenv("INGEST_LINGER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("INGEST_LINGER: %v", err)
		}
		linger = d
		if d == 0 {
			linger = -1
		}
	}
	if v := os.Getenv("INGEST_FILL"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("INGEST_FILL: %v", err)
		}
		fill = n
	}
	return linger, fill
}

// phaseHook, when set (a local file of a profiling session), runs at the
// start of a phase and returns what runs at its end: say, resetting and
// reading pg_stat_statements on a private server.
var phaseHook func(phase string) (end func())

// phaseProfile writes a CPU profile of one phase of the benchmark to
// $INGEST_BENCH_PROFILE_DIR/<phase>.prof when that is set; the returned
// func ends it.
func phaseProfile(b *testing.B, phase string) (stop func()) {
	b.Helper()
	end := func() {}
	if phaseHook != nil {
		end = phaseHook(phase)
	}
	dir := os.Getenv("INGEST_BENCH_PROFILE_DIR")
	if dir == "" {
		return end
	}
	f, err := os.Create(filepath.Join(dir, phase+".prof"))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
		end()
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// minus is the CPU used from o to c. This process's share ends before c's
// reading of /proc, which is the benchmark's own work.
func (c cpuParts) minus(o cpuParts) cpuParts {
	return cpuParts{self: c.selfPre - o.self, db: c.db - o.db, nats: c.nats - o.nats}
}

// total in milliseconds.
func (c cpuParts) total() float64 { return ms(c.self + c.db + c.nats) }

// publish publishes envs at rate messages per second (0: all at once,
// asynchronously) and returns the publisher's CPU time when it ran apart.
//
// The citizens' side is not the server's work: with an external NATS the
// publisher runs in a process of its own (this test binary, as
// TestBenchPublisherProcess), whose CPU this process's does not include;
// NATS's work of storing each message is counted, as it is the server's.
// On the embedded bus (no port to reach from another process) it runs in
// this process and its CPU counts as the consumer's.
func publish(b *testing.B, e *env, envs []envelope.Inbound, rate int) time.Duration {
	return publishTo(b, e, envs, rate, "")
}

// publishTo is publish to subject ("": each message's inbound subject).
func publishTo(b *testing.B, e *env, envs []envelope.Inbound, rate int, subject string) time.Duration {
	b.Helper()
	subjectOf := func(in envelope.Inbound) string {
		if subject != "" {
			return subject
		}
		return e.b.Names.Inbound(in.Channel)
	}
	if e.busCfg.URL == "" {
		if rate == 0 {
			publishFast(b, e.b, envs, subjectOf)
			return 0
		}
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for _, in := range envs {
			<-tick.C
			publishOne(b, e.b, in, subjectOf(in))
		}
		return 0
	}
	job := pubJob{URL: e.busCfg.URL, Rate: rate}
	for _, in := range envs {
		data, err := jsonMarshal(in)
		if err != nil {
			b.Fatal(err)
		}
		job.Msgs = append(job.Msgs, pubMsg{Subject: subjectOf(in), MsgID: bus.InboundMsgID(in.Channel, in.ProviderMessageID), Data: data})
	}
	in, err := jsonMarshal(job)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchPublisherProcess$", "-test.bench=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), envBenchPublisher+"=1")
	cmd.Stdin = bytes.NewReader(in)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("publisher process: %v\n%s", err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// envBenchPublisher makes this test binary the benchmark's publisher.
const envBenchPublisher = "INGEST_BENCH_PUBLISHER"

// pubJob is what the publisher process is asked to publish.
type pubJob struct {
	URL  string
	Rate int // per second; 0: all at once
	Msgs []pubMsg
}

type pubMsg struct {
	Subject, MsgID string
	Data           []byte
}

// TestBenchPublisherProcess is BenchmarkIngestCPUPerMessage's publisher,
// run in a process of its own (see publish); it reads its job on stdin.
func TestBenchPublisherProcess(t *testing.T) {
	if os.Getenv(envBenchPublisher) == "" {
		t.Skip("runs only as the publisher process of BenchmarkIngestCPUPerMessage")
	}
	var job pubJob
	if err := json.NewDecoder(os.Stdin).Decode(&job); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(job.URL, nats.Name("ingest benchmark publisher"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if job.Rate == 0 {
		for _, m := range job.Msgs {
			if _, err := js.PublishAsync(m.Subject, m.Data, jetstream.WithMsgID(m.MsgID)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(2 * time.Minute):
			t.Fatal("publishing did not complete")
		}
		return
	}
	tick := time.NewTicker(time.Second / time.Duration(job.Rate))
	defer tick.Stop()
	for _, m := range job.Msgs {
		<-tick.C
		if _, err := js.Publish(ctx, m.Subject, m.Data, jetstream.WithMsgID(m.MsgID)); err != nil {
			t.Fatal(err)
		}
	}
}

func publishOne(b *testing.B, bb *bus.Bus, in envelope.Inbound, subject string) {
	b.Helper()
	data, err := jsonMarshal(in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bb.JS.Publish(b.Context(), subject, data, jetstream.WithMsgID(bus.InboundMsgID(in.Channel, in.ProviderMessageID))); err != nil {
		b.Fatal(err)
	}
}

func publishFast(b *testing.B, bb *bus.Bus, envs []envelope.Inbound, subjectOf func(envelope.Inbound) string) {
	b.Helper()
	for _, in := range envs {
		data, err := jsonMarshal(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bb.JS.PublishAsync(subjectOf(in), data, jetstream.WithMsgID(bus.InboundMsgID(in.Channel, in.ProviderMessageID))); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-bb.JS.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		b.Fatal("publishing did not complete")
	}
}

// floorStream creates a stream with the inbound stream's settings on a
// subject of its own, which nothing consumes (see the publish floor on
// BenchmarkIngestCPUPerMessage), removed when the benchmark ends; it
// returns the subject.
func floorStream(b *testing.B, e *env) string {
	b.Helper()
	ctx := context.Background()
	in, err := e.b.JS.Stream(ctx, e.b.Names.StreamInbound())
	if err != nil {
		b.Fatal(err)
	}
	cfg := in.CachedInfo().Config
	cfg.Name = cfg.Name + "_FLOOR"
	cfg.Subjects = []string{"floor." + cfg.Name}
	cfg.Description = "publish floor of BenchmarkIngestCPUPerMessage"
	if _, err := e.b.JS.CreateStream(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.b.JS.DeleteStream(context.Background(), cfg.Name) })
	return cfg.Subjects[0]
}

func waitStored(b *testing.B, e *env, n int64) {
	b.Helper()
	testenv.CheckFor(b, 5*time.Minute, 50*time.Millisecond, func() error {
		if got := e.count(`SELECT COUNT(*) FROM messages`); got < n {
			return fmt.Errorf("%d of %d messages stored", got, n)
		}
		return nil
	})
}

// cpuOf is the CPU time used so far by this process and, when the
// database or NATS is external, by its server: the process listening on
// the URL's port on this machine and all its descendants (a PostgreSQL
// postmaster and its backends and workers), so other work on a shared
// machine does not count. A server that is not local (no listener found)
// falls back to every postgres or nats-server process of the machine.
// cpuParts is CPU time used so far, by whom.
// selfPre is this process's before /proc was read, self after.
type cpuParts struct{ selfPre, self, db, nats time.Duration }

func cpuOf(b *testing.B, e *env) cpuParts {
	b.Helper()
	var c cpuParts
	c.selfPre = selfCPU(b)
	if e.dbCfg.URL != "" || e.busCfg.URL != "" {
		procs := readProcs()
		server := func(url, name string) time.Duration {
			switch pid := listenerPID(url); {
			case url == "":
				return 0
			case pid != 0:
				return treeCPU(procs, pid)
			default:
				return namedCPU(procs, name)
			}
		}
		c.db, c.nats = server(e.dbCfg.URL, "postgres"), server(e.busCfg.URL, "nats-server")
	}
	// Read /proc counts neither in the window it starts nor in the one
	// it ends (see minus).
	c.self = selfCPU(b)
	return c
}

// listenerPIDs caches listener: looking a socket up reads every file
// descriptor of the machine, which would count in the window measured.
var listenerPIDs sync.Map

func listenerPID(url string) int {
	if url == "" {
		return 0
	}
	if pid, ok := listenerPIDs.Load(url); ok {
		return pid.(int)
	}
	pid := listener(url)
	listenerPIDs.Store(url, pid)
	return pid
}

// selfCPU is the CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// proc is one process of /proc (Linux; none elsewhere).
type proc struct {
	name string
	ppid int
	// CPU ticks: its own, and those of its children it has reaped (a
	// PostgreSQL backend that exited counts on the postmaster).
	ticks int64
}

func readProcs() map[int]proc {
	out := map[int]proc{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range dirs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		f := strings.Fields(s[end+1:])
		// After the name: f[0] is state (field 3 of stat), f[1] ppid,
		// f[11..14] utime, stime, cutime, cstime.
		if len(f) < 15 {
			continue
		}
		pr := proc{name: s[open+1 : end]}
		pr.ppid, _ = strconv.Atoi(f[1])
		for _, x := range f[11:15] {
			n, _ := strconv.ParseInt(x, 10, 64)
			pr.ticks += n
		}
		out[pid] = pr
	}
	return out
}

// treeCPU is the CPU time of root and its descendants.
func treeCPU(procs map[int]proc, root int) time.Duration {
	var ticks int64
	for pid, p := range procs {
		for q := pid; q > 1; q = procs[q].ppid {
			if q == root {
				ticks += p.ticks
				break
			}
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// namedCPU is the CPU time of every process with this command name.
func namedCPU(procs map[int]proc, name string) time.Duration {
	var ticks int64
	for _, p := range procs {
		if p.name == name {
			ticks += p.ticks
		}
	}
	return time.Duration(ticks) * time.Second / 100
}

// listener is the PID of the local process listening on the TCP port of
// a URL whose host is this machine, or 0.
func listener(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 0
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
	default:
		return 0
	}
	port, err := strconv.ParseUint(u.Port(), 10, 16)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, t := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			f := strings.Fields(line)
			// local_address is hex ip:port; state 0A is LISTEN; f[9] the inode.
			if len(f) < 10 || f[3] != "0A" {
				continue
			}
			if i := strings.LastIndexByte(f[1], ':'); i >= 0 {
				if p, err := strconv.ParseUint(f[1][i+1:], 16, 16); err == nil && p == port {
					inodes["socket:["+f[9]+"]"] = true
				}
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && inodes[l] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	return 0
}
