package bus_test

import (
	"encoding/json"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// TestEmitSubject: Emit publishes on the subject of the event's entity and
// action, the JSON of the event.
func TestEmitSubject(t *testing.T) {
	b := testenv.Bus(t)
	sub, err := b.NC.SubscribeSync(b.Names.EventsAll())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	b.Emit(bus.TicketTransferred{Scope: bus.Scope{TicketID: 42, QueueID: 2, AssigneeID: 9, PreviousAssigneeID: 7}, Status: "open"})
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := b.Names.Prefix() + ".events.ticket.transferred"; m.Subject != want {
		t.Fatalf("subject %s, want %s", m.Subject, want)
	}
	var got bus.TicketTransferred
	if err := json.Unmarshal(m.Data, &got); err != nil || got.TicketID != 42 || got.PreviousAssigneeID != 7 || got.V != bus.Version {
		t.Fatalf("event %s (%v)", m.Data, err)
	}
}
