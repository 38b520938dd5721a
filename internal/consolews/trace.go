package consolews

import (
	"context"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/tracing"
)

// pushSpan opens the span of one event's fan-out to this instance's
// consoles, in the trace the event carries (bus.EmitCtx: the citizen's
// message → stored → pushed). One span per event, whatever the number of
// sockets, and none for an event without a trace, so the hot path pays a
// header check when tracing is off.
func (g *Gateway) pushSpan(m *nats.Msg, event string) trace.Span {
	if g.o.Tracer == nil || len(m.Header) == 0 {
		return nil
	}
	ctx := tracing.Extract(context.Background(), m.Header)
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	_, span := g.o.Tracer.Start(ctx, "console push", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("tanggap.event", event)))
	return span
}
