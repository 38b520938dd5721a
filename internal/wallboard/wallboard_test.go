package wallboard

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"tanggap/internal/audit"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

type fixture struct {
	t       testing.TB
	d       *db.DB
	contact int64
	n       int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, d: testenv.DB(t)}
	now := time.Now().UTC()
	f.must(f.d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`, now, now).Scan(&f.contact).Error)
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) queue(code string) int64 {
	var id int64
	f.must(f.d.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`, code, strings.ToUpper(code), time.Now().UTC()).Scan(&id).Error)
	return id
}

func (f *fixture) agent(name, presence, reason string, since time.Time) int64 {
	var id int64
	now := time.Now().UTC()
	f.must(f.d.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, not_ready_reason, presence_changed_at, capacity, created_at, updated_at)
VALUES (?, ?, 'x', 'agent', ?, ?, ?, 5, ?, ?) RETURNING id`, strings.ToLower(name)+"@example.id", name, presence, reason, since, now, now).Scan(&id).Error)
	return id
}

// ticket inserts a ticket: answered after `answer` (negative: never), due
// for its first response after `due` (0: no SLA).
func (f *fixture) ticket(queue int64, channel, status string, assignee int64, created time.Time, answer, due time.Duration) {
	f.n++
	var ans, dueAt, who any
	if answer >= 0 {
		ans = created.Add(answer)
	}
	if due > 0 {
		dueAt = created.Add(due)
	}
	if assignee > 0 {
		who = assignee
	}
	f.must(f.d.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, status, queue_id, assignee_id, created_at, updated_at, last_message_at, first_response_at, first_response_due_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("WB-%d", f.n), f.contact, channel, status, queue, who, created, created, created, ans, dueAt).Error)
}

// The board's figures of today, from seeded tickets: waiting, longest
// wait, service level within the channel threshold, average speed of
// answer, abandonment (a live chat left before an agent joined; a
// WhatsApp message solved unanswered is not), SLA met; and the agent grid with reason, load per
// channel and current tickets. Yesterday's tickets are not counted.
func TestBoardFigures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	umum := f.queue("umum")
	wib, _ := time.LoadLocation("Asia/Jakarta")
	// Noon WIB today, so "today" holds every ticket below whatever the hour.
	l := time.Now().In(wib)
	now := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, wib).UTC()
	sari := f.agent("Sari", "away", "sholat", now.Add(-10*time.Minute))
	budi := f.agent("Budi", "online", "", now.Add(-time.Hour))
	// WhatsApp (threshold 5 min): answered in 1 and 9 min, one waiting 4
	// min, one solved unanswered (abandoned), one from yesterday.
	f.ticket(umum, "whatsapp", "open", sari, now.Add(-60*time.Minute), time.Minute, 10*time.Minute)
	f.ticket(umum, "whatsapp", "open", sari, now.Add(-50*time.Minute), 9*time.Minute, 5*time.Minute)
	f.ticket(umum, "whatsapp", "new", 0, now.Add(-4*time.Minute), -1, 10*time.Minute)
	f.ticket(umum, "whatsapp", "solved", 0, now.Add(-30*time.Minute), -1, 0)
	// Live chat: one left before an agent joined (abandoned).
	f.ticket(umum, "livechat", "closed", 0, now.Add(-20*time.Minute), -1, 0)
	f.ticket(umum, "whatsapp", "open", budi, now.Add(-26*time.Hour), time.Minute, 0)
	// Voice (threshold 20 s): one answered in 10 s.
	f.ticket(umum, "voice", "open", budi, now.Add(-5*time.Minute), 10*time.Second, 0)

	// Calls today: two inbound, one of them hung up in the IVR before any
	// ticket (abandoned); an outbound callback and yesterday's abandoned
	// call do not count.
	for i, c := range []struct {
		direction, outcome string
		at                 time.Time
	}{
		{"inbound", "abandoned", now.Add(-3 * time.Minute)},
		{"inbound", "answered", now.Add(-5 * time.Minute)},
		{"outbound", "abandoned", now.Add(-2 * time.Minute)},
		{"inbound", "abandoned", now.Add(-25 * time.Hour)},
	} {
		f.must(f.d.Exec(`INSERT INTO voice_calls (call_sid, direction, outcome, started_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			fmt.Sprintf("CA%d", i), c.direction, c.outcome, c.at, c.at).Error)
	}

	s := New(Opts{DB: f.d})
	b, err := s.Board(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if b.Calls.Inbound != 2 || b.Calls.Abandoned != 1 {
		t.Errorf("calls today = %+v, want 2 inbound, 1 abandoned in the IVR or queue", b.Calls)
	}
	if len(b.Lines) != 3 {
		t.Fatalf("lines = %+v, want umum livechat, voice and whatsapp", b.Lines)
	}
	if c := b.Lines[0]; c.Channel != "livechat" || c.Offered != 1 || c.Abandoned != 1 || c.Answered != 0 {
		t.Errorf("livechat line = %+v", c)
	}
	v, w := b.Lines[1], b.Lines[2]
	if v.Channel != "voice" || v.Offered != 1 || v.WithinThreshold != 1 || v.ServiceLevel != 100 || v.ASASeconds != 10 || v.ThresholdSeconds != 20 {
		t.Errorf("voice line = %+v", v)
	}
	// The service level counts the decided: the two answered and the
	// one solved unanswered 30 min ago (past the threshold), not the one
	// waiting 4 min (within it).
	want := struct {
		waiting, offered, answered, within, decided, abandoned, met, total int
		sl, slaPct                                                         float64
		asa, longest                                                       int64
	}{1, 4, 2, 1, 3, 0, 1, 2, 33.3, 50, 300, 240}
	if w.Channel != "whatsapp" || w.Waiting != want.waiting || w.Offered != want.offered || w.Answered != want.answered || w.Decided != want.decided ||
		w.WithinThreshold != want.within || w.Abandoned != want.abandoned || w.SLAMet != want.met || w.SLATotal != want.total ||
		w.ServiceLevel != want.sl || w.SLAPercent != want.slaPct || w.ASASeconds != want.asa || w.LongestWaitSeconds != want.longest {
		t.Errorf("whatsapp line = %+v, want %+v", w, want)
	}
	// The same moment told in another zone gives the same figures: the
	// times compared with the stored ones are in UTC (SQLite compares
	// them as text).
	if b2, err := s.Board(ctx, now.In(time.FixedZone("WIB", 7*3600))); err != nil || len(b2.Lines) != 3 ||
		b2.Lines[2].Decided != want.decided || b2.Lines[2].ServiceLevel != want.sl {
		t.Errorf("the board at the same moment in WIB: %+v, %v", b2.Lines, err)
	}
	if len(b.Agents) != 2 || b.Agents[1].Name != "Sari" {
		t.Fatalf("agents = %+v", b.Agents)
	}
	a := b.Agents[1]
	if a.Reason != "sholat" || a.Channels["whatsapp"] != 2 || a.TicketCount != 2 || len(a.Tickets) != 2 || a.StateSince == nil {
		t.Errorf("Sari = %+v", a)
	}
	if bu := b.Agents[0]; bu.Reason != "" || bu.Channels["voice"] != 1 || bu.Channels["whatsapp"] != 1 {
		t.Errorf("Budi = %+v", bu)
	}
	if len(b.Reasons) != 5 || b.Reasons[4].Code != "acw" || b.Reasons[4].LimitSeconds != 120 {
		t.Errorf("reasons = %+v, want the five defaults with after-call work's timer", b.Reasons)
	}
	// A deactivated agent leaves the grid.
	f.must(f.d.Exec(`UPDATE agents SET deactivated_at = ? WHERE id = ?`, now, budi).Error)
	if b, err = s.Board(ctx, now); err != nil || len(b.Agents) != 1 {
		t.Errorf("after deactivation agents = %+v, %v", b.Agents, err)
	}
}

func TestParseThresholds(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want time.Duration
	}{
		{"", true, 20 * time.Second},
		{"voice=30s", true, 30 * time.Second},
		{"voice=45, whatsapp=2m", true, 45 * time.Second},
		{"voice", false, 0},
		{"voice=-1s", false, 0},
		{"=5s", false, 0},
	} {
		got, err := ParseThresholds(c.in)
		if (err == nil) != c.ok || (c.ok && got["voice"] != c.want) {
			t.Errorf("ParseThresholds(%q) = %v, %v", c.in, got, err)
		}
	}
}

func FuzzParseThresholds(f *testing.F) {
	for _, s := range []string{"", "voice=20s,livechat=1m", "x=1", "a=b=c", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseThresholds(s)
		if err == nil {
			for k, d := range m {
				if k == "" || d <= 0 {
					t.Fatalf("%q gave %q=%v", s, k, d)
				}
			}
		}
	})
}

var fullScan = regexp.MustCompile(`(?m)Seq Scan on (tickets|audit_log)|^SCAN (tickets|audit_log|l|t)$`)

// Every statement the wallboard and the audit-log screen run per push or
// request is served by an index, on both dialects.
func TestQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	since := time.Now().Add(-time.Hour)
	today, todayArgs := New(Opts{DB: f.d}).todayQuery(time.Now(), since)
	cases := []struct {
		name, q string
		args    []any
		want    []string
	}{
		{"current tickets", fmt.Sprintf(currentTicketsSQL, "?, ?"), []any{1, 2}, []string{"tickets_assignee_status_idx", "tickets_assignee_inbox_idx"}},
		{"open tickets", openTicketsSQL, []any{1}, []string{"tickets_assignee_status_idx", "tickets_assignee_inbox_idx"}},
		{"waiting", waitingSQL, nil, []string{"tickets_queue_waiting_idx", "tickets_waiting_idx", "tickets_assignee_status_idx"}},
		{"today", today, todayArgs, []string{"tickets_created_idx"}},
		{"calls today", callsSQL, []any{"abandoned", since}, []string{"voice_calls_started_idx"}},
	}
	for _, fl := range []struct {
		name string
		f    audit.Filter
		want string
	}{
		{"audit: all", audit.Filter{}, "audit_log_created_idx"},
		{"audit: who", audit.Filter{AgentID: 3}, "audit_log_agent_created_idx"},
		{"audit: what", audit.Filter{Action: "admin."}, "audit_log_action_created_idx"},
		{"audit: when", audit.Filter{From: since, To: time.Now()}, "audit_log_created_idx"},
	} {
		q, args := audit.ListSQL(fl.f)
		cases = append(cases, struct {
			name, q string
			args    []any
			want    []string
		}{fl.name, q, args, []string{fl.want}})
	}
	for _, c := range cases {
		plan := testenv.Plan(t, f.d, c.q, c.args...)
		found := false
		for _, w := range c.want {
			found = found || strings.Contains(plan, w)
		}
		if !found || fullScan.MatchString(plan) {
			t.Errorf("%s is not served by its index:\n%s", c.name, plan)
		}
	}
}

// Only the events that change the figures make the board recompute.
func TestChangesBoard(t *testing.T) {
	for name, want := range map[string]bool{
		"ticket.created": true, "ticket.updated": true, "ticket.assigned": true, "ticket.unassigned": true, "ticket.transferred": true,
		"agent.presence": true, "sla.breached": true,
		"message.created": false, "message.updated": false, "ticket.typing": false, "ticket.tagged": false, "ticket.wrapup": false,
		"ticket.notified": false, "sla.warning": false, "queue.wallboard": false, "queue.metrics": false, "csat.rated": false,
	} {
		if got := changesBoard(name); got != want {
			t.Errorf("changesBoard(%q) = %v, want %v", name, got, want)
		}
	}
}
