package auth

import (
	"errors"
	"fmt"
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

// rule is how one kind of key is limited: Free counted attempts, then a
// lock of Backoff doubling up to MaxBackoff per further attempt. The count
// starts again Forget after the last attempt (fromFirst: after the first,
// a fixed window, as the per-address limit counts failures per minute).
type rule struct {
	Free       int
	Backoff    time.Duration
	MaxBackoff time.Duration
	Forget     time.Duration
	fromFirst  bool
}

// accountRule is the rule of an account's (or a known device's) key.
func (t Throttle) accountRule() rule {
	t = t.withDefaults()
	return rule{Free: t.Free, Backoff: t.Backoff, MaxBackoff: t.MaxBackoff, Forget: 2 * t.MaxBackoff}
}

// addressRule lets perMinute failures through per client address in a
// window of a minute from the first; the window's last locks the address
// until the window ends.
func addressRule(perMinute int) rule {
	return rule{Free: perMinute, Backoff: time.Minute, MaxBackoff: time.Minute, Forget: time.Minute, fromFirst: true}
}

// lockAfter is the lock that the n-th counted attempt starts (0: none).
func (r rule) lockAfter(n int) time.Duration {
	if n < r.Free {
		return 0
	}
	lock := r.Backoff
	for i := r.Free; i < n && lock < r.MaxBackoff; i++ {
		lock *= 2
	}
	return min(lock, r.MaxBackoff)
}
