package routing

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/scale"
	"tanggap/internal/testenv"
)

// fullTicketScan matches a plan line that reads the whole tickets table
// (PostgreSQL's Seq Scan, SQLite's SCAN without an index).
var fullTicketScan = regexp.MustCompile(`(?m)Seq Scan on tickets|^SCAN (t|tickets|me)( |$)`)

// The statements behind the queue positions, the wait estimates and the
// queue board are served by indexes on 100,000 tickets (30,000 on SQLite:
// the embedded engine under the race detector takes minutes to fill
// 100,000, and its planner picks the same plans from a few thousand rows
// on), as the planner chooses on the data.
func TestQueueLineQueriesOn100kTickets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.DB(t))
	ctx := context.Background()
	queues := []int64{f.queue("umum"), f.queue("kartu"), f.queue("dana")}
	agent := f.agent("online", 5, 0, nil, "umum")
	n := 100000
	if f.d.Dialect == db.SQLite {
		n = 30000
	}
	f.must(scale.Seed(ctx, f.d, scale.Opts{Tickets: n, Queues: queues, Waiting: 900, Agent: agent, MessagesPerTicket: -1}))
	// Due times on one ticket in 25, spread from two days overdue to two
	// days ahead, so the SLA count has a backlog to leave unread.
	now := time.Now().UTC()
	for k := range 16 {
		due := now.Add(time.Duration(k-8) * 6 * time.Hour)
		f.must(f.d.Exec(`UPDATE tickets SET first_response_due_at = ?, resolution_due_at = ? WHERE id % 400 = ?`, due, due.Add(time.Hour), k*25).Error)
	}
	for _, c := range []struct {
		name, q string
		args    []any
		want    []string // one of these index names is in the plan
	}{
		{"queue line", waitingLineSQL, []any{queues[0]}, []string{"tickets_waiting_idx", "tickets_queue_waiting_idx"}},
		{"handle time", handleTimeSQL, []any{queues[0], recentSolved}, []string{"tickets_queue_solved_idx"}},
		{"tickets placed", `SELECT id, queue_id, assignee_id, status FROM tickets WHERE id IN (?, ?)`, []any{5, 6},
			[]string{"tickets_pkey", "INTEGER PRIMARY KEY"}},
		{"board: waiting and oldest", waitingPerQueueSQL, nil, []string{"tickets_queue_waiting_idx", "tickets_waiting_idx"}},
		{"board: SLA due soon", dueSoonPerQueueSQL, []any{now, now.Add(time.Hour), now, now.Add(time.Hour)},
			[]string{"tickets_sla_open_idx", "tickets_first_response_open_idx"}},
	} {
		plan := testenv.PlanOnData(t, f.d, c.q, c.args...)
		found := false
		for _, w := range c.want {
			found = found || strings.Contains(plan, w)
		}
		if !found || fullTicketScan.MatchString(plan) {
			t.Errorf("%s is not served by its index on %d tickets:\n%s", c.name, n, plan)
		}
	}
	// The SLA count reads both indexes, each over the hour ahead only.
	if plan := testenv.PlanOnData(t, f.d, dueSoonPerQueueSQL, now, now.Add(time.Hour), now, now.Add(time.Hour)); !strings.Contains(plan, "tickets_sla_open_idx") ||
		!strings.Contains(plan, "tickets_first_response_open_idx") {
		t.Errorf("the SLA count does not read both open-SLA indexes:\n%s", plan)
	}
	// The board's agent counts and a queue's online members read staff
	// tables only (they grow with the staff, never with the tickets).
	for q, args := range map[string][]any{agentsPerQueueSQL: nil, onlineMembersSQL: {queues[0]}} {
		if plan := testenv.PlanOnData(t, f.d, q, args...); strings.Contains(plan, "tickets") {
			t.Errorf("%s reads tickets:\n%s", q, plan)
		}
	}
	// On PostgreSQL, the handle time must not sort the queue's solved
	// tickets: it walks the index backwards and stops.
	if f.d.Dialect == db.Postgres {
		if plan := testenv.PlanOnData(t, f.d, handleTimeSQL, queues[0], recentSolved); strings.Contains(plan, "Sort") {
			t.Errorf("handle time sorts:\n%s", plan)
		}
	}

	// AssignWaiting's decision on PostgreSQL (one statement, per agent
	// given room) reads the waiting tickets through their index only, the
	// tickets it saw waiting included.
	if f.d.Dialect == db.Postgres {
		plan := testenv.PlanOnData(t, f.d, pickAndTakeSQL(false), map[string]any{"agent": agent, "now": now,
			"capch": f.r.Router.capChannels, "capn": f.r.Router.capValues, "defcap": f.r.Settings.defChanCap})
		if !strings.Contains(plan, "tickets_waiting_idx") && !strings.Contains(plan, "tickets_queue_waiting_idx") || fullTicketScan.MatchString(plan) {
			t.Errorf("AssignWaiting's decision is not served by the waiting-ticket index on %d tickets:\n%s", n, plan)
		}
	}

	// The estimates agree with the seeded line: 900 waiting, 300 per queue.
	var ids []int64
	f.must(f.d.Raw(`SELECT id FROM tickets WHERE queue_id = ? AND assignee_id IS NULL AND status = 'new' ORDER BY id`, queues[1]).Scan(&ids).Error)
	if len(ids) != 300 {
		t.Fatalf("%d waiting in kartu, want 300", len(ids))
	}
	ws, err := f.metrics().EstimateWaits(ctx, ids)
	f.must(err)
	seen := map[int]bool{}
	for _, id := range ids {
		p := ws[id].Position
		if p < 1 || p > 300 || seen[p] {
			t.Fatalf("ticket %d: position %d (of 300, each once)", id, p)
		}
		seen[p] = true
	}
}

// All the tickets waiting in a queue are placed from one read of its
// line, shared for lineFresh: a ticket placed just after another, from the
// same Metrics, is placed in the same line.
func TestQueueLineIsSharedByItsWaitingTickets(t *testing.T) {
	f := newFixture(t, testenv.DB(t))
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	a := f.ticket(nil, "umum", "normal", base)
	b := f.ticket(nil, "umum", "normal", base.Add(time.Minute))
	m := f.metrics()
	ws, err := m.EstimateWaits(ctx, []int64{a, b})
	f.must(err)
	if ws[a].Position != 1 || ws[b].Position != 2 {
		t.Fatalf("positions %d, %d; want 1, 2", ws[a].Position, ws[b].Position)
	}
	// An urgent ticket enters the queue: the shared line is the one read
	// above until it is older than lineFresh; a new reader sees the change.
	f.ticket(nil, "umum", "urgent", base.Add(2*time.Minute))
	w, err := m.EstimateWait(ctx, b)
	f.must(err)
	if time.Since(m.lines.m[f.queue("umum")].at) < lineFresh && w.Position != 2 {
		t.Errorf("within lineFresh the line was read again: position %d, want 2", w.Position)
	}
	if w, err = f.metrics().EstimateWait(ctx, b); err != nil || w.Position != 3 {
		t.Errorf("fresh line: position %d (%v), want 3", w.Position, err)
	}
	checkFor(t, 5*time.Second, 100*time.Millisecond, func() error {
		w, err := m.EstimateWait(ctx, b)
		if err != nil {
			return err
		}
		if w.Position != 3 {
			return fmt.Errorf("position %d, want 3 once the shared line is old", w.Position)
		}
		return nil
	})
}

// checkFor polls fn every step until it returns nil or total has passed.
func checkFor(t *testing.T, total, step time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(step)
	}
}

// The queue figures count the tickets whose SLA is at risk as the
// console's "SLA due soon" filter does: an active ticket, its clock
// running, whose resolution or unmet first response falls due within the
// hour; a ticket due both ways counts once, and an overdue, later, met,
// paused or solved one not at all.
func TestQueueFiguresCountSLADueSoon(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.DB(t))
	ctx := context.Background()
	now := time.Now().UTC()
	base := now.Add(-time.Hour)
	set := func(id int64, sql string, args ...any) {
		f.must(f.d.Exec(`UPDATE tickets SET `+sql+` WHERE id = ?`, append(args, id)...).Error)
	}
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?`, now.Add(30*time.Minute))
	set(f.ticket(nil, "umum", "normal", base), `resolution_due_at = ?`, now.Add(50*time.Minute))
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?, resolution_due_at = ?`, now.Add(10*time.Minute), now.Add(20*time.Minute))
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?`, now.Add(-10*time.Minute))                             // overdue
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?`, now.Add(2*time.Hour))                                 // later
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?, first_response_at = ?`, now.Add(30*time.Minute), base) // met
	set(f.ticket(nil, "umum", "normal", base), `first_response_due_at = ?, sla_paused_at = ?`, now.Add(30*time.Minute), base)     // paused
	set(f.ticket(nil, "umum", "normal", base), `resolution_due_at = ?, status = 'solved'`, now.Add(30*time.Minute))               // solved
	set(f.ticket(nil, "kartu", "normal", base), `resolution_due_at = ?, status = 'pending'`, now.Add(59*time.Minute))
	qs, err := f.metrics().Metrics(ctx, now)
	f.must(err)
	got := map[string]int{}
	for _, q := range qs {
		got[q.Queue] = q.SLADueSoon
	}
	if got["umum"] != 3 || got["kartu"] != 1 {
		t.Fatalf("SLA due soon per queue %v, want umum 3, kartu 1", got)
	}
}
