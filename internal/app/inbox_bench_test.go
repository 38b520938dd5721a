package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/logging"
	"tanggap/internal/search/benchseed"
	"tanggap/internal/testenv"
)

// BenchmarkInboxHTTP: the agent inbox as a console reads it,
// GET /api/v1/tickets?limit=20 over HTTP with a bearer token, from 8
// clients at once for 5 s, with 100,000 tickets (half of them active) in
// 20 queues: an admin's inbox (every ticket) and an agent's (two queues).
// Pages per second, the page's p99 and the CPU per page: this process's
// (server and clients) and its PostgreSQL backends' (cpuMeter), the
// server's background work included (logged: its CPU over an idle phase).
// The seeded tickets' SLA announcements are marked made, as on a system
// that has been running.
//
//	go test -run '^$' -bench InboxHTTP -benchtime 1x ./internal/app/
func BenchmarkInboxHTTP(b *testing.B) {
	cfg := apptest.Config(b)
	// Logged as a deployment logs (a JSON line written per record, here to
	// the null device): the test's log (testing.T.Log, which walks the
	// stack for every line) was a fifth of the server's CPU a request.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { null.Close() }) // after the app stops (cleanups run last first)
	a := apptest.StartLogging(b, cfg, logging.New(null, "info", "json"))
	d, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	if err := benchseed.Seed(context.Background(), d, benchseed.Size{Tickets: 100000, Messages: 1, Queues: 20}); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded 100,000 tickets in %v", time.Since(start).Round(time.Second))
	// The steady state of a running system: the SLA warnings and breaches
	// of the seeded tickets were announced as they came due. Without this
	// the SLA clock spends the whole run announcing tens of thousands of
	// old breaches beside the inbox (a quarter of a core of PostgreSQL),
	// which is not a page's cost.
	now := time.Now().UTC()
	if err := d.Exec(`UPDATE tickets SET sla_warned = 'resolution' WHERE resolution_due_at <= ? AND sla_warned = ''`, now.Add(4*24*time.Hour)).Error; err != nil {
		b.Fatal(err)
	}
	if err := d.Exec(`UPDATE tickets SET sla_breached = 'resolution' WHERE resolution_due_at <= ? AND sla_breached = ''`, now).Error; err != nil {
		b.Fatal(err)
	}
	// And autovacuum had cleaned up after those marks: the two updates of
	// every ticket left dead versions in the table and its indexes, which
	// the pages would otherwise step over, and the visibility map cleared
	// (every index-only read then visits the table), until autovacuum
	// came by in the middle of a phase.
	if err := benchseed.Settle(context.Background(), d, "tickets"); err != nil {
		b.Fatal(err)
	}
	admin := apptest.NewClient(b, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "inbox@tanggap.test", "name": "Inbox",
		"password": "password-inbox", "role": "agent", "capacity": 5, "queues": []string{"bq0", "bq1"}}); r.Status != http.StatusCreated {
		b.Fatalf("create agent: %d %s", r.Status, r.Body)
	}
	agent := apptest.NewClient(b, a.URL())
	agent.Login("inbox@tanggap.test", "password-inbox")
	// A sweep of the SLA clock that read the tickets before they were
	// marked still works through them (one statement each): wait, at most
	// two minutes, for a second in which the server is nearly idle.
	settle := time.Now()
	for time.Since(settle) < 2*time.Minute {
		m := startCPU()
		time.Sleep(time.Second)
		if self, pg := m.since(); self+pg < 100*time.Millisecond {
			break
		}
	}
	b.Logf("settled in %v", time.Since(settle).Round(time.Second))
	// What the server does with no request, over as long as a load phase
	// (SLA sweeps, presence): part of every phase's CPU below.
	m := startCPU()
	time.Sleep(benchDur)
	self, pg := m.since()
	b.Logf("idle for %v: process %v, PostgreSQL %v", benchDur, self.Round(time.Millisecond), pg.Round(time.Millisecond))
	for i := 0; i < b.N; i++ {
		for _, who := range []struct {
			name, unit string
			token      string
		}{{"admin", "admin-", admin.Token}, {"agent (two queues of 20)", "agent-", agent.Token}} {
			m := startCPU()
			rate, p99 := inboxLoad(b, a.URL(), who.token, 8, benchDur)
			self, pg := m.since()
			pages := rate * benchDur.Seconds()
			b.ReportMetric(rate, who.unit+"pages/s")
			b.ReportMetric(p99, who.unit+"p99-ms")
			b.ReportMetric(float64(self.Microseconds())/pages, who.unit+"µs-cpu/page")
			b.ReportMetric(float64(pg.Microseconds())/pages, who.unit+"µs-pg-cpu/page")
			b.Logf("%s inbox over HTTP: %.0f pages/s, p99 %.1f ms (8 clients); CPU per page: process %.0f µs (server and clients), PostgreSQL %.0f µs",
				who.name, rate, p99, float64(self.Microseconds())/pages, float64(pg.Microseconds())/pages)
		}
	}
}

func inboxLoad(b *testing.B, base, token string, clients int, dur time.Duration) (rate, p99ms float64) {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var pages atomic.Int64
	var failed atomic.Value
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/tickets?limit=20", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Store(fmt.Sprintf("status %d", res.StatusCode))
					return
				}
				mine = append(mine, time.Since(t0))
				pages.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if v := failed.Load(); v != nil {
		b.Fatal(v)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatal("no page read")
	}
	return float64(pages.Load()) / dur.Seconds(), float64(lat[len(lat)*99/100].Microseconds()) / 1000
}

var benchDur = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("INBOX_DUR")); err == nil {
		return d
	}
	return 5 * time.Second
}()
