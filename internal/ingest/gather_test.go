package ingest

import (
	"math"
	"testing"
	"time"
)

func TestGatherWait(t *testing.T) {
	const (
		linger = 250 * time.Millisecond
		fill   = 16
		never  = time.Duration(math.MaxInt64)
	)
	ms := time.Millisecond
	for _, tc := range []struct {
		name       string
		held       int
		age, quiet time.Duration
		rate       float64
		want       time.Duration
	}{
		{name: "the first message after the start is stored at once", held: 1, quiet: never, want: 0},
		{name: "a message after a quiet spell of a linger is stored at once", held: 1, quiet: linger, rate: 40, want: 0},
		{name: "a message after an hour's quiet is stored at once", held: 1, quiet: time.Hour, rate: 40, want: 0},
		{name: "without a rate, a gap of 20 ms guesses 50/s: the round waits its linger", held: 1, quiet: 20 * ms, want: linger},
		{name: "without a rate, a gap of 2 ms guesses 500/s: half a round is gathered", held: 1, quiet: 2 * ms, want: 14 * ms},
		{name: "at 40/s a round waits out its linger", held: 1, age: 5 * ms, quiet: 25 * ms, rate: 40, want: 245 * ms},
		{name: "a round that filled is handed over", held: fill, age: 5 * ms, quiet: 25 * ms, rate: 40, want: 0},
		{name: "a round past its linger is handed over", held: 3, age: linger, quiet: 25 * ms, rate: 40, want: 0},
		{name: "at 100/s a round waits about as long as filling takes", held: 6, age: 10 * ms, quiet: 2 * ms, rate: 100, want: 100 * ms},
		{name: "at 400/s a round stops at half of fill", held: 6, age: 10 * ms, quiet: 2 * ms, rate: 400, want: 5 * ms},
		{name: "at 500/s half a round is handed over", held: fill / 2, age: 10 * ms, quiet: 2 * ms, rate: 500, want: 0},
		{name: "under load the wait shrinks to a millisecond", held: 1, quiet: 0, rate: 1e6, want: ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gatherWait(linger, fill, tc.held, tc.age, tc.quiet, tc.rate); got != tc.want {
				t.Fatalf("gatherWait = %v, want %v", got, tc.want)
			}
		})
	}
	if got := gatherWait(0, fill, 1, 0, 0, 40); got != 0 {
		t.Fatalf("with gathering off (linger 0) gatherWait = %v, want 0", got)
	}
}
