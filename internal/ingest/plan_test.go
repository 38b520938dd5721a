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
)

// recordingPool passes a transaction's statements on and keeps each one's
// text and number of arguments.
type recordingPool struct {
	gorm.ConnPool
	mu    sync.Mutex
	stmts map[string]int
}

func (p *recordingPool) note(q string, args []any) {
	p.mu.Lock()
	p.stmts[q] = len(args)
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

var seqScan = regexp.MustCompile(`Seq Scan on (\w+)`)

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
	ctx := context.Background()
	rec := &recordingPool{stmts: map[string]int{}}
	for _, part := range [][]int{{0, 25}, {25, 60}} {
		var items []*item
		for _, in := range envs[part[0]:part[1]] {
			it, err := newItem(nil, in)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		err := e.d.Tx(ctx, func(tx *gorm.DB) error {
			rec.ConnPool = tx.Statement.ConnPool
			tx.Statement.ConnPool = rec
			defer func() { tx.Statement.ConnPool = rec.ConnPool }() // commit needs the *sql.Tx
			_, err := c.persist(ctx, tx, items)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM messages`); n != 60 {
		t.Fatalf("%d messages stored, want 60", n)
	}
	checked := 0
	for q, nargs := range rec.stmts {
		if strings.HasPrefix(q, "SET ") {
			continue
		}
		checked++
		plan := genericPlan(t, e.d, q, nargs)
		if m := seqScan.FindStringSubmatch(plan); m != nil {
			t.Errorf("generic plan reads %s without an index:\n%s\n%s", m[1], q, plan)
		}
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
