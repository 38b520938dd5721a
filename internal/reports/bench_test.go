package reports

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"tanggap/internal/scale"
	"tanggap/internal/testenv"
)

// BenchmarkReports seeds one month of tickets (three messages each, spread
// over 30 days), builds the rollup, and measures the latency of every
// report over that month with the previous period, 20 times each:
//
//   - p99-ms: the p99 over all reports (the target: ≤ 1 s at 1,000,000
//     tickets on PostgreSQL);
//   - worst-p99-ms: the slowest report's p99, and which one (logged);
//   - resolution-p99-ms: the resolution report, whose median and p90 are
//     read from the rollup's counts of resolution times (and
//     resolution-by-<group>-p99-ms for each of its groupings over the
//     month, resolution-half-by-<group>-p99-ms over its first 15 days);
//   - refresh-full-s: the first refresh (every day rebuilt);
//   - refresh-ms: an incremental refresh with nothing changed (the recent
//     days only).
//
// BENCH_REPORTS_TICKETS sets the size (default 20,000, small enough to run
// beside other work; 1000000 for the target).
func BenchmarkReports(b *testing.B) {
	n := 20_000
	if s := os.Getenv("BENCH_REPORTS_TICKETS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 30 {
			b.Fatalf("BENCH_REPORTS_TICKETS: %q is not a size of at least 30", s)
		}
		n = v
	}
	b.Run(fmt.Sprintf("tickets=%d", n), func(b *testing.B) {
		for b.Loop() {
			runReports(b, n)
		}
	})
}

// BenchmarkReportsMonthScale is the target run: 1,000,000 tickets
// over one month seeded by set-based SQL on PostgreSQL (package scale),
// the rollup built, then every report over the month 20 times, with each
// report's p99 reported (<name>-p99-ms) beside the overall p99 and the
// slowest. Seeding and the first refresh take minutes, so it runs only
// with BENCH_SCALE=1 (like internal/scale's BenchmarkScale) and on
// PostgreSQL (TEST_DATABASE_URL); BENCH_REPORTS_TICKETS changes the size.
func BenchmarkReportsMonthScale(b *testing.B) {
	if os.Getenv("BENCH_SCALE") == "" {
		b.Skip("set BENCH_SCALE=1 to run the 1,000,000-ticket report benchmark")
	}
	if !testenv.UsingPostgres() {
		b.Skip("the report target is measured on PostgreSQL: set TEST_DATABASE_URL")
	}
	n := 1_000_000
	if s := os.Getenv("BENCH_REPORTS_TICKETS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 30 {
			b.Fatalf("BENCH_REPORTS_TICKETS: %q is not a size of at least 30", s)
		}
		n = v
	}
	b.Run(fmt.Sprintf("tickets=%d", n), func(b *testing.B) {
		for b.Loop() {
			runReports(b, n)
		}
	})
}

func runReports(b *testing.B, n int) {
	ctx := context.Background()
	d := testenv.DB(b)
	var queues []int64
	for i := range 10 {
		var id int64
		if err := d.Raw(`INSERT INTO queues (code, name, created_at, hours) VALUES (?, ?, ?, ?) RETURNING id`, fmt.Sprintf("b%d", i), fmt.Sprintf("Antrean %d", i),
			time.Now().UTC(), `{"mon":["08:00-16:00"],"tue":["08:00-16:00"],"wed":["08:00-16:00"],"thu":["08:00-16:00"],"fri":["08:00-16:00"]}`).Scan(&id).Error; err != nil {
			b.Fatal(err)
		}
		queues = append(queues, id)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, wib)
	began := time.Now()
	for day := range 30 {
		per := n / 30
		if day == 29 {
			per = n - 29*(n/30)
		}
		end := month.AddDate(0, 0, day).Add(23 * time.Hour)
		if err := scale.Seed(ctx, d, scale.Opts{Tickets: per, Queues: queues, Waiting: max(per/100, 1), End: end, Prefix: fmt.Sprintf("d%d", day)}); err != nil {
			b.Fatal(err)
		}
	}
	// The seed solves every ticket half an hour after it came, one
	// duration only: spread them over 0–72 h, to the second, so the
	// resolution report's histograms hold as many durations as a real
	// month would.
	spread := `UPDATE tickets SET solved_at = created_at + make_interval(secs => CAST((id * 7919) % 259200 AS double precision)) WHERE solved_at IS NOT NULL`
	if !testenv.UsingPostgres() {
		spread = `UPDATE tickets SET solved_at = strftime('%Y-%m-%d %H:%M:%f+00:00', created_at, '+' || ((id * 7919) % 259200) || ' seconds') WHERE solved_at IS NOT NULL`
	}
	if err := d.Exec(spread).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d tickets in %s", n, time.Since(began).Round(time.Millisecond))
	now := month.AddDate(0, 1, 0).Add(2 * time.Hour)
	s := New(Opts{DB: d, Zone: wib, Now: func() time.Time { return now }})
	t0 := time.Now()
	days, err := s.Refresh(ctx)
	if err != nil {
		b.Fatal(err)
	}
	full := time.Since(t0)
	t0 = time.Now()
	if _, err := s.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	incr := time.Since(t0)
	var hist struct{ Rows, Bytes int64 }
	if err := d.Raw(`SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(counts)), 0) AS bytes FROM report_resolution`).Scan(&hist).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("refresh: %d days in %s; incremental %s; resolution-time counts: %d rows, %d bytes", days, full.Round(time.Millisecond), incr.Round(time.Millisecond), hist.Rows, hist.Bytes)
	var all []time.Duration
	worst, worstName := time.Duration(0), ""
	var resolution []time.Duration
	for _, name := range Names() {
		var lat []time.Duration
		for range 20 {
			q := Query{Name: name, From: month, To: month.AddDate(0, 1, -1), GroupBy: reportDefs[name].defaultGroup}
			t := time.Now()
			res, err := s.Run(ctx, q, "id-ID")
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
			if name == "volume" && res.Total.Values[0] != nil && int(*res.Total.Values[0]) != n {
				b.Fatalf("volume counts %v tickets, seeded %d", *res.Total.Values[0], n)
			}
		}
		p := p99(lat)
		b.Logf("%s: p99 %s", name, p.Round(time.Microsecond))
		b.ReportMetric(ms(p), name+"-p99-ms")
		if p > worst {
			worst, worstName = p, name
		}
		if name == "resolution" {
			resolution = lat
		}
		all = append(all, lat...)
	}
	b.Logf("slowest report: %s (p99 %s)", worstName, worst.Round(time.Microsecond))
	// The resolution report by each of its groupings, over the month (read
	// from the month's resolution-time counts) and over its first 15 days
	// (read from the days' counts: the most days a period reads of one
	// month, splitMonths).
	for _, g := range reportDefs["resolution"].groups {
		for _, r := range []struct {
			name     string
			from, to time.Time
		}{{"", month, month.AddDate(0, 1, -1)}, {"half-", month, month.AddDate(0, 0, 14)}} {
			var lat []time.Duration
			s.readRows.Store(0)
			s.readBytes.Store(0)
			s.readPairs.Store(0)
			for range 20 {
				t := time.Now()
				if _, err := s.Run(ctx, Query{Name: "resolution", From: r.from, To: r.to, GroupBy: g}, "id-ID"); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			// Rows, payload bytes and (duration, count) pairs of
			// resolution-time counts read per report (with its previous
			// period): the cost without the machine's load.
			rows, bytes, pairs := s.readRows.Load()/20, s.readBytes.Load()/20, s.readPairs.Load()/20
			b.Logf("resolution %sby %s: p99 %s; %d rows, %d bytes, %d pairs of counts read", r.name, g, p99(lat).Round(time.Microsecond), rows, bytes, pairs)
			b.ReportMetric(float64(rows), "resolution-"+r.name+"by-"+g+"-rows")
			b.ReportMetric(float64(bytes), "resolution-"+r.name+"by-"+g+"-bytes")
			b.ReportMetric(float64(pairs), "resolution-"+r.name+"by-"+g+"-pairs")
			b.ReportMetric(ms(p99(lat)), "resolution-"+r.name+"by-"+g+"-p99-ms")
		}
	}
	// The per-ticket export of the whole month streams: the live heap,
	// sampled every 1 MiB written, stays near the heap before it.
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	w := &peakWriter{every: 1 << 20}
	t0 = time.Now()
	rows, err := s.Export(ctx, month, month.AddDate(0, 1, -1), w)
	if err != nil || rows != n {
		b.Fatalf("export: %d rows of %d, %v", rows, n, err)
	}
	growth := float64(int64(w.peak)-int64(m0.HeapAlloc)) / (1 << 20)
	b.Logf("export: %d rows in %s; live heap %.1f MiB before, peak %.1f MiB while streaming", rows, time.Since(t0).Round(time.Millisecond),
		float64(m0.HeapAlloc)/(1<<20), float64(w.peak)/(1<<20))
	// Constant memory: an export that held its rows would grow by hundreds
	// of bytes a ticket (about 300 MiB at 1,000,000); the stream stays
	// within its buffers whatever the size.
	if growth > 16 {
		b.Errorf("the export's live heap grew by %.1f MiB over %d rows: it must stream", growth, rows)
	}
	b.ReportMetric(time.Since(t0).Seconds(), "export-s")
	b.ReportMetric(growth, "export-heap-growth-MiB")
	b.ReportMetric(ms(p99(all)), "p99-ms")
	b.ReportMetric(ms(worst), "worst-p99-ms")
	b.ReportMetric(ms(p99(resolution)), "resolution-p99-ms")
	b.ReportMetric(full.Seconds(), "refresh-full-s")
	b.ReportMetric(ms(incr), "refresh-ms")
}

func p99(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*99/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
