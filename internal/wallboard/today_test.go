package wallboard

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"tanggap/internal/reports"
)

// The day's figures are summed in the database: one row per queue and
// channel comes back, not one per ticket, however many arrived.
func TestTodaySummedInSQL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.queue("sum-a"), f.queue("sum-b")
	// Noon in Jakarta: the two minutes of tickets before it fall on the
	// same day at whatever hour the test runs (at 00:01 WIB some would be
	// yesterday's, rightly not counted).
	wib, _ := time.LoadLocation("Asia/Jakarta")
	l := time.Now().In(wib)
	now := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, wib).UTC()
	for i := range 120 {
		q, ch := a, "whatsapp"
		if i%2 == 1 {
			q = b
		}
		if i%3 == 0 {
			ch = "livechat"
		}
		f.ticket(q, ch, "open", 0, now.Add(-time.Duration(i)*time.Second), time.Duration(i)*time.Second, time.Minute)
	}
	s := New(Opts{DB: f.d, Zone: wib})
	q, args := s.todayQuery(now, now.Add(-time.Hour))
	rows, err := f.d.Raw(q, args...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("the day's statement returned %d rows for 120 tickets in 2 queues × 2 channels; want 4", n)
	}
	board, err := s.Board(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	offered := 0
	for _, l := range board.Lines {
		offered += l.Offered
	}
	if offered != 120 {
		t.Fatalf("offered %d, want 120", offered)
	}
}

// Today's board and today's report count by the same rules: per queue,
// the tickets offered, the abandoned (live chats left before an agent
// joined), the first-response SLA met and the average wait equal the
// queues report's figures for today.
func TestBoardAgreesWithTodaysReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	wib, _ := time.LoadLocation("Asia/Jakarta")
	l := time.Now().In(wib)
	now := time.Date(l.Year(), l.Month(), l.Day(), 15, 0, 0, 0, wib).UTC()
	queues := []int64{f.queue("same-a"), f.queue("same-b"), f.queue("same-c")}
	agent := f.agent("Wulan", "online", "", now.Add(-time.Hour))
	r := rand.New(rand.NewPCG(15, 2))
	channels := []string{"livechat", "whatsapp", "voice", "webform"}
	statuses := []string{"new", "open", "pending", "solved", "closed"}
	for range 300 {
		created := now.Add(-time.Duration(r.Int64N(int64(14 * time.Hour)))).Truncate(time.Millisecond)
		answer := time.Duration(-1)
		if r.IntN(3) > 0 {
			answer = time.Duration(r.Int64N(int64(90 * time.Minute))).Truncate(time.Millisecond)
		}
		var due time.Duration
		if r.IntN(3) > 0 {
			due = time.Duration(1+r.IntN(60)) * time.Minute
		}
		var who int64
		if r.IntN(2) == 0 {
			who = agent
		}
		f.ticket(queues[r.IntN(len(queues))], channels[r.IntN(len(channels))], statuses[r.IntN(len(statuses))], who, created, answer, due)
	}
	// Unanswered tickets past due that the SLA clock marked breached.
	f.must(f.d.Exec(`UPDATE tickets SET sla_breached = 'first_response' WHERE first_response_at IS NULL AND first_response_due_at < ? AND id % 2 = 0`, now).Error)
	// Yesterday's tickets count in neither.
	f.ticket(queues[0], "livechat", "closed", 0, now.Add(-20*time.Hour), -1, time.Minute)

	board, err := New(Opts{DB: f.d, Zone: wib}).Board(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	rep := reports.New(reports.Opts{DB: f.d, Zone: wib, Now: func() time.Time { return now }})
	if _, err := rep.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, wib)
	res, err := rep.Run(ctx, reports.Query{Name: "queues", From: day, To: day, GroupBy: reports.GroupQueue}, "id-ID")
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c.Key] = i
	}
	type figs struct {
		offered, abandoned, answered, slaMet, slaTotal int
		waitS                                          int64
	}
	boardBy := map[string]*figs{}
	for _, ln := range board.Lines {
		k := strconv.FormatInt(ln.QueueID, 10)
		g := boardBy[k]
		if g == nil {
			g = &figs{}
			boardBy[k] = g
		}
		g.offered += ln.Offered
		g.abandoned += ln.Abandoned
		g.answered += ln.Answered
		g.slaMet += ln.SLAMet
		g.slaTotal += ln.SLATotal
	}
	// The wait in whole seconds per ticket, summed, as both read it.
	for _, q := range queues {
		var sum int64
		if err := f.d.Raw(`SELECT CAST(COALESCE(SUM(`+reports.FirstResponseSecondsSQL(f.d.Dialect, "")+`), 0) AS BIGINT) FROM tickets WHERE queue_id = ? AND created_at >= ?`,
			q, day.UTC()).Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		boardBy[strconv.FormatInt(q, 10)].waitS = sum
	}
	ratio := func(n, of int64, by float64) string {
		if of == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", by*float64(n)/float64(of))
	}
	val := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f", *v)
	}
	compared := 0
	for _, row := range res.Rows {
		g := boardBy[row.Key]
		if g == nil {
			continue
		}
		compared++
		got := fmt.Sprintf("offered %d.00 abandoned %d.00 sla met %s%% wait %s s", g.offered, g.abandoned,
			ratio(int64(g.slaMet), int64(g.slaTotal), 100), ratio(g.waitS, int64(g.answered), 1))
		want := fmt.Sprintf("offered %s abandoned %s sla met %s%% wait %s s", val(row.Values[col["tickets"]]), val(row.Values[col["abandoned"]]),
			val(row.Values[col["frt_sla_met_pct"]]), val(row.Values[col["frt_avg_s"]]))
		if got != want {
			t.Errorf("queue %s: wallboard %s; report %s", row.Key, got, want)
		}
		if g.abandoned == 0 || g.slaTotal == 0 {
			t.Errorf("queue %s: the seed gave no abandoned chat or no decided SLA: %+v", row.Key, g)
		}
	}
	if compared != len(queues) {
		t.Fatalf("compared %d queues of %d", compared, len(queues))
	}
}
