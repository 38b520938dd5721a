package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"tanggap/internal/bus"
)

// consumerCollector reads every consumer of the named streams at scrape
// time: how many messages wait for it, how many it holds unacked and how
// many it had redelivered.
type consumerCollector struct {
	js      jetstream.JetStream
	streams []string
	log     *slog.Logger
}

var (
	consumerPending = prometheus.NewDesc("tanggap_jetstream_consumer_pending",
		"Messages of the stream not yet delivered to the consumer.", []string{"stream", "consumer"}, nil)
	consumerAckPending = prometheus.NewDesc("tanggap_jetstream_consumer_ack_pending",
		"Messages delivered to the consumer and not yet acknowledged.", []string{"stream", "consumer"}, nil)
	consumerRedelivered = prometheus.NewDesc("tanggap_jetstream_consumer_redelivered",
		"Messages the consumer has had redelivered and not yet acknowledged.", []string{"stream", "consumer"}, nil)
	consumerUp = prometheus.NewDesc("tanggap_jetstream_up",
		"1 when the last scrape could read the streams' consumers.", nil, nil)
)

func (c *consumerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- consumerPending
	ch <- consumerAckPending
	ch <- consumerRedelivered
	ch <- consumerUp
}

func (c *consumerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	up := 1.0
	for _, name := range c.streams {
		st, err := c.js.Stream(ctx, name)
		if err != nil {
			c.log.Debug("metrics: stream", "stream", name, "err", err)
			up = 0
			continue
		}
		infos := st.ListConsumers(ctx)
		for info := range infos.Info() {
			ch <- prometheus.MustNewConstMetric(consumerPending, prometheus.GaugeValue, float64(info.NumPending), name, info.Name)
			ch <- prometheus.MustNewConstMetric(consumerAckPending, prometheus.GaugeValue, float64(info.NumAckPending), name, info.Name)
			ch <- prometheus.MustNewConstMetric(consumerRedelivered, prometheus.GaugeValue, float64(info.NumRedelivered), name, info.Name)
		}
		if err := infos.Err(); err != nil {
			c.log.Debug("metrics: consumers", "stream", name, "err", err)
			up = 0
		}
	}
	ch <- prometheus.MustNewConstMetric(consumerUp, prometheus.GaugeValue, up)
}

// socketCollector reports open websocket connections per kind.
type socketCollector struct{ kinds map[string]Counter }

var socketConns = prometheus.NewDesc("tanggap_websocket_connections",
	"Open websocket connections by kind (console: agents; livechat: citizens).", []string{"kind"}, nil)

func (s *socketCollector) Describe(ch chan<- *prometheus.Desc) { ch <- socketConns }

func (s *socketCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, c := range s.kinds {
		ch <- prometheus.MustNewConstMetric(socketConns, prometheus.GaugeValue, float64(c.Len()), kind)
	}
}

// queueWatch keeps the queues' latest figures as published by the routing
// metrics loop (queue.metrics events), and the SLA warnings and breaches
// this instance's clocks announced, per queue: a scrape reads memory, never
// the database.
type queueWatch struct {
	mu      sync.Mutex
	figures []bus.QueueFigures
	at      time.Time
	names   map[int64]string // queue id → code, from the figures
	sla     *prometheus.CounterVec
}

var (
	queueWaiting = prometheus.NewDesc("tanggap_queue_waiting",
		"Tickets waiting for an agent in the queue.", []string{"queue"}, nil)
	queueOldest = prometheus.NewDesc("tanggap_queue_oldest_wait_seconds",
		"How long the queue's oldest waiting ticket has waited.", []string{"queue"}, nil)
	queueAgents = prometheus.NewDesc("tanggap_queue_agents",
		"Members of the queue online, by state (available: room for work; busy).", []string{"queue", "state"}, nil)
	queueDueSoon = prometheus.NewDesc("tanggap_queue_sla_due_soon",
		"Active tickets in the queue whose resolution or unmet first response falls due within the hour (SLA at risk).", []string{"queue"}, nil)
	queueAge = prometheus.NewDesc("tanggap_queue_figures_age_seconds",
		"Seconds since the queue figures were last published.", nil, nil)
)

func newQueueWatch() *queueWatch {
	return &queueWatch{names: map[int64]string{}, sla: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_sla_events_total", Help: "SLA warnings (due soon) and breaches by queue and target, counted by the instance that announced them (each is announced by one instance: sum over instances).",
	}, []string{"queue", "kind", "target"})}
}

func (q *queueWatch) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueWaiting
	ch <- queueOldest
	ch <- queueAgents
	ch <- queueDueSoon
	ch <- queueAge
	q.sla.Describe(ch)
}

func (q *queueWatch) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	figs, at := q.figures, q.at
	q.mu.Unlock()
	for _, f := range figs {
		ch <- prometheus.MustNewConstMetric(queueWaiting, prometheus.GaugeValue, float64(f.Waiting), f.Queue)
		ch <- prometheus.MustNewConstMetric(queueOldest, prometheus.GaugeValue, float64(f.OldestWaitSeconds), f.Queue)
		ch <- prometheus.MustNewConstMetric(queueAgents, prometheus.GaugeValue, float64(f.AgentsAvailable), f.Queue, "available")
		ch <- prometheus.MustNewConstMetric(queueAgents, prometheus.GaugeValue, float64(f.AgentsBusy), f.Queue, "busy")
		ch <- prometheus.MustNewConstMetric(queueDueSoon, prometheus.GaugeValue, float64(f.SLADueSoon), f.Queue)
	}
	if !at.IsZero() {
		ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, time.Since(at).Seconds())
	}
	q.sla.Collect(ch)
}

func (q *queueWatch) setFigures(ev bus.QueueMetrics) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.figures, q.at = ev.Queues, ev.At
	for _, f := range ev.Queues {
		q.names[f.QueueID] = f.Queue
	}
}

func (q *queueWatch) countSLA(kind string, ev bus.SLA) {
	// The queue's code comes from the figures every instance follows; a
	// queue not yet in them is named by its id.
	q.mu.Lock()
	name, ok := q.names[ev.QueueID]
	q.mu.Unlock()
	if !ok {
		name = fmt.Sprint(ev.QueueID)
	}
	q.sla.WithLabelValues(name, kind, ev.Target).Inc()
}

// Watch follows the queue figures on the bus until ctx ends. The events
// are core NATS hints: one missed costs one stale scrape. SLA events are
// not counted here, where every instance sees each of them, but where they
// are announced (CountingSLA).
func (m *Metrics) Watch(ctx context.Context, nc *nats.Conn, names bus.Names) error {
	if m == nil {
		return nil
	}
	handle := map[string]func([]byte){
		names.EventSubject(bus.QueueMetrics{}): func(data []byte) {
			var ev bus.QueueMetrics
			if json.Unmarshal(data, &ev) == nil {
				m.queues.setFigures(ev)
			}
		},
	}
	var subs []*nats.Subscription
	defer func() {
		for _, s := range subs {
			_ = s.Unsubscribe()
		}
	}()
	for subject, f := range handle {
		f := f
		s, err := nc.Subscribe(subject, func(msg *nats.Msg) {
			if m.Recording() {
				f(msg.Data)
			}
		})
		if err != nil {
			return fmt.Errorf("metrics: subscribe %s: %w", subject, err)
		}
		subs = append(subs, s)
	}
	<-ctx.Done()
	return nil
}

// SLAEmitter is where the SLA clocks announce their events (the bus).
type SLAEmitter interface {
	Emit(ev bus.Event)
	EmitCtx(ctx context.Context, ev bus.Event)
}

// CountingSLA returns em, counting in tanggap_sla_events_total each SLA
// warning and breach emitted through it. Hand it to the SLA clocks: each
// warning and breach is announced by exactly one instance (the clocks'
// compare-and-set), so the series summed over instances counts each once.
// Metrics off: em itself.
func (m *Metrics) CountingSLA(em SLAEmitter) SLAEmitter {
	if m == nil {
		return em
	}
	return slaCounter{em: em, m: m}
}

type slaCounter struct {
	em SLAEmitter
	m  *Metrics
}

func (c slaCounter) Emit(ev bus.Event) {
	c.count(ev)
	c.em.Emit(ev)
}

func (c slaCounter) EmitCtx(ctx context.Context, ev bus.Event) {
	c.count(ev)
	c.em.EmitCtx(ctx, ev)
}

func (c slaCounter) count(ev bus.Event) {
	if !c.m.Recording() {
		return
	}
	switch e := ev.(type) {
	case bus.SLAWarning:
		c.m.queues.countSLA("warning", bus.SLA(e))
	case bus.SLABreached:
		c.m.queues.countSLA("breached", bus.SLA(e))
	}
}

// StateSeries names the series read at scrape time (for the dashboard
// test): JetStream consumers, websockets, queues and SLA events, and the
// database pool's (named by the client library).
func StateSeries() []string {
	ch := make(chan *prometheus.Desc, 32)
	(&consumerCollector{}).Describe(ch)
	(&socketCollector{}).Describe(ch)
	newQueueWatch().Describe(ch)
	close(ch)
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := []string{"go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_duration_seconds_total", "go_sql_open_connections"}
	for d := range ch {
		if m := fq.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	return names
}
