package routing

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// The router's events reach NATS under the names bus.Names gives them:
// queue metrics from Run, and an SLA breach with the escalated priority.
func TestEventsOnNATS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := testenv.Bus(t)
	f := newFixture(t, testenv.DB(t))
	f.r = newParts(testOpts{DB: f.d, DefaultQueue: "umum", Events: b, Log: testenv.Logger(t)})
	f.must(f.r.EnsureQueues(ctx, queueSpecs))
	f.saveQueue(QueueSettings{Code: "umum", SLA: map[string]SLATargets{"normal": {FirstResponseSeconds: 1}}})
	metrics, err := b.NC.SubscribeSync(b.Names.Event(bus.EntityQueue, bus.ActionQueueMetrics))
	f.must(err)
	breaches, err := b.NC.SubscribeSync(b.Names.Event(bus.EntitySLA, bus.ActionSLABreached))
	f.must(err)
	f.must(b.NC.Flush())

	f.agent("online", 5, 5, nil, "umum") // full: the ticket waits
	a := f.route(Ticket{})
	done := make(chan error, 3)
	go func() { done <- f.r.Run(ctx, RunOpts{Sweep: 50 * time.Millisecond}) }()
	qm := NewMetrics(PartOpts{DB: f.d, Queues: f.r, Events: b, Log: testenv.Logger(t)})
	go func() { done <- qm.Run(ctx, 50*time.Millisecond, b) }()
	clocks := NewClocks(PartOpts{DB: f.d, Queues: f.r, Events: b, Log: testenv.Logger(t)})
	go func() { done <- clocks.Run(ctx, 50*time.Millisecond) }()

	msg, err := metrics.NextMsg(10 * time.Second)
	f.must(err)
	var m bus.QueueMetrics
	f.must(json.Unmarshal(msg.Data, &m))
	if m.V != bus.Version || m.At.IsZero() {
		t.Fatalf("queue.metrics %s lacks v or at", msg.Data)
	}
	var umum *QueueMetrics
	for i := range m.Queues {
		if m.Queues[i].Queue == "umum" {
			umum = &m.Queues[i]
		}
	}
	if umum == nil || umum.Waiting != 1 || umum.AgentsBusy != 1 || umum.AgentsAvailable != 0 || !umum.Open {
		t.Fatalf("umum metrics %+v", umum)
	}

	msg, err = breaches.NextMsg(10 * time.Second)
	f.must(err)
	var ev bus.SLABreached
	f.must(json.Unmarshal(msg.Data, &ev))
	// The scope fields let a gateway show it to the queue's members.
	if ev.TicketID != a.TicketID || ev.Target != "first_response" || ev.Priority != "high" || ev.QueueID != f.queue("umum") ||
		ev.AssigneeID != 0 || ev.V != bus.Version {
		t.Fatalf("breach event %+v", ev)
	}
	cancel()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestQueueMetrics(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	now := time.Now().UTC()
	f.ticket(nil, "kartu", "normal", now.Add(-10*time.Minute))
	f.ticket(nil, "kartu", "urgent", now.Add(-time.Minute))
	f.agent("online", 2, 0, nil, "umum")
	f.agent("online", 1, 1, nil, "kartu")
	f.agent("busy", 5, 0, nil, "kartu")
	f.agent("offline", 5, 0, nil, "kartu")
	m, err := f.metrics().Metrics(context.Background(), now)
	f.must(err)
	got := map[string]QueueMetrics{}
	for _, q := range m {
		got[q.Queue] = q
	}
	k := got["kartu"]
	if k.Waiting != 2 || k.OldestWaitSeconds < 599 || k.OldestWaitSeconds > 601 || k.AgentsAvailable != 0 || k.AgentsBusy != 2 || k.AgentsOnline != 1 {
		t.Fatalf("kartu %+v", k)
	}
	if u := got["umum"]; u.Waiting != 0 || u.AgentsAvailable != 1 || !u.Open {
		t.Fatalf("umum %+v", u)
	}
	if _, ok := got["dana"]; !ok {
		t.Fatal("a queue with nothing going on is missing")
	}
	if k.Name != "Kartu Prakerja" || k.OverflowAfterSeconds != 0 {
		t.Fatalf("kartu name %q, overflow after %d: want its name and no overflow", k.Name, k.OverflowAfterSeconds)
	}
}

// TestQueueMetricsOverflow: a queue that overflows carries its threshold,
// so a board can tell when its oldest ticket waited past it.
func TestQueueMetricsOverflow(t *testing.T) {
	f, _ := newRouterFixture(t, testOpts{})
	f.saveQueue(QueueSettings{Code: "jabar", Name: "Jawa Barat", OverflowQueue: "umum", OverflowAfterSeconds: 900})
	m, err := f.metrics().Metrics(context.Background(), time.Now().UTC())
	f.must(err)
	for _, q := range m {
		if q.Queue == "jabar" {
			if q.Name != "Jawa Barat" || q.OverflowAfterSeconds != 900 {
				t.Fatalf("jabar %+v, want name Jawa Barat and overflow after 900 s", q)
			}
			return
		}
	}
	t.Fatal("jabar missing from the metrics")
}
