package search_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/migrate"
	"tanggap/internal/search"
	"tanggap/internal/search/benchseed"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// benchSize is 200,000 tickets with 5 messages each (1,000,000 messages)
// in 20 queues; SEARCH_BENCH_TICKETS changes the number of tickets.
func benchSize() benchseed.Size {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("SEARCH_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	return benchseed.Size{Tickets: n, Messages: 5, Queues: 20}
}

type benchEnv struct {
	d       *db.DB
	tickets *ticket.Service
	search  *search.Service
	agent   agent.Agent // member of two queues of 20
	admin   agent.Agent
	size    benchseed.Size
}

// BenchmarkCorpus seeds the corpus once (through SQL) and runs the
// search, filtered page and inbox measurements on it:
//
//	go test -run '^$' -bench Corpus -benchtime 1x ./internal/search/
//
// SEARCH_BENCH_DATABASE_URL keeps the corpus between runs (keptDB).
func BenchmarkCorpus(b *testing.B) {
	e := seeded(b)
	b.Run("Search", func(b *testing.B) { benchSearch(b, e) })
	b.Run("FilteredPage", func(b *testing.B) { benchFilteredPage(b, e) })
	b.Run("InboxPages", func(b *testing.B) { benchInboxPages(b, e) })
}

// seeded seeds a database of its own for b.
func seeded(b *testing.B) *benchEnv {
	b.Helper()
	var benchE *benchEnv
	{
		d, kept := keptDB(b)
		if d == nil {
			var err error
			if d, err = db.Open(context.Background(), testenv.DBConfig(b), testenv.Logger(b)); err != nil {
				b.Fatal(err)
			}
		}
		size := benchSize()
		start := time.Now()
		if kept {
			b.Logf("the corpus seeded before: %d tickets, %d messages on %s", size.Tickets, size.Tickets*size.Messages, d.Dialect)
		} else if err := benchseed.Seed(context.Background(), d, size); err != nil {
			b.Fatal(err)
		} else {
			b.Logf("seeded %d tickets, %d messages on %s in %v", size.Tickets, size.Tickets*size.Messages, d.Dialect, time.Since(start).Round(time.Second))
		}
		var q []int64
		if err := d.Raw(`SELECT id FROM queues WHERE code IN ('bq0', 'bq1') ORDER BY id`).Scan(&q).Error; err != nil {
			b.Fatal(err)
		}
		benchE = &benchEnv{d: d, size: size,
			agent: agent.Agent{ID: 1 << 40, Role: domain.RoleAgent, QueueIDs: q},
			admin: agent.Agent{ID: 1<<40 + 1, Role: domain.RoleAdmin}}
		benchE.tickets = ticket.New(ticket.Opts{DB: d})
		benchE.search = search.New(search.Opts{DB: d, Tickets: benchE.tickets})
		b.Cleanup(func() { _ = d.Close() })
	}
	return benchE
}

// keptDB opens SEARCH_BENCH_DATABASE_URL when set: a PostgreSQL
// database (its search_path naming a schema of its own) kept between
// runs, so that two builds are compared on the same corpus without
// seeding it for each run. It is migrated; kept says it holds the
// corpus already, else the caller seeds it. Without the variable: nil.
func keptDB(b *testing.B) (d *db.DB, kept bool) {
	u := os.Getenv("SEARCH_BENCH_DATABASE_URL")
	if u == "" {
		return nil, false
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: u, MaxOpenConns: 8}, testenv.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := migrate.Up(ctx, d, testenv.Logger(b)); err != nil {
		b.Fatal(err)
	}
	var n int64
	if err := d.Raw(`SELECT COUNT(*) FROM queues WHERE code = 'bq0'`).Scan(&n).Error; err != nil {
		b.Fatal(err)
	}
	return d, n > 0
}

// latencies runs f n times and reports p50 and p99 in milliseconds, and
// the CPU time this process spent per call (all of it on SQLite; the
// client's part on PostgreSQL): less noisy than latencies on a shared
// machine.
func latencies(b *testing.B, name string, n int, f func(i int) error) (p50, p99 float64) {
	b.Helper()
	cpu0 := processCPU()
	defer func() {
		b.Logf("%-40s cpu %.2f ms/op (this process)", name, float64((processCPU()-cpu0).Microseconds())/1000/float64(n))
	}()
	ds := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := f(i); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, p99 = ms(ds[n/2]), ms(ds[n*99/100])
	b.Logf("%-40s n=%d p50 %.2f ms p99 %.2f ms max %.2f ms", name, n, p50, p99, ms(ds[n-1]))
	return p50, p99
}

// benchSearch: search p99 over 1,000,000 messages in 200,000 tickets,
// per kind of query, for an agent (two queues of 20) and an admin.
func benchSearch(b *testing.B, e *benchEnv) {
	ctx := context.Background()
	voc := benchseed.Vocabulary
	queries := map[string]func(i int) string{
		"phone 0812… (local form)": func(i int) string { return "0812" + fmt.Sprintf("%08d", 1+i*997%e.size.Tickets) },
		"name (two words)":         func(i int) string { return benchseed.Name(i * 31) },
		"two words of messages":    func(i int) string { return voc[i*7%400] + " " + voc[(i*7+53)%400] },
		"two words, the last cut":  func(i int) string { return voc[i*7%400] + " " + cut(voc[(i*7+53)%400]) },
		"one word of messages":     func(i int) string { return voc[i*13%400] },
		"reference word":           func(i int) string { return "ref" + strconv.Itoa(i*37%(e.size.Tickets/4)) },
	}
	kinds := []string{"phone 0812… (local form)", "name (two words)", "two words of messages", "two words, the last cut", "one word of messages", "reference word"}
	for i := 0; i < b.N; i++ {
		worst := 0.0
		for _, who := range []struct {
			name   string
			viewer agent.Agent
		}{{"agent", e.agent}, {"admin", e.admin}} {
			for _, k := range kinds {
				q := queries[k]
				_, p99 := latencies(b, who.name+": "+k, 200, func(i int) error {
					_, err := e.search.Search(ctx, who.viewer, q(i), 20, 0)
					return err
				})
				worst = max(worst, p99)
			}
		}
		b.ReportMetric(worst, "worst-p99-ms")
	}
	b.Logf("%s, %d CPUs (GOMAXPROCS %d)", e.d.Dialect, runtime.NumCPU(), runtime.GOMAXPROCS(0))
}

// benchFilteredPage: a filtered page of 20 with 100,000 open tickets
// (of 200,000), for an agent and an admin.
func benchFilteredPage(b *testing.B, e *benchEnv) {
	ctx := context.Background()
	filters := []struct {
		name   string
		viewer agent.Agent
		f      ticket.Filter
	}{
		{"agent inbox", e.agent, ticket.Filter{Limit: 20}},
		{"agent: whatsapp, high priority", e.agent, ticket.Filter{Limit: 20, Channel: "whatsapp", Priority: "high"}},
		{"admin inbox", e.admin, ticket.Filter{Limit: 20}},
		{"admin: queue + channel", e.admin, ticket.Filter{Limit: 20, QueueID: e.agent.QueueIDs[0], Channel: "webform"}},
		{"admin: province + SLA breached", e.admin, ticket.Filter{Limit: 20, Province: "32", SLA: "breached"}},
		{"admin: unassigned, last 7 days", e.admin, ticket.Filter{Limit: 20, Assignee: "none", From: ptr(time.Now().Add(-7 * 24 * time.Hour))}},
	}
	for i := 0; i < b.N; i++ {
		worst := 0.0
		for _, c := range filters {
			var cursor string
			_, p99 := latencies(b, c.name, 300, func(i int) error {
				f := c.f
				if i%3 == 2 {
					f.Cursor = cursor // every third page is a next page
				}
				p, err := e.tickets.ListPage(ctx, c.viewer, f)
				if err == nil && len(p.Tickets) == 0 {
					err = fmt.Errorf("empty page")
				}
				cursor = p.NextCursor
				return err
			})
			worst = max(worst, p99)
		}
		b.ReportMetric(worst, "worst-p99-ms")
	}
}

func ptr[T any](v T) *T { return &v }

// cut is w as an agent may type it before finishing: all but its last two
// letters, at least three (a word of three or four stays whole).
func cut(w string) string {
	r := []rune(w)
	if len(r) < 5 {
		return w
	}
	return string(r[:len(r)-2])
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchInboxPages: agent inbox pages (20 newest) per second, 8
// clients at once for 5 s, read through the ticket service.
func benchInboxPages(b *testing.B, e *benchEnv) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		var pages atomic.Int64
		deadline := time.Now().Add(5 * time.Second)
		var wg sync.WaitGroup
		var failed atomic.Value
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				viewer := e.agent
				if c%2 == 1 {
					viewer = e.admin
				}
				for time.Now().Before(deadline) {
					if _, err := e.tickets.ListPage(ctx, viewer, ticket.Filter{Limit: 20}); err != nil {
						failed.Store(err.Error())
						return
					}
					pages.Add(1)
				}
			}(c)
		}
		wg.Wait()
		if v := failed.Load(); v != nil {
			b.Fatal(v)
		}
		rate := float64(pages.Load()) / 5
		b.ReportMetric(rate, "pages/s")
		b.Logf("inbox: %.0f pages/s (8 clients, agent and admin inboxes, %s)", rate, strings.ToUpper(string(e.d.Dialect)))
	}
}
