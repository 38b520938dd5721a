package routing

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/domain"
	"tanggap/internal/testenv"
	"tanggap/internal/tracing"
)

// A ticket Offer hands to an agent (it came back to its queue) is traced
// as AssignWaiting's are: one "routing assign" span in the trace of the
// request that offered it, one in the citizen's (the ticket's kept
// trace), the two linked.
func TestOfferTracesTheAssignmentIntoTheCitizensTrace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.DB(t))
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	f.r.tracer = tp.Tracer("test")

	free := f.agent(string(domain.PresenceOnline), 5, 0, nil, "kartu")
	id := f.ticket(nil, "kartu", domain.PriorityNormal, time.Now().UTC())
	_, citizen := tp.Tracer("test").Start(context.Background(), "citizen's message")
	citizen.End()
	f.must(f.d.Exec(`UPDATE tickets SET wait_trace = ? WHERE id = ?`, tracing.Traceparent(citizen.SpanContext()), id).Error)

	ctx, request := tp.Tracer("test").Start(context.Background(), "agent's request")
	got, err := f.r.Offer(ctx, id, 0)
	request.End()
	if err != nil || got != free {
		t.Fatalf("Offer: agent %d, %v; want %d", got, err, free)
	}
	var inRequest, inCitizen trace.SpanContext
	var links [2][]sdktrace.Link
	for _, s := range rec.Ended() {
		if s.Name() != "routing assign" {
			continue
		}
		switch s.SpanContext().TraceID() {
		case request.SpanContext().TraceID():
			inRequest, links[0] = s.SpanContext(), s.Links()
		case citizen.SpanContext().TraceID():
			inCitizen, links[1] = s.SpanContext(), s.Links()
		default:
			t.Errorf("a routing assign span in trace %s, neither the request's nor the citizen's", s.SpanContext().TraceID())
		}
	}
	if !inRequest.IsValid() || !inCitizen.IsValid() {
		t.Fatalf("routing assign in the request's trace: %v, in the citizen's: %v; want both", inRequest.IsValid(), inCitizen.IsValid())
	}
	if len(links[0]) != 1 || links[0][0].SpanContext.TraceID() != citizen.SpanContext().TraceID() ||
		len(links[1]) != 1 || links[1][0].SpanContext.SpanID() != inRequest.SpanID() {
		t.Errorf("the two routing assign spans do not link each other: %+v, %+v", links[0], links[1])
	}
}
