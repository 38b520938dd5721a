package ingest

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/domain"
	"tanggap/internal/tracing"
)

// startSpan opens the batch's span: a batch of one continues its
// message's trace (webhook → JetStream → this commit → routing); a batch of
// many links every message's trace, since a span has one parent.
func (c *Consumer) startSpan(ctx context.Context, items []*item) (context.Context, trace.Span) {
	if c.tracer == nil {
		return ctx, nil
	}
	var links []trace.Link
	parent := ctx
	for _, it := range items {
		if it.msg == nil {
			continue
		}
		mctx := tracing.Extract(context.Background(), it.msg.Headers())
		sc := trace.SpanContextFromContext(mctx)
		if !sc.IsValid() {
			continue
		}
		if len(items) == 1 {
			parent = trace.ContextWithRemoteSpanContext(ctx, sc)
			break
		}
		links = append(links, trace.Link{SpanContext: sc})
	}
	return c.tracer.Start(parent, "ingest batch", trace.WithSpanKind(trace.SpanKindConsumer), trace.WithLinks(links...),
		trace.WithAttributes(attribute.Int("messaging.batch.message_count", len(items))))
}

// waitTraces gives each new ticket the trace of the message that opens
// it (its first in stream order), written with the ticket's row, and each
// solved ticket a citizen reopens the trace of the message that reopens
// it, written by the reopening UPDATE: the
// batch's span when the batch was that one message, else the message's
// own (the batch's trace is not the citizen's then). routing.Router opens
// a later assignment's span in it and links it when the ticket waited
// (trace.go there); a ticket assigned at once never reads it. Unsampled
// traces are not kept; with tracing off nothing is read or written.
func (c *Consumer) waitTraces(ctx context.Context, live []*item, single bool) {
	if c.tracer == nil {
		return
	}
	batch := trace.SpanContextFromContext(ctx)
	done := map[*ticketState]bool{}
	for _, it := range live {
		t := it.ticket
		if t == nil || done[t] || !(t.isNew || t.reopen && t.row.Status == domain.StatusSolved) {
			continue
		}
		done[t] = true
		sc := batch
		if !single && it.msg != nil {
			sc = trace.SpanContextFromContext(tracing.Extract(context.Background(), it.msg.Headers()))
		}
		if sc.IsValid() && sc.IsSampled() {
			t.waitTrace = tracing.Traceparent(sc)
		}
	}
}

func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "batch not stored")
	}
	span.End()
}
