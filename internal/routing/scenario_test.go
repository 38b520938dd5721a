package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// events records what the router emits.
type events struct {
	mu  sync.Mutex
	got []string
	sla []bus.SLA
	all []bus.Event
}

func (e *events) Emit(ev bus.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, bus.Name(ev))
	e.all = append(e.all, ev)
	switch ev := ev.(type) {
	case bus.SLAWarning:
		e.sla = append(e.sla, bus.SLA(ev))
	case bus.SLABreached:
		e.sla = append(e.sla, bus.SLA(ev))
	}
}

func (e *events) count(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, g := range e.got {
		if g == name {
			n++
		}
	}
	return n
}

// newRouter builds a fixture whose router has the given options on top
// of the fixture's queues.
func newRouterFixture(t *testing.T, o testOpts) (*fixture, *events) {
	t.Helper()
	f := newFixture(t, testenv.DB(t))
	ev := &events{}
	o.DB, o.DefaultQueue, o.Events, o.Log = f.d, "umum", ev, testenv.Logger(t)
	if o.CategoryQueues == nil {
		o.CategoryQueues = map[string]string{"kartu": "kartu", "insentif": "dana"}
	}
	f.r, f.events = newParts(o), ev
	f.must(f.r.EnsureQueues(context.Background(), queueSpecs))
	return f, ev
}

// newTicket inserts an unassigned ticket with the given channel, subject
// and province, created at created.
func (f *fixture) newTicket(tx *gorm.DB, channel, subject string, created time.Time) int64 {
	f.t.Helper()
	if tx == nil {
		tx = f.d.DB
	}
	var id int64
	f.must(tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, subject, status, priority, created_at, updated_at, last_message_at)
VALUES (?, ?, ?, ?, 'new', 'normal', ?, ?, ?) RETURNING id`, fmt.Sprintf("T-%d", seq.Add(1)), f.contact, channel, subject, created, created, created).Scan(&id).Error)
	return id
}

// route creates and routes one ticket.
func (f *fixture) route(t Ticket) Assignment {
	f.t.Helper()
	var out []Assignment
	f.must(f.d.Tx(context.Background(), func(tx *gorm.DB) error {
		if t.Channel == "" {
			t.Channel = "webform"
		}
		t.ID = f.newTicket(tx, t.Channel, t.Category+" "+t.Queue, time.Now().UTC())
		var err error
		out, err = f.r.RouteNew(context.Background(), tx, []Ticket{t})
		return err
	}))
	return out[0]
}

func (f *fixture) saveQueue(q QueueSettings) int64 {
	f.t.Helper()
	s, err := f.r.SaveQueue(context.Background(), q)
	f.must(err)
	return s.ID
}

func (f *fixture) channelLoad(agentID int64, channel string) int {
	f.t.Helper()
	var n []int
	f.must(f.d.Raw(`SELECT active_load FROM agent_channel_loads WHERE agent_id = ? AND channel = ?`, agentID, channel).Scan(&n).Error)
	if len(n) == 0 {
		return 0
	}
	return n[0]
}

func TestRegionalRouting(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	jabar := f.saveQueue(QueueSettings{Code: "jabar", Provinces: []string{"32"}})
	kartuJatim := f.saveQueue(QueueSettings{Code: "kartu-jatim", Provinces: []string{"35"}, Categories: []string{"kartu"}})
	// A national desk made for training questions, which CATEGORY_QUEUES
	// does not name; and one listing incentives, which it names (dana).
	pelatihan := f.saveQueue(QueueSettings{Code: "pelatihan", Categories: []string{"pelatihan"}})
	f.saveQueue(QueueSettings{Code: "insentif-2", Categories: []string{"insentif"}})
	cases := []struct {
		name string
		t    Ticket
		want int64
	}{
		{"a citizen of Jawa Barat goes to the Jawa Barat desk", Ticket{Province: "32"}, jabar},
		{"a province without a desk goes to the national queue", Ticket{Province: "11"}, f.queue("umum")},
		{"no province: national queue", Ticket{}, f.queue("umum")},
		{"a regional queue for the category wins", Ticket{Province: "35", Category: "kartu"}, kartuJatim},
		{"a regional queue for another category does not take it", Ticket{Province: "35", Category: "insentif"}, f.queue("dana")},
		{"a queue the channel asked for is kept", Ticket{Province: "32", Queue: "kartu"}, f.queue("kartu")},
		{"a national queue made for the category beats the default", Ticket{Category: "pelatihan"}, pelatihan},
		{"so it does for a province without a desk", Ticket{Province: "11", Category: "pelatihan"}, pelatihan},
		{"a regional desk still takes its citizens' tickets of that category", Ticket{Province: "32", Category: "pelatihan"}, jabar},
		{"the queue CATEGORY_QUEUES names for a category is kept", Ticket{Category: "insentif"}, f.queue("dana")},
		{"a category no queue lists goes to the default", Ticket{Category: "lainnya"}, f.queue("umum")},
		{"a queue asked for that does not exist: by category", Ticket{Category: "pelatihan", Queue: "hilang"}, pelatihan},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := f.route(tc.t)
			if a.QueueID != tc.want || f.queueOf(a.TicketID) != tc.want {
				t.Fatalf("queue %d (stored %d), want %d", a.QueueID, f.queueOf(a.TicketID), tc.want)
			}
		})
	}
	// As ingest files a new ticket: the queue the channel asked for,
	// resolved by QueueFor, before the ticket is stored.
	for _, tc := range []struct {
		name string
		t    Ticket
	}{
		{"the default queue, asked for by the channel, is kept", Ticket{Category: "pelatihan", Queue: "umum", QueueID: f.queue("umum")}},
		{"so it is for a province that has a desk", Ticket{Province: "32", Queue: "umum", QueueID: f.queue("umum")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.t.Channel = "webform"
			var got []Filing
			f.must(f.d.Tx(context.Background(), func(tx *gorm.DB) error {
				var err error
				got, err = f.r.File(context.Background(), tx, []NewTicket{{Ticket: tc.t}}, time.Now().UTC())
				return err
			}))
			if len(got) != 1 || got[0].QueueID != f.queue("umum") {
				t.Fatalf("filed in %+v, want umum %d", got, f.queue("umum"))
			}
		})
	}
	t.Run("a ticket routed again (reopened) stays in its queue", func(t *testing.T) {
		ctx := context.Background()
		first := f.route(Ticket{Category: "pelatihan", Queue: "umum", QueueID: f.queue("umum")})
		var got []Assignment
		f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			got, err = f.r.Reactivate(ctx, tx, []Reactivated{{Ticket: Ticket{ID: first.TicketID, Category: "pelatihan", QueueID: first.QueueID}}})
			return err
		}))
		if len(got) != 1 || got[0].QueueID != f.queue("umum") || f.queueOf(first.TicketID) != f.queue("umum") {
			t.Fatalf("reopened into %+v (stored %d), want umum %d", got, f.queueOf(first.TicketID), f.queue("umum"))
		}
	})
}

func TestStrategies(t *testing.T) {
	t.Run("skills-based: the best skill match first, members without the skill never", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{})
		f.saveQueue(QueueSettings{Code: "dana", Skills: []string{"keuangan"}, Strategy: StrategySkills})
		novice := f.agent("online", 10, 0, nil, "dana")
		expert := f.agent("online", 10, 5, nil, "dana") // busier, but better
		unskilled := f.agent("online", 10, 0, nil, "dana")
		f.must(f.r.SetAgent(context.Background(), novice, AgentSettings{Skills: map[string]int{"keuangan": 2}}))
		f.must(f.r.SetAgent(context.Background(), expert, AgentSettings{Skills: map[string]int{"keuangan": 5, "bahasa": 3}}))
		if a := f.route(Ticket{Category: "insentif"}); a.AgentID != expert {
			t.Fatalf("assigned to %d, want the expert %d", a.AgentID, expert)
		}
		f.must(f.r.SetAgent(context.Background(), expert, AgentSettings{Capacity: ptr(6)}))
		if a := f.route(Ticket{Category: "insentif"}); a.AgentID != novice {
			t.Fatalf("expert full: assigned to %d, want %d", a.AgentID, novice)
		}
		f.must(f.r.SetAgent(context.Background(), novice, AgentSettings{Capacity: ptr(1)}))
		if a := f.route(Ticket{Category: "insentif"}); a.AgentID != 0 || f.load(unskilled) != 0 {
			t.Fatalf("skilled agents full: assigned to %d; the unskilled member must not get it", a.AgentID)
		}
	})
	t.Run("round-robin: members take turns whatever their load", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{})
		f.saveQueue(QueueSettings{Code: "kartu", Strategy: StrategyRoundRobin})
		a := f.agent("online", 10, 0, nil, "kartu")
		b := f.agent("online", 10, 0, nil, "kartu")
		c := f.agent("online", 10, 0, nil, "kartu")
		want := []int64{a, b, c, a, b, c}
		for i, w := range want {
			if got := f.route(Ticket{Category: "kartu"}); got.AgentID != w {
				t.Fatalf("ticket %d to %d, want %d", i, got.AgentID, w)
			}
		}
	})
	t.Run("least-busy by the channel's load ratio first", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{ChannelCapacity: map[string]int{"whatsapp": 3}})
		chatty := f.agent("online", 10, 0, nil, "umum")
		quiet := f.agent("online", 10, 0, nil, "umum")
		first := f.route(Ticket{Channel: "whatsapp"})
		second := f.route(Ticket{Channel: "whatsapp"})
		if first.AgentID == second.AgentID || (first.AgentID != chatty && first.AgentID != quiet) {
			t.Fatalf("two chats went to %d and %d, want one each", first.AgentID, second.AgentID)
		}
	})
}

func ptr(n int) *int { return &n }

func TestPerChannelCapacity(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{ChannelCapacity: map[string]int{"voice": 1, "webform": 10}})
	agent := f.agent("online", 10, 0, nil, "umum")
	call := f.route(Ticket{Channel: "voice"})
	second := f.route(Ticket{Channel: "voice"})
	form := f.route(Ticket{Channel: "webform"})
	if call.AgentID != agent || second.AgentID != 0 || form.AgentID != agent {
		t.Fatalf("assignments %d, %d, %d: want one call, the second call waiting, the form assigned", call.AgentID, second.AgentID, form.AgentID)
	}
	if f.channelLoad(agent, "voice") != 1 || f.channelLoad(agent, "webform") != 1 || f.load(agent) != 2 {
		t.Fatalf("loads voice %d webform %d total %d", f.channelLoad(agent, "voice"), f.channelLoad(agent, "webform"), f.load(agent))
	}
	// Raising the agent's own voice capacity hands the waiting call out at once.
	f.must(f.r.SetAgent(ctx, agent, AgentSettings{ChannelCapacity: map[string]*int{"voice": ptr(2)}}))
	if f.assignee(second.TicketID) != agent || f.channelLoad(agent, "voice") != 2 {
		t.Fatalf("after capacity change: assignee %d, voice load %d", f.assignee(second.TicketID), f.channelLoad(agent, "voice"))
	}
	// Solving the call frees the voice slot only.
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.r.Release(ctx, tx, call.TicketID) }))
	if f.channelLoad(agent, "voice") != 1 || f.channelLoad(agent, "webform") != 1 {
		t.Fatalf("after release: voice %d webform %d", f.channelLoad(agent, "voice"), f.channelLoad(agent, "webform"))
	}
	p, err := f.r.Agent(ctx, agent)
	f.must(err)
	if p.ChannelCapacity["voice"] != 2 || p.ChannelCapacity["webform"] != 10 || p.ChannelLoad["webform"] != 1 {
		t.Fatalf("profile %+v", p)
	}
}

// An agent's capacity on a channel follows the channel's default as
// configured now until the agent is given one of their own, and goes back
// to it when that is taken away. Before, the row the agent's first call
// created kept the default of that day: a default raised later (a restart
// with ROUTING_CHANNEL_CAPACITY changed) never reached the agent.
func TestChannelCapacityFollowsTheDefault(t *testing.T) {
	ctx := context.Background()
	opts := testOpts{ChannelCapacity: map[string]int{"voice": 1}}
	f, _ := newRouterFixture(t, opts)
	agent := f.agent("online", 10, 0, nil, "umum")
	first := f.route(Ticket{Channel: "voice"})
	waiting := f.route(Ticket{Channel: "voice"})
	if first.AgentID != agent || waiting.AgentID != 0 {
		t.Fatalf("at the default of 1: assignments %d, %d", first.AgentID, waiting.AgentID)
	}
	// The same database under a configuration that allows two calls.
	opts.DB, opts.DefaultQueue, opts.Events, opts.Log = f.d, "umum", f.events, testenv.Logger(t)
	f.r = newParts(func(o testOpts) testOpts { o.ChannelCapacity = map[string]int{"voice": 2}; return o }(opts))
	second := f.route(Ticket{Channel: "voice"})
	if second.AgentID != agent || f.channelLoad(agent, "voice") != 2 {
		t.Fatalf("the default raised to 2: the next call went to %d, voice load %d", second.AgentID, f.channelLoad(agent, "voice"))
	}
	p, err := f.r.Agent(ctx, agent)
	f.must(err)
	// WhatsApp, not configured, shows the overall default (10 when unset).
	if p.ChannelCapacity["voice"] != 2 || p.ChannelDefault["voice"] != 2 || p.ChannelDefault["whatsapp"] != 10 || len(p.ChannelOwn) != 0 {
		t.Fatalf("profile at the default: in force %v, default %v, own %v", p.ChannelCapacity, p.ChannelDefault, p.ChannelOwn)
	}
	// An own capacity of 3 wins over the default: the call still waiting
	// is handed out at once ...
	f.must(f.r.SetAgent(ctx, agent, AgentSettings{ChannelCapacity: map[string]*int{"voice": ptr(3)}}))
	if got := f.assignee(waiting.TicketID); got != agent {
		t.Fatalf("an own capacity of 3: the waiting call went to %d", got)
	}
	p, err = f.r.Agent(ctx, agent)
	f.must(err)
	if p.ChannelCapacity["voice"] != 3 || p.ChannelOwn["voice"] != 3 || p.ChannelDefault["voice"] != 2 {
		t.Fatalf("profile with its own: in force %v, default %v, own %v", p.ChannelCapacity, p.ChannelDefault, p.ChannelOwn)
	}
	// ... and null gives the channel back to it: three calls held, two allowed.
	f.must(f.r.SetAgent(ctx, agent, AgentSettings{ChannelCapacity: map[string]*int{"voice": nil}}))
	p, err = f.r.Agent(ctx, agent)
	f.must(err)
	if p.ChannelCapacity["voice"] != 2 || len(p.ChannelOwn) != 0 || p.ChannelLoad["voice"] != 3 {
		t.Fatalf("profile given back to the default: in force %v, own %v, load %v", p.ChannelCapacity, p.ChannelOwn, p.ChannelLoad)
	}
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.r.Release(ctx, tx, first.TicketID) }))
	if next := f.route(Ticket{Channel: "voice"}); next.AgentID != 0 {
		t.Fatalf("two calls held at a default of 2: the next went to %d", next.AgentID)
	}
	// A capacity that is no capacity is refused, null is not.
	if err := f.r.SetAgent(ctx, agent, AgentSettings{ChannelCapacity: map[string]*int{"voice": ptr(-1)}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a capacity of -1: %v", err)
	}
}

// The first start after the upgrade gives back to the default the stored
// capacities that hold the default's number (the account form stored every
// channel's on each edit), keeps the others, and does it once.
func TestAdoptChannelDefaultsOnce(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{ChannelCapacity: map[string]int{"voice": 1, "whatsapp": 3}, DefaultChannelCapacity: 5})
	a, b := f.agent("online", 10, 0, nil, "umum"), f.agent("online", 10, 0, nil, "umum")
	put := func(agent int64, channel string, capacity int) {
		f.must(f.d.Exec(`INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load) VALUES (?, ?, ?, 0)`, agent, channel, capacity).Error)
	}
	put(a, "voice", 1)    // the default: given back
	put(a, "whatsapp", 4) // own
	put(a, "telegram", 5) // an unlisted channel at the overall default: given back
	put(b, "voice", 5)    // the overall default, not voice's: own
	put(b, "telegram", 1) // own
	n, err := f.r.AdoptChannelDefaults(ctx)
	f.must(err)
	if n != 2 {
		t.Errorf("gave back %d rows, want 2", n)
	}
	held := func(agent int64) string {
		p, err := f.r.Agent(ctx, agent)
		f.must(err)
		return fmt.Sprint(p.ChannelOwn)
	}
	if held(a) != "map[whatsapp:4]" || held(b) != "map[telegram:1 voice:5]" {
		t.Fatalf("own capacities after: %s and %s", held(a), held(b))
	}
	// Once: a capacity set afterwards to the default's number stays the agent's own.
	f.must(f.r.SetAgent(ctx, a, AgentSettings{ChannelCapacity: map[string]*int{"voice": ptr(1)}}))
	if n, err := f.r.AdoptChannelDefaults(ctx); err != nil || n != 0 {
		t.Fatalf("second run gave back %d (%v)", n, err)
	}
	if held(a) != "map[voice:1 whatsapp:4]" {
		t.Fatalf("own capacities after a second run: %s", held(a))
	}
}

func TestOverflowAfterThreshold(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	f.saveQueue(QueueSettings{Code: "kartu", OverflowQueue: "umum", OverflowAfterSeconds: 600})
	fresh := f.ticket(nil, "kartu", "normal", time.Now().UTC().Add(-time.Minute))
	helper := f.agent("online", 5, 0, nil, "umum")
	if got, err := f.r.AssignWaiting(ctx, helper); err != nil || len(got) != 0 {
		t.Fatalf("before the threshold the overflow agent got %v (%v)", got, err)
	}
	old := f.ticket(nil, "kartu", "normal", time.Now().UTC().Add(-11*time.Minute))
	f.must(f.d.Exec(`UPDATE agents SET active_load = 0 WHERE id = ?`, helper).Error)
	// The sweep is what notices a threshold passing.
	f.must(f.r.Sweep(ctx, time.Now().UTC()))
	if f.assignee(old) != helper || f.assignee(fresh) != 0 {
		t.Fatalf("after the threshold: old ticket to %d, fresh to %d; want only the old one to %d", f.assignee(old), f.assignee(fresh), helper)
	}
}

func TestAgentLeavingReturnsTickets(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{ReturnUnstarted, ReturnActive} {
		t.Run(mode, func(t *testing.T) {
			f, ev := newRouterFixture(t, testOpts{ReturnTickets: mode, AwayGrace: 5 * time.Minute})
			leaving := f.agent("online", 5, 0, nil, "umum")
			started := f.route(Ticket{})
			unstarted := f.route(Ticket{})
			f.must(f.d.Exec(`UPDATE tickets SET first_response_at = ?, status = 'open' WHERE id = ?`, time.Now().UTC(), started.TicketID).Error)
			colleague := f.agent("online", 5, 0, nil, "umum")

			f.must(f.d.Exec(`UPDATE agents SET presence = 'offline' WHERE id = ?`, leaving).Error)
			f.must(f.r.PresenceChanged(ctx, leaving, "offline"))
			if f.assignee(unstarted.TicketID) != colleague {
				t.Fatalf("unstarted ticket with %d, want the colleague %d", f.assignee(unstarted.TicketID), colleague)
			}
			wantStarted := leaving
			if mode == ReturnActive {
				wantStarted = colleague
			}
			if f.assignee(started.TicketID) != wantStarted {
				t.Fatalf("started ticket with %d, want %d", f.assignee(started.TicketID), wantStarted)
			}
			wantLoad := 1
			if mode == ReturnActive {
				wantLoad = 0
			}
			if f.load(leaving) != wantLoad || f.channelLoad(leaving, "webform") != wantLoad {
				t.Fatalf("leaving agent load %d/%d, want %d", f.load(leaving), f.channelLoad(leaving, "webform"), wantLoad)
			}
			if ev.count("ticket.unassigned") == 0 || ev.count("ticket.assigned") == 0 {
				t.Fatalf("events %v", ev.got)
			}
		})
	}
	t.Run("away keeps tickets during the grace period", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{AwayGrace: 5 * time.Minute})
		agent := f.agent("online", 5, 0, nil, "umum")
		a := f.route(Ticket{})
		other := f.agent("online", 5, 0, nil, "umum")
		f.must(f.d.Exec(`UPDATE agents SET presence = 'away' WHERE id = ?`, agent).Error)
		f.must(f.r.PresenceChanged(ctx, agent, "away"))
		f.must(f.r.Sweep(ctx, time.Now().UTC()))
		if f.assignee(a.TicketID) != agent {
			t.Fatalf("returned during the grace period")
		}
		f.must(f.r.Sweep(ctx, time.Now().UTC().Add(6*time.Minute)))
		if f.assignee(a.TicketID) != other {
			t.Fatalf("after the grace: with %d, want %d", f.assignee(a.TicketID), other)
		}
	})
}

func TestClaimReleaseTransferAssign(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	me := f.agent("busy", 2, 0, nil, "umum")
	outsider := f.agent("online", 5, 0, nil, "kartu")
	waiting := f.ticket(nil, "umum", "normal", time.Now().UTC())

	if err := f.r.Claim(ctx, Actor{ID: outsider}, waiting); !errors.Is(err, ErrForbidden) {
		t.Fatalf("claim from another queue: err = %v", err)
	}
	f.must(f.r.Claim(ctx, Actor{ID: me}, waiting))
	if f.assignee(waiting) != me || f.load(me) != 1 {
		t.Fatalf("claimed: assignee %d load %d", f.assignee(waiting), f.load(me))
	}
	if err := f.r.Claim(ctx, Actor{ID: outsider, Supervisor: true}, waiting); !errors.Is(err, ErrConflict) {
		t.Fatalf("claiming an assigned ticket: err = %v", err)
	}

	// Release: the next candidate gets it, never the one releasing.
	colleague := f.agent("online", 5, 0, nil, "umum")
	f.must(f.r.Unclaim(ctx, Actor{ID: me}, waiting, "salah antrean"))
	if f.assignee(waiting) != colleague || f.load(me) != 0 {
		t.Fatalf("released: assignee %d (want %d), my load %d", f.assignee(waiting), colleague, f.load(me))
	}
	if err := f.r.Unclaim(ctx, Actor{ID: me}, waiting, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("releasing someone else's ticket: err = %v", err)
	}

	// Transfer to an offline agent fails and changes nothing.
	offline := f.agent("offline", 5, 0, nil, "umum")
	if err := f.r.Transfer(ctx, Actor{ID: colleague}, waiting, Target{AgentID: offline}, ""); !errors.Is(err, ErrNoCapacity) {
		t.Fatalf("transfer to an offline agent: err = %v", err)
	}
	if f.assignee(waiting) != colleague || f.load(colleague) != 1 {
		t.Fatalf("failed transfer changed the ticket: assignee %d load %d", f.assignee(waiting), f.load(colleague))
	}
	// Transfer to an agent, with a note in the thread.
	f.must(f.r.Transfer(ctx, Actor{ID: colleague}, waiting, Target{AgentID: me}, "butuh verifikasi NIK"))
	if f.assignee(waiting) != me || f.load(colleague) != 0 || f.load(me) != 1 {
		t.Fatalf("transfer to agent: assignee %d loads %d/%d", f.assignee(waiting), f.load(me), f.load(colleague))
	}
	var notes []struct{ Body, Fields string }
	f.must(f.d.Raw(`SELECT body, fields FROM messages WHERE ticket_id = ? AND direction = 'note' ORDER BY id`, waiting).Scan(&notes).Error)
	if len(notes) != 2 || notes[1].Body != "butuh verifikasi NIK" {
		t.Fatalf("notes %q, want one per move with the agent's own words", notes)
	}
	// What happened is kept by ids, for the API to tell in the viewer's language.
	var moves [2]map[string]string
	for i, n := range notes {
		f.must(json.Unmarshal([]byte(n.Fields), &moves[i]))
	}
	if moves[0][NoteKindField] != NoteKindRelease || moves[0][NoteFromAgent] != strconv.FormatInt(me, 10) || moves[0][NoteToQueue] != strconv.FormatInt(f.queue("umum"), 10) {
		t.Errorf("release note fields %v", moves[0])
	}
	if moves[1][NoteKindField] != NoteKindTransfer || moves[1][NoteFromAgent] != strconv.FormatInt(colleague, 10) || moves[1][NoteToAgent] != strconv.FormatInt(me, 10) {
		t.Errorf("transfer note fields %v", moves[1])
	}
	// Transfer to a queue: offered there at once.
	f.must(f.r.Transfer(ctx, Actor{ID: me}, waiting, Target{Queue: "kartu"}, ""))
	if f.queueOf(waiting) != f.queue("kartu") || f.assignee(waiting) != outsider || f.load(me) != 0 {
		t.Fatalf("transfer to queue: queue %d assignee %d", f.queueOf(waiting), f.assignee(waiting))
	}
	if err := f.r.Transfer(ctx, Actor{ID: outsider}, waiting, Target{Queue: "nope"}, ""); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("transfer to an unknown queue: err = %v", err)
	}

	// Supervisor assign: any presence, never over capacity.
	if err := f.r.Assign(ctx, Actor{ID: me}, waiting, offline); !errors.Is(err, ErrForbidden) {
		t.Fatalf("agent assigning: err = %v", err)
	}
	f.must(f.r.Assign(ctx, Actor{ID: offline, Supervisor: true}, waiting, offline))
	if f.assignee(waiting) != offline || f.load(outsider) != 0 || f.load(offline) != 1 {
		t.Fatalf("assign: assignee %d", f.assignee(waiting))
	}
	full := f.agent("online", 1, 1, nil, "umum")
	if err := f.r.Assign(ctx, Actor{ID: offline, Supervisor: true}, waiting, full); !errors.Is(err, ErrNoCapacity) {
		t.Fatalf("assign over capacity: err = %v", err)
	}
	if f.assignee(waiting) != offline || f.load(offline) != 1 {
		t.Fatalf("failed assign changed the ticket")
	}
}

func TestPriorityRules(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{PriorityRules: []PriorityRule{
		{Keyword: "penipuan", Priority: "urgent"},
		{Channel: "voice", Priority: "high"},
		{RepeatContacts: 2, Priority: "high"},
	}})
	prio := func(id int64) string {
		var p string
		f.must(f.d.Raw(`SELECT priority FROM tickets WHERE id = ?`, id).Scan(&p).Error)
		return p
	}
	cases := []struct {
		name string
		t    Ticket
		want string
	}{
		{"no rule matches", Ticket{Category: "lainnya"}, "normal"},
		{"a call is high", Ticket{Channel: "voice"}, "high"},
		{"a keyword in the subject makes it urgent", Ticket{Category: "Ada PENIPUAN"}, "urgent"},
		{"the third ticket of a contact in a week is high", Ticket{}, "high"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := prio(f.route(tc.t).TicketID); got != tc.want {
				t.Fatalf("priority %q, want %q", got, tc.want)
			}
		})
	}
}

// A repeat-contact rule counts a contact's other tickets by the new
// ticket's own creation time, the same whether they are stored already
// (an earlier batch) or filed with it. Tickets of a channel that stores
// the provider's received-at time may be older than the clock.
func TestFileCountsRepeatContactsFromTheTicketsCreation(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{PriorityRules: []PriorityRule{{RepeatContacts: 1, Priority: "high"}}})
	ctx := context.Background()
	received := time.Now().UTC().AddDate(0, -9, 0) // a backlog from months ago
	contact := func() int64 {
		var id int64
		f.must(f.d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`,
			received, received).Scan(&id).Error)
		return id
	}
	stored := func(contactID int64, created time.Time) {
		f.must(f.d.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', 'new', ?, ?, ?)`, fmt.Sprintf("R-%d", seq.Add(1)), contactID, created, created, created).Error)
	}
	newTicket := func(contactID int64, created time.Time) NewTicket {
		return NewTicket{Ticket: Ticket{Channel: "webform"}, ContactID: contactID, CreatedAt: created}
	}
	file := func(ts ...NewTicket) []string {
		var out []string
		f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
			fs, err := f.r.File(ctx, tx, ts, time.Now().UTC())
			for _, fl := range fs {
				out = append(out, string(fl.Priority))
			}
			return err
		}))
		return out
	}

	cases := []struct {
		name string
		run  func() []string
		want []string
	}{
		{"a ticket stored minutes before counts", func() []string {
			c := contact()
			stored(c, received)
			return file(newTicket(c, received.Add(time.Minute)))
		}, []string{"high"}},
		{"a ticket stored before the window does not count", func() []string {
			c := contact()
			stored(c, received.Add(-8*24*time.Hour))
			return file(newTicket(c, received))
		}, []string{"normal"}},
		{"two tickets of one batch count each other", func() []string {
			c := contact()
			return file(newTicket(c, received), newTicket(c, received.Add(time.Minute)))
		}, []string{"high", "high"}},
		{"another contact's ticket does not count", func() []string {
			stored(contact(), received)
			return file(newTicket(contact(), received.Add(time.Minute)))
		}, []string{"normal"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(); !slices.Equal(got, tc.want) {
				t.Fatalf("priorities %v, want %v", got, tc.want)
			}
		})
	}
}

// Offer orders candidates in SQL; it must follow the same rules as the
// batch path's sortCandidates.
func TestOfferFollowsTheQueueStrategy(t *testing.T) {
	ctx := context.Background()
	recent := time.Now().UTC().Add(-time.Minute)
	long := time.Now().UTC().Add(-time.Hour)
	offer := func(f *fixture, queue string) int64 {
		f.t.Helper()
		id := f.ticket(nil, queue, "normal", time.Now().UTC())
		agent, err := f.r.Offer(ctx, id, 0)
		f.must(err)
		if f.assignee(id) != agent {
			f.t.Fatalf("Offer said %d, stored %d", agent, f.assignee(id))
		}
		return agent
	}
	t.Run("least busy: load ratio, then never assigned, then longest idle", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{})
		f.agent("online", 2, 1, nil, "umum")            // 50 %
		idle := f.agent("online", 10, 3, &long, "umum") // 30 %, idle longest
		f.agent("online", 10, 3, &recent, "umum")       // 30 %, busy recently
		if got := offer(f, "umum"); got != idle {
			t.Fatalf("offered to %d, want %d", got, idle)
		}
	})
	t.Run("round robin: the member whose turn is oldest", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{})
		f.saveQueue(QueueSettings{Code: "kartu", Strategy: StrategyRoundRobin})
		a := f.agent("online", 10, 0, nil, "kartu")
		b := f.agent("online", 10, 5, nil, "kartu") // busier, but its turn comes
		want := []int64{a, b, a, b}
		for i, w := range want {
			if got := offer(f, "kartu"); got != w {
				t.Fatalf("offer %d to %d, want %d", i, got, w)
			}
		}
	})
	t.Run("skills: the best match, never the unqualified", func(t *testing.T) {
		f, _ := newRouterFixture(t, testOpts{})
		f.saveQueue(QueueSettings{Code: "dana", Skills: []string{"keuangan", "bahasa"}, Strategy: StrategySkills})
		one := f.agent("online", 10, 0, nil, "dana")
		best := f.agent("online", 10, 8, nil, "dana")
		f.agent("online", 10, 0, nil, "dana") // no skills
		f.must(f.r.SetAgent(ctx, one, AgentSettings{Skills: map[string]int{"keuangan": 1, "bahasa": 1}}))
		f.must(f.r.SetAgent(ctx, best, AgentSettings{Skills: map[string]int{"keuangan": 4, "bahasa": 2}}))
		if got := offer(f, "dana"); got != best {
			t.Fatalf("offered to %d, want %d", got, best)
		}
		f.must(f.r.SetAgent(ctx, best, AgentSettings{Capacity: ptr(9)}))
		f.must(f.r.SetAgent(ctx, one, AgentSettings{Capacity: ptr(0)}))
		if got := offer(f, "dana"); got != 0 {
			t.Fatalf("offered to %d: only the unqualified member has room", got)
		}
	})
}

// A full channel is passed over, not waited on: the agent full on voice
// gets the older form behind the waiting call, and a ticket offered to a
// queue goes to the next member when the best one is full on its channel.
func TestFullChannelIsPassedOver(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{ChannelCapacity: map[string]int{"voice": 1, "webform": 10}})
	long := time.Now().UTC().Add(-time.Hour)
	agent := f.agent("online", 10, 0, &long, "umum")
	first := f.ticket(nil, "umum", "normal", time.Now().UTC().Add(-3*time.Minute))
	call := f.ticket(nil, "umum", "urgent", time.Now().UTC().Add(-2*time.Minute))
	form := f.ticket(nil, "umum", "normal", time.Now().UTC().Add(-time.Minute))
	f.must(f.d.Exec(`UPDATE tickets SET channel = 'voice' WHERE id IN (?, ?)`, first, call).Error)
	got, err := f.r.AssignWaiting(ctx, agent)
	f.must(err)
	// The urgent call first (voice now full), then the form; the older
	// call waits for a voice slot.
	if len(got) != 2 || got[0] != call || got[1] != form || f.assignee(first) != 0 {
		t.Fatalf("assigned %v (call %d, form %d, first %d to %d)", got, call, form, first, f.assignee(first))
	}
	if f.channelLoad(agent, "voice") != 1 || f.channelLoad(agent, "webform") != 1 || f.load(agent) != 2 {
		t.Fatalf("loads voice %d webform %d total %d", f.channelLoad(agent, "voice"), f.channelLoad(agent, "webform"), f.load(agent))
	}

	// The least busy member overall is full on voice; the offer goes on.
	other := f.agent("online", 10, 5, nil, "umum")
	got2, err := f.r.Offer(ctx, first, 0)
	f.must(err)
	if got2 != other || f.assignee(first) != other {
		t.Fatalf("voice ticket offered to %d (stored %d), want %d: %d is full on voice", got2, f.assignee(first), other, agent)
	}
}

// Tickets offered at the same moment all want the same least busy agent;
// on PostgreSQL each takes the best agent no other transaction holds
// instead of queueing behind it.
func TestOfferPassesOverAnAgentBeingAssigned(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("SQLite runs one writing transaction at a time: nothing to pass over")
	}
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	long := time.Now().UTC().Add(-time.Hour)
	best := f.agent("online", 10, 0, &long, "umum")
	next := f.agent("online", 10, 1, nil, "umum")
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- f.d.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec(`SELECT id FROM agents WHERE id = ? FOR NO KEY UPDATE`, best).Error; err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	// Waiting for the held agent would wait for ever: bound it.
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	got, err := f.r.Offer(octx, f.ticket(nil, "umum", "normal", time.Now().UTC()), 0)
	cancel()
	close(release)
	f.must(err)
	f.must(<-done)
	if got != next {
		t.Fatalf("offered to %d while %d was held; want %d", got, best, next)
	}
	if got, err := f.r.Offer(ctx, f.ticket(nil, "umum", "normal", time.Now().UTC()), 0); err != nil || got != best {
		t.Fatalf("once free, offered to %d (%v); want the least busy %d", got, err, best)
	}
}

// An agent coming online takes the ticket waiting for them even when
// another transaction holds it at that moment (a message being stored on
// it): AssignWaiting never waits for a ticket while it holds the agent, so
// it tries again once the holder has had time to commit, instead of
// leaving the ticket to the router's sweep. The sweep itself never waits
// (it would wait once per idle agent); the ticket is its next round's.
func TestAssignWaitingTakesATicketHeldMeanwhile(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("SQLite runs one writing transaction at a time: no ticket is held while another decides")
	}
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	// hold locks a ticket in a transaction of its own until letGo.
	hold := func(ticket int64) (letGo func()) {
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- f.d.Tx(ctx, func(tx *gorm.DB) error {
				if err := tx.Exec(`SELECT id FROM tickets WHERE id = ? FOR UPDATE`, ticket).Error; err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		var once sync.Once
		letGo = func() { once.Do(func() { close(release); f.must(<-done) }) }
		t.Cleanup(letGo)
		return letGo
	}
	waited := 0
	onHeld := func(letGo func()) func(int) {
		return func(n int) {
			waited = n
			if n == 1 {
				letGo()
			}
		}
	}

	ticket := f.ticket(nil, "umum", "normal", time.Now().UTC())
	agent := f.agent("online", 5, 0, nil, "umum")
	// The holder commits while AssignWaiting waits for the first time.
	f.r.onHeld = onHeld(hold(ticket))
	got, err := f.r.AssignWaiting(ctx, agent)
	f.must(err)
	if len(got) != 1 || got[0] != ticket || f.assignee(ticket) != agent {
		t.Fatalf("assigned %v (stored assignee %d) after %d waits; want ticket %d to agent %d", got, f.assignee(ticket), waited, ticket, agent)
	}
	if waited != 1 {
		t.Fatalf("waited %d times for the held ticket, want 1", waited)
	}

	// Nothing waiting: no wait at all.
	waited = 0
	got, err = f.r.AssignWaiting(ctx, agent)
	f.must(err)
	if len(got) != 0 || waited != 0 {
		t.Fatalf("with nothing waiting: assigned %v after %d waits; want none and no wait", got, waited)
	}

	// The sweep passes a held ticket over without waiting, and hands it
	// out in its next round once it is free.
	second := f.ticket(nil, "umum", "normal", time.Now().UTC())
	letGo := hold(second)
	f.r.onHeld = onHeld(letGo)
	f.must(f.r.Sweep(ctx, time.Now().UTC()))
	if waited != 0 || f.assignee(second) != 0 {
		t.Fatalf("sweep with the ticket held: %d waits, assignee %d; want no wait, still waiting", waited, f.assignee(second))
	}
	letGo()
	f.must(f.r.Sweep(ctx, time.Now().UTC()))
	if f.assignee(second) != agent {
		t.Fatalf("next sweep: assignee %d, want %d", f.assignee(second), agent)
	}
}
