package routing

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// Sizes of the assignment benchmarks.
const (
	benchAgents    = 1000
	benchTickets   = 100000
	benchQueues    = 100
	benchLoad      = 5    // tickets each agent holds at the start (capacity)
	benchDecisions = 4000 // decisions measured per benchmark run
	benchWorkers   = 2    // concurrent deciders (the machine has 2 cores)
)

// benchDB fills a PostgreSQL database with benchAgents online agents, each
// a member of the national queue and one of benchQueues regional queues,
// and benchTickets open tickets spread over the queues and priorities;
// the oldest benchAgents*benchLoad are assigned (every agent at capacity
// agentCap), the rest wait. Rows are generated inside PostgreSQL.
func benchDB(b *testing.B, agentCap int) (*db.DB, *parts, []int64) {
	b.Helper()
	if !testenv.UsingPostgres() {
		b.Skip("the assignment benchmarks run on PostgreSQL (set TEST_DATABASE_URL)")
	}
	d := testenv.DB(b)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := newParts(testOpts{DB: d, DefaultQueue: "umum", Log: log, ChannelCapacity: map[string]int{"webform": agentCap}})
	specs := []QueueSpec{{Code: "umum", Name: "Umum"}}
	for i := 1; i < benchQueues; i++ {
		specs = append(specs, QueueSpec{Code: fmt.Sprintf("q%02d", i), Name: fmt.Sprintf("Wilayah %d", i)})
	}
	if err := r.EnsureQueues(ctx, specs); err != nil {
		b.Fatal(err)
	}
	stmts := []string{
		`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', now(), now())`,
		fmt.Sprintf(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, created_at, updated_at)
SELECT 'agen' || g || '@bench.id', 'Agen ' || g, 'x', 'agent', 'online', %d, 0, now(), now() FROM generate_series(1, %d) g`, agentCap, benchAgents),
		`INSERT INTO queue_members (queue_id, agent_id) SELECT (SELECT id FROM queues WHERE code = 'umum'), id FROM agents`,
		fmt.Sprintf(`INSERT INTO queue_members (queue_id, agent_id)
SELECT q.id, a.id FROM agents a JOIN queues q ON q.code = 'q' || lpad(((a.id %% %d) + 1)::text, 2, '0')`, benchQueues-1),
		fmt.Sprintf(`INSERT INTO tickets (tracking_number, contact_id, channel, status, priority, queue_id, created_at, updated_at, last_message_at)
SELECT 'B-' || g, (SELECT MIN(id) FROM contacts), 'webform', 'new',
  (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + g %% 5],
  (SELECT id FROM queues ORDER BY id OFFSET (g %% %d) LIMIT 1),
  now() - make_interval(secs => %d - g), now(), now()
FROM generate_series(1, %d) g`, benchQueues, benchTickets, benchTickets),
		// The oldest tickets are taken: benchLoad per agent.
		fmt.Sprintf(`UPDATE tickets t SET assignee_id = a.id FROM
  (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets) k,
  (SELECT id, row_number() OVER (ORDER BY id) AS n FROM agents) a
WHERE t.id = k.id AND k.n <= %d AND a.n = (k.n - 1) / %d + 1`, benchAgents*benchLoad, benchLoad),
		`UPDATE agents a SET active_load = (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id)`,
		fmt.Sprintf(`INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load)
SELECT id, 'webform', %d, active_load FROM agents`, agentCap),
		`VACUUM ANALYZE`,
	}
	for _, s := range stmts {
		if err := d.Exec(s).Error; err != nil {
			b.Fatalf("bench setup: %v\n%s", err, s)
		}
	}
	var agents []int64
	if err := d.Raw(`SELECT id FROM agents ORDER BY id`).Scan(&agents).Error; err != nil {
		b.Fatal(err)
	}
	var open int64
	d.Raw(`SELECT COUNT(*) FROM tickets WHERE status IN ('new', 'open', 'pending')`).Scan(&open)
	if len(agents) != benchAgents || open != benchTickets {
		b.Fatalf("setup: %d agents, %d open tickets", len(agents), open)
	}
	return d, r, agents
}

// latencies collects decision times from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, wall time.Duration) {
	slices.Sort(l.d)
	p := func(q float64) float64 { return float64(l.d[int(q*float64(len(l.d)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(float64(len(l.d))/wall.Seconds(), "decisions/s")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // one op is a whole run; the metrics above are the result
}

// BenchmarkAssignWaiting: agents have freed capacity and the router gives
// each the most urgent, oldest waiting ticket of their queues, with 1,000
// agents online and 100,000 open tickets. One decision is one
// AssignWaiting call. Each round first solves one ticket of every agent
// (not timed, nothing else running), then times one decision per agent on
// benchWorkers goroutines; the rounds together make benchDecisions.
//
//	TEST_DATABASE_URL=... go test -run '^$' -bench AssignWaiting -benchtime 1x ./internal/routing
func BenchmarkAssignWaiting(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d, r, agents := benchDB(b, benchLoad)
		ctx := context.Background()
		var lat latencies
		var wall time.Duration
		for round := 0; round < benchDecisions/len(agents); round++ {
			if err := eachAgent(agents, func(agent int64) error { return solveOne(ctx, d, r, agent) }); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			err := eachAgent(agents, func(agent int64) error {
				t0 := time.Now()
				got, err := r.AssignWaiting(ctx, agent)
				lat.add(time.Since(t0))
				if err != nil || len(got) != 1 {
					return fmt.Errorf("assign waiting: %v %v", got, err)
				}
				return nil
			})
			wall += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b, wall)
	}
}

// eachAgent runs fn for every agent on benchWorkers goroutines.
func eachAgent(agents []int64, fn func(agent int64) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, benchWorkers)
	for w := 0; w < benchWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < len(agents); k += benchWorkers {
				if err := fn(agents[k]); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkSolveThenAssign: BenchmarkAssignWaiting with the solving
// interleaved, as in service: each worker solves one of an agent's tickets
// and at once asks for the agent's next. Only the AssignWaiting calls are
// timed, but the solves share the two cores with them.
func BenchmarkSolveThenAssign(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d, r, agents := benchDB(b, benchLoad)
		ctx := context.Background()
		interleaved(b, func(k int) (func() error, error) {
			agent := agents[k%len(agents)]
			if err := solveOne(ctx, d, r, agent); err != nil {
				return nil, err
			}
			return func() error {
				got, err := r.AssignWaiting(ctx, agent)
				if err != nil || len(got) != 1 {
					return fmt.Errorf("assign waiting: %v %v", got, err)
				}
				return nil
			}, nil
		})
	}
}

// interleaved runs benchDecisions decisions on benchWorkers goroutines,
// each prepared by prep (not timed: its time is taken off the wall clock)
// and then made by the function prep returns (timed), and reports them.
func interleaved(b *testing.B, prep func(k int) (decide func() error, err error)) {
	b.Helper()
	var (
		lat       latencies
		wg        sync.WaitGroup
		mu        sync.Mutex
		preparing time.Duration
	)
	errs := make(chan error, benchWorkers)
	start := time.Now()
	for w := 0; w < benchWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < benchDecisions; k += benchWorkers {
				p0 := time.Now()
				decide, err := prep(k)
				if err != nil {
					errs <- err
					return
				}
				t0 := time.Now()
				err = decide()
				lat.add(time.Since(t0))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				preparing += t0.Sub(p0)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	wall := time.Since(start) - preparing/benchWorkers
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	lat.report(b, wall)
}

// solveOne solves one of the agent's tickets as the ticket service does.
func solveOne(ctx context.Context, d *db.DB, r *parts, agent int64) error {
	return d.Tx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Raw(`SELECT id FROM tickets WHERE assignee_id = ? AND status = 'new' LIMIT 1 FOR UPDATE`, agent).Scan(&ids).Error; err != nil || len(ids) == 0 {
			return fmt.Errorf("agent %d has no ticket to solve: %v", agent, err)
		}
		if err := r.Release(ctx, tx, ids[0]); err != nil {
			return err
		}
		return tx.Exec(`UPDATE tickets SET status = 'solved', solved_at = now() WHERE id = ?`, ids[0]).Error
	})
}

// BenchmarkOffer: a ticket enters a queue and the router gives it to the
// least busy of the queue's online members (1,000 agents online, every
// one with room; 100,000 open tickets). One decision is one Offer call.
func BenchmarkOffer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d, r, _ := benchDB(b, 1000)
		ctx := context.Background()
		var contact, umum int64
		d.Raw(`SELECT MIN(id) FROM contacts`).Scan(&contact)
		d.Raw(`SELECT id FROM queues WHERE code = 'umum'`).Scan(&umum)
		interleaved(b, func(k int) (func() error, error) {
			var id int64
			if err := d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, queue_id, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', 'new', ?, now(), now(), now()) RETURNING id`, fmt.Sprintf("O-%d", k), contact, umum).Scan(&id).Error; err != nil {
				return nil, err
			}
			return func() error {
				if agent, err := r.Offer(ctx, id, 0); err != nil || agent == 0 {
					return fmt.Errorf("offer: %d %v", agent, err)
				}
				return nil
			}, nil
		})
	}
}

// BenchmarkQueueMetrics: live metrics of 100 queues over 100,000 open
// tickets and 1,000 agents, as published for dashboards.
func BenchmarkQueueMetrics(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d, r, _ := benchDB(b, benchLoad)
		metrics := NewMetrics(PartOpts{DB: d, Queues: r})
		ctx := context.Background()
		var lat latencies
		start := time.Now()
		for k := 0; k < 50; k++ {
			t0 := time.Now()
			m, err := metrics.Metrics(ctx, time.Now())
			if err != nil || len(m) != benchQueues {
				b.Fatalf("metrics of %d queues: %v", len(m), err)
			}
			lat.add(time.Since(t0))
		}
		wall := time.Since(start)
		slices.Sort(lat.d)
		b.ReportMetric(float64(lat.d[len(lat.d)/2])/float64(time.Millisecond), "p50-ms")
		b.ReportMetric(float64(lat.d[len(lat.d)-1])/float64(time.Millisecond), "max-ms")
		b.ReportMetric(float64(wall)/50/float64(time.Millisecond), "mean-ms")
		b.ReportMetric(0, "ns/op")
	}
}
