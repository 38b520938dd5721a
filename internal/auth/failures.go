package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"tanggap/internal/db"
)

// failures is the book of sign-in attempts per key (an account as seen
// from unknown browsers, one known device of an account, one client
// address), in the login_failures table so that every instance sharing
// the database shares it: behind a load balancer an attacker gets the
// same tries from n instances as from one.
//
// Concurrency contract: an attempt is counted before its password is
// checked (begin), in one compare-and-set with the check of the lock
// (readRowSQL, then casSQL or insertRowSQL; a lost race reads again), so
// parallel attempts on any number of instances cannot all pass before one
// is counted: at most Free attempts are checked before the lock starts,
// then one per lock. The check then settles the count: a failure keeps it
// (nothing to write), a success on an account clears it, an attempt whose
// check could not be made (database down, request cancelled) or a success
// from an address is given back (release). A crash between begin and the
// settle leaves the attempt counted, which errs on the safe side.
type failures struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
	// writes counts this instance's writes: every purgeEvery-th also
	// deletes the rows that have expired, so invented accounts cannot
	// grow the table for ever.
	writes atomic.Uint64
}

// purgeEvery is how many writes pass between purges of expired rows.
const purgeEvery = 256

// casTries bounds the compare-and-set loop; past it the attempt is
// refused as throttled (only a flood of parallel attempts on one key
// loses that many races, and refusing them is the point).
const casTries = 16

// The statements of the book. The per-attempt read and the
// compare-and-set are served by the primary key, the purge by
// login_failures_expires (TestLoginFailuresUseIndexes).
const (
	readRowSQL   = `SELECT failures, first_at, last_at, locked_until, expires_at, gen FROM login_failures WHERE key_hash = ?`
	insertRowSQL = `INSERT INTO login_failures (key_hash, failures, first_at, last_at, locked_until, expires_at, gen) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (key_hash) DO NOTHING`
	casSQL       = `UPDATE login_failures SET failures = ?, first_at = ?, last_at = ?, locked_until = ?, expires_at = ?, gen = gen + 1 WHERE key_hash = ? AND gen = ?`
	clearSQL     = `DELETE FROM login_failures WHERE key_hash = ?`
	purgeSQL     = `DELETE FROM login_failures WHERE expires_at < ?`
)

type failRow struct {
	Failures    int
	FirstAt     int64
	LastAt      int64
	LockedUntil int64
	ExpiresAt   int64
	Gen         int64
}

// attempt is one counted attempt, to settle after the password check.
type attempt struct {
	key  string // the key's hash
	r    rule
	gen  int64         // the row's gen after this attempt's count
	lock time.Duration // the lock this attempt started, if it fails
}

func newFailures(d *db.DB, now func() time.Time, log *slog.Logger) *failures {
	return &failures{db: d, now: now, log: log}
}

// keyHash keeps the book free of emails and addresses.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte("tanggap login failures\x00" + key))
	return hex.EncodeToString(sum[:])
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func (f *failures) read(ctx context.Context, key string) (failRow, bool, error) {
	var rows []failRow
	if err := f.db.WithContext(ctx).Raw(readRowSQL, key).Scan(&rows).Error; err != nil {
		return failRow{}, false, fmt.Errorf("auth: read sign-in failures: %w", err)
	}
	if len(rows) == 0 {
		return failRow{}, false, nil
	}
	return rows[0], true, nil
}

// begin decides, in one step with the count, whether key may try now:
// wait 0 and the counted attempt, or the wait of the lock.
func (f *failures) begin(ctx context.Context, key string, r rule) (attempt, time.Duration, error) {
	h := keyHash(key)
	for range casTries {
		now := f.now()
		cur, found, err := f.read(ctx, h)
		if err != nil {
			return attempt{}, 0, err
		}
		if found && cur.LockedUntil > ms(now) {
			return attempt{}, time.Duration(cur.LockedUntil-ms(now)) * time.Millisecond, nil
		}
		next := cur
		if !found || ms(now) > cur.ExpiresAt {
			next.Failures, next.FirstAt = 0, ms(now) // long ago does not count against today
		}
		next.Failures++
		next.LastAt = ms(now)
		lock := r.lockAfter(next.Failures)
		next.LockedUntil = 0
		if lock > 0 && r.fromFirst {
			// A fixed window: locked until it ends, then counted afresh.
			next.LockedUntil = next.FirstAt + r.Forget.Milliseconds()
			lock = time.Duration(next.LockedUntil-ms(now)) * time.Millisecond
		} else if lock > 0 {
			next.LockedUntil = ms(now.Add(lock))
		}
		ref := next.LastAt
		if r.fromFirst {
			ref = next.FirstAt
		}
		next.ExpiresAt = max(ref+r.Forget.Milliseconds(), next.LockedUntil)
		var n int64
		if found {
			n, err = f.exec(ctx, casSQL, next.Failures, next.FirstAt, next.LastAt, next.LockedUntil, next.ExpiresAt, h, cur.Gen)
			next.Gen = cur.Gen + 1
		} else {
			n, err = f.exec(ctx, insertRowSQL, h, next.Failures, next.FirstAt, next.LastAt, next.LockedUntil, next.ExpiresAt)
			next.Gen = 1
		}
		if err != nil {
			return attempt{}, 0, err
		}
		if n == 1 {
			f.wrote(ctx)
			return attempt{key: h, r: r, gen: next.Gen, lock: lock}, 0, nil
		}
		// Another attempt (here or on another instance) wrote first: read
		// what it wrote and decide again.
	}
	return attempt{}, r.Backoff, nil
}

// release gives back an attempt whose check was not made, or a success
// from an address: the count drops by one, and the lock it started is
// lifted when nothing was counted after it.
func (f *failures) release(ctx context.Context, a attempt) error {
	for range casTries {
		cur, found, err := f.read(ctx, a.key)
		if err != nil || !found || cur.Failures == 0 {
			return err
		}
		next := cur
		next.Failures--
		if cur.Gen == a.gen {
			next.LockedUntil = 0
		}
		n, err := f.exec(ctx, casSQL, next.Failures, next.FirstAt, next.LastAt, next.LockedUntil, next.ExpiresAt, a.key, cur.Gen)
		if err != nil || n == 1 {
			return err
		}
	}
	return nil // contended: the attempt stays counted, the safe side
}

// clear forgets the key of a (successful) attempt.
func (f *failures) clear(ctx context.Context, a attempt) error {
	if err := f.db.WithContext(ctx).Exec(clearSQL, a.key).Error; err != nil {
		return fmt.Errorf("auth: clear sign-in failures: %w", err)
	}
	return nil
}

// purge deletes the rows that no longer count, and says how many.
func (f *failures) purge(ctx context.Context) (int64, error) {
	res := f.db.WithContext(ctx).Exec(purgeSQL, ms(f.now()))
	if res.Error != nil {
		return 0, fmt.Errorf("auth: purge sign-in failures: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func (f *failures) wrote(ctx context.Context) {
	if f.writes.Add(1)%purgeEvery != 0 {
		return
	}
	if _, err := f.purge(ctx); err != nil && f.log != nil {
		f.log.Warn("sign-in failures: purge", "err", err)
	}
}

// exec runs a write of the book and returns the rows it changed.
func (f *failures) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res := f.db.WithContext(ctx).Exec(q, args...)
	if res.Error != nil {
		return 0, fmt.Errorf("auth: count sign-in failure: %w", res.Error)
	}
	return res.RowsAffected, nil
}
