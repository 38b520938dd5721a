package auth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// clock is a settable clock shared by the throttles of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestFailuresBackOffAndForget(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	f := newFailures(testenv.DB(t), c.now, testenv.Logger(t))
	r := Throttle{Free: 3, Backoff: time.Second, MaxBackoff: 8 * time.Second}.accountRule()
	// Each attempt is counted before it is checked; the lock it starts is
	// the one a failure leaves. After each lock, one attempt gets through.
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, lock := range want {
		a, wait, err := f.begin(ctx, "a", r)
		if err != nil || wait != 0 || a.lock != lock {
			t.Fatalf("attempt %d: lock %s wait %s err %v, want lock %s", i+1, a.lock, wait, err, lock)
		}
		if lock > 0 {
			if _, wait, _ := f.begin(ctx, "a", r); wait != lock {
				t.Fatalf("attempt during the lock of %s: wait %s", lock, wait)
			}
			c.add(lock)
		}
	}
	if _, wait, _ := f.begin(ctx, "b", r); wait != 0 {
		t.Fatalf("another key waits %s", wait)
	}
	// Long after the last failure, the count starts again.
	c.add(time.Minute)
	a, wait, err := f.begin(ctx, "a", r)
	if err != nil || wait != 0 || a.lock != 0 {
		t.Fatalf("old failures still count: lock %s wait %s err %v", a.lock, wait, err)
	}
	// A success clears the key; an attempt given back is not counted.
	for range 2 {
		a, _, _ = f.begin(ctx, "a", r)
	}
	if a.lock != time.Second {
		t.Fatalf("third attempt starts lock %s", a.lock)
	}
	if err := f.release(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a, wait, _ := f.begin(ctx, "a", r); wait != 0 || a.lock != time.Second {
		t.Fatalf("after a release: wait %s, lock %s (the released attempt still counts)", wait, a.lock)
	} else if err := f.clear(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a, wait, _ := f.begin(ctx, "a", r); wait != 0 || a.lock != 0 {
		t.Fatalf("cleared key: wait %s lock %s", wait, a.lock)
	}
}

// TestAddressLimitCountsPerMinute: failures per address are counted in a
// window of a minute from the first, as the per-minute limit did.
func TestAddressLimitCountsPerMinute(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	f := newFailures(testenv.DB(t), c.now, testenv.Logger(t))
	r := addressRule(3)
	for i := range 3 {
		if _, wait, err := f.begin(ctx, "address:10.0.0.1", r); err != nil || wait != 0 {
			t.Fatalf("attempt %d: wait %s %v", i+1, wait, err)
		}
		c.add(10 * time.Second)
	}
	if _, wait, _ := f.begin(ctx, "address:10.0.0.1", r); wait != 30*time.Second {
		t.Fatalf("fourth attempt in the minute: wait %s, want 30s", wait)
	}
	c.add(30 * time.Second)
	if a, wait, _ := f.begin(ctx, "address:10.0.0.1", r); wait != 0 || a.lock != 0 {
		t.Fatalf("a new minute: wait %s lock %s", wait, a.lock)
	}
}

// TestFailureBookIsPurged: rows past their use are deleted, live ones
// stay; keys are stored only hashed.
func TestFailureBookIsPurged(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	d := testenv.DB(t)
	f := newFailures(d, c.now, testenv.Logger(t))
	r := Throttle{Free: 1, Backoff: time.Second, MaxBackoff: time.Second}.accountRule()
	for _, k := range []string{"account:a@example.go.id", "account:b@example.go.id"} {
		if _, _, err := f.begin(ctx, k, r); err != nil {
			t.Fatal(err)
		}
	}
	c.add(time.Hour) // both idle past their use
	if _, _, err := f.begin(ctx, "account:c@example.go.id", r); err != nil {
		t.Fatal(err)
	}
	n, err := f.purge(ctx)
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v; want 2", n, err)
	}
	var keys []string
	if err := d.Raw(`SELECT key_hash FROM login_failures`).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != keyHash("account:c@example.go.id") || strings.Contains(keys[0], "example") {
		t.Fatalf("rows left %v", keys)
	}
}

// TestLoginFailuresUseIndexes: the read and the compare-and-set every
// sign-in runs are served by the primary key, the purge by its index.
func TestLoginFailuresUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	for _, c := range []struct {
		q    string
		args []any
		pg   string
		lite string
	}{
		{readRowSQL, []any{"k"}, "login_failures_pkey", "sqlite_autoindex_login_failures_1"},
		{casSQL, []any{1, 1, 1, 1, 1, "k", 1}, "login_failures_pkey", "sqlite_autoindex_login_failures_1"},
		{clearSQL, []any{"k"}, "login_failures_pkey", "sqlite_autoindex_login_failures_1"},
		{purgeSQL, []any{1}, "login_failures_expires", "login_failures_expires"},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		if !strings.Contains(plan, c.pg) && !strings.Contains(plan, c.lite) {
			t.Errorf("%s\nnot served by its index:\n%s", c.q, plan)
		}
	}
}
