package whatsapp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"tanggap/internal/metrics"
	"tanggap/internal/testenv"
	"tanggap/internal/viewaudit"
)

// BenchmarkObservabilityOverhead measures what Prometheus metrics and the
// view audit cost the webhook path (issue target: ≤ 5 % of webhook
// throughput), within one running contact center so that both sides share
// the database, its files and caches, the streams and the warm process:
// separate contact centers per side differed more from run to run than the
// effect. The load is signed WhatsApp webhooks (one message per POST, 64
// connections, as fast as they go) with an agent opening a ticket after
// every tenth message (the audited view). It runs in phases of
// BENCH_OBS_MESSAGES messages (default 1,000), observations on and off by
// turns (App.SetObservations: off, no metric is recorded and no view
// audited), in the order on off off on on off … (ABBA), so a drift of the
// machine or of the growing database falls on both sides. Each phase ends
// when every message is stored and the views it audited are written; the
// phases' counters (the webhook's request count, the views audited) are
// checked between phases: off adds nothing, on adds every one.
//
// Per phase: the webhook throughput (POSTs acknowledged per second, and
// messages stored per second up to the last) and the CPU time per message
// of this process (server, core, the embedded NATS, the load generator)
// plus, on PostgreSQL, the database backends serving it. The overheads are
// the medians over pairs (adjacent on and off phases) of on/off, with the
// best and worst pair (the noise) and the pooled ratio of all phases'
// CPU. On external NATS its server's CPU is reported beside, apart: the
// server is shared, other users' traffic lands in it.
// BenchmarkObservationsPerMessage prices the observations alone.
// BENCH_OBS_PHASES sets the number of phases (default 40, even);
// BENCH_OBS_SIDE=on (or off) keeps that side in every phase, to profile it;
// BENCH_OBS_SIDE=same-on (or same-off) keeps the phases' sides and pairs
// but runs every phase the same, to see what the pairing alone measures.
// BENCH_OBS_PROFILE=<folder> writes a CPU profile per phase
// (phase-07-on.pprof; merge one side's with go tool pprof -proto). With -v,
// each phase also tells its mean webhook and ticket view latency and how
// often and how long writes waited for SQLite's write lock.
//
//	go test -run '^$' -bench ObservabilityOverhead -benchtime 1x ./channels/whatsapp/
func BenchmarkObservabilityOverhead(b *testing.B) {
	phases := envInt(b, "BENCH_OBS_PHASES", 40)
	messages := envInt(b, "BENCH_OBS_MESSAGES", 1000)
	if phases%2 == 1 {
		phases++
	}
	for range b.N {
		runObservability(b, phases, messages)
	}
}

type obsPhase struct {
	on            bool
	acked, stored float64       // messages per second
	cpu           time.Duration // per message: process (+ PostgreSQL backends)
	pg            time.Duration // per message: the PostgreSQL backends (in cpu; 0 embedded)
	nats          time.Duration // per message: the external NATS server (0 embedded)
}

func runObservability(b *testing.B, phases, messages int) {
	b.Helper()
	b.StopTimer()
	e := startWA(b)
	ctx := context.Background()
	addr := strings.TrimPrefix(e.api.Base, "http://")
	client := &fasthttp.HostClient{Addr: addr, MaxConns: 256, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	const citizens, conns, viewEvery = 2000, 64, 10
	base := time.Now().UTC().Add(-time.Hour)
	body := func(round, i int) []byte {
		from := fmt.Sprintf("62813%08d", i%citizens)
		return textWebhook(numberA, from, fmt.Sprintf("wamid.obs-%d-%d", round, i), base.Add(time.Duration(round*messages+i)*time.Millisecond),
			"Halo, kartu prakerja saya belum aktif sejak minggu lalu, mohon dibantu dicek. Terima kasih.")
	}
	do := func(method, uri string, body []byte) error {
		req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(res)
		req.SetRequestURI("http://" + addr + uri)
		req.Header.SetMethod(method)
		if body != nil {
			req.Header.SetContentType("application/json")
			req.Header.Set("X-Hub-Signature-256", sign(body))
			req.SetBodyRaw(body)
		} else {
			req.Header.Set("Authorization", "Bearer "+e.api.Token)
		}
		if err := client.Do(req, res); err != nil {
			return err
		}
		if res.StatusCode() != http.StatusOK {
			return fmt.Errorf("%s %s: status %d: %s", method, uri, res.StatusCode(), res.Body())
		}
		return nil
	}
	// postNs and getNs add up the phase's webhook and ticket view latencies.
	var postNs, getNs atomic.Int64
	// send posts messages webhooks (and, with tickets, opens one after
	// every viewEvery-th) over conns connections; it returns the views.
	send := func(round int, tickets []int64) int {
		var wg sync.WaitGroup
		var failed sync.Map
		next := make(chan int)
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					t0 := time.Now()
					if err := do(http.MethodPost, "/webhooks/whatsapp", body(round, i)); err != nil {
						failed.Store(i, err)
					}
					postNs.Add(int64(time.Since(t0)))
					if len(tickets) > 0 && i%viewEvery == 0 {
						t0 = time.Now()
						if err := do(http.MethodGet, "/api/v1/tickets/"+strconv.FormatInt(tickets[(round*messages+i)/viewEvery%len(tickets)], 10), nil); err != nil {
							failed.Store(-i-1, err)
						}
						getNs.Add(int64(time.Since(t0)))
					}
				}
			}()
		}
		for i := range messages {
			next <- i
		}
		close(next)
		wg.Wait()
		failed.Range(func(k, v any) bool { b.Fatalf("request %v failed: %v", k, v); return false })
		if len(tickets) == 0 {
			return 0
		}
		return (messages + viewEvery - 1) / viewEvery
	}
	// waitStored waits until a round's messages are stored. It counts
	// only the messages above the highest id before the round (by the
	// primary key): a count of the whole table, every 10 ms, cost more
	// database CPU the longer a phase waited, and more as the table grew.
	var floor int64
	waitStored := func() {
		testenv.CheckFor(b, 5*time.Minute, 10*time.Millisecond, func() error {
			var n int64
			if err := e.check.Raw(`SELECT COUNT(*) FROM messages WHERE id > ? AND channel = 'whatsapp' AND direction = 'in'`, floor).Scan(&n).Error; err != nil {
				return err
			}
			if n < int64(messages) {
				return fmt.Errorf("%d of %d stored", n, messages)
			}
			return nil
		})
		if err := e.check.Raw(`SELECT COALESCE(MAX(id), 0) FROM messages`).Scan(&floor).Error; err != nil {
			b.Fatal(err)
		}
	}
	counters := func() (webhooks, audited int64) {
		res, err := http.Get(e.app.MetricsURL())
		if err != nil {
			b.Fatal(err)
		}
		text, _ := io.ReadAll(res.Body)
		res.Body.Close()
		const series = `tanggap_http_requests_total{method="POST",route="/webhooks/whatsapp",status="200"} `
		if i := strings.Index(string(text), series); i >= 0 {
			line, _, _ := strings.Cut(string(text[i+len(series):]), "\n")
			f, err := strconv.ParseFloat(line, 64)
			if err != nil {
				b.Fatalf("metrics: %q: %v", line, err)
			}
			webhooks = int64(f)
		}
		if err := e.check.Raw(`SELECT COUNT(*) FROM view_audit`).Scan(&audited).Error; err != nil {
			b.Fatal(err)
		}
		return webhooks, audited
	}
	pgURL := os.Getenv("TEST_DATABASE_URL") != ""
	natsURL := os.Getenv("TEST_NATS_URL") != ""
	meter := func() (self time.Duration, pg map[int]time.Duration, nats time.Duration) {
		if pgURL {
			pg = testenv.PostgresBackendsCPU()
		}
		if natsURL {
			nats = testenv.ProcessesCPU("nats-server")
		}
		return testenv.ProcessCPU(), pg, nats
	}

	// Warm up (not measured, observations on): every citizen gets a
	// ticket, the agent's views have tickets to open, every series exists.
	send(0, nil)
	waitStored()
	var tickets []int64
	if err := e.check.Raw(`SELECT id FROM tickets ORDER BY id LIMIT 500`).Scan(&tickets).Error; err != nil || len(tickets) == 0 {
		b.Fatalf("tickets to view: %v (%d)", err, len(tickets))
	}
	const warm = 4 // rounds of warm-up, the last three with views
	for round := 1; round < warm; round++ {
		send(round, tickets)
		waitStored()
	}
	if err := e.app.SetObservations(ctx, false); err != nil { // writes the warm-up's views
		b.Fatal(err)
	}

	load0, _ := os.ReadFile("/proc/loadavg")
	var all []obsPhase
	b.StartTimer()
	for p := range phases {
		on := p%4 == 0 || p%4 == 3 // on off off on: ABBA
		// observe is what the phase really does: its side, unless one
		// side is kept throughout (BENCH_OBS_SIDE=on|off) or, to see what
		// the pairing alone measures, the phases keep their sides' names
		// and all run the same (BENCH_OBS_SIDE=same-on|same-off).
		observe := on
		switch os.Getenv("BENCH_OBS_SIDE") {
		case "on":
			on, observe = true, true
		case "off":
			on, observe = false, false
		case "same-on":
			observe = true
		case "same-off":
			observe = false
		}
		hooks0, audited0 := counters()
		if err := e.app.SetObservations(ctx, observe); err != nil {
			b.Fatal(err)
		}
		self0, pg0, nats0 := meter()
		stopProfile := phaseProfile(b, p, on)
		postNs.Store(0)
		getNs.Store(0)
		waits0, waited0 := e.check.WriteLockWaits()
		start := time.Now()
		views := send(warm+p, tickets)
		acked := time.Since(start)
		waitStored()
		waits1, waited1 := e.check.WriteLockWaits()
		stopProfile()
		// Every phase ends the same way: observations off, which writes
		// the views the phase audited (nothing when it was off).
		if err := e.app.SetObservations(ctx, false); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		self1, pg1, nats1 := meter()
		var pg time.Duration
		for pid, t := range pg1 {
			pg += t - pg0[pid] // a backend born during the phase counts whole
		}
		cpu := self1 - self0 + pg
		ph := obsPhase{on: on, acked: float64(messages) / acked.Seconds(), stored: float64(messages) / took.Seconds(),
			cpu: cpu / time.Duration(messages), pg: pg / time.Duration(messages), nats: (nats1 - nats0) / time.Duration(messages)}
		all = append(all, ph)
		hooks1, audited1 := counters()
		wantHooks, wantViews := int64(0), int64(0)
		if observe {
			wantHooks, wantViews = int64(messages), int64(views)
		}
		if hooks1-hooks0 != wantHooks || audited1-audited0 != wantViews {
			b.Fatalf("phase %d, observations %s: %d webhooks counted (want %d), %d views audited (want %d)",
				p, onOff(observe), hooks1-hooks0, wantHooks, audited1-audited0, wantViews)
		}
		b.Logf("phase %2d observations %-3s: acked %5.0f/s, stored %5.0f/s, %v CPU per message%s; mean webhook %v, view %v; "+
			"writes waited for the SQLite write lock %d times, %v",
			p, onOff(on), ph.acked, ph.stored, ph.cpu.Round(time.Microsecond), externalNote(pgURL, natsURL, ph),
			(time.Duration(postNs.Load()) / time.Duration(messages)).Round(time.Microsecond),
			(time.Duration(getNs.Load()) / time.Duration(max(views, 1))).Round(time.Microsecond), waits1-waits0, (waited1 - waited0).Round(time.Millisecond))
	}
	b.StopTimer()
	load1, _ := os.ReadFile("/proc/loadavg")
	on := slices.DeleteFunc(slices.Clone(all), func(p obsPhase) bool { return !p.on })
	off := slices.DeleteFunc(slices.Clone(all), func(p obsPhase) bool { return p.on })
	for _, side := range []struct {
		name   string
		phases []obsPhase
	}{{"on", on}, {"off", off}} {
		if len(side.phases) == 0 {
			continue // one side alone (BENCH_OBS_SIDE)
		}
		b.ReportMetric(median(side.phases, func(p obsPhase) float64 { return p.acked }), "acked-msgs/s-"+side.name)
		b.ReportMetric(median(side.phases, func(p obsPhase) float64 { return p.stored }), "stored-msgs/s-"+side.name)
		b.ReportMetric(median(side.phases, func(p obsPhase) float64 { return float64(p.cpu) })/1000, "cpu-µs/msg-"+side.name)
	}
	if len(on) == 0 || len(off) == 0 {
		return
	}
	// Pairs: phases 2k and 2k+1 ran back to back, one on and one off.
	var thr, cpu, natsR []float64
	var cpuOn, cpuOff, natsOn, natsOff time.Duration
	for k := 0; k+1 < len(all); k += 2 {
		a, c := all[k], all[k+1]
		if !a.on {
			a, c = c, a
		}
		thr = append(thr, (1-a.acked/c.acked)*100)
		cpu = append(cpu, (float64(a.cpu)/float64(c.cpu)-1)*100)
		cpuOn, cpuOff = cpuOn+a.cpu, cpuOff+c.cpu
		if natsURL {
			natsR = append(natsR, (float64(a.cpu+a.nats)/float64(c.cpu+c.nats)-1)*100)
			natsOn, natsOff = natsOn+a.cpu+a.nats, natsOff+c.cpu+c.nats
		}
	}
	slices.Sort(thr)
	slices.Sort(cpu)
	b.ReportMetric(medianOf(thr), "metrics-audit-overhead-%")
	b.ReportMetric(thr[0], "metrics-audit-overhead-%-best")
	b.ReportMetric(thr[len(thr)-1], "metrics-audit-overhead-%-worst")
	b.ReportMetric(medianOf(cpu), "metrics-audit-cpu-overhead-%")
	b.ReportMetric(cpu[0], "metrics-audit-cpu-overhead-%-best")
	b.ReportMetric(cpu[len(cpu)-1], "metrics-audit-cpu-overhead-%-worst")
	b.ReportMetric(cpu[len(cpu)/4], "metrics-audit-cpu-overhead-%-q1")
	b.ReportMetric(cpu[(3*len(cpu))/4], "metrics-audit-cpu-overhead-%-q3")
	pooled := (float64(cpuOn)/float64(cpuOff) - 1) * 100
	b.ReportMetric(pooled, "metrics-audit-cpu-overhead-%-pooled")
	b.Logf("%d phases of %d messages (%d pairs), load %s → %s: throughput overhead median %.1f %% (pairs %.1f … %.1f), "+
		"CPU overhead median %.1f %% (pairs %.1f … %.1f, IQR %.1f … %.1f, pooled %.1f %%)",
		len(all), messages, len(thr), strings.TrimSpace(string(load0)), strings.TrimSpace(string(load1)),
		medianOf(thr), thr[0], thr[len(thr)-1], medianOf(cpu), cpu[0], cpu[len(cpu)-1], cpu[len(cpu)/4], cpu[(3*len(cpu))/4], pooled)
	if natsURL {
		slices.Sort(natsR)
		b.ReportMetric(medianOf(natsR), "metrics-audit-cpu-overhead-%-with-nats")
		b.Logf("with the (shared) NATS server's CPU: median %.1f %% (pairs %.1f … %.1f, pooled %.1f %%)",
			medianOf(natsR), natsR[0], natsR[len(natsR)-1], (float64(natsOn)/float64(natsOff)-1)*100)
	}
}

// phaseProfile writes a CPU profile of one phase into BENCH_OBS_PROFILE
// (a folder), named by phase and side; it returns the stop.
func phaseProfile(b *testing.B, p int, on bool) func() {
	dir := os.Getenv("BENCH_OBS_PROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("phase-%02d-%s.pprof", p, onOff(on))))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// externalNote tells the external servers' part of a phase's CPU.
func externalNote(pg, nats bool, p obsPhase) string {
	var note string
	if pg {
		note += fmt.Sprintf(" (PostgreSQL %v of it)", p.pg.Round(time.Microsecond))
	}
	if nats {
		note += fmt.Sprintf(" + %v NATS server", p.nats.Round(time.Microsecond))
	}
	return note
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func median(rs []obsPhase, f func(obsPhase) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return medianOf(v)
}

// medianOf is the median of sorted values.
func medianOf(v []float64) float64 {
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: %q is not a positive whole number", name, v)
	}
	return n
}

// BenchmarkObservationsPerMessage prices, without the noise of a whole
// contact center on a shared machine, what metrics and the view audit add
// per webhook message in BenchmarkObservabilityOverhead's load: the HTTP
// request observed (route, method, status, latency), the message counted
// in, its share of an ingest batch (100 messages) and its routing
// decision; and for every tenth message an agent's ticket view, observed
// and audited (the view buffered, and the batches written to the
// database by the recorder's writer: its CPU is in the figure). Compare
// cpu-ns/msg with cpu-µs/msg-off of the end-to-end benchmark.
//
//	go test -run '^$' -bench ObservationsPerMessage ./channels/whatsapp/
func BenchmarkObservationsPerMessage(b *testing.B) {
	m := metrics.New(metrics.Opts{})
	rec := viewaudit.New(viewaudit.Opts{DB: testenv.DB(b)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	method := []byte("POST")
	// make bench runs one iteration: each is 200,000 messages.
	const perOp = 200000
	b.ResetTimer()
	cpu0 := processCPU()
	for i := range b.N * perOp {
		start := time.Now()
		m.Request("/webhooks/whatsapp", strings.Clone(string(method)), http.StatusOK, time.Since(start))
		m.Received("whatsapp", "accepted", 1)
		if i%100 == 0 {
			m.Ingested(100, time.Since(start))
		}
		m.Routed("queued", time.Since(start))
		if i%10 == 0 {
			id := int64(i/10%500 + 1)
			if err := rec.Record(ctx, viewaudit.View{AgentID: 1, Kind: viewaudit.KindTicket, TicketID: &id}); err != nil {
				b.Fatal(err)
			}
			m.Request("/api/v1/tickets/:id<int>", "GET", http.StatusOK, time.Since(start))
		}
	}
	if err := rec.Flush(ctx); err != nil { // the writer's work is part of the cost
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N*perOp), "cpu-ns/msg")
}
