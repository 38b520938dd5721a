package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

func TestWaitPositionFollowsAssignmentOrder(t *testing.T) {
	f := newFixture(t, testenv.DB(t))
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	older := f.ticket(nil, "umum", "normal", base)
	newer := f.ticket(nil, "umum", "normal", base.Add(time.Minute))
	urgent := f.ticket(nil, "umum", "urgent", base.Add(2*time.Minute))
	other := f.ticket(nil, "kartu", "normal", base.Add(-time.Minute))
	f.agent("online", 1, 1, nil, "umum")
	f.agent("offline", 5, 0, nil, "umum")

	want := map[int64]int{urgent: 1, older: 2, newer: 3, other: 1}
	for id, pos := range want {
		w, err := f.metrics().EstimateWait(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if w.Position != pos {
			t.Errorf("ticket %d: position %d, want %d", id, w.Position, pos)
		}
		if !w.Open {
			t.Errorf("ticket %d: queue without hours should be open", id)
		}
	}
	w, err := f.metrics().EstimateWait(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if w.AgentsOnline != 1 || w.QueueID != f.queue("umum") {
		t.Errorf("wait = %+v, want 1 agent online in umum", w)
	}
	// Three ahead-or-equal tickets, one agent, no history: the default handle time each.
	if w.Estimated != 3*defaultHandleTime {
		t.Errorf("estimated %v, want %v", w.Estimated, 3*defaultHandleTime)
	}

	// Assigned: no position, no estimate; the ones behind move up.
	agent := f.agent("online", 5, 0, nil, "umum")
	f.must(f.d.Exec(`UPDATE tickets SET assignee_id = ? WHERE id = ?`, agent, urgent).Error)
	if w, err = f.metrics().EstimateWait(ctx, urgent); err != nil || w.Position != 0 || w.AgentID != agent || w.Estimated != 0 {
		t.Errorf("assigned ticket: %+v, %v", w, err)
	}
	if w, err = f.metrics().EstimateWait(ctx, newer); err != nil || w.Position != 2 {
		t.Errorf("after assignment: %+v, %v; want position 2", w, err)
	}

	if _, err := f.metrics().EstimateWait(ctx, 1<<40); !errors.Is(err, ErrTicketNotFound) {
		t.Errorf("unknown ticket: %v, want ErrTicketNotFound", err)
	}
}

func TestWaitEstimateUsesRecentHandleTime(t *testing.T) {
	f := newFixture(t, testenv.DB(t))
	now := time.Now().UTC()
	for i := 0; i < 6; i++ {
		id := f.ticket(nil, "dana", "normal", now.Add(-3*time.Hour))
		f.must(f.d.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ?`, now.Add(-3*time.Hour+10*time.Minute), id).Error)
	}
	waitingID := f.ticket(nil, "dana", "normal", now)
	f.agent("online", 3, 3, nil, "dana")
	f.agent("online", 3, 3, nil, "dana")
	w, err := f.metrics().EstimateWait(context.Background(), waitingID)
	if err != nil {
		t.Fatal(err)
	}
	// One ticket, two agents, 10 minutes each: 5 minutes.
	if w.Position != 1 || w.AgentsOnline != 2 || w.Estimated != 5*time.Minute {
		t.Errorf("wait = %+v, want position 1, 2 agents, 5m", w)
	}
}

func TestQueueForPrefersTheRequestedQueue(t *testing.T) {
	f := newFixture(t, testenv.DB(t))
	ctx := context.Background()
	for _, c := range []struct{ want, category, got string }{
		{"dana", "kartu", "dana"},
		{"", "kartu", "kartu"},
		{"tidak-ada", "kartu", "kartu"},
		{"tidak-ada", "", "umum"},
	} {
		id, err := f.r.QueueFor(ctx, f.d.DB, c.want, c.category)
		if err != nil {
			t.Fatal(err)
		}
		if id != f.queue(c.got) {
			t.Errorf("QueueFor(%q, %q) = %d, want %s", c.want, c.category, id, c.got)
		}
	}
	if open, err := f.r.IsOpen(ctx, "umum", time.Now()); err != nil || !open {
		t.Errorf("Open(umum) = %v, %v", open, err)
	}
	if _, err := f.r.IsOpen(ctx, "tidak-ada", time.Now()); !errors.Is(err, ErrUnknownQueue) {
		t.Errorf("Open(unknown) = %v, want ErrUnknownQueue", err)
	}
}

// Issue 12, bug 11: outside business hours with nobody online the estimate
// says the queue is closed and when it opens, not "position 1 (about 5
// minutes)"; with someone online it is an ordinary estimate.
func TestEstimateWaitKnowsTheCalendar(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	all := []string{"00:00-24:00"}
	f.saveQueue(QueueSettings{Code: "kartu", TimeZone: "WIB", Hours: map[string][]string{
		"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all}})
	// Today and tomorrow are holidays in Jakarta: closed until midnight
	// after tomorrow. EstimateWait reads the wall clock, which may have
	// passed midnight since today was read; tomorrow's holiday keeps the
	// queue closed, and the opening the same, either way.
	wib, err := time.LoadLocation("Asia/Jakarta")
	f.must(err)
	today := time.Now().In(wib)
	byYear := map[int][]Holiday{}
	for _, d := range []time.Time{today, today.AddDate(0, 0, 1)} {
		byYear[d.Year()] = append(byYear[d.Year()], Holiday{Day: d.Format(time.DateOnly), Name: "Libur"})
	}
	for year, days := range byYear {
		f.must(f.r.SetHolidays(ctx, year, days))
	}
	opens := time.Date(today.Year(), today.Month(), today.Day()+2, 0, 0, 0, 0, wib)
	id := f.ticket(nil, "kartu", "normal", time.Now().UTC().Add(-time.Minute))

	w, err := f.metrics().EstimateWait(ctx, id)
	f.must(err)
	if w.Open || !w.Closed || !w.OpensAt.Equal(opens) || w.Position != 1 {
		t.Fatalf("closed queue, nobody online: %+v; want closed, opening %s", w, opens)
	}
	if zone := w.OpensAt.Format("MST"); zone != "WIB" {
		t.Errorf("opens at %s in zone %s, want the queue's (WIB)", w.OpensAt, zone)
	}
	if until := time.Until(opens); w.Estimated < until-time.Minute || w.Estimated > until+defaultHandleTime+time.Minute {
		t.Errorf("estimate %v while the queue opens in %v", w.Estimated, until)
	}

	if n, err := f.metrics().AgentsOnline(ctx, "kartu"); err != nil || n != 0 {
		t.Errorf("officers online in kartu, nobody online: %d, %v", n, err)
	}

	f.agent("online", 5, 5, nil, "kartu")
	w, err = f.metrics().EstimateWait(ctx, id)
	f.must(err)
	if w.Open || w.Closed || w.AgentsOnline != 1 || w.Estimated != defaultHandleTime {
		t.Fatalf("outside hours with an agent online: %+v; want not closed, %v", w, defaultHandleTime)
	}
	// The launcher asks by code for the count the estimate used.
	if n, err := f.metrics().AgentsOnline(ctx, "kartu"); err != nil || n != w.AgentsOnline {
		t.Errorf("officers online in kartu: %d, %v; want %d as the estimate says", n, err, w.AgentsOnline)
	}
	if n, err := f.metrics().AgentsOnline(ctx, "tidak-ada"); !errors.Is(err, ErrUnknownQueue) || n != 0 {
		t.Errorf("officers online in an unknown queue: %d, %v; want ErrUnknownQueue", n, err)
	}
}
