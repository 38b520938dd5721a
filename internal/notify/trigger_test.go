package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
	"tanggap/migrations"
)

// A status notice keys on the ticket's own transition: events that carry a
// stale status or change nothing of it send nothing more, a redelivered
// event or a restarted notifier sends nothing twice, and a second real
// change to the same status (its "open" event never seen) is told again.
func TestStatusNoticeKeysOnTheTransition(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteSMS: p} })
	f.run(t)
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567801"})
	stale, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567802"})
	ev := func(id int64, st domain.TicketStatus) bus.TicketUpdated {
		return bus.TicketUpdated{Scope: bus.Scope{TicketID: id, QueueID: f.queue}, Status: st, At: time.Now()}
	}
	sends := func(want int64) {
		t.Helper()
		testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
			var sent int
			for _, d := range f.deliveries(t, tid) {
				if d.Status == StatusSent {
					sent++
				}
			}
			if p.total.Load() != want || sent != int(want) {
				return fmt.Errorf("%d sends, %d rows sent, want %d", p.total.Load(), sent, want)
			}
			return nil
		})
	}

	f.setStatus(t, tid, domain.StatusPending)
	// A routing event read before the change (stale "open"), then a
	// priority change while pending: the same transition.
	f.b.Emit(ev(tid, domain.StatusOpen))
	f.b.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, Status: domain.StatusPending, Priority: domain.PriorityHigh, At: time.Now()})
	// An event that says "pending" about a ticket that is open.
	f.b.Emit(ev(stale, domain.StatusPending))
	sends(1)

	// The same event handled again, here and by a restarted notifier.
	data := []byte(fmt.Sprintf(`{"v":1,"ticket_id":%d,"status":"pending"}`, tid))
	must(t, f.svc.onEvent(context.Background(), "ticket.updated", data))
	again, err := New(f.svc.o)
	if err != nil {
		t.Fatal(err)
	}
	must(t, again.onEvent(context.Background(), "ticket.updated", data))

	// The citizen writes (the ticket reopens; its event is lost) and the
	// agent asks again: a new transition, told once more.
	must(t, f.d.Exec(`UPDATE tickets SET status = 'open' WHERE id = ?`, tid).Error)
	f.setStatus(t, tid, domain.StatusPending)
	sends(2)
	f.b.Emit(ev(tid, domain.StatusPending))
	must(t, f.svc.onEvent(context.Background(), "ticket.updated", data))

	// Everything the notifier was sent has been taken: nothing more.
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		info, err := f.b.JS.Stream(context.Background(), f.b.Names.StreamNotifyEvents())
		if err != nil {
			return err
		}
		if n := info.CachedInfo().State.Msgs; n != 0 {
			return fmt.Errorf("%d events waiting", n)
		}
		return nil
	})
	sends(2)
	if d := f.deliveries(t, stale); len(d) != 0 {
		t.Fatalf("a stale event was told: %+v", d)
	}
	if d := p.dupes(); len(d) != 1 || d[0] != "+6281234567801×2" {
		t.Fatalf("sends per number: %v", d)
	}
}

// A notice whose transition was superseded before it went out (solved,
// then reopened at once) is not sent; one whose ticket was closed after
// being solved still is.
func TestSupersededStatusNoticeIsNotSent(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteSMS: p} })
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567803"})
	must(t, f.d.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ?`, tid).Error)
	must(t, f.svc.statusEvent(context.Background(), tid))
	must(t, f.d.Exec(`UPDATE tickets SET status = 'open' WHERE id = ?`, tid).Error)
	st, seq, err := f.svc.store.ticketStatus(context.Background(), tid)
	if err != nil || st != "open" || seq != 2 {
		t.Fatalf("status %q seq %d %v: the database counts each change", st, seq, err)
	}
	data := []byte(fmt.Sprintf(`{"key":%q,"kind":"solved","ticket_id":%d}`, statusKey(tid, 1, "solved"), tid))
	if out, _ := f.svc.work(context.Background(), data, 1); out != bus.JobDone || p.total.Load() != 0 {
		t.Fatalf("outcome %v, %d sends", out, p.total.Load())
	}

	// Solved, then closed at once: the citizen is still told it was solved.
	closed, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567808"})
	must(t, f.d.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ?`, closed).Error)
	must(t, f.d.Exec(`UPDATE tickets SET status = 'closed' WHERE id = ?`, closed).Error)
	data = []byte(fmt.Sprintf(`{"key":%q,"kind":"solved","ticket_id":%d}`, statusKey(closed, 1, "solved"), closed))
	if out, _ := f.svc.work(context.Background(), data, 1); out != bus.JobDone || p.total.Load() != 1 {
		t.Fatalf("solved then closed: outcome %v, %d sends", out, p.total.Load())
	}
}

// scriptProvider answers each send with the next of its errors (nil:
// sent) and keeps the messages.
type scriptProvider struct {
	mu   sync.Mutex
	errs []error
	msgs []Message
}

func (p *scriptProvider) Send(_ context.Context, m Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	var err error
	if len(p.errs) > 0 {
		err, p.errs = p.errs[0], p.errs[1:]
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("p%d", len(p.msgs)), nil
}

type countingSurvey struct{ n atomic.Int64 }

func (c *countingSurvey) SurveyURL(_ context.Context, ticketID int64) (string, error) {
	n := c.n.Add(1)
	return fmt.Sprintf("https://layanan.test/survei/%d-%d", ticketID, n), nil
}

// The survey link is fetched once per notification: a bounced e-mail and
// an SMS retried after a temporary failure all carry the same link.
func TestSurveyLinkFetchedOncePerNotification(t *testing.T) {
	t.Parallel()
	survey := &countingSurvey{}
	email := &scriptProvider{errs: []error{Permanent(errors.New("550 mailbox unavailable"))}}
	sms := &scriptProvider{errs: []error{errors.New("connection reset")}}
	f := newFixture(t, func(o *Opts) {
		o.Providers = map[Route]Provider{RouteEmail: email, RouteSMS: sms}
		o.Survey = survey
	})
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", email: "rudi@warga.test", phone: "+6281234567804"})
	must(t, f.d.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ?`, tid).Error)
	data := []byte(fmt.Sprintf(`{"key":%q,"kind":"solved","ticket_id":%d}`, statusKey(tid, 1, "solved"), tid))
	if out, _ := f.svc.work(context.Background(), data, 1); out != bus.JobRetry {
		t.Fatalf("first attempt: %v", out)
	}
	// The retry may land on another instance.
	other, err := New(f.svc.o)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := other.work(context.Background(), data, 2); out != bus.JobDone {
		t.Fatalf("second attempt: %v", out)
	}
	if n := survey.n.Load(); n != 1 {
		t.Fatalf("survey link fetched %d times for one notification", n)
	}
	link := fmt.Sprintf("https://layanan.test/survei/%d-1", tid)
	msgs := append(append([]Message(nil), email.msgs...), sms.msgs...)
	if len(msgs) != 3 {
		t.Fatalf("%d sends", len(msgs))
	}
	for _, m := range msgs {
		if !strings.Contains(m.Text, link) {
			t.Fatalf("%s send without the survey link %s:\n%s", m.Route, link, m.Text)
		}
	}
	if d := f.deliveries(t, tid); len(d) != 2 || d[0].Status != StatusFailed || d[1].Status != StatusSent || d[1].Attempts != 2 {
		t.Fatalf("deliveries %+v", d)
	}
}

// Two notifier instances on one bus: each event is handled by one of
// them, and each citizen told once.
func TestTwoInstancesSendEachNoticeOnce(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	cfg := testenv.SharedBusConfig(t)
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteEmail: p} })
	var svcs []*Service
	for i := 0; i < 2; i++ {
		b := testenv.ConnectBus(t, cfg)
		o := f.svc.o
		o.Bus = b
		svc, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error { return consumersReady(ctx, b) })
		svcs = append(svcs, svc)
	}
	pub := testenv.ConnectBus(t, cfg)
	const n = 10
	var events int64
	for i := 0; i < n; i++ {
		tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: fmt.Sprintf("dua%d@warga.test", i)})
		pub.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
		must(t, f.d.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ?`, tid).Error)
		pub.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, Status: domain.StatusSolved, At: time.Now()})
		events += 2
	}
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		handled := svcs[0].eventsHandled.Load() + svcs[1].eventsHandled.Load()
		if got := p.total.Load(); got != 2*n || handled != events {
			return fmt.Errorf("%d of %d sent; %d of %d events handled", got, 2*n, handled, events)
		}
		return nil
	})
	if d := p.dupes(); len(d) != n {
		t.Fatalf("each citizen gets a reply and a solved notice, once each: %v", d)
	}
	for _, to := range p.dupes() {
		if !strings.HasSuffix(to, "×2") {
			t.Fatalf("sends %v", p.dupes())
		}
	}
	t.Logf("events handled: %d and %d", svcs[0].eventsHandled.Load(), svcs[1].eventsHandled.Load())
}

// An event published while no notifier runs waits for the next one.
func TestEventsWaitWhileNoNotifierRuns(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteEmail: p} })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.svc.Run(ctx) }()
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error { return consumersReady(ctx, f.b) })
	cancel()
	<-done

	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "sepi@warga.test"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	must(t, f.b.NC.Flush())

	next, err := New(f.svc.o)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() { done2 <- next.Run(ctx2) }()
	defer func() { cancel2(); <-done2 }()
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent || p.total.Load() != 1 {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
}

// A message the mail server refuses after DATA (a permanent 554) fails the
// e-mail route with the reason and goes on to SMS at once.
func TestMailRefusedAfterDataFallsBackToSMS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.mail.refuseData["spam@warga.test"] = true
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "spam@warga.test", phone: "+6281234567805"})
	data := []byte(fmt.Sprintf(`{"key":"reply:%d","kind":"reply","ticket_id":%d,"message_id":%d}`, reply, tid, reply))
	if out, _ := f.svc.work(context.Background(), data, 1); out != bus.JobDone {
		t.Fatalf("outcome %v", out)
	}
	d := f.deliveries(t, tid)
	if len(d) != 2 || d[0].Route != RouteEmail || d[0].Status != StatusFailed || !strings.Contains(d[0].Reason, "554") ||
		d[1].Route != RouteSMS || d[1].Status != StatusSent {
		t.Fatalf("deliveries %+v", d)
	}
	if len(f.mail.mails()) != 0 || len(f.tw.sent()) != 1 {
		t.Fatalf("mails %d, sms %d", len(f.mail.mails()), len(f.tw.sent()))
	}
}

// Upgrading from the scheme that remembered the last status seen: a
// transition it already told is marked taken up (no second notice), one
// it never saw is told.
func TestUpgradeMarksTransitionsAlreadyTold(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	told, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567806"})
	unseen, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567807"})
	must(t, f.d.Exec(`UPDATE tickets SET status = 'pending' WHERE id IN (?, ?)`, told, unseen).Error)
	// The state before 0022: no counted changes yet, and the old table.
	must(t, f.d.Exec(`UPDATE tickets SET status_seq = 0`).Error)
	must(t, f.d.Exec(`CREATE TABLE notify_ticket_state (ticket_id BIGINT PRIMARY KEY, status TEXT NOT NULL, changes INTEGER NOT NULL DEFAULT 0)`).Error)
	must(t, f.d.Exec(`INSERT INTO notify_ticket_state (ticket_id, status, changes) VALUES (?, 'pending', 2)`, told).Error)
	raw, err := migrations.FS.ReadFile(string(f.d.Dialect) + "/0022_notify_notices.sql")
	if err != nil {
		t.Fatal(err)
	}
	tail := string(raw)[strings.Index(string(raw), "-- Transitions the earlier scheme"):]
	must(t, f.d.Exec(tail).Error)

	for _, c := range []struct {
		id     int64
		queued bool
	}{{told, false}, {unseen, true}} {
		key := statusKey(c.id, 0, "pending")
		before, _, err := f.svc.store.notice(context.Background(), key)
		must(t, err)
		must(t, f.svc.statusEvent(context.Background(), c.id))
		after, _, err := f.svc.store.notice(context.Background(), key)
		must(t, err)
		if before == c.queued || !after {
			t.Fatalf("ticket %d: marked before %v, after %v; want queued %v", c.id, before, after, c.queued)
		}
	}
}
