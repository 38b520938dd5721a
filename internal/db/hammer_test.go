package db

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Many more writers than pooled connections, on two pools open on one
// file (two instances), doing what the services do: transactions that
// write, read outside the transaction through the pool while they hold the
// lock (a settings cache filled on first use), and write again;
// autocommit writes; INSERT … RETURNING; plain reads. No statement may
// fail with SQLite's "database is locked" (SQLITE_BUSY) or a wait for the
// write lock that ran out.
//
// Before lockedPool, writers waited for the lock holding a pooled
// connection: with four connections and four waiters, a transaction that
// held the lock and needed one more connection waited for them while they
// waited for it, until writeLockTimeout failed them.
func TestConcurrentWritersNeverSeeDatabaseLocked(t *testing.T) {
	const (
		writers = 24
		rounds  = 30
	)
	dir := t.TempDir()
	ds := []*DB{openSQLiteTest(t, dir), openSQLiteTest(t, dir)}
	if err := ds[0].Exec(`CREATE TABLE hammer (id INTEGER PRIMARY KEY, w INTEGER NOT NULL, body TEXT NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := ds[w%len(ds)].WithContext(ctx)
			for r := range rounds {
				var err error
				switch (w + r) % 4 {
				case 0: // a transaction that reads through the pool meanwhile
					err = d.Transaction(func(tx *gorm.DB) error {
						if err := tx.Exec(`INSERT INTO hammer (w, body) VALUES (?, 'tx')`, w).Error; err != nil {
							return err
						}
						var n int64
						if err := d.Raw(`SELECT COUNT(*) FROM hammer WHERE w = ?`, w).Scan(&n).Error; err != nil {
							return fmt.Errorf("read beside the transaction: %w", err)
						}
						return tx.Exec(`UPDATE hammer SET body = 'tx2' WHERE w = ? AND body = 'tx'`, w).Error
					})
				case 1:
					err = d.Exec(`INSERT INTO hammer (w, body) VALUES (?, 'auto')`, w).Error
				case 2:
					var id int64
					err = d.Raw(`INSERT INTO hammer (w, body) VALUES (?, 'returning') RETURNING id`, w).Scan(&id).Error
					if err == nil && id == 0 {
						err = fmt.Errorf("INSERT … RETURNING gave no id")
					}
				case 3:
					var n int64
					err = d.Raw(`SELECT COUNT(*) FROM hammer`).Scan(&n).Error
				}
				if err != nil {
					fail(fmt.Errorf("writer %d round %d: %w", w, r, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "SQLITE_BUSY") {
			t.Errorf("database is locked reached a caller: %v", err)
		} else {
			t.Error(err)
		}
	}
	var n int64
	if err := ds[1].Raw(`SELECT COUNT(*) FROM hammer`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if want := int64(writers * rounds * 3 / 4); n != want {
		t.Errorf("%d rows, want %d", n, want)
	}
}
