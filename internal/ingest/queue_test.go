package ingest

import (
	"fmt"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// A message that must stay in the queue it asks for (queue_strict) joins
// the contact's open ticket on the channel in that queue, else opens one
// there; without queue_strict a requested queue only places new tickets.
func TestStrictQueueRequest(t *testing.T) {
	e := newEnv(t)
	e.start(e.consumer(Opts{}))
	const phone = "+6281300000077"
	msg := func(n int, queue string, strict bool) envelope.Inbound {
		in := envelope.Inbound{
			V: envelope.Version, Channel: domain.ChannelVoice, ProviderMessageID: fmt.Sprintf("CA%032d:step", n),
			Sender: envelope.Sender{Phone: phone}, Text: fmt.Sprintf("langkah %d", n),
			Fields: map[string]string{envelope.FieldKind: "call_record"}, ReceivedAt: at.Add(time.Duration(n) * time.Minute),
		}
		if queue != "" {
			in.Fields[envelope.FieldQueue] = queue
		}
		if strict {
			in.Fields[envelope.FieldQueueStrict] = "true"
		}
		return in
	}
	umum, err := e.router.QueueID("umum")
	if err != nil {
		t.Fatal(err)
	}
	kartu, err := e.router.QueueID("kartu")
	if err != nil {
		t.Fatal(err)
	}
	step := func(n int, queue string, strict bool) storedTicket {
		t.Helper()
		in := msg(n, queue, strict)
		e.publish(in)
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = ?`, in.ProviderMessageID)
		return e.ticketOf(domain.ChannelVoice, in.ProviderMessageID)
	}

	a := step(1, "", false)
	if a.QueueID == nil || *a.QueueID != umum {
		t.Fatalf("first ticket in queue %v, want umum %d", a.QueueID, umum)
	}
	if b := step(2, "kartu", false); b.ID != a.ID {
		t.Fatalf("a requested queue split the thread without queue_strict: %d, want %d", b.ID, a.ID)
	}
	b := step(3, "kartu", true)
	if b.ID == a.ID || b.QueueID == nil || *b.QueueID != kartu {
		t.Fatalf("strict request: ticket %d in queue %v, want a new ticket in kartu %d (earlier %d)", b.ID, b.QueueID, kartu, a.ID)
	}
	// The open ticket in the asked queue, though another one is newer.
	if c := step(4, "umum", true); c.ID != a.ID {
		t.Fatalf("strict request for umum: ticket %d, want the open one there %d", c.ID, a.ID)
	}
	if c := step(5, "kartu", true); c.ID != b.ID {
		t.Fatalf("strict request again: ticket %d, want %d", c.ID, b.ID)
	}
	// Plain messages follow the newest open ticket, as before.
	if c := step(6, "", false); c.ID != b.ID {
		t.Fatalf("plain message: ticket %d, want the newest %d", c.ID, b.ID)
	}
	if n := e.count(`SELECT COUNT(*) FROM tickets WHERE channel = 'voice'`); n != 2 {
		t.Fatalf("%d voice tickets, want 2", n)
	}
}
