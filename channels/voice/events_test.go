package voice

import (
	"bytes"
	"strings"
	"testing"

	"tanggap/internal/bus"
	"tanggap/internal/bus/bustest"
)

// The boards learn of every call as it starts and ends (the wallboard's
// calls line is pushed on these), without the caller's number.
func TestCallsAreAnnouncedToTheBoards(t *testing.T) {
	r := newRig(t, nil, nil)
	rec := bustest.Record(t, r.bus)
	p := r.phone()
	p.Incoming()
	// The provider repeating its webhook announces nothing new.
	p.Incoming()
	p.Hangup("completed", 12)
	ended := bustest.Wait(t, rec, func(bus.CallEnded) bool { return true })
	if ended.Direction != "inbound" || ended.Outcome != OutcomeAbandoned || ended.DurationSeconds != 12 {
		t.Fatalf("call.ended %+v: want an inbound call abandoned after 12 s", ended)
	}
	started := bustest.Wait(t, rec, func(bus.CallStarted) bool { return true })
	if started.Direction != "inbound" || started.At.IsZero() {
		t.Fatalf("call.started %+v", started)
	}
	// One connection keeps the order: everything published before the end
	// is recorded by now, so exactly one start for two incoming webhooks.
	var names []string
	for _, m := range rec.Msgs() {
		if !strings.Contains(m.Subject, ".call.") {
			continue
		}
		names = append(names, m.Subject[strings.LastIndex(m.Subject, ".call.")+1:])
		for _, secret := range []string{p.From, p.From[1:], p.CallSid} {
			if bytes.Contains(m.Data, []byte(secret)) {
				t.Errorf("%s carries %q: %s", m.Subject, secret, m.Data)
			}
		}
	}
	if strings.Join(names, " ") != "call.started call.ended" {
		t.Errorf("call events %v, want one call.started then one call.ended", names)
	}
}
