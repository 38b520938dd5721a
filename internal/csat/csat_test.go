package csat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

type fixture struct {
	t       *testing.T
	db      *db.DB
	bus     *bus.Bus
	svc     *Service
	queue   int64
	agentID int64
	super   int64
	now     time.Time
	seq     atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, db: testenv.DB(t), bus: testenv.Bus(t), now: time.Now().UTC().Truncate(time.Second)}
	f.svc = New(Opts{DB: f.db, Bus: f.bus, Secret: []byte("test-secret-test-secret-test-secret"), PublicURL: "https://contoh.go.id/",
		Push: []string{"whatsapp", "livechat"}, Log: testenv.Logger(t), Now: func() time.Time { return f.now }})
	f.must(f.db.Raw(`INSERT INTO queues (code, name, created_at) VALUES ('umum', 'Umum', ?) RETURNING id`, f.now).Scan(&f.queue).Error)
	f.agentID = f.agent("Sari", "agent")
	f.super = f.agent("Budi", "supervisor")
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) agent(name, role string) int64 {
	f.t.Helper()
	var id int64
	f.must(f.db.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, ?) RETURNING id`,
		strings.ToLower(name)+"@contoh.go.id", name, role, f.now, f.now).Scan(&id).Error)
	f.must(f.db.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, f.queue, id).Error)
	return id
}

// ticket stores a solved ticket of channel in province.
func (f *fixture) ticket(channel, province string) int64 {
	f.t.Helper()
	var contact, id int64
	f.must(f.db.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', ?, ?, ?) RETURNING id`, province, f.now, f.now).Scan(&contact).Error)
	f.must(f.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, assignee_id, province_code, created_at, updated_at, last_message_at, solved_at)
VALUES (?, ?, ?, 'bansos', 'solved', 'normal', ?, ?, ?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("CS-%d", f.seq.Add(1)), contact, channel, f.queue, f.agentID, province,
		f.now, f.now, f.now, f.now).Scan(&id).Error)
	return id
}

// token is the token of a link.
func token(t *testing.T, link string) string {
	t.Helper()
	_, tok, ok := strings.Cut(link, "csat=")
	if !ok {
		t.Fatalf("no token in %s", link)
	}
	return tok
}

func TestSolveIsAskedOnceAndRatedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("webform", "32")
	u1, err := f.svc.SurveyURL(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	f.must(f.svc.AskSolved(ctx, id))
	u2, err := f.svc.SurveyURL(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if u1 != u2 || !strings.HasPrefix(u1, "https://contoh.go.id/pengaduan/status?csat=") {
		t.Fatalf("links %q and %q: one solve must give one link", u1, u2)
	}
	var n int
	f.must(f.db.Raw(`SELECT COUNT(*) FROM csat_surveys WHERE ticket_id = ?`, id).Scan(&n).Error)
	if n != 1 {
		t.Fatalf("%d surveys for one solve", n)
	}
	tok := token(t, u1)
	open, err := f.svc.Survey(ctx, tok)
	if err != nil || open.Rated || !strings.HasPrefix(open.TrackingNumber, "CS-") {
		t.Fatalf("open survey %+v, %v", open, err)
	}
	f.must(f.svc.Rate(ctx, tok, Answer{Rating: 5, Comment: " Cepat, terima kasih "}, ByLink))
	if err := f.svc.Rate(ctx, tok, Answer{Rating: 1}, ByWhatsApp); !errors.Is(err, ErrAlreadyRated) {
		t.Fatalf("second rating: %v, want ErrAlreadyRated", err)
	}
	rs, err := f.svc.TicketRatings(ctx, id)
	if err != nil || len(rs) != 1 || rs[0].Rating != 5 || rs[0].Comment != "Cepat, terima kasih" || rs[0].AnsweredBy != ByLink {
		t.Fatalf("ratings %+v, %v", rs, err)
	}

	// Reopened and solved again: a new survey, rated again.
	f.now = f.now.Add(time.Hour)
	f.must(f.db.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ?`, f.now, id).Error)
	u3, err := f.svc.SurveyURL(ctx, id)
	if err != nil || u3 == u1 {
		t.Fatalf("new solve link %q (old %q), %v", u3, u1, err)
	}
	f.must(f.svc.Rate(ctx, token(t, u3), Answer{Rating: 4}, ByStatus))

	// Not solved: no survey.
	f.must(f.db.Exec(`UPDATE tickets SET status = 'open', solved_at = NULL WHERE id = ?`, id).Error)
	if _, err := f.svc.SurveyURL(ctx, id); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("open ticket: %v, want ErrNoSurvey", err)
	}
}

func TestLinksRefuseForgedAndExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("webform", "31")
	u, err := f.svc.SurveyURL(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tok := token(t, u)
	for name, bad := range map[string]string{
		"flipped mac":     tok[:len(tok)-2] + flip(tok[len(tok)-2]) + tok[len(tok)-1:],
		"other survey id": f.svc.sign(99999, time.Now().Add(time.Hour))[:23] + tok[23:],
		"no mac":          strings.Split(tok, ".")[0],
		"empty":           "",
	} {
		if err := f.svc.Rate(ctx, bad, Answer{Rating: 3}, ByLink); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
	other := New(Opts{DB: f.db, Bus: f.bus, Secret: []byte("another-secret-another-secret-xx")})
	if err := other.Rate(ctx, tok, Answer{Rating: 3}, ByLink); !errors.Is(err, ErrBadToken) {
		t.Errorf("link of another deployment: %v", err)
	}
	f.now = f.now.Add(7*24*time.Hour + time.Second)
	if err := f.svc.Rate(ctx, tok, Answer{Rating: 3}, ByLink); !errors.Is(err, ErrExpired) {
		t.Fatalf("after 7 days: %v, want ErrExpired", err)
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestLowRatingAlertsSupervisors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan *nats.Msg, 4)
	sub, err := f.bus.NC.ChanSubscribe(f.bus.Names.Event(bus.EntityCSAT, "*"), got)
	f.must(err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	f.must(f.bus.NC.Flush())
	id := f.ticket("webform", "32")
	u, err := f.svc.SurveyURL(ctx, id)
	f.must(err)
	f.must(f.svc.Rate(ctx, token(t, u), Answer{Rating: 2, Comment: "lama sekali"}, ByLink))
	var alert bus.CSATLowRating
	for seen := false; !seen; {
		select {
		case m := <-got:
			if strings.HasSuffix(m.Subject, ".alert") {
				f.must(json.Unmarshal(m.Data, &alert))
				seen = true
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no csat.alert event")
		}
	}
	if alert.AlertID == 0 || alert.Rating != 2 || alert.QueueID != f.queue || len(alert.SupervisorIDs) != 1 || alert.SupervisorIDs[0] != f.super || alert.TicketID != id {
		t.Fatalf("alert %+v", alert)
	}
	sup := agent.Agent{ID: f.super, Role: domain.RoleSupervisor, QueueIDs: []int64{f.queue}}
	list, err := f.svc.Alerts(ctx, sup, 0)
	if err != nil || len(list) != 1 || list[0].TicketID != id || list[0].Rating != 2 {
		t.Fatalf("alerts %+v, %v", list, err)
	}
	outsider := agent.Agent{ID: 999, Role: domain.RoleSupervisor, QueueIDs: []int64{f.queue + 1000}}
	if list, _ := f.svc.Alerts(ctx, outsider, 0); len(list) != 0 {
		t.Fatalf("a supervisor of another queue sees %+v", list)
	}
	// A 3 is no alert.
	id2 := f.ticket("webform", "32")
	u2, _ := f.svc.SurveyURL(ctx, id2)
	f.must(f.svc.Rate(ctx, token(t, u2), Answer{Rating: 3}, ByLink))
	if list, _ := f.svc.Alerts(ctx, agent.Agent{Role: domain.RoleAdmin}, 0); len(list) != 1 {
		t.Fatalf("alerts after a 3: %+v", list)
	}
}

func TestReportFiguresAndGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// 10 surveys: 9 answered (5,5,5,4,4,4,4,3,1) on two channels, one not.
	ratings := []int{5, 5, 5, 4, 4, 4, 4, 3, 1, 0}
	for i, r := range ratings {
		ch, prov := "whatsapp", "32"
		if i%2 == 1 {
			ch, prov = "webform", "31"
		}
		u, err := f.svc.SurveyURL(ctx, f.ticket(ch, prov))
		f.must(err)
		if r > 0 {
			f.must(f.svc.Rate(ctx, token(t, u), Answer{Rating: r}, ByLink))
		}
	}
	q, err := ParseReportQuery("", "", "province", time.UTC, f.now.Add(time.Minute))
	f.must(err)
	rep, err := f.svc.Report(ctx, q)
	f.must(err)
	tot := rep.Total
	// satisfied: 7 of 9 = 77.78 %; average 35/9 = 3.89; response rate 90 %.
	if tot.Sent != 10 || tot.Responses != 9 || tot.Satisfied != 7 || tot.SatisfiedPct != 77.78 || tot.Average != 3.89 || tot.ResponseRate != 90 {
		t.Fatalf("total %+v", tot)
	}
	if len(rep.Lines) != 2 || rep.Lines[0].Key != "31" || rep.Lines[1].Key != "32" || rep.Lines[0].Sent != 5 || rep.Lines[1].Responses != 5 {
		t.Fatalf("lines %+v", rep.Lines)
	}
	for _, g := range []GroupBy{ByChannel, ByQueue, ByAgent, ByCategory} {
		q.GroupBy = g
		rep, err := f.svc.Report(ctx, q)
		if err != nil || rep.Total.Responses != 9 {
			t.Fatalf("%s: %+v %v", g, rep, err)
		}
		if g == ByAgent && (len(rep.Lines) != 1 || rep.Lines[0].Label != "Sari") {
			t.Fatalf("by agent %+v", rep.Lines)
		}
		if g == ByQueue && rep.Lines[0].Label != "umum" {
			t.Fatalf("by queue %+v", rep.Lines)
		}
	}
	if csv := string(rep.CSV()); !strings.Contains(csv, "\n,total,10,9,90.00,3.89,7,77.78\n") {
		t.Fatalf("csv:\n%s", csv)
	}
	// The satisfied threshold is configurable: ≥ 3 makes 8 of 9.
	f.svc.o.Config.SatisfiedMin = 3
	rep, _ = f.svc.Report(ctx, q)
	if rep.Total.SatisfiedPct != 88.89 {
		t.Fatalf("with 3 satisfied: %+v", rep.Total)
	}
	// The agent's own view.
	af, err := f.svc.AgentFigures(ctx, f.agentID, 30)
	if err != nil || af.Responses != 9 || af.Average != 3.89 {
		t.Fatalf("agent figures %+v %v", af, err)
	}
	// Outside the period: nothing.
	q.From, q.To = f.now.Add(time.Hour), f.now.Add(2*time.Hour)
	rep, _ = f.svc.Report(ctx, q)
	if rep.Total.Sent != 0 || len(rep.Lines) != 0 {
		t.Fatalf("empty period %+v", rep)
	}
}

// TestSolveEventAsksThroughJobs: a ticket.updated event of a solve makes
// the survey and queues the question for a pushing channel, once, even
// when the event arrives twice.
func TestSolveEventAsksThroughJobs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	asks := make(chan *nats.Msg, 8)
	sub, err := f.bus.NC.ChanSubscribe(f.bus.Names.Job("whatsapp", JobAsk), asks)
	f.must(err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	done := make(chan error, 1)
	go func() { done <- f.svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	id := f.ticket("whatsapp", "32")
	ev := bus.TicketUpdated{Scope: bus.Scope{TicketID: id, QueueID: f.queue}, Status: domain.StatusSolved, At: f.now}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		f.bus.Emit(ev) // until the subscription is up; repeats are one job
		var n int
		if err := f.db.Raw(`SELECT COUNT(*) FROM csat_surveys WHERE ticket_id = ? AND asked_at IS NOT NULL`, id).Scan(&n).Error; err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%d asked surveys", n)
		}
		return nil
	})
	select {
	case m := <-asks:
		var a Ask
		f.must(json.Unmarshal(m.Data, &a))
		if a.TicketID != id || a.Token == "" || !strings.Contains(a.URL, a.Token) {
			t.Fatalf("ask %+v", a)
		}
		if _, err := f.svc.Survey(ctx, a.Token); err != nil {
			t.Fatalf("ask token: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ask job for whatsapp")
	}
}

// callRated stores a keypad survey of the ticket's call and its rating.
func (f *fixture) callRated(ticketID int64, callID string, rating int) {
	f.t.Helper()
	t, err := f.svc.store.ticket(context.Background(), f.db.DB, ticketID)
	f.must(err)
	sv, _, err := f.svc.store.ensureSurvey(context.Background(), t, "call:"+callID, ByPhone, f.now, f.now.Add(time.Hour))
	f.must(err)
	f.must(f.svc.Rate(context.Background(), f.svc.sign(sv.ID, sv.ExpiresAt), Answer{Rating: rating}, ByPhone))
}

// TestPhoneRatingCoversOnlyItsSolve: a caller who rated the call on the
// keypad is not asked again for the solve that follows; once the ticket
// is reopened and solved again, that old rating no longer silences the
// new solve (with or without a later, unrated call), and a call rated in
// the new round covers it.
func TestPhoneRatingCoversOnlyItsSolve(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("voice", "32")
	f.must(f.db.Exec(`UPDATE tickets SET status = 'open', solved_at = NULL WHERE id = ?`, id).Error)
	solve := func() {
		f.now = f.now.Add(time.Minute)
		f.must(f.db.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ?`, f.now, id).Error)
	}
	reopen := func() {
		f.now = f.now.Add(time.Minute)
		f.must(f.db.Exec(`UPDATE tickets SET status = 'open', solved_at = NULL WHERE id = ?`, id).Error)
	}

	f.callRated(id, "CA1", 5)
	solve()
	if _, err := f.svc.SurveyURL(ctx, id); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("solve after a rated call: %v, want ErrNoSurvey", err)
	}
	f.must(f.svc.AskSolved(ctx, id))

	// Reopened (a voicemail), solved again: asked.
	reopen()
	solve()
	u, err := f.svc.SurveyURL(ctx, id)
	if err != nil {
		t.Fatalf("second solve: %v, want a survey", err)
	}
	f.must(f.svc.Rate(ctx, token(t, u), Answer{Rating: 4}, ByLink))

	// Third round: a call rated in it covers its solve.
	reopen()
	f.now = f.now.Add(time.Minute)
	f.callRated(id, "CA2", 3)
	solve()
	if _, err := f.svc.SurveyURL(ctx, id); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("solve after the round's rated call: %v, want ErrNoSurvey", err)
	}

	// Fourth round with no rated call: asked.
	reopen()
	solve()
	if _, err := f.svc.SurveyURL(ctx, id); err != nil {
		t.Fatalf("fourth solve: %v, want a survey", err)
	}

	// The covered solves are not surveys in the report.
	rep, err := f.svc.Report(ctx, ReportQuery{From: f.now.Add(-time.Hour), To: f.now.Add(time.Hour), GroupBy: ByChannel})
	f.must(err)
	if len(rep.Lines) != 1 || rep.Lines[0].Sent != 4 || rep.Lines[0].Responses != 3 {
		t.Fatalf("report %+v: want 4 sent (2 calls, 2 solves), 3 answered", rep.Lines)
	}
}

// TestOpenTokenOnlyReads: the status page's token of a solved ticket is
// there only while its survey waits for an answer, and asking for it
// never makes a survey.
func TestOpenTokenOnlyReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("webform", "32")
	if _, err := f.svc.OpenToken(ctx, id); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("before the solve's job: %v, want ErrNoSurvey", err)
	}
	var n int
	f.must(f.db.Raw(`SELECT COUNT(*) FROM csat_surveys WHERE ticket_id = ?`, id).Scan(&n).Error)
	if n != 0 {
		t.Fatalf("reading made %d surveys", n)
	}
	f.must(f.svc.AskSolved(ctx, id))
	tok, err := f.svc.OpenToken(ctx, id)
	f.must(err)
	u, err := f.svc.SurveyURL(ctx, id)
	f.must(err)
	if token(t, u) != tok {
		t.Fatalf("token %q is not the link's (%s)", tok, u)
	}
	f.must(f.svc.Rate(ctx, tok, Answer{Rating: 5}, ByStatus))
	if _, err := f.svc.OpenToken(ctx, id); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("answered: %v, want ErrNoSurvey", err)
	}
}
