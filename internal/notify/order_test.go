package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// mailSubjects are the decoded subjects of the mails received, in order.
func (f *fixture) mailSubjects(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range f.mail.mails() {
		s, _ := new(mime.WordDecoder).DecodeHeader(parseMail(t, m.Data).header.Get("Subject"))
		out = append(out, s)
	}
	return out
}

// An agent who answers and solves at once (a macro): the citizen is told
// of the answer first, then that the complaint is solved, though the
// solve's notice was queued while the answer was still on its way to the
// status page.
func TestSolvedIsToldAfterTheReplyWrittenBeforeIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "rina@warga.test"})
	var tn string
	must(t, f.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, tid).Row().Scan(&tn))
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'queued' WHERE id = ?`, reply).Error)

	f.setStatus(t, tid, domain.StatusSolved)
	testenv.CheckFor(t, 15*time.Second, 10*time.Millisecond, func() error {
		if n := f.svc.heldTimes.Load(); n < 2 {
			return fmt.Errorf("the solved notice waited %d times", n)
		}
		return nil
	})
	if n := len(f.mail.mails()); n != 0 {
		t.Fatalf("%d mails while the reply is on its way, want none", n)
	}

	// The webform posts the reply; its notice goes, then the solve's.
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'posted', updated_at = ? WHERE id = ?`, time.Now().UTC(), reply).Error)
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if n := len(f.mail.mails()); n != 2 {
			return fmt.Errorf("%d mails", n)
		}
		return nil
	})
	want := []string{"Balasan untuk pengaduan " + tn, "Pengaduan " + tn + " telah selesai"}
	if got := f.mailSubjects(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mails %q, want %q", got, want)
	}
}

// A reply that never reaches the status page holds the solve's notice
// back only for ReplyHold; a reply written after the solve was queued, or
// one told already, holds nothing.
func TestSolvedIsNotHeldForeverByAReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) { o.ReplyHold = 300 * time.Millisecond })
	f.run(t)

	stuck, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "budi@warga.test"})
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'queued' WHERE id = ?`, reply).Error)
	f.setStatus(t, stuck, domain.StatusSolved)
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, stuck); len(d) != 1 || d[0].Kind != KindSolved || d[0].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})

	// Told already (its notice is done): the solve goes at once.
	told, reply2 := f.addTicket(t, ticketSpec{channel: "webform", email: "sari@warga.test"})
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'posted' WHERE id = ?`, reply2).Error)
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: told, QueueID: f.queue}, MessageID: reply2, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, told); len(d) != 1 || d[0].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		var done int64
		f.d.Raw(`SELECT COUNT(*) FROM notify_notices WHERE event_key = ? AND done_at IS NOT NULL`, replyKey(reply2)).Row().Scan(&done)
		if done != 1 {
			return fmt.Errorf("the reply's notice is not marked done")
		}
		return nil
	})
	held := f.svc.heldTimes.Load()
	// A reply written after the solve, still queued, holds nothing either.
	must(t, f.d.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, delivery_status, created_at, updated_at)
		VALUES (?, 'out', 'webform', 'later', 'Tambahan', 'queued', ?, ?)`, told, time.Now().UTC().Add(time.Hour), time.Now().UTC()).Error)
	f.setStatus(t, told, domain.StatusSolved)
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, told); len(d) != 2 || d[1].Kind != KindSolved || d[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	if n := f.svc.heldTimes.Load(); n != held {
		t.Fatalf("the solve's notice waited %d times for replies told already or written after it", n-held)
	}
}

// A reply's job may end before replyEvent marks its notice queued (it
// queues, then marks): the notice is done all the same, and holds no
// status notice back.
func TestAReplyDoneBeforeItsMarkStaysDone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "dian@warga.test"})
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'posted' WHERE id = ?`, reply).Error)
	ctx := context.Background()
	now := time.Now().UTC()
	must(t, f.svc.store.noticeDone(ctx, replyKey(reply), tid, now))
	must(t, f.svc.store.markNotice(ctx, replyKey(reply), tid, now))
	must(t, f.svc.store.noticeDone(ctx, replyKey(reply), tid, now.Add(time.Second))) // a redelivery: no change
	var done []time.Time
	must(t, f.d.Raw(`SELECT done_at FROM notify_notices WHERE event_key = ?`, replyKey(reply)).Scan(&done).Error)
	if len(done) != 1 || !done[0].Equal(now.Truncate(time.Microsecond)) && !done[0].Equal(now) {
		t.Fatalf("done_at %v, want one row done at %v", done, now)
	}
	if id, err := f.svc.store.replyAhead(ctx, tid, now.Add(-time.Hour), now.Add(time.Hour)); err != nil || id != 0 {
		t.Fatalf("a done reply holds a status notice back: %d, %v", id, err)
	}
}

// A status notice waiting its turn behind a reply is not a failure: each
// look is a wait (counted apart from the retries), and a database failure
// after many waits backs off as a first failure does, not as the
// hundredth.
func TestAWaitIsNotAFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil) // not run: the test works the job itself
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "wulan@warga.test"})
	must(t, f.d.Exec(`UPDATE messages SET delivery_status = 'queued' WHERE id = ?`, reply).Error)
	f.setStatus(t, tid, domain.StatusSolved)
	var seq int64
	must(t, f.d.Raw(`SELECT status_seq FROM tickets WHERE id = ?`, tid).Row().Scan(&seq))
	data, err := json.Marshal(job{Key: statusKey(tid, seq, string(domain.StatusSolved)), Kind: KindSolved, TicketID: tid, Queued: time.Now()})
	must(t, err)

	ctx := context.Background()
	for attempt := 1; attempt <= 3; attempt++ {
		if out, delay := f.svc.work(ctx, data, attempt); out != bus.JobWait || delay != replyPoll {
			t.Fatalf("look %d: %v after %v, want a wait of %v", attempt, out, delay, replyPoll)
		}
	}
	gone, cancel := context.WithCancel(ctx)
	cancel() // the store's statements fail
	for n, want := range []time.Duration{f.svc.o.Backoff, 2 * f.svc.o.Backoff} {
		if out, delay := f.svc.work(gone, data, 120+n); out != bus.JobRetry || delay != want {
			t.Fatalf("failure %d after 120 looks: %v after %v, want a retry after %v", n+1, out, delay, want)
		}
	}
	// A look that works again ends the run of failures.
	if out, _ := f.svc.work(ctx, data, 122); out != bus.JobWait {
		t.Fatalf("look after the failures: %v, want a wait", out)
	}
	if out, delay := f.svc.work(gone, data, 123); out != bus.JobRetry || delay != f.svc.o.Backoff {
		t.Fatalf("a new failure: %v after %v, want a retry after %v", out, delay, f.svc.o.Backoff)
	}
}

// The failure counts of jobs that ended elsewhere do not pile up: once
// there are many, those not added to for an hour go, looked for at most
// every ten minutes.
func TestFailureCountsForgetJobsThatEndedElsewhere(t *testing.T) {
	t.Parallel()
	var f failureCounts
	start := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	for i := range failureCountsKept {
		f.add(fmt.Sprint("elsewhere-", i), start)
	}
	if n := f.add("recent", start.Add(59*time.Minute)); n != 1 || f.len() != failureCountsKept+1 {
		t.Fatalf("count %d, %d kept: nothing is an hour old yet", n, f.len())
	}
	if n := f.add("recent", start.Add(61*time.Minute)); n != 2 || f.len() != failureCountsKept+1 {
		t.Fatalf("count %d, %d kept: looked for stale counts again within ten minutes", n, f.len())
	}
	if n := f.add("recent", start.Add(70*time.Minute)); n != 3 || f.len() != 1 {
		t.Fatalf("count %d, %d kept, want 3 and only the recent job's", n, f.len())
	}
}

func (f *failureCounts) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.n)
}
