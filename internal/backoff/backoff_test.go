package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDoublingWaits(t *testing.T) {
	d := Doubling{First: 250 * time.Millisecond, Max: 15 * time.Second}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 15 * time.Second, 15 * time.Second}
	for i, w := range want {
		if got := d.Wait(i + 1); got != w {
			t.Fatalf("attempt %d: %s, want %s", i+1, got, w)
		}
	}
	// Attempts far past the cap neither overflow nor loop long.
	if got := d.Wait(1 << 30); got != 15*time.Second {
		t.Fatalf("attempt 2^30: %s", got)
	}
	if got := d.Wait(0); got != 250*time.Millisecond {
		t.Fatalf("attempt 0: %s", got)
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if (Doubling{First: time.Hour, Max: time.Hour}).Sleep(ctx, 1) {
		t.Fatal("a cancelled wait reported it ran to its end")
	}
	if !(Doubling{First: time.Nanosecond, Max: time.Nanosecond}).Sleep(context.Background(), 1) {
		t.Fatal("a finished wait reported cancelled")
	}
}
