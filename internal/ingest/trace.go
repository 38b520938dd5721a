package ingest

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

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

// keepWaitTraces stores, for each new ticket the batch left waiting in its
// queue, the trace of the message that opened it: the batch's span when
// the batch was that one message, else the message's own (the batch's
// trace is not the citizen's then). routing.Router opens the later
// assignment's span in it and links it. Unsampled traces are not kept;
// with tracing off nothing is read or written.
func (c *Consumer) keepWaitTraces(ctx context.Context, tx *gorm.DB, res result, single bool) error {
	if c.tracer == nil || len(res.created) == 0 {
		return nil
	}
	waiting := make(map[int64]bool, len(res.created))
	for _, t := range res.created {
		waiting[t.id] = true
	}
	for _, a := range res.assignments {
		if a.AgentID != 0 {
			delete(waiting, a.TicketID)
		}
	}
	batch := trace.SpanContextFromContext(ctx)
	for _, it := range res.messages {
		if len(waiting) == 0 {
			break
		}
		if it.ticket == nil || !waiting[it.ticket.id] {
			continue
		}
		delete(waiting, it.ticket.id) // the ticket's first message
		sc := batch
		if !single && it.msg != nil {
			sc = trace.SpanContextFromContext(tracing.Extract(context.Background(), it.msg.Headers()))
		}
		if !sc.IsValid() || !sc.IsSampled() {
			continue
		}
		if err := setWaitTrace(tx, it.ticket.id, tracing.Traceparent(sc)); err != nil {
			return err
		}
	}
	return nil
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
