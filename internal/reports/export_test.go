package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"tanggap/internal/scale"
	"tanggap/internal/testenv"
)

// The export has one row per ticket of the range, and its figures add up
// to the report's.
func TestExportRowsMatchReport(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Now: func() time.Time { return now }})
	seed(t, d, now, 6, 150, 4)
	if _, err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 15, 0, 0, 0, 0, wib)
	to := time.Date(2026, 11, 20, 0, 0, 0, 0, wib)
	var b bytes.Buffer
	n, err := s.Export(ctx, from, to, &b)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var frt, resolved, transfers int64
	for _, r := range recs[1:] {
		if v := r[col["first_response_s"]]; v != "" {
			x, _ := strconv.ParseInt(v, 10, 64)
			frt += x
		}
		if r[col["resolution_s"]] != "" {
			resolved++
		}
		x, _ := strconv.ParseInt(r[col["transfers"]], 10, 64)
		transfers += x
	}
	var figs Figures
	rollup, err := s.sumRollup(ctx, DimAll, false, from, to)
	if err != nil {
		t.Fatal(err)
	}
	figs = rollup[""]
	if n != len(recs)-1 || int64(n) != figs.Tickets || frt != figs.FRTSec || resolved != figs.Resolved || transfers != figs.Transfers || n == 0 {
		t.Fatalf("export: %d rows (%d written), frt %d s, %d resolved, %d transfers; report: %+v", len(recs)-1, n, frt, resolved, transfers, figs)
	}
}

// peakWriter samples the live heap every few thousand bytes written.
type peakWriter struct {
	n, every int
	peak     uint64
}

func (w *peakWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n >= w.every {
		w.n = 0
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.peak = max(w.peak, m.HeapAlloc)
	}
	return len(p), nil
}

// The export streams: the heap while exporting 100,000 tickets stays
// within a small margin of the heap while exporting 10,000.
func TestExportMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 110,000 tickets")
	}
	d := testenv.DB(t)
	ctx := context.Background()
	var queue int64
	if err := d.Raw(`INSERT INTO queues (code, name, created_at) VALUES ('ekspor', 'Ekspor', ?) RETURNING id`, time.Now().UTC()).Scan(&queue).Error; err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, wib)
	began := time.Now()
	// 10,000 tickets on 2026-11-18 and 100,000 over the days before (one
	// ticket a second), without messages (the per-ticket counts are lookups either way).
	if err := scale.Seed(ctx, d, scale.Opts{Tickets: 100_000, Queues: []int64{queue}, Waiting: 10, MessagesPerTicket: -1, End: end.AddDate(0, 0, -2).Add(-time.Second), Prefix: "big"}); err != nil {
		t.Fatal(err)
	}
	if err := scale.Seed(ctx, d, scale.Opts{Tickets: 10_000, Queues: []int64{queue}, Waiting: 10, MessagesPerTicket: -1, End: end.AddDate(0, 0, -1).Add(-time.Second), Prefix: "small"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s", time.Since(began))
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib})
	peak := func(from, to time.Time, want int) uint64 {
		w := &peakWriter{every: 256 << 10}
		began := time.Now()
		n, err := s.Export(ctx, from, to, w)
		t.Logf("exported %d rows in %s", n, time.Since(began))
		if err != nil || n != want {
			t.Fatalf("export %s..%s: %d rows, %v", from, to, n, err)
		}
		return w.peak
	}
	small := peak(end.AddDate(0, 0, -2), end.AddDate(0, 0, -2), 10_000)
	big := peak(end.AddDate(0, 0, -4), end.AddDate(0, 0, -3), 100_000)
	t.Logf("peak heap: %d KiB over 10,000 rows, %d KiB over 100,000 rows", small>>10, big>>10)
	if big > small+4<<20 {
		t.Fatalf("the heap grew with the rows: %d KiB for 10k, %d KiB for 100k", small>>10, big>>10)
	}
	_ = io.Discard
}
