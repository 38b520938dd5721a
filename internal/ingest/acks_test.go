package ingest

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// TestNewTicketQueuesOneAck: a WhatsApp message that opens a ticket
// queues one acknowledgement job on the WhatsApp job queue, with the
// ticket, its tracking number, the citizen's number, the business number
// written to and what the message is; the follow-up threaded into it
// queues none, and a channel not named in Opts.Acks (the form) none
// either.
func TestNewTicketQueuesOneAck(t *testing.T) {
	e := newEnv(t)
	e.start(e.consumer(Opts{Acks: []envelope.Channel{domain.ChannelWhatsApp}}))
	const phone = "+6281300000088"
	now := time.Now().UTC().Truncate(time.Second)
	first := waMessage("wamid.ack-1", phone, "Kartu saya belum aktif", now)
	first.Fields[envelope.FieldVia] = "106540352242933"
	e.publish(first)
	e.publish(waMessage("wamid.ack-2", phone, "Mohon dibantu", now.Add(time.Minute)))
	e.publish(complaint("form-ack-1", "+6281300000089", "Bansos belum cair"))
	// One citizen's messages are handled one after the other: once the
	// third is stored, the batches before it queued what they queue.
	e.publish(waMessage("wamid.ack-3", phone, "Terima kasih", now.Add(2*time.Minute)))
	e.waitCount(4, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()
	tk := e.ticketOf(domain.ChannelWhatsApp, "wamid.ack-1")
	if e.ticketOf(domain.ChannelWhatsApp, "wamid.ack-3").ID != tk.ID {
		t.Fatal("follow-ups on another ticket")
	}

	ctx := context.Background()
	s, err := e.b.JS.Stream(ctx, e.b.Names.StreamJobs())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(e.b.Names.JobsAll()))
	if err != nil {
		t.Fatal(err)
	}
	subject := e.b.Names.Job(domain.ChannelWhatsApp, bus.JobAck)
	if len(info.State.Subjects) != 1 || info.State.Subjects[subject] != 1 {
		t.Fatalf("jobs queued %v, want one on %s", info.State.Subjects, subject)
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	var got bus.Ack
	if err := json.Unmarshal(m.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := bus.Ack{TicketID: tk.ID, TrackingNumber: tk.TrackingNumber, Phone: phone, Via: "106540352242933", At: now, Kind: "text"}
	if got != want {
		t.Fatalf("ack job %+v, want %+v", got, want)
	}
	// Keyed by the ticket: a copy within the dedupe window is dropped.
	if id, want := m.Header.Get(jetstream.MsgIDHeader), bus.JobMsgID(domain.ChannelWhatsApp, bus.JobAck, strconv.FormatInt(tk.ID, 10)); id != want {
		t.Fatalf("ack job's Nats-Msg-Id %q, want %q", id, want)
	}
}
