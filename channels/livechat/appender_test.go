package livechat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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
