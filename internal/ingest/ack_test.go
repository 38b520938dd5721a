package ingest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// acks records what an AckObserver is told (and ignores the batches).
type acks struct {
	mu  sync.Mutex
	got []time.Duration
}

func (a *acks) Ingested(int, time.Duration) {}

func (a *acks) Recording() bool { return true }

func (a *acks) Acked(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, d)
}

func (a *acks) seen() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Duration(nil), a.got...)
}

// Each stored message's ack is observed with the time since JetStream
// stored it, not since the consumer fetched it: messages that waited in
// the stream before any consumer ran report that wait.
func TestAckObservedSinceStored(t *testing.T) {
	e := newEnv(t)
	before := time.Now()
	e.publish(complaint("form-ack-1", "+6281234567801", "Bansos belum cair"))
	e.publish(complaint("form-ack-2", "+6281234567802", "Kartu belum aktif"))
	// The messages wait in the stream a known time before a consumer
	// exists (a set age for the measurement, not a wait for a condition).
	const aged = 300 * time.Millisecond
	time.Sleep(aged)
	obs := &acks{}
	e.start(e.consumer(Opts{Observe: obs}))
	e.waitCount(2, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()
	var got []time.Duration
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if got = obs.seen(); len(got) != 2 {
			return fmt.Errorf("%d acks observed, want 2", len(got))
		}
		return nil
	})
	for _, d := range got {
		if d < aged || d > time.Since(before) {
			t.Errorf("ack observed %v after the store, want between %v and %v", d, aged, time.Since(before))
		}
	}
}
