package logging_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/logging"
)

// A line logged with a traced context names its trace and span; one
// without carries neither.
func TestLinesCarryTheTraceID(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, "info", "text")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	log.InfoContext(ctx, "traced")
	log.With("component", "x").InfoContext(ctx, "traced with attrs")
	log.Info("plain")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %q", len(lines), buf.String())
	}
	for _, l := range lines[:2] {
		if !strings.Contains(l, "trace_id=4bf92f3577b34da6a3ce929d0e0e4736") || !strings.Contains(l, "span_id=00f067aa0ba902b7") {
			t.Errorf("traced line lacks its ids: %s", l)
		}
	}
	if strings.Contains(lines[2], "trace_id") {
		t.Errorf("untraced line has a trace id: %s", lines[2])
	}
}
