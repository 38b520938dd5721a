package routing

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// Test fixtures write rows directly: the agent and ticket services that
// normally create them belong to other packages.

var queueSpecs = []QueueSpec{{"umum", "Umum"}, {"kartu", "Kartu Prakerja"}, {"dana", "Insentif"}}

var seq atomic.Int64

type fixture struct {
	t *testing.T
	d *db.DB
	r *parts
	// events receives what the fixture's Clocks announce (nil: dropped).
	events  Emitter
	contact int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	r := newParts(testOpts{DB: d, DefaultQueue: "umum", CategoryQueues: map[string]string{"kartu": "kartu", "insentif": "dana"}, Log: testenv.Logger(t)})
	if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, r: r}
	now := time.Now().UTC()
	f.must(d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`, now, now).Scan(&f.contact).Error)
	return f
}

// metrics reads the queues of the fixture's router.
func (f *fixture) metrics() *Metrics { return NewMetrics(PartOpts{DB: f.d, Queues: f.r}) }

// clocks keeps the SLA clocks of the fixture's router's queues.
func (f *fixture) clocks() *Clocks {
	return NewClocks(PartOpts{DB: f.d, Queues: f.r, Events: f.events})
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) queue(code string) int64 {
	f.t.Helper()
	id, err := f.r.QueueID(code)
	f.must(err)
	return id
}

// agent creates an agent in the given queues.
func (f *fixture) agent(presence string, capacity, load int, last *time.Time, queues ...string) int64 {
	f.t.Helper()
	now := time.Now().UTC()
	var id int64
	n := seq.Add(1)
	f.must(f.d.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, last_assigned_at, created_at, updated_at)
VALUES (?, ?, 'x', 'agent', ?, ?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("agen%d@example.id", n), fmt.Sprintf("Agen %d", n),
		presence, capacity, load, last, now, now).Scan(&id).Error)
	for _, q := range queues {
		f.must(f.d.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, f.queue(q), id).Error)
	}
	return id
}

// ticket inserts an unassigned ticket; queue "" leaves queue_id NULL.
func (f *fixture) ticket(tx *gorm.DB, queue string, priority domain.Priority, created time.Time) int64 {
	f.t.Helper()
	if tx == nil {
		tx = f.d.DB
	}
	var qid any
	if queue != "" {
		qid = f.queue(queue)
	}
	var id int64
	f.must(tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', '', 'new', ?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("T-%d", seq.Add(1)), f.contact, priority, qid, created, created, created).Scan(&id).Error)
	return id
}

func (f *fixture) load(agentID int64) int {
	f.t.Helper()
	var n int
	f.must(f.d.Raw(`SELECT active_load FROM agents WHERE id = ?`, agentID).Scan(&n).Error)
	return n
}

func (f *fixture) assignee(ticketID int64) int64 {
	f.t.Helper()
	var id *int64
	f.must(f.d.Raw(`SELECT assignee_id FROM tickets WHERE id = ?`, ticketID).Scan(&id).Error)
	if id == nil {
		return 0
	}
	return *id
}

func (f *fixture) queueOf(ticketID int64) int64 {
	f.t.Helper()
	var id *int64
	f.must(f.d.Raw(`SELECT queue_id FROM tickets WHERE id = ?`, ticketID).Scan(&id).Error)
	if id == nil {
		return 0
	}
	return *id
}

// routeNew creates one ticket per category and routes them in one tx.
func (f *fixture) routeNew(categories ...string) []Assignment {
	f.t.Helper()
	var out []Assignment
	f.must(f.d.Tx(context.Background(), func(tx *gorm.DB) error {
		ts := make([]Ticket, len(categories))
		for i, c := range categories {
			ts[i] = Ticket{ID: f.ticket(tx, "", "normal", time.Now().UTC()), Category: c, Channel: "webform"}
		}
		var err error
		out, err = f.r.RouteNew(context.Background(), tx, ts)
		return err
	}))
	return out
}

// testOpts configures one instance's routing in the tests: the queue
// settings, the engine and the admin built together as the composition
// root builds them.
type testOpts struct {
	DB                     *db.DB
	CategoryQueues         map[string]string
	DefaultQueue           string
	Events                 Emitter
	ChannelCapacity        map[string]int
	DefaultChannelCapacity int
	AwayGrace              time.Duration
	ReturnTickets          string
	PriorityRules          []PriorityRule
	SettingsChanged        func()
	Log                    *slog.Logger
}

// parts is one instance's routing: its settings, its engine and its admin.
// The tests call each part's methods through it.
type parts struct {
	*Settings
	*Router
	*Admin
}

func newParts(o testOpts) *parts {
	s := NewSettings(SettingsOpts{DB: o.DB, CategoryQueues: o.CategoryQueues, DefaultQueue: o.DefaultQueue,
		ChannelCapacity: o.ChannelCapacity, DefaultChannelCapacity: o.DefaultChannelCapacity, PriorityRules: o.PriorityRules,
		SettingsChanged: o.SettingsChanged, Log: o.Log})
	r := New(Opts{DB: o.DB, Settings: s, Events: o.Events, AwayGrace: o.AwayGrace, ReturnTickets: o.ReturnTickets, Log: o.Log})
	return &parts{Settings: s, Router: r, Admin: NewAdmin(AdminOpts{DB: o.DB, Settings: s, Work: r, Events: o.Events, Log: o.Log})}
}
