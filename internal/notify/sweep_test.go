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
	"tanggap/migrations"
)

// A status change whose event never reached the bus (NATS was down) is
// told by the catch-up sweep, once; the event arriving late after all
// sends nothing more, and neither does another sweep.
func TestSweepTellsAStatusChangeWhoseEventWasLost(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", email: "rini@warga.test"})
	other, _ := f.addTicket(t, ticketSpec{channel: "webform", email: "tono@warga.test"})
	before := time.Now().UTC().Add(-time.Second)
	// The change is committed; its event is not published.
	must(t, f.d.Exec(`UPDATE tickets SET status = 'solved', updated_at = ? WHERE id = ?`, time.Now().UTC(), tid).Error)
	// A ticket that is merely open is nothing to tell.
	must(t, f.d.Exec(`UPDATE tickets SET priority = 'high', updated_at = ? WHERE id = ?`, time.Now().UTC(), other).Error)

	ctx := context.Background()
	n, err := f.svc.Sweep(ctx, before, time.Now().UTC().Add(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("sweep queued %d, %v; want 1", n, err)
	}
	once := func() {
		t.Helper()
		testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
			if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent || d[0].Kind != KindSolved {
				return fmt.Errorf("deliveries %+v", d)
			}
			return nil
		})
		if m := f.mail.mails(); len(m) != 1 || !strings.Contains(string(m[0].Data), "rini@warga.test") {
			t.Fatalf("%d mails, want 1", len(m))
		}
	}
	once()

	// The late event, and a second sweep over the same window.
	handled := f.svc.eventsHandled.Load()
	f.b.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, Status: domain.StatusSolved, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if f.svc.eventsHandled.Load() == handled {
			return fmt.Errorf("the late event is not handled yet")
		}
		return nil
	})
	if n, err := f.svc.Sweep(ctx, before, time.Now().UTC().Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("second sweep queued %d, %v", n, err)
	}
	// Anything the late event or the second sweep had queued would be on
	// the jobs stream or worked by now: wait until the stream is empty.
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		info, err := f.b.JS.Stream(ctx, f.b.Names.StreamJobs())
		if err != nil {
			return err
		}
		if n := info.CachedInfo().State.Msgs; n != 0 {
			return fmt.Errorf("%d jobs waiting", n)
		}
		return nil
	})
	once()
	if d := f.deliveries(t, other); len(d) != 0 {
		t.Fatalf("an open ticket was told: %+v", d)
	}
}

// The sweep runs on its own in Run: a lost event is made good without
// anyone calling it.
func TestSweepRunsPeriodically(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) {
		o.SweepEvery = 20 * time.Millisecond
		// The clock runs a minute ahead, so changes made now are past the
		// grace the sweep leaves to the event path.
		o.Now = func() time.Time { return time.Now().Add(time.Minute) }
	})
	f.run(t)
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567870"})
	must(t, f.d.Exec(`UPDATE tickets SET status = 'pending', updated_at = ? WHERE id = ?`, time.Now().UTC(), tid).Error)
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent || d[0].Kind != KindMoreInfo {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	if n := len(f.tw.sent()); n != 1 {
		t.Fatalf("%d SMS, want 1", n)
	}
}

// A reply whose message.updated event never reached the bus is told by
// the catch-up sweep, once; the late event and another sweep send nothing
// more. A reply whose event came is left to it, and a reply delivered on
// a live channel is nothing to tell.
func TestSweepTellsAReplyWhoseEventWasLost(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	ctx := context.Background()
	before := time.Now().UTC().Add(-time.Second)
	lost, lostReply := f.addTicket(t, ticketSpec{channel: "webform", email: "rini@warga.test"})
	heard, heardReply := f.addTicket(t, ticketSpec{channel: "webform", email: "tono@warga.test"})
	live, liveReply := f.addTicket(t, ticketSpec{channel: "livechat", email: "dewi@warga.test"})
	receipt := func(id int64, st domain.DeliveryStatus) {
		t.Helper()
		must(t, f.d.Exec(`UPDATE messages SET delivery_status = ?, updated_at = ? WHERE id = ?`, st, time.Now().UTC(), id).Error)
	}
	// Committed, its event not published.
	receipt(lostReply, domain.DeliveryPosted)
	// Committed and published: the event takes it up.
	receipt(heardReply, domain.DeliveryFailed)
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: heard, QueueID: f.queue}, MessageID: heardReply, DeliveryStatus: domain.DeliveryFailed, At: time.Now()})
	// Delivered on the live chat: the channel told them.
	receipt(liveReply, domain.DeliveryDelivered)
	sentOnce := func(tid int64) {
		t.Helper()
		testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
			if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent || d[0].Kind != KindReply {
				return fmt.Errorf("deliveries %+v", d)
			}
			return nil
		})
	}
	sentOnce(heard)

	n, err := f.svc.Sweep(ctx, before, time.Now().UTC().Add(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("sweep queued %d, %v; want 1", n, err)
	}
	sentOnce(lost)

	// The late event, and a second sweep over the same window.
	handled := f.svc.eventsHandled.Load()
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: lost, QueueID: f.queue}, MessageID: lostReply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if f.svc.eventsHandled.Load() == handled {
			return fmt.Errorf("the late event is not handled yet")
		}
		return nil
	})
	if n, err := f.svc.Sweep(ctx, before, time.Now().UTC().Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("second sweep queued %d, %v", n, err)
	}
	waitJobsDone(t, f)
	sentOnce(lost)
	sentOnce(heard)
	mails := map[string]int{}
	for _, m := range f.mail.mails() {
		for _, to := range []string{"rini@", "tono@", "dewi@"} {
			if strings.Contains(string(m.Data), to) {
				mails[to]++
			}
		}
	}
	if mails["rini@"] != 1 || mails["tono@"] != 1 || mails["dewi@"] != 0 {
		t.Fatalf("mails by citizen %v; want rini 1, tono 1, dewi 0", mails)
	}
	if d := f.deliveries(t, live); len(d) != 0 {
		t.Fatalf("a reply delivered on the live chat was told: %+v", d)
	}
}

// Before 0031 a reply's notice left no notify_notices mark, only its
// delivery rows: the upgrade marks those, so the first sweep after it
// queues only the replies no event took up.
func TestUpgradeMarksRepliesAlreadyTold(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	before := time.Now().UTC().Add(-time.Second)
	told, toldReply := f.addTicket(t, ticketSpec{channel: "webform", email: "ani@warga.test"})
	_, untoldReply := f.addTicket(t, ticketSpec{channel: "webform", email: "eko@warga.test"})
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'posted', updated_at = ? WHERE id IN (?, ?)`, time.Now().UTC(), toldReply, untoldReply).Error)
	if _, _, err := f.svc.store.claim(ctx, replyKey(toldReply), RouteEmail, told, KindReply, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	raw, err := migrations.FS.ReadFile(string(f.d.Dialect) + "/0031_notify_catch_up.sql")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	from, to := strings.Index(s, "-- Replies already taken up"), strings.Index(s, "-- A Twilio SMS status")
	if from < 0 || to < from {
		t.Fatal("0031 has no backfill of reply notices")
	}
	must(t, f.d.Exec(s[from:to]).Error)

	for _, c := range []struct {
		id     int64
		marked bool
	}{{toldReply, true}, {untoldReply, false}} {
		if seen, _, err := f.svc.store.notice(ctx, replyKey(c.id)); err != nil || seen != c.marked {
			t.Fatalf("reply %d marked %v, %v; want %v", c.id, seen, err, c.marked)
		}
	}
	if n, err := f.svc.Sweep(ctx, before, time.Now().UTC().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("sweep queued %d, %v; want 1", n, err)
	}
	if seen, _, err := f.svc.store.notice(ctx, replyKey(untoldReply)); err != nil || !seen {
		t.Fatalf("the swept reply is not marked: %v, %v", seen, err)
	}
}
