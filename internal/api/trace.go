package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/tracing"
)

// traced starts a server span per request, continuing a trace the caller
// sent (traceparent), and hands it on in the request's context: whatever
// the handler publishes carries it across NATS.
func traced(tr trace.Tracer) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// fiber's strings point into buffers reused by the next request;
		// the span outlives the request in the exporter's queue.
		method := strings.Clone(c.Method())
		ctx := tracing.ExtractHTTP(c.UserContext(), func(k string) string { return strings.Clone(c.Get(k)) })
		ctx, span := tr.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		c.SetUserContext(ctx)
		if err := c.Next(); err != nil {
			span.RecordError(err)
			respond(c, err)
		}
		// The route's pattern is known once matched: it names the span, so
		// ids do not make every span name unique.
		span.SetName(method + " " + c.Route().Path)
		status := c.Response().StatusCode()
		span.SetAttributes(attribute.String("http.request.method", method), attribute.String("http.route", c.Route().Path),
			attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, "server error")
		}
		return nil
	}
}
