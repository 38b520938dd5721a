package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/scale"
)

// recordingPool passes a transaction's statements on and keeps each one's
// text and number of arguments.
type recordingPool struct {
	gorm.ConnPool
	mu    sync.Mutex
	stmts map[string]int
	args  map[string][]any // each statement's last arguments, when kept
	calls int              // statements sent, repeats included
}

func (p *recordingPool) note(q string, args []any) {
	p.mu.Lock()
	p.stmts[q] = len(args)
	if p.args != nil {
		p.args[q] = args
	}
	p.calls++
	p.mu.Unlock()
}

func (p *recordingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.note(q, args)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p *recordingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.note(q, args)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p *recordingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.note(q, args)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

// persistRecorded stores items in one batch transaction of c with its
// statements sent through rec, and fails the test unless each was stored.
func persistRecorded(t *testing.T, d *db.DB, c *Consumer, rec *recordingPool, items []*item) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *gorm.DB) error {
		rec.ConnPool = tx.Statement.ConnPool
		tx.Statement.ConnPool = rec
		defer func() { tx.Statement.ConnPool = rec.ConnPool }() // commit needs the *sql.Tx
		res, err := c.persist(ctx, tx, items)
		if err == nil && len(res.messages) != len(items) {
			err = fmt.Errorf("%d of %d messages stored", len(res.messages), len(items))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	seqScan = regexp.MustCompile(`Seq Scan on (\w+)`)
	// probesInOrder: a nested loop whose outer side is the unnest of the
	// ids and whose inner side is one primary-key probe per id.
	probesInOrder = regexp.MustCompile(`(?s)Nested Loop.*Function Scan on (unnest )?u .*Index Scan using tickets_pkey on tickets t`)
)

// A batch transaction plans its statements once per connection
// (plan_cache_mode = force_generic_plan, see tunePG): every statement
// the batches below send, the contacts', threading's, routing's and the
// SLA clocks' included, must read along an index in its generic plan,
// which knows none of the values.
func TestBatchStatementsGenericPlansUseIndexes(t *testing.T) {
	e := newEnv(t)
	if e.d.Dialect != db.Postgres {
		t.Skip("plan_cache_mode is PostgreSQL's")
	}
	for range 2 {
		e.agent("kartu", 3)
		e.agent("umum", 3)
	}
	c := e.consumer(Opts{ReopenWindow: 72 * 3600e9})
	envs := workload(60) // new citizens, follow-ups, attachments
	rec := &recordingPool{stmts: map[string]int{}}
	for _, part := range [][]int{{0, 25}, {25, 60}} {
		var items []*item
		for _, in := range envs[part[0]:part[1]] {
			items = append(items, mustItem(t, in))
		}
		persistRecorded(t, e.d, c, rec, items)
	}
	if n := e.count(`SELECT COUNT(*) FROM messages`); n != 60 {
		t.Fatalf("%d messages stored, want 60", n)
	}
	checked, touches := 0, 0
	for q, nargs := range rec.stmts {
		if strings.HasPrefix(q, "SET ") {
			continue
		}
		checked++
		plan := genericPlan(t, e.d, q, nargs)
		if m := seqScan.FindStringSubmatch(plan); m != nil {
			t.Errorf("generic plan reads %s without an index:\n%s\n%s", m[1], q, plan)
		}
		// The move of last_message_at is the first write to the tickets'
		// rows in a batch that reopens none, with no lock before it: it must
		// take their rows in the order of its sorted ids, an index probe
		// per id, for instances to lock them in one order.
		if strings.HasPrefix(q, "UPDATE tickets t SET last_message_at") {
			touches++
			if !probesInOrder.MatchString(plan) {
				t.Errorf("the move of last_message_at does not probe the tickets in the order of its ids:\n%s", plan)
			}
		}
	}
	if touches == 0 {
		t.Error("no move of last_message_at recorded")
	}
	// Lookups, contacts, tickets, messages, attachments, routing, clocks.
	if checked < 12 {
		t.Fatalf("only %d statements recorded: %v", checked, rec.stmts)
	}
}

// genericPlan is the plan PostgreSQL keeps for q (with nargs parameters)
// when it plans it once for any values, as a batch transaction does.
func genericPlan(t *testing.T, d *db.DB, q string, nargs int) string {
	t.Helper()
	var plan []string
	err := d.Transaction(func(tx *gorm.DB) error {
		conn := tx.Statement.ConnPool
		if _, err := conn.ExecContext(context.Background(), `SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
			return err
		}
		if nargs == 0 {
			return tx.Raw(`EXPLAIN ` + q).Scan(&plan).Error
		}
		if _, err := conn.ExecContext(context.Background(), `PREPARE batch_stmt AS `+q); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		nulls := strings.TrimSuffix(strings.Repeat("NULL, ", nargs), ", ")
		rows, err := conn.QueryContext(context.Background(), `EXPLAIN EXECUTE batch_stmt(`+nulls+`)`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = conn.ExecContext(context.Background(), `DEALLOCATE batch_stmt`)
		return err
	})
	if err != nil {
		t.Fatalf("generic plan of %s: %v", q, err)
	}
	return strings.Join(plan, "\n")
}

// A batch's cost in round trips to the database is flat: a batch of 40
// messages sends as many statements as a batch of 4 of the same kinds
// (new citizens in two queues, follow-ups on their open tickets). Every
// step is one set-based statement for the whole batch; only an assignment
// to an agent is a statement per ticket, and the agents here have no room,
// as at any busy hour. At a trickle the batches are small, so each
// statement a batch needs is paid again every round; this keeps a new
// per-item statement (a loop over the batch) from slipping in.
func TestBatchStatementsDoNotGrowWithTheBatch(t *testing.T) {
	e := newEnv(t)
	e.agent("kartu", 0) // members without room: routing reads them, assigns nothing
	e.agent("umum", 0)
	c := e.consumer(Opts{})
	// batch is n new citizens (half of them in kartu's queue, half in the
	// default one) and, from round 1 on, a follow-up of each citizen of
	// the round before.
	batch := func(round, n int) []*item {
		var items []*item
		for i := range n {
			in := complaint(fmt.Sprintf("r%d-new-%d", round, i), fmt.Sprintf("+62813%02d%06d", round, i), "Kartu belum aktif")
			if i%2 == 1 {
				in.Fields[envelope.FieldCategory] = ""
			}
			items = append(items, mustItem(t, in))
			if round > 0 {
				items = append(items, mustItem(t, followUp(fmt.Sprintf("r%d-more-%d", round, i), fmt.Sprintf("+62813%02d%06d", round-1, i), "", "Sudah dua hari")))
			}
		}
		return items
	}
	run := func(items []*item) int {
		rec := &recordingPool{stmts: map[string]int{}}
		persistRecorded(t, e.d, c, rec, items)
		return rec.calls
	}
	run(batch(0, 20))
	small := run(batch(1, 2))
	run(batch(2, 20))
	large := run(batch(3, 20))
	t.Logf("%s: %d statements for a batch of 4 messages, %d for 40", e.d.Dialect, small, large)
	if large != small {
		t.Fatalf("a batch of 40 sends %d statements, one of 4 sends %d: a step runs per message", large, small)
	}
	// And what a batch of both kinds costs at all, counted: at a trickle
	// each statement is paid per handful of messages. PostgreSQL: the
	// planner settings, the duplicates, the contacts (a read that locks
	// what it finds, two inserts), the open tickets, the new tickets, the
	// messages, the move of last_message_at (which returns what the SLA
	// clocks need), the agents' locks and the routing candidates.
	budget := map[db.Dialect]int{db.Postgres: 12, db.SQLite: 10}[e.d.Dialect]
	if small > budget {
		t.Fatalf("a batch sends %d statements, %d before: a round trip was added", small, budget)
	}
}

func mustItem(t *testing.T, in envelope.Inbound) *item {
	t.Helper()
	it, err := newItem(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// wholeTableRead finds the plan lines that read a whole table:
// PostgreSQL's Seq Scan, SQLite's SCAN (with or without a covering index:
// either reads every row; "SCAN 12 CONSTANT ROWS" is the VALUES list).
var wholeTableRead = regexp.MustCompile(`(?m)Seq Scan on (\w+)|^SCAN (\w+)`)

// staffTables grow with the staff only, so reading them whole costs the
// same at any size of the citizens' data.
var staffTables = map[string]bool{"agents": true, "queue_members": true, "queues": true, "agent_channel_loads": true}

// tableAlias finds "FROM t x" / "JOIN t AS x" in a statement: SQLite's
// plan names a table by its alias.
var tableAlias = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)`)

// bigTableScans returns the tables of plan read whole that are not staff
// tables, the aliases q gives them resolved.
func bigTableScans(plan, q string) []string {
	tables := map[string]string{}
	for _, m := range tableAlias.FindAllStringSubmatch(q, -1) {
		tables[m[2]] = m[1]
	}
	var big []string
	for _, m := range wholeTableRead.FindAllStringSubmatch(plan, -1) {
		name := m[1] + m[2]
		if m[2] != "" && strings.Trim(name, "0123456789") == "" {
			continue // SCAN n CONSTANT ROWS
		}
		if t, ok := tables[name]; ok {
			name = t
		}
		if !staffTables[name] {
			big = append(big, name)
		}
	}
	return big
}

// Every statement a batch sends, with the values it was sent with, is
// planned on indexes over 100,000 tickets, 50,000 contacts with their
// identities and 300,000 messages (30,000 tickets on SQLite: the embedded
// engine under the race detector takes minutes to fill more, and picks the
// same plans from a few thousand rows on), as the planner chooses on the
// data: follow-ups of citizens with a waiting ticket and with a solved
// one, and new citizens.
func TestBatchStatementsOn100kTickets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.agent("kartu", 0)
	e.agent("umum", 0)
	var queues []int64
	if err := e.d.Raw(`SELECT id FROM queues ORDER BY id`).Scan(&queues).Error; err != nil {
		t.Fatal(err)
	}
	n := 100000
	if e.d.Dialect == db.SQLite {
		n = 30000
	}
	ctx := context.Background()
	if err := scale.Seed(ctx, e.d, scale.Opts{Tickets: n, Queues: queues, Waiting: 500}); err != nil {
		t.Fatal(err)
	}
	if err := e.d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at)
SELECT id, 'phone', '+62899' || id, created_at FROM contacts`).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.d.Exec(`ANALYZE`).Error; err != nil {
		t.Fatal(err)
	}
	var waiting, solved []int64
	if err := e.d.Raw(`SELECT contact_id FROM tickets WHERE status = 'new' ORDER BY id LIMIT 8`).Scan(&waiting).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.d.Raw(`SELECT contact_id FROM tickets WHERE status = 'solved' ORDER BY id DESC LIMIT 8`).Scan(&solved).Error; err != nil {
		t.Fatal(err)
	}
	if len(waiting) == 0 || len(solved) == 0 {
		t.Fatalf("seeded %d waiting and %d solved tickets' contacts", len(waiting), len(solved))
	}
	var items []*item
	for i, c := range append(waiting, solved...) {
		items = append(items, mustItem(t, followUp(fmt.Sprintf("big-more-%d", i), fmt.Sprintf("+62899%d", c), "", "Sudah dua hari")))
	}
	for i := range 8 {
		items = append(items, mustItem(t, complaint(fmt.Sprintf("big-new-%d", i), fmt.Sprintf("+62877%06d", i), "Kartu belum aktif")))
	}
	c := e.consumer(Opts{ReopenWindow: 72 * 3600e9})
	rec := &recordingPool{stmts: map[string]int{}, args: map[string][]any{}}
	persistRecorded(t, e.d, c, rec, items)
	explain := `EXPLAIN QUERY PLAN `
	if e.d.Dialect == db.Postgres {
		explain = `EXPLAIN `
	}
	checked := 0
	for q, args := range rec.args {
		if strings.HasPrefix(q, "SET ") {
			continue
		}
		checked++
		plan := planOf(t, e.d, explain+q, args)
		if big := bigTableScans(plan, q); len(big) > 0 {
			t.Errorf("on %d tickets this statement of a batch reads the whole of %v:\n%s\n%s", n, big, q, plan)
		}
	}
	if checked < 9 {
		t.Fatalf("only %d statements recorded", checked)
	}
}

// planOf runs an EXPLAIN on the pool, with the arguments as the batch
// sent them (arrays on PostgreSQL, which gorm's builder would expand).
func planOf(t *testing.T, d *db.DB, q string, args []any) string {
	t.Helper()
	rows, err := d.DB.Statement.ConnPool.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// PostgreSQL: one column, the line; SQLite: id, parent, notused, detail.
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
