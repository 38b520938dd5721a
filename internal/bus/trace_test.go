package bus_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
	"tanggap/internal/tracing"
)

// emitOnly is an Emit-only emitter, as packages' test fakes are.
type emitOnly struct{ got []bus.Event }

func (e *emitOnly) Emit(ev bus.Event) { e.got = append(e.got, ev) }

// A job queued under a sampled span is worked in that span's trace, and
// an event the job emits through bus.EmitIn carries the trace on to the
// console push; an emitter that cannot carry it still gets the event.
func TestJobsAndEmitInCarryTheTrace(t *testing.T) {
	b := testenv.Bus(t)
	sub, err := b.NC.SubscribeSync(b.Names.EventsAll())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reqCtx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	if err := b.PublishJob(reqCtx, domain.ChannelWhatsApp, "tracetest", "1", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	worked := make(chan trace.SpanContext, 1)
	fake := &emitOnly{}
	go func() {
		_ = b.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: "tracetest"}, func(jctx context.Context, _ []byte, _ int) (bus.JobOutcome, time.Duration) {
			bus.EmitIn(jctx, b, bus.TicketUpdated{Scope: bus.Scope{TicketID: 7}, Status: "open"})
			bus.EmitIn(jctx, fake, bus.TicketUpdated{Scope: bus.Scope{TicketID: 7}, Status: "open"})
			worked <- trace.SpanContextFromContext(jctx)
			return bus.JobDone, 0
		})
	}()
	select {
	case sc := <-worked:
		if sc.TraceID() != tid || sc.SpanID() != sid {
			t.Fatalf("job worked in trace %s span %s, want %s %s", sc.TraceID(), sc.SpanID(), tid, sid)
		}
	case <-ctx.Done():
		t.Fatal("job not worked")
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if sc := trace.SpanContextFromContext(tracing.Extract(context.Background(), m.Header)); sc.TraceID() != tid || !sc.IsSampled() {
		t.Fatalf("event carries trace %s (headers %v), want %s", sc.TraceID(), m.Header, tid)
	}
	if len(fake.got) != 1 {
		t.Fatalf("the Emit-only emitter got %d events, want 1", len(fake.got))
	}
}
