// Package tracing sets up OpenTelemetry tracing from the standard OTEL_*
// variables (off unless an OTLP endpoint is given) and carries a trace
// across NATS in message headers, so one trace runs from a provider's
// webhook through JetStream to the database commit and the routing
// decision, and from an agent's reply to the provider's send.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName names the instrumentation in every span.
const ScopeName = "tanggap"

// propagator is W3C trace context (traceparent, tracestate), the format
// every OTLP collector understands.
var propagator = propagation.TraceContext{}

// Enabled reports whether the environment asks for traces: an OTLP
// endpoint is set, the SDK is not disabled and the exporter is not "none".
func Enabled(getenv func(string) string) bool {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	if exp := strings.ToLower(getenv("OTEL_TRACES_EXPORTER")); exp != "" && exp != "otlp" {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Provider is the tracer provider in use; Shutdown flushes what is
// buffered. A nil *Provider traces nothing.
type Provider struct {
	tp     trace.TracerProvider
	flush  func(context.Context) error
	tracer trace.Tracer
}

// Setup returns the OTLP/HTTP provider when Enabled, else nil. The
// exporter reads the endpoint, headers, timeout and protocol settings from
// the standard OTEL_EXPORTER_OTLP_* variables, and the sampler from
// OTEL_TRACES_SAMPLER(_ARG).
func Setup(ctx context.Context, getenv func(string) string, log *slog.Logger) (*Provider, error) {
	if !Enabled(getenv) {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(serviceName(getenv))))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	log.Info("tracing on", "exporter", "otlp")
	return &Provider{tp: tp, flush: tp.Shutdown, tracer: tp.Tracer(ScopeName)}, nil
}

func serviceName(getenv func(string) string) string {
	if s := getenv("OTEL_SERVICE_NAME"); s != "" {
		return s
	}
	return "tanggap"
}

// New wraps a provider of one's own (tests use the SDK's in-memory recorder).
func New(tp trace.TracerProvider) *Provider {
	return &Provider{tp: tp, tracer: tp.Tracer(ScopeName)}
}

// Tracer is the tracer to start spans with; a no-op one when p is nil.
func (p *Provider) Tracer() trace.Tracer {
	if p == nil {
		return noop.NewTracerProvider().Tracer(ScopeName)
	}
	return p.tracer
}

// Shutdown flushes and stops the exporter.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil || p.flush == nil {
		return nil
	}
	return p.flush(ctx)
}

// Inject writes ctx's span context into NATS headers (nothing when ctx
// carries no span).
func Inject(ctx context.Context, h nats.Header) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	propagator.Inject(ctx, natsCarrier(h))
}

// Extract returns ctx with the remote span context carried by NATS headers.
func Extract(ctx context.Context, h nats.Header) context.Context {
	if len(h) == 0 {
		return ctx
	}
	return propagator.Extract(ctx, natsCarrier(h))
}

// natsCarrier keeps the W3C names as written ("traceparent"): NATS
// headers are case-sensitive, unlike HTTP's, and other languages' clients
// look for the lower-case names.
type natsCarrier nats.Header

func (c natsCarrier) Get(key string) string { return nats.Header(c).Get(key) }
func (c natsCarrier) Set(key, value string) { nats.Header(c).Set(key, value) }
func (c natsCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// ExtractHTTP is Extract for request headers read one by one (fiber's).
func ExtractHTTP(ctx context.Context, get func(string) string) context.Context {
	return propagator.Extract(ctx, getter(get))
}

type getter func(string) string

func (g getter) Get(key string) string { return g(key) }
func (g getter) Set(string, string)    {}
func (g getter) Keys() []string        { return propagator.Fields() }

// LogHandler adds trace_id and span_id to every record logged with a
// context that carries a span, so a log line leads to its trace.
type LogHandler struct{ slog.Handler }

func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(as)}
}
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }

// Traceparent is the W3C traceparent of a span context ("" when it is
// invalid), to keep a trace where a later step finds it (a waiting
// ticket's row).
func Traceparent(sc trace.SpanContext) string {
	if !sc.IsValid() {
		return ""
	}
	c := propagation.MapCarrier{}
	propagator.Inject(trace.ContextWithSpanContext(context.Background(), sc), c)
	return c["traceparent"]
}

// FromTraceparent is the (remote) span context a Traceparent names; an
// empty or malformed one gives an invalid span context.
func FromTraceparent(s string) trace.SpanContext {
	if s == "" {
		return trace.SpanContext{}
	}
	ctx := propagator.Extract(context.Background(), propagation.MapCarrier{"traceparent": s})
	return trace.SpanContextFromContext(ctx)
}
