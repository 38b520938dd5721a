package ingest

import (
	"context"
	"fmt"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
	"tanggap/internal/tracing"
)

// With tracing on, every new ticket is written with the trace of the
// message that opened it (tickets.wait_trace, for routing's later
// assignment of a ticket that waits): a message stored alone keeps its
// batch's span, which continues the publisher's trace. The ticket
// assigned at once keeps it too (the row is written once, before routing
// decides); an unsampled trace is not kept.
func TestNewTicketIsWrittenWithItsMessagesTrace(t *testing.T) {
	e := newEnv(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := tp.Tracer("test")
	e.agent("kartu", 10) // the umum queue has no agent: its tickets wait
	e.start(e.consumer(Opts{Tracer: tr, ReopenWindow: 72 * time.Hour}))

	type stored struct {
		AssigneeID *int64
		WaitTrace  *string
	}
	// store publishes one message in ctx's trace, waits until it is
	// stored (so each message is a batch of its own) and reads its ticket.
	store := func(t *testing.T, ctx context.Context, id, category string) stored {
		t.Helper()
		in := complaint(id, "+6281300000"+id[len(id)-3:], "Kartu prakerja saya belum aktif")
		in.Fields[envelope.FieldCategory] = category
		if err := e.b.PublishJSON(ctx, e.b.Names.Inbound(in.Channel), "", in); err != nil {
			t.Fatal(err)
		}
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = ?`, id)
		var rows []stored
		if err := e.d.Raw(`SELECT assignee_id, wait_trace FROM tickets WHERE id = ?`, e.ticketOf(domain.ChannelWebform, id).ID).
			Scan(&rows).Error; err != nil || len(rows) != 1 {
			t.Fatalf("ticket of %s: %d rows, %v", id, len(rows), err)
		}
		return rows[0]
	}
	// batchOf is the ended "ingest batch" span in the publisher's trace.
	batchOf := func(t *testing.T, publisher trace.SpanContext) trace.SpanContext {
		t.Helper()
		var got trace.SpanContext
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			for _, s := range rec.Ended() {
				if s.Name() == "ingest batch" && s.SpanContext().TraceID() == publisher.TraceID() {
					got = s.SpanContext()
					return nil
				}
			}
			return fmt.Errorf("no ingest batch span in trace %s", publisher.TraceID())
		})
		return got
	}

	for _, c := range []struct {
		name, id, category string
		assigned           bool
	}{
		{"a ticket left waiting keeps its message's trace", "trace-wait-001", "", false},
		{"a ticket assigned at once keeps it too", "trace-now-002", "kartu", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, span := tr.Start(context.Background(), "publish")
			got := store(t, ctx, c.id, c.category)
			span.End()
			if (got.AssigneeID != nil) != c.assigned {
				t.Fatalf("assignee %v, want assigned %v", got.AssigneeID, c.assigned)
			}
			if got.WaitTrace == nil {
				t.Fatal("the new ticket kept no trace")
			}
			if want := tracing.Traceparent(batchOf(t, span.SpanContext())); *got.WaitTrace != want {
				t.Errorf("wait_trace %q, want the ingest batch's %q", *got.WaitTrace, want)
			}
		})
	}

	t.Run("a solved ticket a citizen reopens keeps the reopening message's trace", func(t *testing.T) {
		const phone = "+6281300000444"
		first, span := tr.Start(context.Background(), "publish")
		if err := e.b.PublishJSON(first, e.b.Names.Inbound(domain.ChannelWhatsApp), "", waMessage("wamid.trace-reopen-1", phone, "Halo", time.Now().UTC())); err != nil {
			t.Fatal(err)
		}
		span.End()
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = ?`, "wamid.trace-reopen-1")
		id := e.ticketOf(domain.ChannelWhatsApp, "wamid.trace-reopen-1").ID
		if err := e.d.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ?`, time.Now().UTC(), id).Error; err != nil {
			t.Fatal(err)
		}
		again, span2 := tr.Start(context.Background(), "publish")
		if err := e.b.PublishJSON(again, e.b.Names.Inbound(domain.ChannelWhatsApp), "", waMessage("wamid.trace-reopen-2", phone, "Masih belum bisa", time.Now().UTC())); err != nil {
			t.Fatal(err)
		}
		span2.End()
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = ? AND ticket_id = ?`, "wamid.trace-reopen-2", id)
		var got []struct {
			Status    string
			WaitTrace *string
		}
		if err := e.d.Raw(`SELECT status, wait_trace FROM tickets WHERE id = ?`, id).Scan(&got).Error; err != nil || len(got) != 1 {
			t.Fatalf("ticket %d: %d rows, %v", id, len(got), err)
		}
		if got[0].Status != "open" || got[0].WaitTrace == nil {
			t.Fatalf("ticket %d: status %s, wait_trace %v; want open with the reopening trace", id, got[0].Status, got[0].WaitTrace)
		}
		if want := tracing.Traceparent(batchOf(t, span2.SpanContext())); *got[0].WaitTrace != want {
			t.Errorf("wait_trace %q, want the reopening batch's %q (the opening one was %q)", *got[0].WaitTrace, want,
				tracing.Traceparent(batchOf(t, span.SpanContext())))
		}
	})

	t.Run("an unsampled trace is not kept", func(t *testing.T) {
		unsampled := trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
			SpanID:  trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		})
		got := store(t, trace.ContextWithSpanContext(context.Background(), unsampled), "trace-off-003", "")
		if got.WaitTrace != nil {
			t.Errorf("wait_trace %q kept from an unsampled trace", *got.WaitTrace)
		}
	})
}
