package reports

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// One month of a few thousand tickets (with messages, agent actions,
// wrap-up codes and calls): every report, grouping and column read from
// the rollup, and the previous period, equals the figures computed from
// the raw rows; the abandonment report's days equal the live chats and
// inbound calls counted from the rows.
func TestRollupEqualsRawRowsOverAMonth(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2,500 tickets")
	}
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, wib)
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Now: func() time.Time { return now }})
	seed(t, d, now, 31, 2500, 11)
	if n, err := s.Refresh(ctx); err != nil || n < 30 {
		t.Fatalf("refresh: %d days, %v", n, err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, wib)
	to := time.Date(2026, 11, 30, 0, 0, 0, 0, wib)
	// The median and p90 of the resolution time come from the rollup's
	// histograms: each group's equals the one sorted from its rows.
	if n := compare(t, s, d, from, to); n < 150 {
		t.Fatalf("only %d medians and p90s of the resolution time compared", n)
	}
	// Partial months and ranges across months read the encoded counts of
	// days, of a month less days, and of both months (with their previous
	// periods: October 31 to November 15, October 4 to 31).
	for _, r := range [][2]time.Time{
		{time.Date(2026, 11, 16, 0, 0, 0, 0, wib), time.Date(2026, 12, 1, 0, 0, 0, 0, wib)},
		{time.Date(2026, 11, 3, 0, 0, 0, 0, wib), time.Date(2026, 11, 30, 0, 0, 0, 0, wib)},
	} {
		if n := compare(t, s, d, r[0], r[1]); n < 100 {
			t.Fatalf("%s..%s: only %d medians and p90s of the resolution time compared", r[0].Format(time.DateOnly), r[1].Format(time.DateOnly), n)
		}
	}

	// Abandonment, per day, from the rows.
	type day struct{ chats, chatsGone, calls, callsGone int }
	want := map[string]*day{}
	at := func(t time.Time) *day {
		k := t.In(wib).Format(time.DateOnly)
		if want[k] == nil {
			want[k] = &day{}
		}
		return want[k]
	}
	for _, r := range readRaw(t, d) {
		if r.channel != "livechat" {
			continue
		}
		g := at(r.created)
		g.chats++
		if (r.status == "solved" || r.status == "closed") && r.frt == nil {
			g.chatsGone++
		}
	}
	rows, err := d.Raw(`SELECT started_at, outcome FROM voice_calls WHERE direction = 'inbound'`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var started time.Time
		var outcome string
		if err := rows.Scan(&started, &outcome); err != nil {
			t.Fatal(err)
		}
		g := at(started)
		g.calls++
		if outcome == "abandoned" {
			g.callsGone++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	res, err := s.Run(ctx, Query{Name: "abandonment", From: from, To: to, GroupBy: GroupDay}, "id-ID")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 30 {
		t.Fatalf("%d rows for 30 days", len(res.Rows))
	}
	var total day
	for _, row := range res.Rows {
		w := want[row.Key]
		if w == nil {
			w = &day{}
		}
		total.chats += w.chats
		total.chatsGone += w.chatsGone
		total.calls += w.calls
		total.callsGone += w.callsGone
		got := fmt.Sprintf("%s %s %s %s", fmtp(row.Values[0]), fmtp(row.Values[1]), fmtp(row.Values[3]), fmtp(row.Values[4]))
		exp := fmt.Sprintf("%d.00 %d.00 %d.00 %d.00", w.chats, w.chatsGone, w.calls, w.callsGone)
		if got != exp {
			t.Errorf("abandonment on %s: chats, abandoned, calls, abandoned = %s, raw rows %s", row.Key, got, exp)
		}
	}
	if total.chatsGone == 0 || total.callsGone == 0 {
		t.Fatalf("the seed gave no abandoned chat or call: %+v", total)
	}
	got := fmt.Sprintf("%s %s", fmtp(res.Total.Values[0]), fmtp(res.Total.Values[3]))
	if exp := fmt.Sprintf("%d.00 %d.00", total.chats, total.calls); got != exp {
		t.Errorf("abandonment total: chats, calls = %s, raw rows %s", got, exp)
	}
}
