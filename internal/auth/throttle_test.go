package auth

import (
	"testing"
	"time"
)

func TestFailuresBackOffAndForget(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	f := newFailures(Throttle{Free: 3, Backoff: time.Second, MaxBackoff: 8 * time.Second}, func() time.Time { return now })
	var locks []time.Duration
	for range 7 {
		locks = append(locks, f.fail("a"))
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i := range want {
		if locks[i] != want[i] {
			t.Fatalf("locks %v, want %v", locks, want)
		}
	}
	if w := f.begin("a"); w != 8*time.Second {
		t.Fatalf("wait %s", w)
	}
	if w := f.begin("b"); w != 0 {
		t.Fatalf("another key waits %s", w)
	}
	now = now.Add(9 * time.Second)
	if w := f.begin("a"); w != 0 {
		t.Fatalf("after the lock: wait %s", w)
	}
	// Long after the last failure, the count starts again.
	now = now.Add(time.Minute)
	if lock := f.fail("a"); lock != 0 {
		t.Fatalf("old failures still count: lock %s", lock)
	}
	f.clear("a")
	if w := f.begin("a"); w != 0 {
		t.Fatal("cleared key still waits")
	}
}

func TestFailureBookStaysBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	f := newFailures(Throttle{Free: 1, Backoff: time.Second, MaxBackoff: time.Second}, func() time.Time { return now })
	for i := range sweepAt {
		f.fail(string(rune(i)))
	}
	now = now.Add(time.Hour) // all idle past forget()
	f.fail("new")
	if len(f.m) != 1 {
		t.Fatalf("%d entries after a sweep, want 1", len(f.m))
	}
}
