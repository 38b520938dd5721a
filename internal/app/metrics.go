package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"tanggap/channels"
	"tanggap/internal/api"
	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/ingest"
	"tanggap/internal/metrics"
	"tanggap/internal/notify"
	"tanggap/internal/routing"
)

// newMetrics builds the Prometheus registry when METRICS_ADDR is set, with
// the database pool's statistics; nil means metrics are off.
func newMetrics(cfg config.Config, d *db.DB, log *slog.Logger) (*metrics.Metrics, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}
	sqlDB, err := d.DB.DB()
	if err != nil {
		return nil, fmt.Errorf("app: metrics: %w", err)
	}
	return metrics.New(metrics.Opts{DB: sqlDB, Log: log}), nil
}

// listenMetrics opens the metrics listener (nil when metrics are off).
func listenMetrics(cfg config.Config, m *metrics.Metrics) (net.Listener, error) {
	if m == nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("app: listen METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
	}
	return ln, nil
}

// The observers below are nil interfaces when metrics are off, so the
// observed code skips the call altogether.

func inboundObserver(m *metrics.Metrics) bus.InboundObserver {
	if m == nil {
		return nil
	}
	return m
}

func deliveryObserver(m *metrics.Metrics) channels.DeliveryObserver {
	if m == nil {
		return nil
	}
	return m
}

func sendObserver(m *metrics.Metrics) notify.SendObserver {
	if m == nil {
		return nil
	}
	return m
}

func requestObserver(m *metrics.Metrics) api.RequestObserver {
	if m == nil {
		return nil
	}
	return m
}

// MetricsURL is where /metrics answers ("" when metrics are off).
func (a *App) MetricsURL() string {
	if a.metricsLn == nil {
		return ""
	}
	return "http://" + a.metricsLn.Addr().String() + "/metrics"
}

// SetObservations stops (false) or resumes (true), at run time, the
// recording of metrics and of the view audit: while stopped no metric is
// recorded and no agent's view is audited, as if METRICS_ADDR were empty
// and there were no audit. It exists only to measure what the two cost
// within one running contact center (BenchmarkObservabilityOverhead):
// nothing in the contact center calls it and no setting or route reaches
// it. Stopping first writes the views buffered so far, so their insert is
// part of the time the audit was on.
func (a *App) SetObservations(ctx context.Context, on bool) error {
	a.metrics.SetRecording(on)
	if a.views == nil {
		return nil
	}
	a.views.SetRecording(on)
	if on {
		return nil
	}
	return a.views.Flush(ctx)
}

// registerStateMetrics adds what a scrape reads from memory or NATS: the
// streams' consumers and the open websockets.
func (a *App) registerStateMetrics() {
	if a.metrics == nil {
		return
	}
	names := a.bus.Names
	a.metrics.Consumers(a.bus.JS, names.StreamInbound(), names.StreamOutbound(), names.StreamReceipts(), names.StreamJobs())
	sockets := map[string]metrics.Counter{"livechat": a.chat.Hub()}
	if a.console != nil {
		sockets["console"] = a.console.Hub()
	}
	a.metrics.Sockets(sockets)
}

// observedRouter counts and traces the routing decisions ingest asks
// for: each new ticket is assigned or queued.
type observedRouter struct {
	ingest.Router
	m  *metrics.Metrics
	tr trace.Tracer
}

func (r observedRouter) RouteLocked(ctx context.Context, tx *gorm.DB, tickets []routing.Ticket) ([]routing.Assignment, error) {
	start := time.Now()
	var span trace.Span
	if r.tr != nil {
		ctx, span = r.tr.Start(ctx, "routing decision", trace.WithAttributes(attribute.Int("tickets", len(tickets))))
		defer span.End()
	}
	as, err := r.Router.RouteLocked(ctx, tx, tickets)
	if span != nil {
		span.SetAttributes(attribute.Int("assigned", len(as)))
		if err != nil {
			span.RecordError(err)
		}
		// One span per ticket handed to an agent, under the decision: the
		// assignment in the citizen's message's trace.
		for _, a := range as {
			_, s := r.tr.Start(ctx, "routing assign", trace.WithAttributes(attribute.Int64("ticket_id", a.TicketID),
				attribute.Int64("queue_id", a.QueueID), attribute.Int64("agent_id", a.AgentID)))
			s.End()
		}
	}
	if err == nil && r.m.Recording() && len(tickets) > 0 {
		per := time.Since(start) / time.Duration(len(tickets))
		for i := range tickets {
			outcome := "queued"
			if i < len(as) {
				outcome = "assigned"
			}
			r.m.Routed(outcome, per)
		}
	}
	return as, err
}

// ingestRouter is the router ingest uses, observed when metrics or
// tracing are on.
func ingestRouter(r ingest.Router, m *metrics.Metrics, tr trace.Tracer) ingest.Router {
	if m == nil && tr == nil {
		return r
	}
	return observedRouter{Router: r, m: m, tr: tr}
}

func batchObserver(m *metrics.Metrics) ingest.BatchObserver {
	if m == nil {
		return nil
	}
	return m
}
