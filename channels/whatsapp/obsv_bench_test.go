package whatsapp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"tanggap/internal/config"
	"tanggap/internal/metrics"
	"tanggap/internal/testenv"
	"tanggap/internal/viewaudit"
)

// BenchmarkObservabilityOverhead measures what Prometheus metrics and the
// view audit cost the webhook path (issue target: ≤ 5 % of webhook
// throughput). Each run starts a fresh contact center, either with both on
// (METRICS_ADDR set, every ticket view audited) or both off, and sends the
// same load: signed WhatsApp webhooks (one message per POST, 64
// connections, as fast as they go) with an agent opening a ticket for every
// tenth message (the audited view). Runs alternate on/off, off/on (ABBA)
// so drift of the shared machine falls on both sides.
//
// Reported: the median webhook throughput (POSTs acknowledged, and all
// messages stored) of each side and, sturdier on a shared machine, the CPU
// time this process (server, core, embedded NATS, generator) spent per
// message; the overheads are the medians of each pair's on/off ratio, with
// the best and worst pair beside them (the noise of the run).
// BenchmarkObservationsPerMessage prices the same work without the noise.
// BENCH_OBS_PAIRS sets the number of on/off pairs (default 3),
// BENCH_OBS_MESSAGES the messages per run (default 10,000);
// BENCH_OBS_SIDE=on (or off) runs that side only, to profile it.
//
//	go test -run '^$' -bench ObservabilityOverhead -benchtime 1x ./channels/whatsapp/
func BenchmarkObservabilityOverhead(b *testing.B) {
	pairs := envInt(b, "BENCH_OBS_PAIRS", 3)
	messages := envInt(b, "BENCH_OBS_MESSAGES", 10000)
	b.ResetTimer()
	for range b.N {
		var on, off []obsRun
		// Per pair, on against off: the two ran back to back, so their
		// ratio cancels most of what the machine's load did meanwhile.
		var ackRatio, cpuRatio []float64
		for p := range pairs {
			order := []bool{true, false}
			if p%2 == 1 {
				order = []bool{false, true}
			}
			switch os.Getenv("BENCH_OBS_SIDE") { // one side alone, to profile it (-cpuprofile)
			case "on":
				order = []bool{true, true}
			case "off":
				order = []bool{false, false}
			}
			var pair [2]obsRun // off, on
			for _, enabled := range order {
				r := runObservability(b, enabled, messages)
				b.Logf("metrics+view audit %-3s: %d messages acked at %.0f/s, stored at %.0f/s, %v CPU per message (%d views)",
					onOff(enabled), messages, r.acked, r.stored, r.cpu, r.views)
				if enabled {
					on, pair[1] = append(on, r), r
				} else {
					off, pair[0] = append(off, r), r
				}
			}
			if len(on) == 0 || len(off) == 0 {
				continue // one side alone: nothing to compare
			}
			ackRatio = append(ackRatio, pair[1].acked/pair[0].acked)
			cpuRatio = append(cpuRatio, float64(pair[1].cpu)/float64(pair[0].cpu))
		}
		if len(ackRatio) == 0 {
			continue
		}
		ackOn, ackOff := median(on, func(r obsRun) float64 { return r.acked }), median(off, func(r obsRun) float64 { return r.acked })
		stOn, stOff := median(on, func(r obsRun) float64 { return r.stored }), median(off, func(r obsRun) float64 { return r.stored })
		cpuOn, cpuOff := median(on, func(r obsRun) float64 { return float64(r.cpu) }), median(off, func(r obsRun) float64 { return float64(r.cpu) })
		slices.Sort(ackRatio)
		slices.Sort(cpuRatio)
		thr := (1 - medianOf(ackRatio)) * 100
		cpu := (medianOf(cpuRatio) - 1) * 100
		b.ReportMetric(ackOn, "acked-msgs/s-on")
		b.ReportMetric(ackOff, "acked-msgs/s-off")
		b.ReportMetric(stOn, "stored-msgs/s-on")
		b.ReportMetric(stOff, "stored-msgs/s-off")
		b.ReportMetric(cpuOn/1000, "cpu-µs/msg-on")
		b.ReportMetric(cpuOff/1000, "cpu-µs/msg-off")
		// The overheads: medians of the pairs' ratios, with the spread of
		// the pairs (the noise of this run) beside them.
		b.ReportMetric(thr, "metrics-audit-overhead-%")
		b.ReportMetric((1-ackRatio[len(ackRatio)-1])*100, "metrics-audit-overhead-%-best")
		b.ReportMetric((1-ackRatio[0])*100, "metrics-audit-overhead-%-worst")
		b.ReportMetric(cpu, "metrics-audit-cpu-overhead-%")
		b.ReportMetric((cpuRatio[0]-1)*100, "metrics-audit-cpu-overhead-%-best")
		b.ReportMetric((cpuRatio[len(cpuRatio)-1]-1)*100, "metrics-audit-cpu-overhead-%-worst")
		b.Logf("%d pairs: acked %.0f/s on vs %.0f/s off (median), stored %.0f/s vs %.0f/s, CPU per message %v vs %v; "+
			"overhead (median of pairs) %.1f %% throughput, %.1f %% CPU",
			pairs, ackOn, ackOff, stOn, stOff, time.Duration(cpuOn).Round(time.Microsecond), time.Duration(cpuOff).Round(time.Microsecond), thr, cpu)
	}
}

type obsRun struct {
	acked, stored float64       // messages per second
	cpu           time.Duration // process CPU per message, acked to stored
	views         int
}

// runObservability starts one contact center with metrics and the view
// audit on or off, sends the load and stops it.
func runObservability(b *testing.B, enabled bool, messages int) obsRun {
	b.Helper()
	e := startWAWith(b, func(c *config.Config) {
		if !enabled {
			c.MetricsAddr = ""
			c.NoViewAudit = true
		}
	})
	defer e.check.Close()
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
	waitStored := func(want int64) { e.waitStored(b, want, 5*time.Minute, 10*time.Millisecond) }
	// send posts every message (and, with views, opens a ticket after
	// every viewEvery-th) over conns connections.
	send := func(round int, tickets []int64) (time.Duration, int) {
		var wg sync.WaitGroup
		var failed sync.Map
		next := make(chan int)
		start := time.Now()
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := do(http.MethodPost, "/webhooks/whatsapp", body(round, i)); err != nil {
						failed.Store(i, err)
					}
					if len(tickets) > 0 && i%viewEvery == 0 {
						if err := do(http.MethodGet, "/api/v1/tickets/"+strconv.FormatInt(tickets[(i/viewEvery)%len(tickets)], 10), nil); err != nil {
							failed.Store(-i-1, err)
						}
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
		views := 0
		if len(tickets) > 0 {
			views = (messages + viewEvery - 1) / viewEvery
		}
		return time.Since(start), views
	}

	// Warm up (not measured): every citizen gets a ticket, the agent's
	// views have tickets to open.
	_, _ = send(0, nil)
	waitStored(int64(messages))
	var tickets []int64
	if err := e.check.Raw(`SELECT id FROM tickets ORDER BY id LIMIT 500`).Scan(&tickets).Error; err != nil || len(tickets) == 0 {
		b.Fatalf("tickets to view: %v (%d)", err, len(tickets))
	}

	cpu0, start := processCPU(), time.Now()
	acked, views := send(1, tickets)
	waitStored(int64(2 * messages))
	all := time.Since(start)
	cpu := (processCPU() - cpu0) / time.Duration(messages)

	if enabled {
		// Both really on: the webhook route is counted, the views audited.
		res, err := http.Get(e.app.MetricsURL())
		if err != nil {
			b.Fatal(err)
		}
		text, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(text), `tanggap_http_requests_total{method="POST",route="/webhooks/whatsapp",status="200"}`) {
			b.Fatalf("metrics do not count the webhook:\n%s", text)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.app.Stop(ctx); err != nil { // the view audit's last flush
		b.Fatal(err)
	}
	var audited int64
	if err := e.check.Raw(`SELECT COUNT(*) FROM view_audit`).Scan(&audited).Error; err != nil {
		b.Fatal(err)
	}
	if want := int64(views); enabled && audited != want || !enabled && audited != 0 {
		b.Fatalf("view audit %s: %d views recorded of %d", onOff(enabled), audited, views)
	}
	return obsRun{acked: float64(messages) / acked.Seconds(), stored: float64(messages) / all.Seconds(), cpu: cpu, views: views}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func median(rs []obsRun, f func(obsRun) float64) float64 {
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
