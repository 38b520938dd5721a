package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// TestCallersWhoLeftSomethingAreSentTheirTrackingNumber: the phone line's
// acknowledgement jobs become one SMS with the tracking number and a
// working status link, for a voicemail, a callback request and a call
// record saying the call ended in one; a call that only went through the
// menu or was abandoned is sent nothing, nor a call of days ago, and the
// notice worked again sends no second SMS.
func TestCallersWhoLeftSomethingAreSentTheirTrackingNumber(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) { o.Received = true })
	f.run(t)
	ctx := context.Background()
	// As the core queues them.
	queue := func(id int64, a bus.Ack) {
		t.Helper()
		a.TicketID = id
		if a.At.IsZero() {
			a.At = time.Now().UTC()
		}
		if err := f.b.PublishJob(ctx, domain.ChannelVoice, bus.JobAck, fmt.Sprint(id), a); err != nil {
			t.Fatal(err)
		}
	}
	// Told nothing: the menu only, an abandoned call, a voicemail of two
	// days ago (its job waited while no notifier ran).
	menuOnly, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: "+6281234560001"})
	abandoned, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: "+6281234560002"})
	stale, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: "+6281234560003"})
	queue(menuOnly, bus.Ack{Kind: string(domain.KindCallRecord), CallOutcome: "self_service"})
	queue(abandoned, bus.Ack{Kind: string(domain.KindCallRecord), CallOutcome: "abandoned"})
	queue(stale, bus.Ack{Kind: string(domain.KindVoicemail), At: time.Now().UTC().Add(-48 * time.Hour)})
	f.settled(t)
	for _, id := range []int64{menuOnly, abandoned, stale} {
		if d := f.deliveries(t, id); len(d) != 0 {
			t.Fatalf("ticket %d: %+v", id, d)
		}
	}

	// Told: a voicemail, a callback request, a record of a voicemail call.
	phones := map[int64]string{}
	for i, a := range []bus.Ack{
		{Kind: string(domain.KindVoicemail)},
		{Kind: string(domain.KindCallbackRequest)},
		{Kind: string(domain.KindCallRecord), CallOutcome: "voicemail"},
	} {
		phone := fmt.Sprintf("+628123456100%d", i)
		id, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: phone})
		phones[id] = phone
		queue(id, a)
	}
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		for id := range phones {
			if d := f.deliveries(t, id); len(d) != 1 || d[0].Status != StatusSent || d[0].Route != RouteSMS || d[0].Kind != KindReceived {
				return fmt.Errorf("ticket %d: deliveries %+v", id, d)
			}
		}
		return nil
	})
	f.settled(t)
	// The same notice worked again (a redelivery after a crash, another
	// voicemail on the ticket): its record says sent, nothing goes.
	for id := range phones {
		data, err := json.Marshal(job{Key: receivedKey(id), Kind: KindReceived, TicketID: id})
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := f.svc.work(ctx, data, 2); out != bus.JobDone {
			t.Fatalf("ticket %d: the notice again: %v", id, out)
		}
	}
	sms := f.tw.sent()
	if len(sms) != len(phones) {
		t.Fatalf("%d SMS, want %d", len(sms), len(phones))
	}
	for id, phone := range phones {
		var tn string
		must(t, f.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, id).Row().Scan(&tn))
		var body string
		for _, p := range sms {
			if p.Get("To") == phone {
				body = p.Get("Body")
			}
		}
		if !strings.Contains(body, "Nomor pelacakan tiket Anda: "+tn+".") {
			t.Fatalf("SMS to %s: %q, want its tracking number %s", phone, body, tn)
		}
		lm := linkRE.FindStringSubmatch(body)
		if lm == nil {
			t.Fatalf("no link in %q", body)
		}
		if gotTN, contact, _, err := f.svc.StatusLinks().OpenStatusLink(ctx, lm[1]); err != nil || gotTN != tn || contact != phone {
			t.Fatalf("link opens %q %q %v", gotTN, contact, err)
		}
	}
}

// settled waits until the notifier has taken every event and job queued
// so far: nothing pending on its events consumer nor on its job
// consumers (the phone line's acknowledgements where it takes them).
func (f *fixture) settled(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	type source struct{ stream, durable string }
	sources := []source{{f.b.Names.StreamNotifyEvents(), f.b.Names.DurableNotifyEvents()},
		{f.b.Names.StreamJobs(), f.b.Names.DurableJob(jobChannel, jobKind)}}
	if f.svc.o.Received {
		sources = append(sources, source{f.b.Names.StreamJobs(), f.b.Names.DurableJob(domain.ChannelVoice, bus.JobAck)})
	}
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		for _, src := range sources {
			c, err := f.b.JS.Consumer(ctx, src.stream, src.durable)
			if err != nil {
				return err
			}
			info, err := c.Info(ctx)
			if err != nil {
				return err
			}
			if info.NumPending != 0 || info.NumAckPending != 0 {
				return fmt.Errorf("%s: pending %d, ack pending %d", src.durable, info.NumPending, info.NumAckPending)
			}
		}
		return nil
	})
}
