package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// contentionLog counts the log records that report a transaction the
// database aborted for running at the same time as another (a deadlock or
// a serialization failure): with every lock taken in one order and such a
// transaction run again, none may reach the log.
type contentionLog struct {
	slog.Handler
	n *atomic.Int64
}

func (h contentionLog) Handle(ctx context.Context, r slog.Record) error {
	text := r.Message
	r.Attrs(func(a slog.Attr) bool {
		text += " " + a.Value.String()
		return true
	})
	if s := strings.ToLower(text); strings.Contains(s, "deadlock") || strings.Contains(s, "40p01") ||
		strings.Contains(s, "40001") || strings.Contains(s, "could not serialize") {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h contentionLog) WithAttrs(as []slog.Attr) slog.Handler {
	return contentionLog{h.Handler.WithAttrs(as), h.n}
}

func (h contentionLog) WithGroup(g string) slog.Handler {
	return contentionLog{h.Handler.WithGroup(g), h.n}
}

// Two core instances (own pools, own consumers and routers on the shared
// durable) store a burst of new complaints and of follow-ups that reopen
// solved tickets with their agents, while the agents change presence
// (every change routed as through the API: online takes waiting tickets,
// offline returns them), their consoles report liveness for all of them at
// once and a liveness sweep moves silent ones. Every message is stored
// exactly once and the backlog drains within seconds; no presence change
// fails, no deadlock reaches a log line, and every agent's load matches the
// tickets they hold.
func TestTwoInstancesUnderAgentChurn(t *testing.T) {
	var contention atomic.Int64
	base := testenv.Logger(t)
	log := slog.New(contentionLog{base.Handler(), &contention})

	e := newEnv(t)
	const agents, repeaters, perRepeater, newcomers = 16, 80, 5, 120
	ids := make([]int64, agents)
	for i := range ids {
		ids[i] = e.agent("umum", 1000)
		if err := e.d.Exec(`INSERT INTO queue_members (queue_id, agent_id) SELECT id, ? FROM queues WHERE code = 'kartu'`, ids[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	phone := func(kind, i int) string { return fmt.Sprintf("+628150%d%05d", kind, i) }
	first := time.Now().UTC().Add(-time.Hour)
	for i := 0; i < repeaters; i++ {
		e.publish(waMessage(fmt.Sprintf("wamid.first.%d", i), phone(1, i), "Kartu saya belum aktif", first))
	}

	type instance struct {
		parts  *routingParts
		agents *agent.Service
	}
	var inst []instance
	for i := 0; i < 2; i++ {
		d := testenv.OpenDB(t, e.dbCfg)
		b := e.b
		if testenv.UsingExternalNATS() {
			b = testenv.ConnectBus(t, e.busCfg)
		}
		r := newRouting(d, routingSettings(log))
		if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil {
			t.Fatal(err)
		}
		e.start(e.consumer(Opts{DB: d, Bus: b, Router: r, BatchSize: 20, ReopenWindow: 72 * time.Hour, Log: log}))
		inst = append(inst, instance{parts: r, agents: agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})})
	}
	e.waitCount(repeaters, `SELECT COUNT(*) FROM tickets WHERE assignee_id IS NOT NULL`)
	// Every first ticket solved: the follow-ups reopen them with their agents.
	if err := e.d.Exec(`UPDATE tickets SET status = 'solved', solved_at = ?`, time.Now().UTC().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.d.Exec(`UPDATE agents SET active_load = 0`).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.d.Exec(`UPDATE agent_channel_loads SET active_load = 0`).Error; err != nil {
		t.Fatal(err)
	}
	deadlocksBefore := pgDeadlocks(e)

	// The churn: each agent switches presence through an instance, as the
	// API's presence handler does; consoles report liveness in bulk; a
	// sweep moves agents whose console went quiet.
	ctx, stop := context.WithCancel(context.Background())
	var (
		wg           sync.WaitGroup
		presenceErrs atomic.Int64
		changes      atomic.Int64
		firstErr     atomic.Value
	)
	fail := func(err error) {
		presenceErrs.Add(1)
		firstErr.CompareAndSwap(nil, err)
	}
	cycle := []domain.Presence{domain.PresenceOffline, domain.PresenceOnline, domain.PresenceAway, domain.PresenceOnline}
	for i, id := range ids {
		wg.Add(1)
		go func(i int, id int64) {
			defer wg.Done()
			in := inst[i%2]
			for n := 0; ctx.Err() == nil; n++ {
				p := cycle[n%len(cycle)]
				a, err := in.agents.SetPresence(context.Background(), id, p)
				if err != nil {
					fail(fmt.Errorf("set presence: %w", err))
					continue
				}
				if err := in.parts.PresenceChanged(context.Background(), a.ID, a.Presence); err != nil {
					fail(fmt.Errorf("presence changed: %w", err))
				}
				changes.Add(1)
			}
		}(i, id)
	}
	for i := range inst {
		wg.Add(2)
		go func(in instance) {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := in.agents.TouchMany(context.Background(), ids); err != nil {
					fail(fmt.Errorf("touch many: %w", err))
				}
			}
		}(inst[i])
		go func(in instance) {
			defer wg.Done()
			sw := agent.NewSweeper(in.agents, agent.SweepOpts{AwayAfter: time.Millisecond, React: in.parts, Log: log})
			for ctx.Err() == nil {
				if err := sw.Sweep(context.Background()); err != nil {
					fail(fmt.Errorf("sweep: %w", err))
				}
			}
		}(inst[i])
	}
	churnDone := func() {
		stop()
		wg.Wait()
	}
	defer churnDone()

	next := first.Add(time.Minute)
	for k := 0; k < perRepeater; k++ {
		for i := 0; i < repeaters; i++ {
			e.publish(waMessage(fmt.Sprintf("wamid.more.%d.%d", i, k), phone(1, i), "Masih belum bisa", next.Add(time.Duration(k)*time.Second)))
			if k == 0 && i < newcomers {
				e.publish(waMessage(fmt.Sprintf("wamid.new.%d", i), phone(2, i), "Pertanyaan baru", next))
			}
		}
	}
	for i := repeaters; i < newcomers; i++ {
		e.publish(waMessage(fmt.Sprintf("wamid.new.%d", i), phone(2, i), "Pertanyaan baru", next))
	}
	published := time.Now()
	const want = repeaters + repeaters*perRepeater + newcomers
	testenv.CheckFor(t, 30*time.Second, 10*time.Millisecond, func() error {
		if n := e.count(`SELECT COUNT(*) FROM messages`); n != want {
			return fmt.Errorf("%d messages stored, want %d", n, want)
		}
		return nil
	})
	drained := time.Since(published)
	churnDone()
	e.waitSettled()
	t.Logf("burst of %d messages drained in %s by two instances, %d presence changes meanwhile, %d PostgreSQL deadlocks",
		want-repeaters, drained.Round(time.Millisecond), changes.Load(), pgDeadlocks(e)-deadlocksBefore)

	if n := presenceErrs.Load(); n != 0 {
		t.Errorf("%d presence changes failed (an API caller's 500), first: %v", n, firstErr.Load())
	}
	if n := contention.Load(); n != 0 {
		t.Errorf("%d log records report a deadlock or serialization failure", n)
	}
	if changes.Load() == 0 {
		t.Error("no presence change ran during the burst")
	}
	if n := e.count(`SELECT COUNT(DISTINCT provider_message_id) FROM messages`); n != want {
		t.Errorf("%d distinct messages, want %d", n, want)
	}
	if n := e.count(`SELECT COUNT(*) FROM tickets`); n != repeaters+newcomers {
		t.Errorf("%d tickets, want %d (one per citizen)", n, repeaters+newcomers)
	}
	if n := e.count(`SELECT COUNT(*) FROM agents a WHERE a.active_load <> (SELECT COUNT(*) FROM tickets t
WHERE t.assignee_id = a.id AND t.status IN ` + domain.ActiveStatusesSQL + `)`); n != 0 {
		t.Errorf("%d agents whose load differs from the tickets they hold", n)
	}
}

// pgDeadlocks is PostgreSQL's count of deadlocks in the test database (0
// on SQLite). Other tests share the database, so it is reported, not
// asserted.
func pgDeadlocks(e *env) int64 {
	if !testenv.UsingPostgres() {
		return 0
	}
	return e.count(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`)
}

// routingSettings are the test deployment's queue settings, logging to log.
func routingSettings(log *slog.Logger) routing.SettingsOpts {
	return routing.SettingsOpts{CategoryQueues: categoryQueues, DefaultQueue: "umum", Log: log}
}
