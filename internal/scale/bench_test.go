package scale_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/scale"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// BenchmarkScale measures, on 10k, 100k and 1M tickets (three messages
// each), the p99 latency of what runs per request or per waiting citizen:
//
//   - inbox: a supervisor's ticket list (GET /api/v1/tickets: active
//     tickets, most recently active first, 20);
//   - filtered: an agent's own tickets (scope "mine"), 20;
//   - position: a waiting ticket's queue position and wait estimate, its
//     queue's line read afresh (what one refresh after a change costs);
//   - metrics: every queue's live figures (the board, the queue.metrics
//     event);
//   - refresh-1000: the estimates of all 1,000 waiting tickets at once
//     (what a gateway with 1,000 waiting visitors does per refresh).
//
// Each figure also has its CPU time per call in this process (-cpu-ms).
//
// The history grows with the size, the backlog does not: 1,000 tickets
// wait over 10 queues at every size (see package scale). Seeding 1M takes
// minutes, so the benchmark runs only with BENCH_SCALE=1;
// BENCH_SCALE_SIZES (comma separated, e.g. "10000,100000") picks the sizes.
func BenchmarkScale(b *testing.B) {
	if os.Getenv("BENCH_SCALE") == "" {
		b.Skip("set BENCH_SCALE=1 to run the scaling benchmark (seeds up to 1M tickets)")
	}
	sizes := []int{10000, 100000, 1000000}
	if s := os.Getenv("BENCH_SCALE_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("BENCH_SCALE_SIZES: %q is not a size", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(label(n), func(b *testing.B) {
			for b.Loop() {
				runScale(b, n)
			}
		})
	}
}

func label(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

func runScale(b *testing.B, n int) {
	ctx := context.Background()
	d := testenv.DB(b)
	r := routing.NewSettings(routing.SettingsOpts{DB: d, DefaultQueue: "q0", Log: testenv.Logger(b)})
	var specs []routing.QueueSpec
	for i := range 10 {
		specs = append(specs, routing.QueueSpec{Code: fmt.Sprintf("q%d", i), Name: fmt.Sprintf("Antrean %d", i)})
	}
	if err := r.EnsureQueues(ctx, specs); err != nil {
		b.Fatal(err)
	}
	var queues []int64
	for _, s := range specs {
		id, err := r.QueueID(s.Code)
		if err != nil {
			b.Fatal(err)
		}
		queues = append(queues, id)
	}
	now := time.Now().UTC()
	var agentID int64
	if err := d.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, created_at, updated_at)
VALUES ('skala@example.go.id', 'Skala', 'x', 'agent', 'online', 100000, 0, ?, ?) RETURNING id`, now, now).Scan(&agentID).Error; err != nil {
		b.Fatal(err)
	}
	for _, q := range queues {
		if err := d.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, q, agentID).Error; err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if err := scale.Seed(ctx, d, scale.Opts{Tickets: n, Queues: queues, Agent: agentID}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: seeded %d tickets and %d messages in %v", d.Dialect, n, 3*n, time.Since(start).Round(time.Millisecond))
	var waiting []int64
	if err := d.Raw(`SELECT id FROM tickets WHERE assignee_id IS NULL AND status = 'new'`).Scan(&waiting).Error; err != nil {
		b.Fatal(err)
	}
	if len(waiting) == 0 {
		b.Fatal("nothing waits")
	}

	tickets := ticket.New(ticket.Opts{DB: d, Log: testenv.Logger(b)})
	supervisor := agent.Agent{ID: agentID, Role: domain.RoleSupervisor, QueueIDs: queues}
	own := agent.Agent{ID: agentID, Role: domain.RoleAgent, QueueIDs: queues}
	// A p99 of 1,000 calls is their tenth slowest: of 200 it was the
	// second, which one hiccup of a shared machine decided.
	const samples = 1000
	p99 := func(name string, fn func(i int) error) {
		b.Helper()
		var lat []time.Duration
		cpu0 := processCPU(b)
		for i := range samples {
			t0 := time.Now()
			if err := fn(i); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		cpu := processCPU(b) - cpu0
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, name+"-p99-ms")
		b.ReportMetric(float64(cpu.Microseconds())/1000/samples, name+"-cpu-ms")
	}
	p99("inbox", func(int) error {
		page, err := tickets.List(ctx, supervisor, ticket.Filter{Limit: 20})
		if err == nil && len(page) != 20 {
			err = fmt.Errorf("page of %d", len(page))
		}
		return err
	})
	p99("filtered", func(int) error {
		_, err := tickets.List(ctx, own, ticket.Filter{Scope: "mine", Limit: 20})
		return err
	})
	p99("position", func(i int) error {
		// A new Metrics: the queue's line is read, as after a change.
		m := routing.NewMetrics(routing.PartOpts{DB: d, Queues: r})
		w, err := m.EstimateWait(ctx, waiting[i%len(waiting)])
		if err == nil && w.Position == 0 {
			err = fmt.Errorf("no position")
		}
		return err
	})
	m := routing.NewMetrics(routing.PartOpts{DB: d, Queues: r})
	p99("metrics", func(int) error {
		_, err := m.Metrics(ctx, time.Now().UTC())
		return err
	})
	var refresh []time.Duration
	for range 20 {
		m := routing.NewMetrics(routing.PartOpts{DB: d, Queues: r})
		t0 := time.Now()
		if _, err := m.EstimateWaits(ctx, waiting); err != nil {
			b.Fatal(err)
		}
		refresh = append(refresh, time.Since(t0))
	}
	slices.Sort(refresh)
	b.ReportMetric(float64(refresh[len(refresh)-1].Microseconds())/1000, "refresh-1000-max-ms")
}

// processCPU is the CPU time this process has used (on the embedded
// defaults that includes SQLite's work; PostgreSQL's is in its own
// processes): on a shared machine it moves less with the load than the
// latencies do.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
