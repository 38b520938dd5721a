package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
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
	subject := e.b.Names.Job(domain.ChannelWhatsApp, bus.JobAck)
	queued(t, s, e.b.Names.JobsAll(), subject, 1)
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

// TestCallsThatLeaveSomethingQueueAnAck: on the phone line the call that
// opens a ticket queues its job (keyed by the ticket), and so does each
// message that leaves the caller waiting on us, on whichever ticket it
// lands (keyed by the message: a job of the ticket before does not hide
// it): here a voicemail left on the ticket a menu-only call opened. A
// transfer to an agent on that ticket queues none.
func TestCallsThatLeaveSomethingQueueAnAck(t *testing.T) {
	e := newEnv(t)
	e.start(e.consumer(Opts{Acks: []envelope.Channel{domain.ChannelVoice}}))
	const phone = "+6281300000099"
	now := time.Now().UTC().Truncate(time.Second)
	call := func(id, kind, outcome string, at time.Time) envelope.Inbound {
		in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelVoice, ProviderMessageID: id,
			Sender: envelope.Sender{Phone: phone}, Text: "Panggilan telepon", ReceivedAt: at,
			Fields: map[string]string{envelope.FieldKind: kind}}
		if outcome != "" {
			in.Fields[envelope.FieldCallOutcome] = outcome
		}
		return in
	}
	e.publish(call("CA01:record", string(domain.KindCallRecord), "self_service", now))
	e.publish(call("CA02:agent", string(domain.KindTransfer), "", now.Add(time.Minute)))
	e.publish(call("CA03:voicemail", string(domain.KindVoicemail), "", now.Add(2*time.Minute)))
	e.waitCount(3, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()
	tk := e.ticketOf(domain.ChannelVoice, "CA01:record")
	if e.ticketOf(domain.ChannelVoice, "CA03:voicemail").ID != tk.ID {
		t.Fatal("the voicemail went to another ticket")
	}

	ctx := context.Background()
	s, err := e.b.JS.Stream(ctx, e.b.Names.StreamJobs())
	if err != nil {
		t.Fatal(err)
	}
	subject := e.b.Names.Job(domain.ChannelVoice, bus.JobAck)
	info := queued(t, s, e.b.Names.JobsAll(), subject, 2)
	id := strconv.FormatInt(tk.ID, 10)
	want := map[string]bus.Ack{
		bus.JobMsgID(domain.ChannelVoice, bus.JobAck, id): {TicketID: tk.ID, TrackingNumber: tk.TrackingNumber, Phone: phone, At: now,
			Kind: string(domain.KindCallRecord), CallOutcome: "self_service"},
		bus.JobMsgID(domain.ChannelVoice, bus.JobAck, id+":CA03:voicemail"): {TicketID: tk.ID, TrackingNumber: tk.TrackingNumber,
			Phone: phone, At: now.Add(2 * time.Minute), Kind: string(domain.KindVoicemail)},
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil || m.Subject != subject {
			continue
		}
		var got bus.Ack
		if err := json.Unmarshal(m.Data, &got); err != nil {
			t.Fatal(err)
		}
		key := m.Header.Get(jetstream.MsgIDHeader)
		if w, ok := want[key]; !ok || got != w {
			t.Fatalf("job %s: %+v, want %+v", key, got, w)
		}
		delete(want, key)
	}
	if len(want) != 0 {
		t.Fatalf("jobs not queued: %v", want)
	}
}

// queued waits until the jobs stream holds n jobs, all on subject: the
// core queues a batch's acknowledgements after acknowledging its
// messages, so a settled consumer may not have queued them yet.
func queued(t *testing.T, s jetstream.Stream, all, subject string, n uint64) *jetstream.StreamInfo {
	t.Helper()
	var info *jetstream.StreamInfo
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		var err error
		if info, err = s.Info(context.Background(), jetstream.WithSubjectFilter(all)); err != nil {
			return err
		}
		if len(info.State.Subjects) != 1 || info.State.Subjects[subject] != n {
			return fmt.Errorf("jobs queued %v, want %d on %s", info.State.Subjects, n, subject)
		}
		return nil
	})
	return info
}
