package viewaudit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/tracking"
)

// seedThread makes a contact, a ticket, a message and an attachment with
// plain SQL (tests only; the product writes them through internal/ticket).
func seedThread(t *testing.T, d *db.DB, tracking string) (contactID, ticketID, attID int64) {
	t.Helper()
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error)
	must(d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, created_at, updated_at, last_message_at) VALUES (?, ?, 'webform', ?, ?, ?) RETURNING id`,
		tracking, contactID, now, now, now).Scan(&ticketID).Error)
	var msgID int64
	must(d.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at) VALUES (?, 'in', 'webform', ?, 'halo', ?, ?) RETURNING id`,
		ticketID, tracking, now, now).Scan(&msgID).Error)
	must(d.Raw(`INSERT INTO attachments (message_id, storage_key, mime, size, created_at) VALUES (?, '2026/01/x.pdf', 'application/pdf', 3, ?) RETURNING id`,
		msgID, now).Scan(&attID).Error)
	return
}

func startRecorder(t *testing.T, d *db.DB, o Opts) *Recorder {
	t.Helper()
	o.DB, o.Log = d, testenv.Logger(t)
	r := New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func TestViewsAreRecordedWithTheirCitizen(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	contactID, ticketID, attID := seedThread(t, d, "TGP-VA-1")
	otherContact, otherTicket, _ := seedThread(t, d, "TGP-VA-2")
	r := startRecorder(t, d, Opts{FlushEvery: time.Hour, MaxBatch: 3}) // batches by size and on Flush
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	views := []View{
		{At: base, AgentID: 7, Kind: KindTicket, TicketID: &ticketID},
		{At: base.Add(time.Minute), AgentID: 7, Kind: KindAttachment, AttachmentID: &attID},
		{At: base.Add(2 * time.Minute), AgentID: 8, Kind: KindContact, ContactID: &contactID},
		{At: base.Add(3 * time.Minute), AgentID: 8, Kind: KindTicket, TicketID: &otherTicket},
		{At: base.Add(4 * time.Minute), AgentID: 7, Kind: KindTranscript, TicketID: &ticketID},
	}
	for _, v := range views {
		if err := r.Record(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(f Filter) []View {
		t.Helper()
		p, err := r.Query(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return p.Views
	}
	byContact := count(Filter{ContactID: contactID})
	if len(byContact) != 4 {
		t.Fatalf("views of the citizen: %d, want 4 (ticket, attachment, contact panel, transcript): %+v", len(byContact), byContact)
	}
	if byContact[0].Kind != KindTranscript || byContact[3].Kind != KindTicket {
		t.Fatalf("not newest first: %+v", byContact)
	}
	att := byContact[2]
	if att.Kind != KindAttachment || att.TicketID == nil || *att.TicketID != ticketID {
		t.Fatalf("attachment view without its ticket: %+v", att)
	}
	if got := count(Filter{TicketID: ticketID}); len(got) != 3 {
		t.Fatalf("views of the ticket: %d, want 3", len(got))
	}
	if got := count(Filter{AgentID: 8}); len(got) != 2 || *got[0].ContactID != otherContact {
		t.Fatalf("views by agent 8: %+v", got)
	}
	if got := count(Filter{AgentID: 7, TicketID: ticketID, From: base.Add(30 * time.Second), To: base.Add(4 * time.Minute)}); len(got) != 1 || got[0].Kind != KindAttachment {
		t.Fatalf("agent 7 on the ticket within the range: %+v", got)
	}

	// Paging walks every view once, newest first.
	var seen []int64
	f := Filter{Limit: 2}
	for {
		p, err := r.Query(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Views {
			seen = append(seen, v.ID)
		}
		if p.Next == nil {
			break
		}
		f.BeforeAt, f.BeforeID = p.Next.BeforeAt, p.Next.BeforeID
	}
	if len(seen) != len(views) {
		t.Fatalf("paging saw %d views, want %d: %v", len(seen), len(views), seen)
	}

	n, err := r.Purge(ctx, base.Add(150*time.Second))
	if err != nil || n != 3 {
		t.Fatalf("purge: %d %v, want 3", n, err)
	}
	if got := count(Filter{}); len(got) != 2 {
		t.Fatalf("after purge: %d views, want 2", len(got))
	}
}

// TestViewsNameTheirPeopleAndTickets: the log reads as people know it:
// each view carries its agent's name and email and its ticket's tracking
// number, and a filter may name the agent by email and the ticket by
// tracking number (as typed, in any case or spacing); one naming nobody
// is refused as such, never answered with an empty log.
func TestViewsNameTheirPeopleAndTickets(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	tn := tracking.Generate()
	_, ticketID, _ := seedThread(t, d, tn)
	now := time.Now().UTC()
	var agentID int64
	if err := d.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at)
		VALUES ('rina@tanggap.test', 'Rina', 'x', 'agent', ?, ?) RETURNING id`, now, now).Scan(&agentID).Error; err != nil {
		t.Fatal(err)
	}
	r := startRecorder(t, d, Opts{FlushEvery: time.Hour})
	for _, v := range []View{
		{At: now.Add(-time.Minute), AgentID: agentID, Kind: KindTicket, TicketID: &ticketID},
		{At: now, AgentID: agentID + 1000, Kind: KindTicket, TicketID: &ticketID}, // an account since removed
	} {
		if err := r.Record(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	typed := " " + strings.ReplaceAll(tn, "-", " ") + " "
	p, err := r.Query(ctx, Filter{AgentEmail: " RINA@tanggap.test", TrackingNumber: typed})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Views) != 1 || p.Views[0].AgentName != "Rina" || p.Views[0].AgentEmail != "rina@tanggap.test" || p.Views[0].TrackingNumber != tn {
		t.Fatalf("views of Rina on %s: %+v", tn, p.Views)
	}
	p, err = r.Query(ctx, Filter{TrackingNumber: tn})
	if err != nil || len(p.Views) != 2 || p.Views[0].AgentName != "" || p.Views[0].TrackingNumber != tn {
		t.Fatalf("every view of %s: %+v %v", tn, p.Views, err)
	}
	if _, err := r.Query(ctx, Filter{AgentEmail: "nobody@tanggap.test"}); !errors.Is(err, ErrUnknownAgent) {
		t.Fatalf("an unknown email: %v, want ErrUnknownAgent", err)
	}
	for _, bad := range []string{tracking.Generate(), "1234-5678"} {
		if _, err := r.Query(ctx, Filter{TrackingNumber: bad}); !errors.Is(err, ErrUnknownTicket) {
			t.Fatalf("tracking number %q: %v, want ErrUnknownTicket", bad, err)
		}
	}
}

// TestBatchesWrittenWithoutTheTick: Run is not woken per view, but a
// batch's worth of views never waits for the tick, and a Record that finds
// the buffer full wakes Run and gets room.
func TestBatchesWrittenWithoutTheTick(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	count := func() int64 {
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM view_audit`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	r := startRecorder(t, d, Opts{FlushEvery: time.Hour, MaxBatch: 5, Buffer: 8})
	for i := range 12 {
		tid := int64(2000 + i)
		// A full buffer (8) is met on the way: Record waits for room,
		// which only the wake-up gives with the tick an hour away.
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := r.Record(rctx, View{AgentID: 1, Kind: KindTicket, TicketID: &tid})
		cancel()
		if err != nil {
			t.Fatalf("view %d: %v", i, err)
		}
	}
	// Fewer than a batch (5) may wait for the tick: at least 8 of the 12
	// are written without it.
	testenv.CheckFor(t, 30*time.Second, 10*time.Millisecond, func() error {
		if n := count(); n < 8 {
			return fmt.Errorf("%d views written; want at least 8 of 12 before the tick", n)
		}
		return nil
	})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 12 {
		t.Fatalf("after Flush: %d views written, want 12", n)
	}
}

// TestShutdownWritesBufferedViews: views recorded just before Run ends are
// written, not lost.
func TestShutdownWritesBufferedViews(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	r := New(Opts{DB: d, Log: testenv.Logger(t), FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	for i := range 50 {
		tid := int64(1000 + i)
		if err := r.Record(context.Background(), View{AgentID: 1, Kind: KindTicket, TicketID: &tid}); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	<-done
	p, err := r.Query(context.Background(), Filter{Limit: 500})
	if err != nil || len(p.Views) != 50 {
		t.Fatalf("after shutdown: %d views, %v; want 50", len(p.Views), err)
	}
}

// TestQueriesUseIndexes: every admin query shape and the purge are served
// by an index on both dialects.
func TestQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for _, c := range []struct {
		name string
		f    Filter
		want string
	}{
		{"by ticket", Filter{TicketID: 1, AgentID: 2}, "view_audit_ticket_idx"},
		{"by contact with a range", Filter{ContactID: 1, From: now.Add(-time.Hour), To: now}, "view_audit_contact_idx"},
		{"by agent, next page", Filter{AgentID: 1, BeforeAt: now, BeforeID: 10}, "view_audit_agent_idx"},
		{"everything in a range", Filter{From: now.Add(-time.Hour), To: now}, "view_audit_at_idx"},
		{"everything, newest first", Filter{}, "view_audit_at_idx"},
	} {
		q, args := queryView(c.f, 101)
		plan := testenv.Plan(t, d, q, args...)
		if !strings.Contains(plan, c.want) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN view_audit\n") || strings.HasSuffix(plan, "SCAN view_audit") {
			t.Errorf("%s: not served by %s:\n%s", c.name, c.want, plan)
		}
	}
	plan := testenv.Plan(t, d, `SELECT id FROM view_audit WHERE at < ? ORDER BY at, id LIMIT 5000`, now)
	if !strings.Contains(plan, "view_audit_at_idx") {
		t.Errorf("purge not served by view_audit_at_idx:\n%s", plan)
	}
	plan = testenv.Plan(t, d, sqlAttachmentOwners, []int64{1, 2})
	if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN a\n") {
		t.Errorf("attachment owners scan a table:\n%s", plan)
	}
	// The filter's email and tracking number, the page's names.
	for _, c := range []struct {
		sql string
		arg any
	}{{sqlAgentByEmail, "a@b.c"}, {sqlTicketByNumber, "1234-5678-9012-3456"}, {sqlAgentNames, []int64{1, 2}}, {sqlTrackingNumbers, []int64{1, 2}}} {
		plan := testenv.Plan(t, d, c.sql, c.arg)
		if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN agents") && !strings.Contains(plan, "USING") || strings.Contains(plan, "SCAN tickets") && !strings.Contains(plan, "USING") {
			t.Errorf("%s scans a table:\n%s", c.sql, plan)
		}
	}
}

// TestShutdownRefusesAtOnceAndLosesNothing: once Run's context ends, a
// Record either lands in the last flush or gets ErrClosed; none is
// reported recorded and then lost, and none waits for a writer that is
// gone.
func TestShutdownRefusesAtOnceAndLosesNothing(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	_, ticketID, _ := seedThread(t, d, "TGP-VA-SHUT")
	r := New(Opts{DB: d, Log: testenv.Logger(t), Buffer: 4, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { _ = r.Run(ctx); close(ran) }()

	const writers = 8
	recorded := make(chan int, writers)
	started := make(chan struct{}, writers)
	for range writers {
		go func() {
			n := 0
			for i := 0; ; i++ {
				rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := r.Record(rctx, View{AgentID: 9, Kind: KindTicket, TicketID: &ticketID})
				rcancel()
				if err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("record: %v, want ErrClosed", err)
					}
					recorded <- n
					return
				}
				n++
				if i == 20 {
					started <- struct{}{}
				}
			}
		}()
	}
	for range writers {
		<-started
	}
	cancel()
	<-ran
	total := 0
	for range writers {
		total += <-recorded
	}
	var rows int64
	if err := d.Raw(`SELECT COUNT(*) FROM view_audit WHERE agent_id = 9`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != int64(total) {
		t.Fatalf("%d views reported recorded, %d written", total, rows)
	}
	// After Run returned: refused at once, full buffer or not.
	for range 6 {
		rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := r.Record(rctx, View{AgentID: 9, Kind: KindTicket, TicketID: &ticketID})
		rcancel()
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("record after shutdown: %v, want ErrClosed", err)
		}
	}
	if err := r.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush after shutdown: %v", err)
	}
}
