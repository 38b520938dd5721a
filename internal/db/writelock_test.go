package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// openSQLiteTest opens the SQLite file in dir with a short busy_timeout:
// a writer left polling SQLite's lock fails soon, while waiting in this
// process's queue is bounded by writeLockTimeout alone.
func openSQLiteTest(t *testing.T, dir string) *DB {
	t.Helper()
	d, err := Open(context.Background(), Config{DataDir: dir, MaxOpenConns: 4, busyTimeout: 250 * time.Millisecond},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// Writers that commit and begin again at once used to keep SQLite's lock
// among themselves: a waiter in the busy handler polls, and lost every poll
// until busy_timeout ran out ("database is locked"). Every writer here keeps
// writing until all of them have written rounds times, so one that does
// not get its turn within busy_timeout fails the test; queued in order,
// each gets its turn after the writers ahead of it, however slow the
// machine.
func TestWritersOnOneFileTakeTurns(t *testing.T) {
	const (
		pools   = 2 // two instances on one file
		perPool = 4
		writers = pools * perPool
		rounds  = 20
	)
	dir := t.TempDir()
	var ds []*DB
	for range pools {
		ds = append(ds, openSQLiteTest(t, dir))
	}
	if err := ds[0].Exec(`CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		if err := ds[0].Exec(`INSERT INTO counters (id, n) VALUES (?, 0)`, w).Error; err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		finished atomic.Int64 // writers that wrote rounds times
		wg       sync.WaitGroup
		once     sync.Once
		first    error // the first failure; it stops the others
	)
	for w := range writers {
		d := ds[w%pools]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; finished.Load() < writers; n++ {
				var err error
				if w%2 == 0 {
					// A transaction that reads, then writes.
					err = d.Tx(ctx, func(tx *gorm.DB) error {
						var cur int
						if err := tx.Raw(`SELECT n FROM counters WHERE id = ?`, w).Scan(&cur).Error; err != nil {
							return err
						}
						return tx.Exec(`UPDATE counters SET n = ? WHERE id = ?`, cur+1, w).Error
					})
				} else {
					// A single statement outside a transaction.
					err = d.WithContext(ctx).Exec(`UPDATE counters SET n = n + 1 WHERE id = ?`, w).Error
				}
				if err != nil {
					once.Do(func() {
						first = fmt.Errorf("writer %d, write %d: %w", w, n, err)
						cancel()
					})
					return
				}
				if n == rounds {
					finished.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
	var low int
	if err := ds[0].Raw(`SELECT MIN(n) FROM counters`).Scan(&low).Error; err != nil {
		t.Fatal(err)
	}
	if low < rounds {
		t.Fatalf("a writer wrote %d times, want at least %d", low, rounds)
	}
}

// The lock is given back whatever way a write ends: a transaction opened
// by hand, an INSERT … RETURNING outside a transaction, a failed
// statement, a rolled-back transaction. A lock kept by mistake would make
// the write after it wait out the busy timeout and fail.
func TestWriteLockIsReleased(t *testing.T) {
	d := openSQLiteTest(t, t.TempDir())
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`).Error)
	sqlDB, err := d.DB.DB()
	must(err)

	cases := []struct {
		name  string
		write func() error
	}{
		{"a transaction opened by hand, committed", func() error {
			conn, err := sqlDB.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			for _, q := range []string{`BEGIN IMMEDIATE`, `INSERT INTO notes (body) VALUES ('a')`, `COMMIT`} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}},
		{"a transaction opened by hand, rolled back", func() error {
			conn, err := sqlDB.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			for _, q := range []string{`BEGIN`, `INSERT INTO notes (body) VALUES ('b')`, `ROLLBACK`} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}},
		{"an INSERT returning rows outside a transaction", func() error {
			var id int64
			return d.Raw(`INSERT INTO notes (body) VALUES ('c') RETURNING id`).Scan(&id).Error
		}},
		{"a WITH that writes", func() error {
			return d.Exec(`WITH x AS (SELECT 'd' AS body) INSERT INTO notes (body) SELECT body FROM x`).Error
		}},
		{"a failing statement", func() error {
			if err := d.Exec(`INSERT INTO missing (body) VALUES ('e')`).Error; err == nil {
				return errors.New("insert into a missing table succeeded")
			}
			return nil
		}},
		{"a transaction rolled back", func() error {
			boom := errors.New("boom")
			if err := d.Tx(ctx, func(tx *gorm.DB) error {
				if err := tx.Exec(`INSERT INTO notes (body) VALUES ('f')`).Error; err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				return fmt.Errorf("rollback: %v", err)
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			must(tc.write())
			// The next writer gets the lock at once: with a lock left
			// held, this would fail after the busy timeout.
			must(d.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Exec(`INSERT INTO notes (body) VALUES ('next')`).Error
			}))
		})
	}
}

func TestStatementKind(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"a SELECT reads", "\n  SELECT id FROM tickets WHERE id = ?", stmtRead},
		{"a WITH of reads reads", "WITH x AS (SELECT 1) SELECT * FROM x", stmtRead},
		{"a WITH holding an UPDATE writes", "WITH x AS (SELECT 1) update t SET a = 1", stmtOther},
		{"an INSERT … RETURNING writes", "INSERT INTO t (a) VALUES (?) RETURNING id", stmtOther},
		{"a PRAGMA may write", "PRAGMA journal_mode(WAL)", stmtOther},
		{"BEGIN opens a transaction", "begin immediate", stmtBegin},
		{"COMMIT ends it", "COMMIT", stmtEnd},
		{"END ends it", "END TRANSACTION", stmtEnd},
		{"ROLLBACK ends it", "ROLLBACK", stmtEnd},
		{"ROLLBACK TRANSACTION ends it", "ROLLBACK TRANSACTION", stmtEnd},
		{"ROLLBACK TO a savepoint does not", "ROLLBACK TO SAVEPOINT sp1", stmtOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := statementKind(tc.query); got != tc.want {
				t.Fatalf("statementKind(%q) = %d, want %d", tc.query, got, tc.want)
			}
		})
	}
}

// A write that finds the lock held is counted with its wait, for every pool
// on the file; one that finds it free is not.
func TestWriteLockWaitsCounted(t *testing.T) {
	dir := t.TempDir()
	a, b := openSQLiteTest(t, dir), openSQLiteTest(t, dir)
	if err := a.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	n0, w0 := b.WriteLockWaits()
	if err := a.Exec(`INSERT INTO t (id) VALUES (1)`).Error; err != nil {
		t.Fatal(err)
	}
	if n, _ := b.WriteLockWaits(); n != n0 {
		t.Fatalf("a write on a free lock counted as a wait (%d, was %d)", n, n0)
	}
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`INSERT INTO t (id) VALUES (2)`).Error; err != nil {
				return err
			}
			close(held)
			time.Sleep(50 * time.Millisecond)
			return nil
		})
	}()
	<-held
	if err := b.Exec(`INSERT INTO t (id) VALUES (3)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n, w := a.WriteLockWaits()
	if n != n0+1 || w-w0 <= 0 {
		t.Fatalf("after one write waited: %d waits (want %d), %v waited", n, n0+1, w-w0)
	}
}
