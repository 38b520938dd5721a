package voice

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

// callEvents collects the call.* events published on the rig's bus.
type callEvents struct {
	mu   sync.Mutex
	name []string
	data [][]byte
}

func listenCalls(t *testing.T, r *rig) *callEvents {
	t.Helper()
	c := &callEvents{}
	sub, err := r.bus.NC.Subscribe(r.bus.Names.Event(bus.EntityCall, "*"), func(m *nats.Msg) {
		name, _ := r.bus.Names.EventName(m.Subject)
		c.mu.Lock()
		c.name = append(c.name, name)
		c.data = append(c.data, m.Data)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.bus.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return c
}

func (c *callEvents) waitFor(t *testing.T, n int) ([]string, [][]byte) {
	t.Helper()
	var names []string
	var data [][]byte
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.name) < n {
			return fmt.Errorf("%d call events, want %d", len(c.name), n)
		}
		names, data = append([]string(nil), c.name...), append([][]byte(nil), c.data...)
		return nil
	})
	return names, data
}

// The boards learn of every call as it starts and ends (the wallboard's
// calls line is pushed on these), without the caller's number.
func TestCallsAreAnnouncedToTheBoards(t *testing.T) {
	r := newRig(t, nil, nil)
	got := listenCalls(t, r)
	p := r.phone()
	p.Incoming()
	// The provider repeating its webhook announces nothing new.
	p.Incoming()
	p.Hangup("completed", 12)
	names, data := got.waitFor(t, 2)

	// One connection keeps the order, so a second start (for the repeated
	// webhook) would come before the end.
	if names[0] != "call.started" || names[1] != "call.ended" {
		t.Fatalf("events %v, want call.started then call.ended", names)
	}
	var started bus.CallStarted
	if err := json.Unmarshal(data[0], &started); err != nil || started.Direction != "inbound" || started.At.IsZero() {
		t.Fatalf("call.started %s (%v)", data[0], err)
	}
	var ended bus.CallEnded
	if err := json.Unmarshal(data[1], &ended); err != nil {
		t.Fatal(err)
	}
	if ended.Direction != "inbound" || ended.Outcome != OutcomeAbandoned || ended.DurationSeconds != 12 {
		t.Fatalf("call.ended %s: want an inbound call abandoned after 12 s", data[1])
	}
	for i, d := range data {
		for _, digits := range [][]byte{[]byte(p.From), []byte(p.From[1:]), []byte(p.CallSid)} {
			if bytes.Contains(d, digits) {
				t.Errorf("%s carries %q: %s", names[i], digits, d)
			}
		}
	}
}
