package viewaudit

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestListsRecordEachCitizenOncePerWindow: a ticket list records one
// view per ticket shown, with its contact, for the agent who saw it; the
// same list read again within ListEvery records nothing more, another
// agent's read records their own, and after ListEvery the list records
// again. Entries older than the window are forgotten.
func TestListsRecordEachCitizenOncePerWindow(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	c1, t1, _ := seedThread(t, d, "TGP-VL-1")
	c2, t2, _ := seedThread(t, d, "TGP-VL-2")
	r := startRecorder(t, d, Opts{FlushEvery: time.Hour})
	clock := time.Now()
	r.list.now = func() time.Time { return clock }
	page := func() []View {
		return []View{{TicketID: &t1, ContactID: &c1}, {TicketID: &t2, ContactID: &c2}}
	}
	rows := func(agent int64) string {
		t.Helper()
		if err := r.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := r.Query(ctx, Filter{AgentID: agent, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range p.Views {
			out = append(out, fmt.Sprintf("%s:%d/%d", v.Kind, *v.TicketID, *v.ContactID))
		}
		sort.Strings(out)
		return fmt.Sprint(out)
	}
	once := fmt.Sprint([]string{fmt.Sprintf("list:%d/%d", t1, c1), fmt.Sprintf("list:%d/%d", t2, c2)})
	for i := 0; i < 3; i++ { // the console reading its list again
		if err := r.RecordListed(ctx, 7, page()); err != nil {
			t.Fatal(err)
		}
	}
	if got := rows(7); got != once {
		t.Fatalf("after three reads: %s, want %s", got, once)
	}
	clock = clock.Add(ListEvery - time.Second)
	if err := r.RecordListed(ctx, 8, page()[:1]); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordListed(ctx, 7, page()); err != nil {
		t.Fatal(err)
	}
	if got, want := rows(8), fmt.Sprint([]string{fmt.Sprintf("list:%d/%d", t1, c1)}); got != want {
		t.Fatalf("another agent: %s, want %s", got, want)
	}
	if got := rows(7); got != once {
		t.Fatalf("within the window: %s, want %s", got, once)
	}
	clock = clock.Add(time.Second)
	if err := r.RecordListed(ctx, 7, page()); err != nil {
		t.Fatal(err)
	}
	twice := fmt.Sprint([]string{fmt.Sprintf("list:%d/%d", t1, c1), fmt.Sprintf("list:%d/%d", t1, c1),
		fmt.Sprintf("list:%d/%d", t2, c2), fmt.Sprintf("list:%d/%d", t2, c2)})
	if got := rows(7); got != twice {
		t.Fatalf("after the window: %s, want %s", got, twice)
	}
	// Agent 8's entry is a window old at the next sweep: forgotten.
	clock = clock.Add(ListEvery)
	if err := r.RecordListed(ctx, 9, page()[1:]); err != nil {
		t.Fatal(err)
	}
	r.list.mu.Lock()
	n := len(r.list.at)
	r.list.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d entries remembered after the sweep, want 1 (the last read)", n)
	}
	r.SetRecording(false)
	clock = clock.Add(2 * ListEvery)
	if err := r.RecordListed(ctx, 10, page()); err != nil {
		t.Fatal(err)
	}
	if got := rows(10); got != "[]" {
		t.Fatalf("while not recording: %s", got)
	}
}
