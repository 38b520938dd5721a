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
// metrics loop (queue.metrics events) and counts SLA warnings and breaches
// per queue (sla.* events): a scrape reads memory, never the database.
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
		Name: "tanggap_sla_events_total", Help: "SLA warnings (due soon) and breaches by queue and target.",
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
	q.mu.Lock()
	name, ok := q.names[ev.QueueID]
	q.mu.Unlock()
	if !ok {
		name = fmt.Sprint(ev.QueueID)
	}
	q.sla.WithLabelValues(name, kind, ev.Target).Inc()
}

// Watch follows the queue figures and SLA events on the bus until ctx
// ends. Events are core NATS hints: one missed costs one stale scrape.
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
		names.EventSubject(bus.SLAWarning{}): func(data []byte) {
			var ev bus.SLA
			if json.Unmarshal(data, &ev) == nil {
				m.queues.countSLA("warning", ev)
			}
		},
		names.EventSubject(bus.SLABreached{}): func(data []byte) {
			var ev bus.SLA
			if json.Unmarshal(data, &ev) == nil {
				m.queues.countSLA("breached", ev)
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
