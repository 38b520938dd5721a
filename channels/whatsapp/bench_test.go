package whatsapp_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkWebhook measures signed webhook ingest through the whole front
// half: HTTP POST → signature → parse → JetStream publish acknowledged →
// 200, then the core storing every message (contact, ticket, message).
// The load generator runs in this process on loopback.
//
//   - throughput: 20,000 messages (one per POST, as Meta sends them) from
//     2,000 citizens, 64 connections as fast as they go;
//
//   - latency: a steady 2,000 messages/s for 5 s, open loop (latency
//     counted from when each POST was due, so a stall is not hidden).
//
//     go test -run '^$' -bench Webhook -benchtime 1x ./channels/whatsapp/
func BenchmarkWebhook(b *testing.B) {
	e := startWA(b)
	// fasthttp as the generator: net/http's client would spend more of the
	// two cores than the server it measures.
	addr := strings.TrimPrefix(e.api.Base, "http://")
	client := &fasthttp.HostClient{Addr: addr, MaxConns: 256, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	round := 0
	bodies := func(n int) [][]byte {
		round++
		out := make([][]byte, n)
		base := time.Now().UTC().Add(-time.Hour)
		for i := range out {
			from := fmt.Sprintf("62813%08d", i%2000)
			out[i] = textWebhook(numberA, from, fmt.Sprintf("wamid.bench-%d-%d", round, i), base.Add(time.Duration(i)*time.Millisecond),
				"Halo, kartu prakerja saya belum aktif sejak minggu lalu, mohon dibantu dicek. Terima kasih.")
		}
		return out
	}
	post := func(body []byte) error {
		req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(res)
		req.SetRequestURI("http://" + addr + "/webhooks/whatsapp")
		req.Header.SetMethod(http.MethodPost)
		req.Header.SetContentType("application/json")
		req.Header.Set("X-Hub-Signature-256", sign(body))
		req.SetBodyRaw(body)
		if err := client.Do(req, res); err != nil {
			return err
		}
		if res.StatusCode() != http.StatusOK {
			return fmt.Errorf("status %d: %s", res.StatusCode(), res.Body())
		}
		return nil
	}
	stored := func() int64 {
		n, err := e.storedWhatsApp()
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	waitStored := func(want int64) { e.waitStored(b, want, 5*time.Minute, 20*time.Millisecond) }

	b.ResetTimer()
	for range b.N {
		// Throughput.
		const total, conns = 20000, 64
		before := stored()
		work := bodies(total)
		lat := make([]time.Duration, total)
		var failed sync.Map
		next := make(chan int)
		var wg sync.WaitGroup
		cpu0 := processCPU()
		start := time.Now()
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					t0 := time.Now()
					if err := post(work[i]); err != nil {
						failed.Store(i, err)
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		for i := range work {
			next <- i
		}
		close(next)
		wg.Wait()
		acked := time.Since(start)
		failed.Range(func(k, v any) bool { b.Fatalf("POST %v failed: %v", k, v); return false })
		waitStored(before + total)
		all := time.Since(start)
		cpuPerMsg := (processCPU() - cpu0) / total
		p50, p99 := percentiles(lat)
		b.ReportMetric(total/acked.Seconds(), "acked-msgs/s")
		b.ReportMetric(total/all.Seconds(), "stored-msgs/s")
		b.ReportMetric(float64(cpuPerMsg.Microseconds()), "cpu-µs/msg")
		b.Logf("throughput: %d messages over %d connections acknowledged in %v (%.0f/s, p50 %v, p99 %v); all stored after %v (%.0f/s); "+
			"this process (server, core, generator) spent %v CPU per message", total, conns, acked.Round(time.Millisecond), total/acked.Seconds(),
			p50, p99, all.Round(time.Millisecond), total/all.Seconds(), cpuPerMsg)

		// Latency at a steady rate.
		const rate, seconds = 2000, 5
		n := rate * seconds
		before = stored()
		work = bodies(n)
		lat = make([]time.Duration, n)
		type job struct {
			i   int
			due time.Time
		}
		jobs := make(chan job, n)
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					if err := post(work[j.i]); err != nil {
						failed.Store(j.i, err)
					}
					lat[j.i] = time.Since(j.due)
				}
			}()
		}
		start = time.Now()
		interval := time.Second / rate
		for i := range n {
			due := start.Add(time.Duration(i) * interval)
			if d := time.Until(due); d > 0 {
				time.Sleep(d) // pacing the generator, not waiting on a result
			}
			jobs <- job{i, due}
		}
		close(jobs)
		wg.Wait()
		failed.Range(func(k, v any) bool { b.Fatalf("POST %v failed: %v", k, v); return false })
		waitStored(before + int64(n))
		p50, p99 = percentiles(lat)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms@2000/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms@2000/s")
		b.Logf("latency at %d messages/s for %ds: p50 %v, p99 %v; all stored %v after the first POST",
			rate, seconds, p50, p99, time.Since(start).Round(time.Millisecond))
	}
}

// processCPU is the CPU time (user + system) this process has used: the
// machine is shared, so throughput alone says little without it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(10 * time.Microsecond), s[len(s)*99/100].Round(10 * time.Microsecond)
}
