package livechat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// TestAppenderNumbersWithoutGaps: many concurrent appends, resends among
// them, to two visitors through shared transactions: each visitor's log
// is numbered 1..n without a gap, every client id is stored once, and a
// resend gets the first copy's number.
func TestAppenderNumbersWithoutGaps(t *testing.T) {
	d := testenv.DB(t)
	s := &store{db: d}
	ctx := context.Background()
	now := time.Now().UTC()
	for _, id := range []string{"v1", "v2"} {
		if err := s.createVisitor(ctx, id, "TN-"+id, "id-ID", now); err != nil {
			t.Fatal(err)
		}
	}
	ap := newAppender(d, testenv.Logger(t))
	defer ap.close()
	const n = 60
	seqs := make([]map[string]int64, 2)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for v, id := range []string{"v1", "v2"} {
		seqs[v] = map[string]int64{}
		for i := range n {
			for attempt := range 2 { // every message sent twice
				wg.Add(1)
				go func() {
					defer wg.Done()
					cid := fmt.Sprintf("c%d", i)
					row, _, ok, err := ap.add(ctx, id, newEntry{kind: KindMessage, dedupe: "c:" + cid, body: entryBody{CID: cid}},
						change{set: "state = 'open'"}, now)
					if err != nil || !ok {
						t.Errorf("append %s %s (attempt %d): ok=%v err=%v", id, cid, attempt, ok, err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if prev, seen := seqs[v][cid]; seen && prev != row.Seq {
						t.Errorf("%s %s stored as %d and %d", id, cid, prev, row.Seq)
					}
					seqs[v][cid] = row.Seq
				}()
			}
		}
	}
	wg.Wait()
	for _, id := range []string{"v1", "v2"} {
		rows, err := s.entries(ctx, id, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Fatalf("%s: %d entries, want %d", id, len(rows), n)
		}
		for i, r := range rows {
			if r.Seq != int64(i+1) {
				t.Fatalf("%s: entry %d has seq %d", id, i, r.Seq)
			}
		}
		v, err := s.visitor(ctx, id)
		if err != nil || v.LastSeq != n || v.State != "open" {
			t.Fatalf("%s: visitor %+v, %v", id, v, err)
		}
	}
	// A condition that does not hold stores nothing.
	_, _, ok, err := ap.add(ctx, "v1", newEntry{kind: KindSolved}, change{where: "state = 'none'"}, now)
	if err != nil || ok {
		t.Fatalf("conditional append: ok=%v err=%v", ok, err)
	}
	if _, _, ok, err := ap.add(ctx, "nobody", newEntry{kind: KindRead}, change{}, now); err != nil || ok {
		t.Fatalf("append for a missing visitor: ok=%v err=%v", ok, err)
	}
}

// TestAppendRaceWithAnotherInstance: another instance stores the same
// message while this one's append waits for the visitor's row lock (its
// dedupe lookup saw nothing): the append returns the stored entry, stores
// no copy and gives its sequence number back.
func TestAppendRaceWithAnotherInstance(t *testing.T) {
	d := testenv.DB(t)
	s := &store{db: d}
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.createVisitor(ctx, "vr", "TN-vr", "id-ID", now); err != nil {
		t.Fatal(err)
	}
	e := newEntry{kind: KindMessage, dedupe: "c:x", body: entryBody{CID: "x", Text: "halo"}}
	open := change{set: "state = 'open'"}
	tx1 := d.WithContext(ctx).Begin()
	if tx1.Error != nil {
		t.Fatal(tx1.Error)
	}
	first, fresh, ok, err := appendIn(tx1, "vr", e, open, now)
	if err != nil || !ok || !fresh {
		tx1.Rollback()
		t.Fatalf("first append: fresh=%v ok=%v err=%v", fresh, ok, err)
	}
	type result struct {
		row       logRow
		fresh, ok bool
		err       error
	}
	other := newAppender(d, testenv.Logger(t)) // the other instance
	defer other.close()
	done := make(chan result, 1)
	go func() {
		var r result
		r.row, r.fresh, r.ok, r.err = other.add(ctx, "vr", e, open, now)
		done <- r
	}()
	if d.Dialect == db.Postgres {
		// The second append's statement has started (its snapshot has
		// no entry) and waits for the row lock.
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			var n int64
			if err := d.Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH prior AS%'`).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("second append not waiting yet")
			}
			return nil
		})
	}
	if err := tx1.Commit().Error; err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || !r.ok || r.fresh || r.row.Seq != first.Seq {
		t.Fatalf("second append: seq %d (first %d) fresh=%v ok=%v err=%v", r.row.Seq, first.Seq, r.fresh, r.ok, r.err)
	}
	v, err := s.visitor(ctx, "vr")
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	if err := d.Raw(`SELECT COUNT(*) FROM livechat_log WHERE visitor_id = 'vr'`).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if v.LastSeq != 1 || stored != 1 {
		t.Fatalf("last_seq %d, %d entries; want 1 and 1", v.LastSeq, stored)
	}
}
