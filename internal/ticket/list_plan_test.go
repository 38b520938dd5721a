package ticket

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/scale"
	"tanggap/internal/testenv"
)

// planCase is one list request whose statement must be read along indexes.
type planCase struct {
	name   string
	viewer agent.Agent
	f      Filter
	// want: index names the plan must use (any one of each group).
	want []string
}

func planCases(queues []int64) []planCase {
	agentV := agent.Agent{ID: 1, Role: domain.RoleAgent, QueueIDs: queues[:2]}
	admin := agent.Agent{ID: 2, Role: domain.RoleAdmin}
	cursor := encodeCursor(Summary{ID: 50, LastMessageAt: time.Now().Add(-time.Hour)})
	from := time.Now().Add(-48 * time.Hour)
	// An agent's queue branches may be read along the queue's own index or
	// along an activity index (of all tickets or of the active ones)
	// filtered by queue: each reads one page in order (the planner picks by
	// how the heap lies, and all are right); what is forbidden is reading
	// and sorting every ticket.
	queueBranch := "tickets_queue_inbox_idx|tickets_inbox_idx|tickets_active_inbox_idx"
	// The active tickets of everyone: along the activity index of the
	// active ones or of all (with every ticket active, as here, both are
	// one page's read; TestInboxOfMostlySolvedTickets checks the other case).
	active := "tickets_active_inbox_idx|tickets_inbox_idx"
	return []planCase{
		{"agent inbox (two queues and their own)", agentV, Filter{Limit: 20}, []string{queueBranch}},
		{"agent inbox, next page", agentV, Filter{Limit: 20, Cursor: cursor}, []string{queueBranch}},
		{"agent: mine", agentV, Filter{Limit: 20, Scope: "mine"}, []string{"tickets_assignee_inbox_idx"}},
		{"admin inbox", admin, Filter{Limit: 20}, []string{active}},
		{"admin: all statuses", admin, Filter{Limit: 20, Status: "all"}, []string{"tickets_inbox_idx"}},
		{"admin: one queue", admin, Filter{Limit: 20, QueueID: queues[0]}, []string{queueBranch}},
		{"admin: one assignee", admin, Filter{Limit: 20, Assignee: "7"}, []string{"tickets_assignee_inbox_idx"}},
		{"admin: province", admin, Filter{Limit: 20, Province: "32"}, []string{"tickets_province_inbox_idx"}},
		{"admin: channel, priority, category", admin, Filter{Limit: 20, Channel: "whatsapp", Priority: "urgent", Category: "insentif"}, []string{active}},
		{"admin: last activity range", admin, Filter{Limit: 20, From: &from}, []string{active}},
		{"admin: tag", admin, Filter{Limit: 20, Tag: "mendesak"}, nil},
		{"admin: wrap-up code", admin, Filter{Limit: 20, Wrapup: "info", Status: "all"}, nil},
		{"admin: SLA breached", admin, Filter{Limit: 20, SLA: SLABreached}, []string{"tickets_sla_open_idx|" + active}},
		{"agent: queue, channel and SLA due soon", agentV, Filter{Limit: 20, QueueID: queues[0], Channel: "webform", SLA: SLADueSoonState}, []string{"tickets_queue_inbox_idx|tickets_sla_open_idx"}},
	}
}

// checkPlan fails when plan reads tickets without an index or misses a
// wanted index.
func checkPlan(t *testing.T, name, plan string, want []string) {
	t.Helper()
	bad := strings.Contains(plan, "Seq Scan on tickets") || strings.Contains(plan, "SCAN t\n") || strings.HasSuffix(plan, "SCAN t")
	for _, line := range strings.Split(plan, "\n") {
		if strings.TrimSpace(line) == "SCAN t" {
			bad = true
		}
	}
	for _, w := range want {
		ok := false
		for _, alt := range strings.Split(w, "|") {
			ok = ok || strings.Contains(plan, alt)
		}
		bad = bad || !ok
	}
	if bad {
		t.Errorf("%s: not served by %v:\n%s", name, want, plan)
	}
	if node := sortOfManyTickets(plan); node != "" {
		t.Errorf("%s: sorts a large read of tickets (%s):\n%s", name, node, plan)
	}
}

// sortOfManyTickets names a PostgreSQL plan's ticket read that feeds a Sort
// with more than 1,000 estimated rows and no Limit between them: a page must
// be read in index order and stop at its limit, not gather and sort the
// inbox.
func sortOfManyTickets(plan string) string {
	lines := strings.Split(plan, "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ->")) }
	for i, l := range lines {
		if !strings.Contains(l, "Sort  (") {
			continue
		}
		in, under := indent(l), -1
		for _, c := range lines[i+1:] {
			if indent(c) <= in {
				break
			}
			// A read under a Limit stops at its page: not a large read.
			if under >= 0 && indent(c) > under {
				continue
			}
			under = -1
			if strings.Contains(c, "Limit  (") {
				under = indent(c)
				continue
			}
			if !strings.Contains(c, " on tickets ") {
				continue
			}
			var rows int
			if at := strings.Index(c, "rows="); at >= 0 {
				fmt.Sscanf(c[at:], "rows=%d", &rows)
			}
			if rows > 1000 {
				return strings.TrimSpace(c)
			}
		}
	}
	return ""
}

// TestListStatementsUseIndexes: every list statement and count, as the
// console and saved views send them, can be read through indexes on both
// dialects (EXPLAIN with sequential scans forbidden on PostgreSQL; which
// index the planner takes on real data is TestInboxOn100kOpenTickets').
func TestListStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	s := New(Opts{DB: d})
	for _, c := range planCases([]int64{1, 2, 3}) {
		q, err := s.listQuery(c.viewer, c.f, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		sql, args := q.pageSQL()
		checkPlan(t, c.name, testenv.Plan(t, d, sql, args...), nil)
		sql, args = q.countSQL(CountCap)
		plan := testenv.Plan(t, d, sql, args...)
		if strings.Contains(plan, "Seq Scan on tickets") || strings.Contains(plan, "SCAN t\n") {
			t.Errorf("%s: count not served by an index:\n%s", c.name, plan)
		}
	}
}

// TestInboxOn100kOpenTickets: with 100,000 open tickets in 20 queues, the
// planner really picks the ordered indexes for the inbox and the main
// filtered pages (not a scan and sort of every ticket).
func TestInboxOn100kOpenTickets(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 tickets")
	}
	d := testenv.DB(t)
	queues := seedOpenTickets(t, d, 100000, 20) // queue i%20, channel i%4: the first queue is webform only
	s := New(Opts{DB: d})
	// One seed serves both checks (seeding is most of the time).
	t.Run("filtered queue branch", func(t *testing.T) { filteredQueueBranchReadsTheIndex(t, d, s, queues) })
	for _, c := range planCases(queues) {
		// The page as the API reads it carries its tickets' tags in the
		// same statement: the page part keeps its ordered indexes either way.
		for _, withTags := range []bool{false, true} {
			c.f.WithTags = withTags
			q, err := s.listQuery(c.viewer, c.f, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			sql, args := q.pageSQL()
			name := c.name
			if withTags {
				name += " (with tags)"
			}
			plan := testenv.PlanOnData(t, d, sql, args...)
			checkPlan(t, name, plan, c.want)
			if testing.Verbose() {
				t.Logf("%s:\n%s", name, plan)
			}
		}
	}
}

// filteredQueueBranchReadsTheIndex: an agent's page filtered by
// channel and priority, on 100,000 open tickets where one of the agent's
// queues has no ticket of that channel, reads each queue branch from the
// queue's inbox index alone (the filter checked in the index), so the
// empty queue is passed over in the index instead of fetching each of its
// thousands of tickets and sorting what matches.
func filteredQueueBranchReadsTheIndex(t *testing.T, d *db.DB, s *Service, queues []int64) {
	viewer := agent.Agent{ID: 1, Role: domain.RoleAgent, QueueIDs: queues[:2]}
	q, err := s.listQuery(viewer, Filter{Limit: 20, Channel: "whatsapp", Priority: "urgent"}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	sql, args := q.pageSQL()
	plan := testenv.PlanOnData(t, d, sql, args...)
	want := "Index Only Scan using tickets_queue_inbox_idx"
	if d.Dialect == db.SQLite {
		want = "USING COVERING INDEX tickets_queue_inbox_idx"
	}
	if n := strings.Count(plan, want); n != 2 {
		t.Errorf("%d queue branches read from the index alone (%q), want 2:\n%s", n, want, plan)
	}
	if d.Dialect == db.Postgres && strings.Count(plan, "channel = 'whatsapp'::text") < 2 {
		t.Errorf("the channel is not checked in the index:\n%s", plan)
	}
	checkPlan(t, "agent: whatsapp, urgent", plan, nil)
}

// seedOpenTickets fills n open tickets over the given number of queues,
// one contact each, in two statements, and returns the queue ids.
func seedOpenTickets(t testing.TB, d *db.DB, n, queues int) []int64 {
	t.Helper()
	now := time.Now().UTC()
	var ids []int64
	for i := 0; i < queues; i++ {
		var id int64
		if err := d.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`,
			fmt.Sprintf("q%d", i), fmt.Sprintf("Antrean %d", i), now).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := d.Exec(`INSERT INTO contacts (name, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
SELECT 'Warga ' || i, ?, ? FROM seq`, n, now, now).Error; err != nil {
		t.Fatal(err)
	}
	var first int64
	if err := d.Raw(`SELECT MIN(id) FROM contacts`).Scan(&first).Error; err != nil {
		t.Fatal(err)
	}
	interval := `CAST(? AS TIMESTAMPTZ) - seq.i * INTERVAL '1 second'`
	if d.Dialect == db.SQLite {
		interval = `strftime('%Y-%m-%d %H:%M:%S', ?, '-' || seq.i || ' seconds') || '+00:00'`
	}
	if err := d.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id,
	assignee_id, province_code, created_at, updated_at, last_message_at, resolution_due_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
SELECT 'T' || seq.i, ? + seq.i - 1,
	CASE seq.i % 4 WHEN 0 THEN 'webform' WHEN 1 THEN 'whatsapp' WHEN 2 THEN 'livechat' ELSE 'voice' END,
	CASE seq.i % 3 WHEN 0 THEN 'insentif' ELSE 'pelatihan' END,
	CASE seq.i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'open' ELSE 'pending' END,
	CASE seq.i % 10 WHEN 0 THEN 'urgent' ELSE 'normal' END,
	(SELECT MIN(id) FROM queues WHERE code LIKE 'q%') + seq.i % ?,
	NULL, CASE seq.i % 34 WHEN 0 THEN '32' ELSE '31' END, `+interval+`, `+interval+`, `+interval+`, `+interval+`
FROM seq`, n, first, queues, now, now, now, now.Add(24*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"queues", "contacts", "tickets"} {
		if err := d.Exec(`ANALYZE ` + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestSortOfManyTicketsReadsTheTree: the plan check catches a sort of a
// large read and lets a sort of limited pages pass.
func TestSortOfManyTicketsReadsTheTree(t *testing.T) {
	bad := `Limit  (cost=1.00..2.00 rows=21 width=8)
  ->  Sort  (cost=1.00..2.00 rows=5000 width=8)
        ->  Bitmap Heap Scan on tickets t  (cost=0.29..900.00 rows=5000 width=8)`
	if sortOfManyTickets(bad) == "" {
		t.Error("a sort of 5,000 ticket rows passed")
	}
	good := `Limit  (cost=1.00..2.00 rows=21 width=8)
  ->  Sort  (cost=1.00..2.00 rows=43 width=8)
        ->  Append  (cost=0.29..79.63 rows=43 width=8)
              ->  Limit  (cost=0.29..35.41 rows=21 width=16)
                    ->  Index Scan using tickets_inbox_idx on tickets t_1  (cost=0.29..8205.79 rows=4907 width=16)
        ->  Index Scan using tickets_pkey on tickets t  (cost=0.29..8.03 rows=1 width=123)`
	if got := sortOfManyTickets(good); got != "" {
		t.Errorf("a sort of limited pages was refused: %s", got)
	}
}

// TestListTagsReadByTheirKey: a page read with its tags reads each ticket's
// tags along the ticket_tags primary key (ticket_id first), on both
// dialects, and the page itself still along the inbox indexes.
func TestListTagsReadByTheirKey(t *testing.T) {
	d := testenv.DB(t)
	s := New(Opts{DB: d})
	for _, c := range planCases([]int64{1, 2, 3})[:4] {
		c.f.WithTags = true
		q, err := s.listQuery(c.viewer, c.f, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		sql, args := q.pageSQL()
		if !strings.Contains(sql, "ticket_tags") {
			t.Fatalf("%s: the statement reads no tags:\n%s", c.name, sql)
		}
		plan := testenv.Plan(t, d, sql, args...)
		checkPlan(t, c.name, plan, nil)
		want := "ticket_tags_pkey"
		if d.Dialect == db.SQLite {
			want = "sqlite_autoindex_ticket_tags_1"
		}
		if !strings.Contains(plan, want) || strings.Contains(plan, "Seq Scan on ticket_tags") || strings.Contains(plan, "SCAN tt\n") {
			t.Errorf("%s: tags not read by %s:\n%s", c.name, want, plan)
		}
	}
}

// TestInboxOfMostlySolvedTickets: where most tickets are solved (as they
// are after months of work) and a tenth are still being worked, spread
// over the history (the newest 1,000 wait), the default inbox of those who see everything reads the active
// tickets alone in its order (tickets_active_inbox_idx). Before that index
// the planners took the SLA index of the active tickets and sorted all of
// them for every page, a cost growing with the backlog (BenchmarkScale).
func TestInboxOfMostlySolvedTickets(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20,000 tickets")
	}
	ctx := context.Background()
	d := testenv.DB(t)
	now := time.Now().UTC()
	var queues []int64
	for i := range 4 {
		var id int64
		if err := d.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`,
			fmt.Sprintf("s%d", i), fmt.Sprintf("Antrean %d", i), now).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		queues = append(queues, id)
	}
	var agentID int64
	if err := d.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, created_at, updated_at)
VALUES ('riwayat@example.go.id', 'Riwayat', 'x', 'agent', 'online', 100000, 0, ?, ?) RETURNING id`, now, now).Scan(&agentID).Error; err != nil {
		t.Fatal(err)
	}
	// Every tenth ticket open with the agent, the newest 1,000 waiting,
	// the rest solved.
	if err := scale.Seed(ctx, d, scale.Opts{Tickets: 20000, Queues: queues, Agent: agentID}); err != nil {
		t.Fatal(err)
	}
	s := New(Opts{DB: d})
	for _, viewer := range []agent.Agent{
		{ID: agentID, Role: domain.RoleSupervisor, QueueIDs: queues},
		{ID: agentID + 1, Role: domain.RoleAdmin},
	} {
		q, err := s.listQuery(viewer, Filter{Limit: 20}, now)
		if err != nil {
			t.Fatal(err)
		}
		sql, args := q.pageSQL()
		plan := testenv.PlanOnData(t, d, sql, args...)
		checkPlan(t, string(viewer.Role)+" inbox", plan, []string{"tickets_active_inbox_idx"})
	}
}

// TestRepliedSinceReadsTheTicketsMessages: the check every reply makes
// for a colleague's reply it would collide with reads the ticket's
// messages along their index, never every message.
func TestRepliedSinceReadsTheTicketsMessages(t *testing.T) {
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, repliedSinceSQL, 1, 1, 1)
	if !strings.Contains(plan, "messages_ticket_idx") {
		t.Errorf("replies since a message not read along messages_ticket_idx:\n%s", plan)
	}
}
