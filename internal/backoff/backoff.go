// Package backoff is the one rule for waits between retries: a first wait
// doubled on every further attempt, up to a cap.
package backoff

import (
	"context"
	"time"
)

// Doubling waits First before the second attempt, then twice as long each
// time, never more than Max.
type Doubling struct {
	First time.Duration
	Max   time.Duration
}

// Wait is the wait after attempt (1: the first failure) failed.
func (d Doubling) Wait(attempt int) time.Duration {
	w := d.First
	for i := 1; i < attempt && w < d.Max; i++ {
		w *= 2
	}
	return min(w, d.Max)
}

// Sleep waits Wait(attempt) or until ctx ends; it reports whether the wait
// ran to its end.
func (d Doubling) Sleep(ctx context.Context, attempt int) bool {
	t := time.NewTimer(d.Wait(attempt))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
