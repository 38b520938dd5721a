// Package metrics exposes the contact center's Prometheus metrics on their
// own listener (METRICS_ADDR, loopback by default, never the public port).
//
// Counters that only the code path knows (HTTP requests, messages in and
// out, ingest batches, routing decisions, job outcomes) are recorded by the
// methods below; everything that is state (queue backlog, JetStream
// consumers, websocket connections, the database pool, the Go runtime) is
// read when Prometheus scrapes, so an idle contact center costs nothing.
// Every method is safe on a nil *Metrics: metrics switched off is a nil.
// SetRecording pauses the recording at run time, to measure what it costs.
package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Counter is anything that knows how many connections it holds.
type Counter interface{ Len() int }

// Opts names what the scrape reads. Each field may be left empty.
type Opts struct {
	// DB is the connection pool whose statistics are exported.
	DB  *sql.DB
	Log *slog.Logger
}

// Metrics holds the registry and the recorded series.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	inbound      *prometheus.CounterVec
	outbound     *prometheus.CounterVec
	ingestBatch  prometheus.Histogram
	ingestTime   prometheus.Histogram
	ingestAck    prometheus.Histogram
	routed       *prometheus.CounterVec
	routingTime  prometheus.Histogram
	jobs         *prometheus.CounterVec
	notify       *prometheus.CounterVec
	// queues follows the queue.metrics and sla.* events (Watch).
	queues *queueWatch
	// paused: nothing is recorded (SetRecording).
	paused atomic.Bool
}

// SetRecording stops (false) or resumes (true) recording at run time:
// while stopped every method below returns at once and the observers that
// ask Recording skip their own work, as if metrics were off. It exists to
// measure what the metrics cost in a running contact center (the
// observability overhead benchmark, through app.App.SetObservations);
// nothing in the contact center calls it and no setting reaches it.
func (m *Metrics) SetRecording(on bool) {
	if m != nil {
		m.paused.Store(!on)
	}
}

// Recording reports whether observations are recorded: metrics are on and
// not paused.
func (m *Metrics) Recording() bool { return m != nil && !m.paused.Load() }

// New builds the registry with every series registered.
func New(o Opts) *Metrics {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: o.Log}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tanggap_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method"})
	m.inbound = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_inbound_messages_total", Help: "Citizens' messages by channel and outcome (accepted: on the bus; refused: bad input).",
	}, []string{"channel", "outcome"})
	m.outbound = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_outbound_messages_total", Help: "Replies handed to providers by channel and outcome (sent, retry, failed).",
	}, []string{"channel", "outcome"})
	m.ingestBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "tanggap_ingest_batch_size", Help: "Messages stored per ingest transaction.",
		Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
	})
	m.ingestTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "tanggap_ingest_batch_duration_seconds", Help: "Time to store one ingest batch, commit included.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	m.ingestAck = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "tanggap_ingest_ack_latency_seconds",
		Help:    "Time from JetStream storing a citizen's message (its stream timestamp, on the NATS server's clock) to the ingest consumer acking it after the commit; a redelivered message counts from its first store.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 18),
	})
	m.routed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_routing_decisions_total", Help: "Routing decisions by outcome (assigned, queued).",
	}, []string{"outcome"})
	m.routingTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "tanggap_routing_decision_duration_seconds", Help: "Time of one routing decision.",
		Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
	})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_jobs_total", Help: "Background jobs by kind (notify/send, whatsapp/media, …) and outcome (done, retry, waiting, dropped).",
	}, []string{"kind", "outcome"})
	m.notify = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tanggap_notify_sends_total",
		Help: "Citizen notifications handed to a provider, by route (email, sms, whatsapp) and outcome (sent; retry: temporary failure, tried again later; failed: failed for good when sent, the next route is tried; undelivered: the provider reported a failure after taking it).",
	}, []string{"route", "outcome"})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.inbound, m.outbound, m.ingestBatch, m.ingestTime, m.ingestAck,
		m.routed, m.routingTime, m.jobs, m.notify,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(o.DB, "tanggap"))
	}
	m.queues = newQueueWatch()
	m.reg.MustRegister(m.queues)
	return m
}

// Consumers exports the consumers of the named streams (pending, waiting
// for ack, redelivered), read at scrape time.
func (m *Metrics) Consumers(js jetstream.JetStream, streams ...string) {
	if m != nil {
		m.reg.MustRegister(&consumerCollector{js: js, streams: streams, log: m.log})
	}
}

// Sockets exports open websocket connections, kind ("console",
// "livechat") to what holds them.
func (m *Metrics) Sockets(kinds map[string]Counter) {
	if m != nil {
		m.reg.MustRegister(&socketCollector{kinds: kinds})
	}
}

// Registry is for tests and for adding a collector of one's own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slogErrorLog{m.log}, Timeout: 10 * time.Second})
}

// Serve answers /metrics on ln until ctx ends.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: serve: %w", err)
	}
	return nil
}

// Request records one HTTP request. route is the route's pattern
// ("/api/v1/tickets/:id<int>"), never the raw path, so ids do not
// multiply the series.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if !m.Recording() {
		return
	}
	m.httpRequests.WithLabelValues(route, method, statusText(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// Received records n citizens' messages of a channel with their outcome.
func (m *Metrics) Received(channel, outcome string, n int) {
	if !m.Recording() || n <= 0 {
		return
	}
	m.inbound.WithLabelValues(channel, outcome).Add(float64(n))
}

// Delivered records one outbound attempt of a channel with its outcome.
func (m *Metrics) Delivered(channel, outcome string) {
	if !m.Recording() {
		return
	}
	m.outbound.WithLabelValues(channel, outcome).Inc()
}

// Ingested records one stored ingest batch.
func (m *Metrics) Ingested(n int, d time.Duration) {
	if !m.Recording() {
		return
	}
	m.ingestBatch.Observe(float64(n))
	m.ingestTime.Observe(d.Seconds())
}

// Acked records the time from JetStream storing an inbound message to
// its ack by ingest.
func (m *Metrics) Acked(sinceStored time.Duration) {
	if !m.Recording() {
		return
	}
	m.ingestAck.Observe(sinceStored.Seconds())
}

// Routed records one routing decision.
func (m *Metrics) Routed(outcome string, d time.Duration) {
	if !m.Recording() {
		return
	}
	m.routed.WithLabelValues(outcome).Inc()
	m.routingTime.Observe(d.Seconds())
}

// Job records one background job's outcome; kind names the channel and
// the job ("notify/send": a notification to a citizen by its provider).
func (m *Metrics) Job(kind, outcome string) {
	if !m.Recording() {
		return
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
}

// NotifySend records what became of one citizen notification sent on a
// route (email, sms, whatsapp: a notify route, never an address).
func (m *Metrics) NotifySend(route, outcome string) {
	if !m.Recording() {
		return
	}
	m.notify.WithLabelValues(route, outcome).Inc()
}

// statusText keeps the status label to the few values HTTP has, each
// formatted once (not per request).
func statusText(s int) string {
	if s < 100 || s > 599 {
		return "other"
	}
	return statusTexts[s-100]
}

var statusTexts = func() (t [500]string) {
	for i := range t {
		t[i] = strconv.Itoa(100 + i)
	}
	return t
}()

// slogErrorLog sends promhttp's errors to the structured log.
type slogErrorLog struct{ log *slog.Logger }

func (l slogErrorLog) Println(v ...any) { l.log.Warn("metrics: scrape", "err", fmt.Sprint(v...)) }
