package routing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/tracing"
)

// traceLater traces tickets that waited in their queue and were just
// handed to an agent (AssignWaiting: the agent came online or got room,
// or a sweep; Offer: the ticket came back to its queue or was moved to
// another). The assignment runs in the trace of whoever made room (the
// agent's request, the sweep), not in the citizen's; so each gets two
// spans named "routing assign", linked to each other: one in that trace,
// and one in the trace of the citizen's message that opened the ticket
// (ingest wrote it in tickets.wait_trace with the ticket's row), under
// the span that stored the message (the ingest batch when it came alone,
// else the message's own), so the citizen's trace shows when and to whom
// its ticket went. A ticket with no kept trace (tracing was off when it
// came, or the trace was not sampled) gets the first span alone. Called
// only with tracing on: with it off, nothing is read.
func (r *Router) traceLater(ctx context.Context, agentID int64, ids []int64) {
	origins, err := waitTraces(r.db.WithContext(ctx), ids)
	if err != nil {
		r.log.Warn("routing: wait traces not read", "err", err)
	}
	for _, t := range origins {
		attrs := trace.WithAttributes(attribute.Int64("ticket_id", t.ID), attribute.Int64("queue_id", t.QueueID),
			attribute.Int64("agent_id", agentID), attribute.Bool("routing.waited", true))
		origin := tracing.FromTraceparent(t.WaitTrace)
		var links []trace.Link
		if origin.IsValid() {
			links = append(links, trace.Link{SpanContext: origin})
		}
		_, here := r.tracer.Start(ctx, "routing assign", attrs, trace.WithLinks(links...))
		here.End()
		if !origin.IsValid() {
			continue
		}
		_, there := r.tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), origin), "routing assign", attrs,
			trace.WithLinks(trace.Link{SpanContext: here.SpanContext()}))
		there.End()
	}
}
