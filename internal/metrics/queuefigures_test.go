package metrics

import (
	"testing"
	"time"

	"tanggap/internal/bus"
)

// The queue figures the routing loop publishes become gauges per queue,
// the tickets whose SLA is at risk among them.
func TestQueueFiguresBecomeGauges(t *testing.T) {
	m := New(Opts{})
	m.queues.setFigures(bus.QueueMetrics{At: time.Now().UTC(), Queues: []bus.QueueFigures{
		{QueueID: 1, Queue: "umum", Waiting: 4, OldestWaitSeconds: 90, AgentsAvailable: 2, AgentsBusy: 1, SLADueSoon: 3},
		{QueueID: 2, Queue: "kartu", SLADueSoon: 0},
	}})
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]float64{}
	for _, f := range fams {
		for _, s := range f.GetMetric() {
			q := ""
			for _, l := range s.GetLabel() {
				if l.GetName() == "queue" {
					q = l.GetValue()
				}
			}
			if s.Gauge != nil && q != "" {
				if got[f.GetName()] == nil {
					got[f.GetName()] = map[string]float64{}
				}
				got[f.GetName()][q] = s.GetGauge().GetValue()
			}
		}
	}
	for name, want := range map[string]map[string]float64{
		"tanggap_queue_sla_due_soon":        {"umum": 3, "kartu": 0},
		"tanggap_queue_waiting":             {"umum": 4, "kartu": 0},
		"tanggap_queue_oldest_wait_seconds": {"umum": 90, "kartu": 0},
	} {
		for q, v := range want {
			if g, ok := got[name][q]; !ok || g != v {
				t.Errorf("%s{queue=%q} = %v (exported: %v), want %v", name, q, g, ok, v)
			}
		}
	}
}
