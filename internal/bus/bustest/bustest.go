// Package bustest records the realtime events that code under test
// publishes, so the tests of each publisher check the catalog's payloads
// the same way: decoded strictly, waited for by polling.
package bustest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// Recorder holds every event published on a bus since Record.
type Recorder struct {
	names bus.Names
	mu    sync.Mutex
	got   []*nats.Msg
}

// Record subscribes to every event of b until the test ends. The
// subscription is flushed, so whatever is published after Record returns
// is recorded.
func Record(t testing.TB, b *bus.Bus) *Recorder {
	t.Helper()
	r := &Recorder{names: b.Names}
	sub, err := b.NC.Subscribe(b.Names.EventsAll(), func(m *nats.Msg) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	return r
}

// Msgs returns what was recorded so far, oldest first.
func (r *Recorder) Msgs() []*nats.Msg {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*nats.Msg(nil), r.got...)
}

// Wait polls until an event of type E for which ok holds was recorded and
// returns it. Every event of that type is decoded with unknown fields
// refused, so a payload that drifts from its type fails the test.
func Wait[E bus.Event](t testing.TB, r *Recorder, ok func(E) bool) E {
	t.Helper()
	var zero, got E
	subject := r.names.EventSubject(zero)
	testenv.CheckFor(t, 10*time.Second, time.Millisecond, func() error {
		for _, m := range r.Msgs() {
			if m.Subject != subject {
				continue
			}
			var ev E
			dec := json.NewDecoder(bytes.NewReader(m.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("%s: %v", subject, err)
			}
			if ok(ev) {
				got = ev
				return nil
			}
		}
		return fmt.Errorf("no matching %s yet", bus.Name(zero))
	})
	return got
}
