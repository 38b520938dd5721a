package bus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// jobCounts records job outcomes as the metrics do, and says on done
// when a job is done.
type jobCounts struct {
	mu   sync.Mutex
	n    map[string]int
	done chan struct{}
}

func (c *jobCounts) Received(string, string, int) {}

func (c *jobCounts) Job(kind, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[kind+" "+outcome]++
	if outcome == "done" {
		c.done <- struct{}{}
	}
}

func (c *jobCounts) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// A job that is not ready yet comes back after its delay, with its
// delivery counted, and is counted as waiting, not as a retry.
func TestAWaitingJobComesBackWithoutCountingAsARetry(t *testing.T) {
	counts := &jobCounts{n: map[string]int{}, done: make(chan struct{}, 1)}
	cfg := testenv.BusConfig(t)
	cfg.Observe = counts
	b := testenv.ConnectBus(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.PublishJob(ctx, domain.ChannelWhatsApp, "waittest", "1", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	attempts := make(chan int, 4)
	stopped := make(chan struct{})
	defer func() { cancel(); <-stopped }()
	go func() {
		defer close(stopped)
		_ = b.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: "waittest"}, func(_ context.Context, _ []byte, attempt int) (bus.JobOutcome, time.Duration) {
			attempts <- attempt
			if attempt < 3 {
				return bus.JobWait, 10 * time.Millisecond
			}
			return bus.JobDone, 0
		})
	}()
	for want := 1; want <= 3; want++ {
		select {
		case got := <-attempts:
			if got != want {
				t.Fatalf("delivery %d seen as attempt %d", want, got)
			}
		case <-ctx.Done():
			t.Fatalf("delivery %d never came", want)
		}
	}
	select {
	case <-counts.done:
	case <-ctx.Done():
		t.Fatal("the job was never counted done")
	}
	if w, r := counts.get("whatsapp/waittest waiting"), counts.get("whatsapp/waittest retry"); w != 2 || r != 0 {
		t.Fatalf("counted %d waits and %d retries, want 2 and 0", w, r)
	}
}
