package apptest

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Collector stands in for an OpenTelemetry collector: it takes OTLP/HTTP
// protobuf exports as the SDK sends them and keeps every span. Serve it
// with httptest and point OTEL_EXPORTER_OTLP_ENDPOINT at it.
type Collector struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

// TraceTo serves a new Collector for the test and points the OTEL_*
// variables at it, exporting every 100 ms. Tests that call it cannot run
// in parallel: the variables are the process's.
func TraceTo(t testing.TB) *Collector {
	t.Helper()
	col := &Collector{}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
	return col
}

func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "not an OTLP/HTTP protobuf export", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// Named returns the spans exported under name, in the order they came.
func (c *Collector) Named(name string) []*tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range c.spans {
		if s.GetName() == name {
			out = append(out, s)
		}
	}
	return out
}

// TraceID and SpanID print a span's ids (hex) for comparisons.
func TraceID(s *tracepb.Span) string { return hex.EncodeToString(s.GetTraceId()) }

// SpanID is the span's own id in hex.
func SpanID(s *tracepb.Span) string { return hex.EncodeToString(s.GetSpanId()) }

// ParentID is the id of the span's parent in hex ("" for a root).
func ParentID(s *tracepb.Span) string { return hex.EncodeToString(s.GetParentSpanId()) }
