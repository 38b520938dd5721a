package agent_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// reactions records the presence changes a sweep reports.
type reactions struct {
	mu  sync.Mutex
	got []string
}

func (r *reactions) PresenceChanged(_ context.Context, id int64, presence domain.Presence) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d:%s", id, presence))
	return nil
}

func (r *reactions) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func TestSilentConsoleGoesAwayThenOffline(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	mk := func(email string) agent.Agent {
		t.Helper()
		a, err := s.Create(ctx, agent.NewAgent{Email: email, Name: email, Password: "kata-sandi-aa"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); err != nil {
			t.Fatal(err)
		}
		return a
	}
	silent, alive := mk("silent@b.id"), mk("alive@b.id")
	busy := mk("busy@b.id")
	if _, err := s.SetPresence(ctx, busy.ID, domain.PresenceBusy); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	react := &reactions{}
	w := agent.NewSweeper(s, agent.SweepOpts{AwayAfter: 2 * time.Minute, OfflineAfter: 10 * time.Minute, React: react, Now: clock})
	presence := func(id int64) domain.Presence {
		t.Helper()
		a, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Presence
	}

	steps := []struct {
		name                   string
		after                  time.Duration
		silent, alive, busyWas domain.Presence
	}{
		{"a minute of silence changes nothing", time.Minute, domain.PresenceOnline, domain.PresenceOnline, domain.PresenceBusy},
		{"past two minutes the silent consoles are away", 90 * time.Second, domain.PresenceAway, domain.PresenceOnline, domain.PresenceAway},
		{"away is kept until ten minutes of silence", 7 * time.Minute, domain.PresenceAway, domain.PresenceOnline, domain.PresenceAway},
		{"past ten minutes away becomes offline", 2 * time.Minute, domain.PresenceOffline, domain.PresenceOnline, domain.PresenceOffline},
	}
	for _, st := range steps {
		advance(st.after)
		// The alive console keeps sending signs of life.
		if err := touchAt(s, alive.ID, clock()); err != nil {
			t.Fatal(err)
		}
		if err := w.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := presence(silent.ID); got != st.silent {
			t.Errorf("%s: silent agent is %s, want %s", st.name, got, st.silent)
		}
		if got := presence(alive.ID); got != st.alive {
			t.Errorf("%s: alive agent is %s, want %s", st.name, got, st.alive)
		}
		if got := presence(busy.ID); got != st.busyWas {
			t.Errorf("%s: silent busy agent is %s, want %s", st.name, got, st.busyWas)
		}
	}
	want := []string{
		fmt.Sprintf("%d:away", silent.ID), fmt.Sprintf("%d:away", busy.ID),
		fmt.Sprintf("%d:offline", silent.ID), fmt.Sprintf("%d:offline", busy.ID),
	}
	if got := react.list(); strings.Join(sorted(got), ",") != strings.Join(sorted(want), ",") {
		t.Errorf("reactions %v, want %v", got, want)
	}
}

// touchAt is Touch on the test's injected clock.
func touchAt(s *agent.Service, id int64, at time.Time) error {
	return agent.TouchAt(s, context.Background(), id, at)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestTouchKeepsAnAgentOnline(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	a, _ := s.Create(ctx, agent.NewAgent{Email: "t@b.id", Name: "T", Password: "kata-sandi-aa"})
	if _, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(ctx, 1<<40); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("touching an unknown agent: %v, want ErrNotFound", err)
	}
	sweepAt := func(d time.Duration) domain.Presence {
		t.Helper()
		w := agent.NewSweeper(s, agent.SweepOpts{AwayAfter: 2 * time.Minute, OfflineAfter: 10 * time.Minute,
			Now: func() time.Time { return time.Now().Add(d) }})
		if err := w.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Presence
	}
	if err := s.Touch(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := sweepAt(time.Minute); got != domain.PresenceOnline {
		t.Fatalf("a minute after a touch the agent is %s, want online", got)
	}
	if got := sweepAt(3 * time.Minute); got != domain.PresenceAway {
		t.Fatalf("three minutes after the last touch the agent is %s, want away", got)
	}
	// A touch does not bring an agent back: coming back is their choice.
	if err := s.Touch(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := sweepAt(0); got != domain.PresenceAway {
		t.Fatalf("after a touch the away agent is %s, want away", got)
	}
}

func TestConcurrentSweepsReportEachAgentOnce(t *testing.T) {
	cfg := testenv.DBConfig(t)
	ctx := context.Background()
	s := agent.New(agent.Opts{DB: testenv.OpenDB(t, cfg), Log: testenv.Logger(t), BcryptCost: 4})
	const n = 20
	for i := range n {
		a, err := s.Create(ctx, agent.NewAgent{Email: fmt.Sprintf("a%d@b.id", i), Name: "A", Password: "kata-sandi-aa"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); err != nil {
			t.Fatal(err)
		}
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	react := &reactions{}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		other := agent.New(agent.Opts{DB: testenv.OpenDB(t, cfg), Log: testenv.Logger(t), BcryptCost: 4})
		w := agent.NewSweeper(other, agent.SweepOpts{AwayAfter: 2 * time.Minute, React: react, Now: later})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = w.Sweep(ctx)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := react.list(); len(got) != n {
		t.Fatalf("%d reactions from 4 concurrent sweeps of %d agents: %v", len(got), n, got)
	}
}

// TestSweepUsesTheIndex proves the sweep's lookup is served by
// agents_presence_seen_idx, not by reading every agent.
func TestSweepUsesTheIndex(t *testing.T) {
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, `SELECT id FROM agents WHERE presence = 'online' AND last_seen_at < CURRENT_TIMESTAMP`)
	if !strings.Contains(plan, "agents_presence_seen_idx") {
		t.Fatalf("the sweep does not use agents_presence_seen_idx:\n%s", plan)
	}
}

// TestHeartbeatStatementsUseIndexes: a console gateway's heartbeat reads
// and touches its agents by primary key, and their queues by
// queue_members_agent_idx.
func TestHeartbeatStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	cases := []struct{ q, index string }{
		{`UPDATE agents SET last_seen_at = CURRENT_TIMESTAMP WHERE id IN (1, 2)`, "agents"},
		{`SELECT id, name FROM agents WHERE id IN (1, 2)`, "agents"},
		{`SELECT agent_id, queue_id FROM queue_members WHERE agent_id IN (1, 2) ORDER BY agent_id, queue_id`, "queue_members_agent_idx"},
	}
	if d.Dialect == db.Postgres {
		// The PostgreSQL liveness writes lock first, then write
		// (store.go, lockThenWrite): the touch's lock, the sweep's lock
		// and the sweep's write of the locked ids.
		cases = append(cases, []struct{ q, index string }{
			{`SELECT id FROM agents WHERE id IN (1, 2) ORDER BY id FOR NO KEY UPDATE`, "agents"},
			{`SELECT id FROM agents WHERE presence = 'online' AND last_seen_at < CURRENT_TIMESTAMP ORDER BY id FOR NO KEY UPDATE`, "agents_presence_seen_idx"},
			// Either index serves it (by key or by the sweep's own condition).
			{`UPDATE agents SET presence = 'away' WHERE id = ANY (string_to_array('1,2', ',')::bigint[]) AND presence = 'online' AND last_seen_at < CURRENT_TIMESTAMP`, "any index"},
		}...)
	}
	for _, c := range cases {
		plan := testenv.Plan(t, d, c.q)
		byKey := strings.Contains(plan, "agents_pkey") || strings.Contains(plan, "INTEGER PRIMARY KEY")
		served := strings.Contains(plan, c.index)
		switch c.index {
		case "agents":
			served = byKey
		case "any index":
			served = strings.Contains(plan, "Index Scan") && !strings.Contains(plan, "Seq Scan")
		}
		if !served {
			t.Errorf("%s is not served by %s:\n%s", c.q, c.index, plan)
		}
	}
}

// TestTouchManyAndGetMany: the heartbeat's set-based calls touch every
// listed agent and read each with its queues; unknown ids are absent.
func TestTouchManyAndGetMany(t *testing.T) {
	d := testenv.DB(t)
	s := agent.New(agent.Opts{DB: d, Log: testenv.Logger(t), BcryptCost: 4})
	ctx := context.Background()
	var ids []int64
	for _, e := range []string{"a@example.go.id", "b@example.go.id"} {
		a, err := s.Create(ctx, agent.NewAgent{Email: e, Name: e[:1], Password: "kata-sandi-panjang"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if err := d.Exec(`UPDATE agents SET last_seen_at = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.TouchMany(ctx, ids); err != nil {
		t.Fatal(err)
	}
	var untouched int64
	if err := d.Raw(`SELECT COUNT(*) FROM agents WHERE last_seen_at IS NULL`).Scan(&untouched).Error; err != nil {
		t.Fatal(err)
	}
	if untouched != 0 {
		t.Fatalf("%d agents not touched", untouched)
	}
	got, err := s.GetMany(ctx, append(ids, 999999))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[ids[0]].Email != "a@example.go.id" || got[ids[1]].Name != "b" {
		t.Fatalf("GetMany = %+v", got)
	}
}
