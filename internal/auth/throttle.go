package auth

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrThrottled is matched (errors.Is) by a *ThrottledError.
var ErrThrottled = errors.New("auth: too many failed sign-ins")

// ThrottledError refuses a sign-in without looking at the password: the
// account (or this device's attempts on it) failed too often.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: retry in %s", ErrThrottled, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Throttle sets the per-account limit: Free failed sign-ins, then each
// further failure locks for Backoff, doubling up to MaxBackoff. A success
// clears the count of the side it came from.
type Throttle struct {
	Free       int
	Backoff    time.Duration
	MaxBackoff time.Duration
}

func (t Throttle) withDefaults() Throttle {
	if t.Free <= 0 {
		t.Free = 5
	}
	if t.Backoff <= 0 {
		t.Backoff = time.Second
	}
	if t.MaxBackoff < t.Backoff {
		t.MaxBackoff = max(15*time.Minute, t.Backoff)
	}
	return t
}

// Bounds of the failure book: it is swept when it holds sweepAt entries;
// past maxEntries new keys are not booked (the per-address limit still
// holds them back), so a flood of invented accounts cannot grow memory.
const (
	sweepAt    = 10_000
	maxEntries = 200_000
)

// failures is the in-memory book of failed sign-ins per key (an account
// as seen from unknown browsers, or one known device of an account). It
// is per instance: behind n instances without sticky sessions an account
// takes at most n times the free failures before every instance backs
// off, and the doubling still bounds the rate of guesses.
type failures struct {
	t   Throttle
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*failEntry
}

type failEntry struct {
	n       int
	until   time.Time
	last    time.Time
	pending int // attempts let through whose password is being checked
}

func newFailures(t Throttle, now func() time.Time) *failures {
	return &failures{t: t.withDefaults(), now: now, m: map[string]*failEntry{}}
}

// forget is how long an entry outlives its last failure.
func (f *failures) forget() time.Duration { return 2 * f.t.MaxBackoff }

// begin decides, in one step with the count, whether key may try now
// (0) or must wait; an attempt let through is pending until fail, clear
// or release settles it. Parallel attempts cannot all pass before any
// counts: the free attempts left are shared out among pending ones, and
// past them only one attempt at a time is let through (its failure sets
// the next lock).
func (f *failures) begin(key string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	e := f.m[key]
	if e != nil && e.pending == 0 && now.Sub(e.last) > f.forget() {
		delete(f.m, key) // a failure long ago does not count against today
		e = nil
	}
	if e == nil {
		if len(f.m) >= sweepAt {
			f.sweep(now)
		}
		if len(f.m) >= maxEntries {
			return 0 // not booked; the per-address limit still holds
		}
		e = &failEntry{last: now}
		f.m[key] = e
	}
	if wait := e.until.Sub(now); wait > 0 {
		return wait
	}
	if e.n+e.pending >= f.t.Free && e.pending > 0 {
		return f.t.Backoff // the attempt in flight decides the next lock
	}
	e.pending++
	return 0
}

// release settles a pending attempt that neither failed nor succeeded
// (the check itself failed: the database, a cancelled request).
func (f *failures) release(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.m[key]; e != nil && e.pending > 0 {
		e.pending--
	}
}

// fail books a failure of key (settling a pending attempt) and returns
// the lock it starts.
func (f *failures) fail(key string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	e := f.m[key]
	if e != nil && e.pending > 0 {
		e.pending--
	}
	if e != nil && e.n > 0 && now.Sub(e.last) > f.forget() {
		e.n, e.until = 0, time.Time{} // a failure long ago does not count against today
	}
	if e == nil {
		if len(f.m) >= sweepAt {
			f.sweep(now)
		}
		if len(f.m) >= maxEntries {
			return 0
		}
		e = &failEntry{}
		f.m[key] = e
	}
	e.n++
	e.last = now
	if e.n < f.t.Free {
		return 0
	}
	lock := f.t.Backoff
	for i := f.t.Free; i < e.n && lock < f.t.MaxBackoff; i++ {
		lock *= 2
	}
	lock = min(lock, f.t.MaxBackoff)
	e.until = now.Add(lock)
	return lock
}

// clear forgets key's failures (a success).
func (f *failures) clear(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, key)
}

func (f *failures) sweep(now time.Time) {
	for k, e := range f.m {
		if e.pending == 0 && now.Sub(e.last) > f.forget() {
			delete(f.m, k)
		}
	}
}
