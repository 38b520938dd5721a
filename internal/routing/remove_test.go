package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// count runs a COUNT(*) query.
func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	f.must(f.d.Raw(q, args...).Scan(&n).Error)
	return n
}

// solve marks a ticket solved.
func (f *fixture) solve(ticketID int64) {
	f.t.Helper()
	now := time.Now().UTC()
	f.must(f.d.Exec(`UPDATE tickets SET status = 'solved', solved_at = ?, updated_at = ? WHERE id = ?`, now, now, ticketID).Error)
}

func (f *fixture) listed(code string) bool {
	f.t.Helper()
	qs, err := f.r.Queues(context.Background())
	f.must(err)
	for _, q := range qs {
		if q.Code == code {
			return true
		}
	}
	return false
}

func TestRemoveEmptyQueueDeletesIt(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	ctx := context.Background()
	id := f.saveQueue(QueueSettings{Code: "jabar", Provinces: []string{"32"}, SLA: map[string]SLATargets{"normal": {FirstResponseSeconds: 3600}}})
	f.agent("online", 5, 0, nil, "jabar", "umum")

	got, err := f.r.RemoveQueue(ctx, Actor{}, "jabar", "")
	if err != nil {
		t.Fatal(err)
	}
	if got != (RemovedQueue{Code: "jabar"}) {
		t.Fatalf("removed %+v, want deleted with nothing moved", got)
	}
	if n := f.count(`SELECT COUNT(*) FROM queues WHERE id = ?`, id); n != 0 {
		t.Fatalf("queue row still there")
	}
	if n := f.count(`SELECT COUNT(*) FROM queue_members WHERE queue_id = ?`, id) + f.count(`SELECT COUNT(*) FROM sla_policies WHERE queue_id = ?`, id); n != 0 {
		t.Fatalf("memberships or SLA policies left: %d", n)
	}
	if f.listed("jabar") {
		t.Fatal("a deleted queue is still listed")
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'queue.remove' AND ticket_id IS NULL AND agent_id IS NULL`); n != 1 {
		t.Fatalf("audit rows for the queue: %d", n)
	}
	if _, err := f.r.RemoveQueue(ctx, Actor{}, "jabar", ""); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("removing it again: %v", err)
	}
}

func TestRemoveQueueWithOpenTicketsNeedsMoveTo(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	jabar := f.saveQueue(QueueSettings{Code: "jabar", Provinces: []string{"32"}})
	tk := f.ticket(nil, "jabar", "normal", time.Now().UTC())
	f.ticket(nil, "jabar", "high", time.Now().UTC())

	_, err := f.r.RemoveQueue(context.Background(), Actor{}, "jabar", "")
	if !errors.Is(err, ErrQueueInUse) || !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want a queue-in-use conflict", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "2 open tickets") || !strings.Contains(msg, "move_to") {
		t.Fatalf("message %q must say how many tickets and that move_to is needed", msg)
	}
	if f.queueOf(tk) != jabar || !f.listed("jabar") || f.count(`SELECT COUNT(*) FROM queues WHERE id = ? AND archived_at IS NULL`, jabar) != 1 {
		t.Fatal("a refused removal changed something")
	}
}

// Removing a queue with move_to: open tickets go to the target (waiting
// ones are offered there, assigned ones keep their agent), solved tickets
// keep the archived queue for reports, and routing no longer sees it
// until it is saved again.
func TestRemoveQueueMovesOpenTicketsAndArchives(t *testing.T) {
	f, ev := newRouterFixture(t, testOpts{})
	ctx := context.Background()
	jabar := f.saveQueue(QueueSettings{Code: "jabar", Provinces: []string{"32"}, SLA: map[string]SLATargets{"normal": {FirstResponseSeconds: 3600}}})
	kartu := f.queue("kartu")
	ana := f.agent("online", 5, 0, nil, "jabar")
	assigned := f.route(Ticket{Province: "32"})
	if assigned.QueueID != jabar || assigned.AgentID != ana {
		t.Fatalf("setup: %+v, want jabar and agent %d", assigned, ana)
	}
	waiting := f.ticket(nil, "jabar", "normal", time.Now().UTC())
	solved := f.ticket(nil, "jabar", "normal", time.Now().UTC().Add(-time.Hour))
	f.must(f.d.Exec(`UPDATE tickets SET first_response_due_at = ? WHERE id = ?`, time.Now().UTC(), solved).Error)
	f.solve(solved)
	budi := f.agent("online", 5, 0, nil, "kartu")
	admin := f.agent("offline", 0, 0, nil)

	got, err := f.r.RemoveQueue(ctx, Actor{ID: admin, Supervisor: true}, "jabar", "kartu")
	if err != nil {
		t.Fatal(err)
	}
	if got != (RemovedQueue{Code: "jabar", Moved: 2, Archived: true}) {
		t.Fatalf("removed %+v", got)
	}
	if f.queueOf(assigned.TicketID) != kartu || f.assignee(assigned.TicketID) != ana || f.load(ana) != 1 {
		t.Fatalf("assigned ticket: queue %d agent %d load %d; want kartu, kept by %d at load 1",
			f.queueOf(assigned.TicketID), f.assignee(assigned.TicketID), f.load(ana), ana)
	}
	if f.queueOf(waiting) != kartu || f.assignee(waiting) != budi {
		t.Fatalf("waiting ticket: queue %d agent %d; want offered to %d in kartu", f.queueOf(waiting), f.assignee(waiting), budi)
	}
	if f.queueOf(solved) != jabar {
		t.Fatal("a solved ticket left the archived queue")
	}
	if n := ev.count("ticket.updated"); n != 2 {
		t.Fatalf("ticket.updated events: %d, want one per moved ticket", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'queue.remove' AND ticket_id IN (?, ?) AND agent_id = ?`, assigned.TicketID, waiting, admin); n != 2 {
		t.Fatalf("audit rows for moved tickets, by the admin who removed the queue: %d", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'queue.remove' AND ticket_id IS NULL AND agent_id = ?`, admin); n != 1 {
		t.Fatalf("audit rows for the queue itself, by the admin: %d", n)
	}
	if f.count(`SELECT COUNT(*) FROM queue_members WHERE queue_id = ?`, jabar) != 0 || f.count(`SELECT COUNT(*) FROM sla_policies WHERE queue_id = ?`, jabar) != 1 {
		t.Fatal("an archived queue loses its members and keeps its SLA policies")
	}

	// Invisible to routing.
	if f.listed("jabar") {
		t.Fatal("an archived queue is listed")
	}
	if a := f.route(Ticket{Province: "32"}); a.QueueID != f.queue("umum") {
		t.Fatalf("regional routing chose queue %d, want the national queue", a.QueueID)
	}
	if id, err := f.r.QueueFor(ctx, f.d.DB, "jabar", "kartu"); err != nil || id != kartu {
		t.Fatalf("QueueFor(jabar) = %d, %v; want the category's queue %d", id, err, kartu)
	}
	if a := f.route(Ticket{Queue: "jabar", Category: "insentif"}); a.QueueID != f.queue("dana") {
		t.Fatalf("a channel asking for the archived queue went to %d, want the category's queue", a.QueueID)
	}
	if _, err := f.r.QueueID("jabar"); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("QueueID(jabar): %v", err)
	}
	if _, err := f.r.IsOpen(ctx, "jabar", time.Now()); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("Open(jabar): %v", err)
	}
	m, err := f.metrics().Metrics(ctx, time.Now())
	f.must(err)
	for _, q := range m {
		if q.QueueID == jabar {
			t.Fatal("metrics list an archived queue")
		}
	}
	if err := f.r.SetAgent(ctx, ana, AgentSettings{Queues: []string{"jabar"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("joining an archived queue: %v", err)
	}
	rep, err := f.clocks().SLAReport(ctx, time.Now().Add(-2*time.Hour))
	f.must(err)
	found := false
	for _, q := range rep {
		if q.QueueID == jabar {
			found = q.Queue == "jabar" && q.Archived && q.Tickets == 1
		}
	}
	if !found {
		t.Fatalf("the SLA report must keep the archived queue's tickets: %+v", rep)
	}

	// Saving the code brings it back, with the same id.
	if id := f.saveQueue(QueueSettings{Code: "jabar", Provinces: []string{"32"}}); id != jabar {
		t.Fatalf("revived as %d, want %d", id, jabar)
	}
	if !f.listed("jabar") {
		t.Fatal("a saved queue is not listed")
	}
	if a := f.route(Ticket{Province: "32"}); a.QueueID != jabar {
		t.Fatalf("regional routing after revival chose %d, want jabar", a.QueueID)
	}
}

func TestEnsureQueuesRevivesDeclaredQueues(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	ctx := context.Background()
	id := f.saveQueue(QueueSettings{Code: "callback"})
	f.solve(f.ticket(nil, "callback", "normal", time.Now().UTC()))
	if got, err := f.r.RemoveQueue(ctx, Actor{}, "callback", ""); err != nil || !got.Archived {
		t.Fatalf("remove: %+v, %v", got, err)
	}
	specs := append(append([]QueueSpec{}, queueSpecs...), QueueSpec{"callback", "Callback"})
	f.must(f.r.EnsureQueues(ctx, specs))
	if got, err := f.r.QueueID("callback"); err != nil || got != id || !f.listed("callback") {
		t.Fatalf("declared queue after start: %d, %v; want %d, listed", got, err, id)
	}
}

func TestRemoveQueueRefusals(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	ctx := context.Background()
	f.saveQueue(QueueSettings{Code: "jabar"})
	f.saveQueue(QueueSettings{Code: "jatim", OverflowQueue: "jabar", OverflowAfterSeconds: 60})
	f.saveQueue(QueueSettings{Code: "banten", OverflowQueue: "jabar"})
	f.saveQueue(QueueSettings{Code: "lama"})
	f.solve(f.ticket(nil, "lama", "normal", time.Now().UTC()))
	if _, err := f.r.RemoveQueue(ctx, Actor{}, "lama", ""); err != nil {
		t.Fatal(err)
	}
	f.saveQueue(QueueSettings{Code: "sumut"})
	open := f.ticket(nil, "sumut", "normal", time.Now().UTC())

	cases := []struct {
		name, code, moveTo string
		want               error
		says               []string
	}{
		{"an unknown queue", "tidak-ada", "", ErrUnknownQueue, []string{"tidak-ada"}},
		{"an archived queue is unknown", "lama", "", ErrUnknownQueue, []string{"lama"}},
		{"the default queue", "umum", "kartu", ErrQueueInUse, []string{"default", "DEFAULT_QUEUE"}},
		{"a category's queue", "dana", "", ErrQueueInUse, []string{"insentif", "CATEGORY_QUEUES"}},
		{"the overflow target of other queues", "jabar", "", ErrQueueInUse, []string{"banten, jatim"}},
		{"move_to an unknown queue", "sumut", "tidak-ada", ErrInvalid, []string{"tidak-ada"}},
		{"move_to a removed queue", "sumut", "lama", ErrInvalid, []string{"lama"}},
		{"move_to the queue itself", "sumut", "sumut", ErrInvalid, []string{"another queue"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.r.RemoveQueue(ctx, Actor{}, c.code, c.moveTo)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.want == ErrInvalid && errors.Is(err, ErrUnknownQueue) {
				t.Fatalf("a bad move_to must not read as an unknown queue: %v", err)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not say %q", err, s)
				}
			}
		})
	}
	for _, code := range []string{"umum", "dana", "jabar", "jatim", "banten", "sumut"} {
		if !f.listed(code) {
			t.Errorf("queue %s was removed by a refused request", code)
		}
	}
	if f.queueOf(open) != f.queue("sumut") {
		t.Error("a refused removal moved a ticket")
	}
	// An archived queue overflowing into jabar does not hold jabar.
	if _, err := f.r.RemoveQueue(ctx, Actor{}, "jatim", ""); err != nil {
		t.Fatal(err)
	}
	f.saveQueue(QueueSettings{Code: "banten"})
	if got, err := f.r.RemoveQueue(ctx, Actor{}, "jabar", ""); err != nil || got.Archived {
		t.Fatalf("remove jabar once nothing points at it: %+v, %v", got, err)
	}
}

// A ticket that reaches an archived queue anyway (filed by an instance
// that had not seen the removal yet) is taken by nobody through the
// archived queue's overflow, and a solved ticket of an archived queue that
// a citizen reopens is routed by its category.
func TestArchivedQueueIsNoOverflowSourceAndReopenedTicketsLeaveIt(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	ctx := context.Background()
	jatim := f.saveQueue(QueueSettings{Code: "jatim", OverflowQueue: "umum"})
	solved := f.ticket(nil, "jatim", "normal", time.Now().UTC())
	f.solve(solved)
	kept := f.ticket(nil, "jatim", "normal", time.Now().UTC())
	f.solve(kept)
	if got, err := f.r.RemoveQueue(ctx, Actor{}, "jatim", ""); err != nil || !got.Archived {
		t.Fatalf("remove: %+v, %v", got, err)
	}
	var late int64
	now := time.Now().UTC()
	f.must(f.d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', '', 'new', 'normal', ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("T-%d", seq.Add(1)), f.contact, jatim,
		now.Add(-time.Hour), now, now).Scan(&late).Error)
	ana := f.agent("online", 5, 0, nil, "umum")
	if _, err := f.r.AssignWaiting(ctx, ana); err != nil {
		t.Fatal(err)
	}
	if f.assignee(late) != 0 {
		t.Fatal("an agent took a ticket through an archived queue's overflow")
	}

	// Reopened: one without an agent is routed by category, one whose
	// agent has room keeps the agent and also leaves the archived queue.
	f.must(f.d.Exec(`UPDATE tickets SET category = 'kartu', status = 'open', solved_at = NULL WHERE id IN (?, ?)`, solved, kept).Error)
	f.must(f.d.Exec(`UPDATE tickets SET assignee_id = ? WHERE id = ?`, ana, kept).Error)
	var as []Assignment
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		as, err = f.r.Reactivate(ctx, tx, []Reactivated{
			{Ticket: Ticket{ID: solved, Category: "kartu", QueueID: jatim}},
			{Ticket: Ticket{ID: kept, Category: "kartu", QueueID: jatim}, AssigneeID: ana},
		})
		return err
	}))
	kartu := f.queue("kartu")
	if len(as) != 2 {
		t.Fatalf("assignments %+v", as)
	}
	for _, a := range as {
		if a.QueueID != kartu || f.queueOf(a.TicketID) != kartu {
			t.Errorf("reopened ticket %d of an archived queue: %+v, stored queue %d; want kartu", a.TicketID, a, f.queueOf(a.TicketID))
		}
		if a.TicketID == kept && (a.AgentID != ana || f.assignee(kept) != ana) {
			t.Errorf("the reopened ticket lost its agent: %+v", a)
		}
	}
}
