package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tanggap/internal/bus"
	"tanggap/internal/metrics"
	"tanggap/internal/testenv"
)

// gathered is the value of name's series with exactly these labels among
// its own (counters and gauges); ok is false when there is none.
func gathered(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue series
				}
			}
			return m.GetCounter().GetValue() + m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// Two instances follow the same bus and one of them announces a breach:
// it is counted once in all, by the announcing instance, so the
// dashboard's sum over instances is the number of breaches, not that
// times the number of instances.
func TestSLABreachCountedOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	cfg := testenv.SharedBusConfig(t)
	announcer, other := testenv.ConnectBus(t, cfg), testenv.ConnectBus(t, cfg)
	ma, mb := metrics.New(metrics.Opts{}), metrics.New(metrics.Opts{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = ma.Watch(ctx, announcer.NC, announcer.Names) }()
	go func() { _ = mb.Watch(ctx, other.NC, other.Names) }()

	figures := func(waiting int) bus.QueueMetrics {
		return bus.QueueMetrics{At: time.Now(), Queues: []bus.QueueFigures{{QueueID: 7, Queue: "umum", Waiting: waiting}}}
	}
	seen := func(m *metrics.Metrics, waiting int) error {
		if v, ok := gathered(t, m.Registry(), "tanggap_queue_waiting", map[string]string{"queue": "umum"}); !ok || v != float64(waiting) {
			return fmt.Errorf("queue figures not seen yet (%v, %v)", v, ok)
		}
		return nil
	}
	// Both follow the bus (the figures name the queue) before the breach.
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		announcer.Emit(figures(1))
		if err := seen(ma, 1); err != nil {
			return err
		}
		return seen(mb, 1)
	})

	clock := ma.CountingSLA(announcer)
	bus.EmitIn(ctx, clock, bus.SLABreached(bus.SLA{Scope: bus.Scope{TicketID: 1, QueueID: 7}, Target: "first_response"}))
	// Figures sent after the breach: once the other instance has them, it
	// has had the breach too.
	announcer.Emit(figures(2))
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error { return seen(mb, 2) })

	breach := map[string]string{"queue": "umum", "kind": "breached", "target": "first_response"}
	a, _ := gathered(t, ma.Registry(), "tanggap_sla_events_total", breach)
	b, _ := gathered(t, mb.Registry(), "tanggap_sla_events_total", breach)
	if a != 1 || b != 0 {
		t.Errorf("breach counted %v by the announcing instance and %v by the other, want 1 and 0", a, b)
	}
}
