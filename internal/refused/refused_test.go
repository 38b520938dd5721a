package refused

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

func record(id, sender string, at time.Time) envelope.Refused {
	return envelope.Refused{V: envelope.Version, Channel: domain.ChannelWhatsApp, ID: id, Item: "message", ProviderMessageID: "wamid." + id,
		Sender: sender, Cause: envelope.CauseSender, Reason: "whatsapp: bad webhook payload: message: sender", Raw: json.RawMessage(`{"from":"x"}`),
		ReceivedAt: at}
}

// TestRecordIsKeptOncePerID: the same record met again (a redelivery, a
// second instance) adds no row; the list pages newest first and masks
// the sender; an item opens whole; the purge takes the oldest.
func TestRecordIsKeptOncePerID(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	clock := base
	s := New(Opts{DB: d, Now: func() time.Time { return clock }})
	for i := range 5 {
		clock = base.Add(time.Duration(i) * time.Minute)
		fresh, err := s.Record(ctx, record(fmt.Sprint("r", i), "+6281234567890", clock))
		if err != nil || !fresh {
			t.Fatalf("record %d: %v %v", i, fresh, err)
		}
	}
	if fresh, err := s.Record(ctx, record("r1", "+6281234567890", base)); err != nil || fresh {
		t.Fatalf("the same record again: fresh=%v err=%v, want no new row", fresh, err)
	}
	p, err := s.List(ctx, Filter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 3 || p.Items[0].ProviderMessageID != "wamid.r4" || p.Items[2].ProviderMessageID != "wamid.r2" || p.Next == nil {
		t.Fatalf("first page %+v", p)
	}
	if m := p.Items[0].SenderMasked; m == "" || strings.Contains(m, "4567890") {
		t.Fatalf("sender listed as %q, want masked", m)
	}
	p2, err := s.List(ctx, Filter{Limit: 3, BeforeAt: p.Next.BeforeAt, BeforeID: p.Next.BeforeID})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Items) != 2 || p2.Items[0].ProviderMessageID != "wamid.r1" || p2.Next != nil {
		t.Fatalf("second page %+v", p2)
	}
	whole, err := s.Get(ctx, p.Items[0].ID)
	if err != nil || whole.Sender != "+6281234567890" || string(whole.Raw) != `{"from":"x"}` {
		t.Fatalf("opened %+v %v", whole, err)
	}
	if _, err := s.Get(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing item: %v", err)
	}
	n, err := Purge(d.WithContext(ctx), base.Add(2*time.Minute), 500)
	if err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want the two oldest", n, err)
	}
	if p, _ := s.List(ctx, Filter{}); len(p.Items) != 3 {
		t.Fatalf("%d left after the purge", len(p.Items))
	}
}

// TestListUsesTheIndex: the admin list's pages and the purge are served
// by refused_items_created_idx on both dialects, never by a table scan.
func TestListUsesTheIndex(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	at := time.Now().UTC()
	for name, c := range map[string]struct {
		q    string
		args []any
	}{
		"first page": {SQLList, []any{50}},
		"next page":  {SQLListAfter, []any{at, int64(10), 50}},
		"purge":      {SQLPurge, []any{at, 500}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		// On SQLite the order comes from the index too (no temporary
		// B-tree); PostgreSQL's choice between an ordered index scan and
		// a bitmap scan then a sort follows its statistics of the
		// (here empty) table, so only the index is required there.
		bad := strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "TEMP B-TREE")
		if !strings.Contains(plan, "refused_items_created_idx") {
			bad = true
		}
		if bad {
			t.Errorf("%s is not served by refused_items_created_idx:\n%s", name, plan)
		}
	}
}
