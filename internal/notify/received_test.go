package notify

import (
	"context"
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
// menu or was abandoned is sent nothing, and a job queued again sends no
// second SMS.
func TestCallersWhoLeftSomethingAreSentTheirTrackingNumber(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) { o.Received = true })
	f.run(t)
	ctx := context.Background()
	// As the core queues them, keyed by the ticket; again is a second job
	// for it past the dedupe.
	queue := func(id int64, again string, a bus.Ack) {
		t.Helper()
		a.TicketID = id
		if err := f.b.PublishJob(ctx, domain.ChannelVoice, bus.JobAck, fmt.Sprint(id)+again, a); err != nil {
			t.Fatal(err)
		}
	}
	drained := func() {
		t.Helper()
		testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
			for _, durable := range []string{f.b.Names.DurableJob(domain.ChannelVoice, bus.JobAck), f.b.Names.DurableJob(jobChannel, jobKind)} {
				c, err := f.b.JS.Consumer(ctx, f.b.Names.StreamJobs(), durable)
				if err != nil {
					return err
				}
				info, err := c.Info(ctx)
				if err != nil {
					return err
				}
				if info.NumPending != 0 || info.NumAckPending != 0 {
					return fmt.Errorf("%s: pending %d, ack pending %d", durable, info.NumPending, info.NumAckPending)
				}
			}
			return nil
		})
	}

	// Told nothing: the menu only, an abandoned call.
	menuOnly, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: "+6281234560001"})
	abandoned, _ := f.addTicket(t, ticketSpec{channel: "voice", phone: "+6281234560002"})
	queue(menuOnly, "", bus.Ack{Kind: string(domain.KindCallRecord), CallOutcome: "self_service"})
	queue(abandoned, "", bus.Ack{Kind: string(domain.KindCallRecord), CallOutcome: "abandoned"})
	drained()
	for _, id := range []int64{menuOnly, abandoned} {
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
		queue(id, "", a)
		queue(id, "-again", a)
	}
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		for id := range phones {
			if d := f.deliveries(t, id); len(d) != 1 || d[0].Status != StatusSent || d[0].Route != RouteSMS || d[0].Kind != KindReceived {
				return fmt.Errorf("ticket %d: deliveries %+v", id, d)
			}
		}
		return nil
	})
	drained()
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
		if !strings.Contains(body, "Nomor tiket Anda: "+tn) {
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
