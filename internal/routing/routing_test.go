package routing

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

func TestEnsureQueues(t *testing.T) {
	d := testenv.DB(t)
	ctx := context.Background()
	r := newParts(testOpts{DB: d, DefaultQueue: "umum", CategoryQueues: map[string]string{"kartu": "kartu"}})
	if err := r.EnsureQueues(ctx, queueSpecs); err != nil {
		t.Fatal(err)
	}
	first, err := r.QueueID("kartu")
	if err != nil {
		t.Fatal(err)
	}
	// A second instance renames a queue: same id, new name.
	r2 := newParts(testOpts{DB: d, DefaultQueue: "umum"})
	if err := r2.EnsureQueues(ctx, []QueueSpec{{"kartu", "Kartu"}, {"umum", "Umum"}}); err != nil {
		t.Fatal(err)
	}
	if id, _ := r2.QueueID("kartu"); id != first {
		t.Fatalf("queue id changed from %d to %d on a second EnsureQueues", first, id)
	}
	var name string
	if err := d.Raw(`SELECT name FROM queues WHERE code = 'kartu'`).Scan(&name).Error; err != nil || name != "Kartu" {
		t.Fatalf("name %q (%v), want renamed to Kartu", name, err)
	}

	cases := []struct {
		name string
		opts testOpts
		want error
	}{
		{"a category pointing to an undeclared queue is refused at start", testOpts{DefaultQueue: "umum", CategoryQueues: map[string]string{"x": "nope"}}, ErrUnknownQueue},
		{"an undeclared default queue is refused", testOpts{DefaultQueue: "nope"}, ErrUnknownQueue},
		{"no default queue is refused", testOpts{}, ErrConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.DB = d
			if err := newParts(tc.opts).EnsureQueues(ctx, queueSpecs); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := r.QueueID("nope"); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("QueueID(nope) err = %v", err)
	}
}

func TestRouteNew(t *testing.T) {
	long := time.Now().UTC().Add(-time.Hour)
	recent := time.Now().UTC().Add(-time.Minute)
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{{
		name: "category goes to its queue, unknown category to the default queue, nobody online: waits",
		run: func(t *testing.T, f *fixture) {
			f.agent("offline", 5, 0, nil, "kartu", "umum")
			got := f.routeNew("kartu", "lainnya", "insentif")
			want := []string{"kartu", "umum", "dana"}
			for i, a := range got {
				if a.QueueID != f.queue(want[i]) || f.queueOf(a.TicketID) != a.QueueID {
					t.Fatalf("ticket %d in queue %d (stored %d), want %s", i, a.QueueID, f.queueOf(a.TicketID), want[i])
				}
				if a.AgentID != 0 || f.assignee(a.TicketID) != 0 {
					t.Fatalf("ticket %d assigned to %d with no agent online", i, a.AgentID)
				}
			}
		},
	}, {
		name: "least loaded by load/capacity wins over raw load",
		run: func(t *testing.T, f *fixture) {
			f.agent("online", 2, 1, nil, "umum")             // 50%
			big := f.agent("online", 10, 3, &recent, "umum") // 30%
			got := f.routeNew("")
			if got[0].AgentID != big || f.assignee(got[0].TicketID) != big || f.load(big) != 4 {
				t.Fatalf("assigned to %d, want %d with load 4 (load %d)", got[0].AgentID, big, f.load(big))
			}
		},
	}, {
		name: "ties go to the agent never assigned, then to the longest waiting",
		run: func(t *testing.T, f *fixture) {
			a := f.agent("online", 5, 0, &recent, "umum")
			b := f.agent("online", 5, 0, &long, "umum")
			c := f.agent("online", 5, 0, nil, "umum")
			got := f.routeNew("", "", "")
			want := []int64{c, b, a}
			for i := range want {
				if got[i].AgentID != want[i] {
					t.Fatalf("ticket %d to agent %d, want %d (order never, longest, recent)", i, got[i].AgentID, want[i])
				}
			}
		},
	}, {
		name: "offline, away and full agents and agents of other queues get nothing; overflow waits",
		run: func(t *testing.T, f *fixture) {
			f.agent("offline", 5, 0, nil, "umum")
			f.agent("away", 5, 0, nil, "umum")
			f.agent("online", 3, 3, nil, "umum")
			f.agent("online", 5, 0, nil, "kartu")
			ok := f.agent("online", 2, 0, nil, "umum")
			got := f.routeNew("", "", "")
			if got[0].AgentID != ok || got[1].AgentID != ok || got[2].AgentID != 0 {
				t.Fatalf("assignments %+v, want two to %d and one waiting", got, ok)
			}
			if f.load(ok) != 2 {
				t.Fatalf("load %d, want 2 (capacity)", f.load(ok))
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newFixture(t, testenv.DB(t)))
		})
	}
}

func TestAssignWaiting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testenv.DB(t))
	base := time.Now().UTC().Add(-time.Hour)
	oldNormal := f.ticket(nil, "umum", "normal", base)
	newUrgent := f.ticket(nil, "umum", "urgent", base.Add(30*time.Minute))
	f.ticket(nil, "umum", "low", base.Add(-time.Minute))
	f.ticket(nil, "kartu", "urgent", base) // not the agent's queue
	agent := f.agent("offline", 2, 0, nil, "umum")

	got, err := f.r.AssignWaiting(ctx, agent)
	if err != nil || len(got) != 0 {
		t.Fatalf("offline agent got %v, %v; want nothing", got, err)
	}
	f.must(f.d.Exec(`UPDATE agents SET presence = 'online' WHERE id = ?`, agent).Error)
	got, err = f.r.AssignWaiting(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != newUrgent || got[1] != oldNormal {
		t.Fatalf("assigned %v, want [%d %d] (urgent first, then oldest, up to capacity 2)", got, newUrgent, oldNormal)
	}
	if f.load(agent) != 2 || f.assignee(newUrgent) != agent {
		t.Fatalf("load %d, assignee %d", f.load(agent), f.assignee(newUrgent))
	}
	if got, _ := f.r.AssignWaiting(ctx, agent); len(got) != 0 {
		t.Fatalf("full agent got %v more", got)
	}
	if _, err := f.r.AssignWaiting(ctx, 999999); !errors.Is(err, ErrAgentNotFound) {
		t.Fatalf("unknown agent: err = %v", err)
	}
}

func TestReleaseNeverBelowZero(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testenv.DB(t))
	agent := f.agent("online", 3, 0, nil, "umum")
	a := f.routeNew("")[0]
	release := func() {
		f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.r.Release(ctx, tx, a.TicketID) }))
	}
	release()
	if f.load(agent) != 0 || f.assignee(a.TicketID) != agent {
		t.Fatalf("after release: load %d, assignee %d; want 0 and assignee kept", f.load(agent), f.assignee(a.TicketID))
	}
	release()
	if f.load(agent) != 0 {
		t.Fatalf("second release drove load to %d", f.load(agent))
	}
	unassigned := f.ticket(nil, "umum", "normal", time.Now().UTC())
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.r.Release(ctx, tx, unassigned) }))
}

func TestReactivate(t *testing.T) {
	cases := []struct {
		name      string
		capacity  int
		wantOwner bool
	}{
		{"a solved ticket comes back to its agent when the agent has room, even offline", 2, true},
		{"an agent at capacity loses the ticket to the next online agent", 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, testenv.DB(t))
			owner := f.agent("online", tc.capacity, 0, nil, "umum")
			first := f.routeNew("")[0]
			// Solved: load released; the agent then fills up and goes offline.
			f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.r.Release(ctx, tx, first.TicketID) }))
			f.must(f.d.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ?`, first.TicketID).Error)
			f.routeNew("")
			f.must(f.d.Exec(`UPDATE agents SET presence = 'offline' WHERE id = ?`, owner).Error)
			other := f.agent("online", 5, 0, nil, "umum")

			var got []Assignment
			f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
				var err error
				got, err = f.r.Reactivate(ctx, tx, []Reactivated{{Ticket: Ticket{ID: first.TicketID, QueueID: first.QueueID}, AssigneeID: owner}})
				return err
			}))
			want, wantLoad := other, tc.capacity
			if tc.wantOwner {
				want = owner
			}
			if len(got) != 1 || got[0].AgentID != want || f.assignee(first.TicketID) != want {
				t.Fatalf("got %+v, assignee %d; want agent %d", got, f.assignee(first.TicketID), want)
			}
			if f.load(owner) != wantLoad {
				t.Fatalf("owner load %d, want %d", f.load(owner), wantLoad)
			}
		})
	}
}

// Several core instances (each its own pool on the same database) route,
// hand out waiting tickets, solve tickets and flip presence at once. The
// invariant must hold at the end: every agent's active_load equals its
// active tickets and never exceeds capacity, and no ticket waits while an
// online agent of its queue has room.
func TestAssignmentInvariantUnderConcurrency(t *testing.T) {
	const (
		instances  = 4
		iterations = 25
		capacity   = 3
	)
	cfg := testenv.DBConfig(t)
	setup := newFixture(t, testenv.OpenDB(t, cfg))
	var agents []int64
	for i := 0; i < 6; i++ {
		agents = append(agents, setup.agent("online", capacity, 0, nil, "umum"))
	}
	offline := setup.agent("offline", 50, 0, nil, "umum")
	flapping := agents[0]

	ctx := context.Background()
	errs := make(chan error, instances+1)
	var wg sync.WaitGroup
	for w := 0; w < instances; w++ {
		d := testenv.OpenDB(t, cfg)
		wg.Add(1)
		go func(w int, d *db.DB) {
			defer wg.Done()
			errs <- worker(ctx, d, w, iterations, agents, setup.contact)
		}(w, d)
	}
	wg.Add(1)
	go func(d *db.DB) { // presence flaps on another pool
		defer wg.Done()
		for i := 0; i < 40; i++ {
			p := []string{"offline", "online"}[i%2]
			if err := d.Exec(`UPDATE agents SET presence = ? WHERE id = ?`, p, flapping).Error; err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}(testenv.OpenDB(t, cfg))
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// Everyone online again, waiting tickets handed out.
	setup.must(setup.d.Exec(`UPDATE agents SET presence = 'online' WHERE id = ?`, flapping).Error)
	for _, a := range agents {
		if _, err := setup.r.AssignWaiting(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var rows []struct {
		ID, Capacity, ActiveLoad, Active int64
	}
	setup.must(setup.d.Raw(`SELECT a.id, a.capacity, a.active_load,
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ('new', 'open', 'pending')) AS active
FROM agents a ORDER BY a.id`).Scan(&rows).Error)
	full := true
	for _, r := range rows {
		if r.ActiveLoad != r.Active {
			t.Errorf("agent %d: active_load %d but %d active tickets", r.ID, r.ActiveLoad, r.Active)
		}
		if r.ActiveLoad > r.Capacity {
			t.Errorf("agent %d over capacity: %d > %d", r.ID, r.ActiveLoad, r.Capacity)
		}
		if r.ID == offline && r.ActiveLoad != 0 {
			t.Errorf("offline agent got %d tickets", r.ActiveLoad)
		}
		if r.ID != offline && r.ActiveLoad < r.Capacity {
			full = false
		}
	}
	var waiting, total int64
	setup.must(setup.d.Raw(`SELECT COUNT(*) FROM tickets WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending')`).Scan(&waiting).Error)
	setup.must(setup.d.Raw(`SELECT COUNT(*) FROM tickets`).Scan(&total).Error)
	if waiting > 0 && !full {
		t.Errorf("%d tickets wait while an online agent has room", waiting)
	}
	if total != instances*iterations*3 {
		t.Errorf("%d tickets, want %d", total, instances*iterations*3)
	}
}

// worker is one core instance: each iteration routes three new tickets,
// solves one assigned ticket (Release) and hands waiting tickets to the
// agent that freed capacity.
func worker(ctx context.Context, d *db.DB, w, iterations int, agents []int64, contact int64) error {
	r := newParts(testOpts{DB: d, DefaultQueue: "umum"})
	if err := r.EnsureQueues(ctx, queueSpecs); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(w), 7))
	for i := 0; i < iterations; i++ {
		err := d.Tx(ctx, func(tx *gorm.DB) error {
			var ts []Ticket
			for k := 0; k < 3; k++ {
				now := time.Now().UTC()
				var id int64
				if err := tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', 'new', ?, ?, ?) RETURNING id`, fmt.Sprintf("W%d-%d-%d", w, i, k), contact, now, now, now).Scan(&id).Error; err != nil {
					return err
				}
				ts = append(ts, Ticket{ID: id})
			}
			_, err := r.RouteNew(ctx, tx, ts)
			return err
		})
		if err != nil {
			return fmt.Errorf("instance %d route: %w", w, err)
		}
		agent := agents[rng.IntN(len(agents))]
		var solved bool
		err = d.Tx(ctx, func(tx *gorm.DB) error {
			var ids []int64
			if err := tx.Raw(`SELECT id FROM tickets WHERE assignee_id = ? AND status = 'new' ORDER BY id LIMIT 1`, agent).Scan(&ids).Error; err != nil || len(ids) == 0 {
				return err
			}
			res := tx.Exec(`UPDATE tickets SET status = 'solved' WHERE id = ? AND status = 'new'`, ids[0])
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			solved = true
			return r.Release(ctx, tx, ids[0])
		})
		if err != nil {
			return fmt.Errorf("instance %d solve: %w", w, err)
		}
		if solved {
			if _, err := r.AssignWaiting(ctx, agent); err != nil {
				return fmt.Errorf("instance %d assign waiting: %w", w, err)
			}
		}
	}
	return nil
}
