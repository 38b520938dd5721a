package whatsapp_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), a citizen's WhatsApp
// message is one trace from the signed webhook through JetStream to the
// ingest commit, the routing decision and its assignment to the online
// agent; the agent's reply is another, from the API request through the
// outbound stream to the Graph API send (the stand-in provider).
// (Not parallel: the OTEL_* variables are the process's.)
func TestTraceFromWebhookToAssignmentAndFromReplyToGraph(t *testing.T) {
	col := apptest.TraceTo(t)

	e := startWA(t)
	if r := e.api.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	if res := e.post(textWebhook(numberA, citizenWaID, "wamid.trace-1", time.Now().UTC(), "Kartu prakerja saya belum aktif")); res.Status != http.StatusOK {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	tid := e.ticketOf("wamid.trace-1")
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		var assignee *int64
		if err := e.check.Raw(`SELECT assignee_id FROM tickets WHERE id = ?`, tid).Scan(&assignee).Error; err != nil {
			return err
		}
		if assignee == nil {
			return fmt.Errorf("ticket %d not assigned yet", tid)
		}
		return nil
	})
	res := e.reply(tid, map[string]any{"body": "Baik, kami cek dulu ya."})
	if res.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	var sent apiMessage
	res.JSON(t, &sent)
	e.waitStatus(tid, sent.ID, "sent")
	// Stop flushes the exporter: every span ended by then is sent.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.app.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	one := func(name string) *tracepb.Span {
		t.Helper()
		got := col.Named(name)
		if len(got) != 1 {
			t.Fatalf("%d spans %q exported, want 1", len(got), name)
		}
		return got[0]
	}
	childOf := func(child, parent *tracepb.Span) {
		t.Helper()
		if apptest.TraceID(child) != apptest.TraceID(parent) || apptest.ParentID(child) != apptest.SpanID(parent) {
			t.Errorf("span %q (trace %s, parent %s) is not a child of %q (trace %s, span %s)", child.GetName(), apptest.TraceID(child),
				apptest.ParentID(child), parent.GetName(), apptest.TraceID(parent), apptest.SpanID(parent))
		}
	}
	intAttr := func(s *tracepb.Span, key string) int64 {
		for _, kv := range s.GetAttributes() {
			if kv.GetKey() == key {
				return kv.GetValue().GetIntValue()
			}
		}
		t.Fatalf("span %q has no attribute %s", s.GetName(), key)
		return 0
	}

	// The citizen's message: webhook → ingest batch → routing decision →
	// the assignment of its ticket.
	hook := one("POST /webhooks/whatsapp")
	batch := one("ingest batch")
	if apptest.TraceID(batch) != apptest.TraceID(hook) {
		t.Errorf("the ingest batch is not in the webhook's trace")
	}
	decision := one("routing decision")
	childOf(decision, batch)
	assign := one("routing assign")
	childOf(assign, decision)
	if got := intAttr(assign, "ticket_id"); got != tid {
		t.Errorf("the assignment names ticket %d, want %d", got, tid)
	}

	// The agent's reply: request → delivery from the outbound stream →
	// the Graph API call.
	reply := one("POST /api/v1/tickets/:id<int>/messages")
	deliver := one("deliver whatsapp")
	childOf(deliver, reply)
	send := one("whatsapp send")
	childOf(send, deliver)
	if got := intAttr(send, "message_id"); got != sent.ID {
		t.Errorf("the Graph send names message %d, want %d", got, sent.ID)
	}
	if apptest.TraceID(reply) == apptest.TraceID(hook) {
		t.Errorf("the reply runs in the citizen's trace: it is a trace of its own")
	}
}

// A ticket that waits in its queue (no agent online) and is assigned later,
// when the agent comes online, is assigned in the agent's request's trace;
// the citizen's trace reaches it too: the ticket kept its message's trace
// while it waited, and the later assignment opens a "routing assign" span
// in each trace, the two linked to each other.
// (Not parallel: the OTEL_* variables are the process's.)
func TestTraceFollowsAWaitingTicketToItsLaterAssignment(t *testing.T) {
	col := apptest.TraceTo(t)

	e := startWA(t)
	if res := e.post(textWebhook(numberA, citizenWaID, "wamid.trace-wait", time.Now().UTC(), "Bantuan sosial belum cair")); res.Status != http.StatusOK {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	tid := e.ticketOf("wamid.trace-wait")
	var kept string
	if err := e.check.Raw(`SELECT COALESCE(wait_trace, '') FROM tickets WHERE id = ? AND assignee_id IS NULL`, tid).Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if kept == "" {
		t.Fatalf("the waiting ticket %d kept no trace", tid)
	}
	if r := e.api.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		var assignee *int64
		if err := e.check.Raw(`SELECT assignee_id FROM tickets WHERE id = ?`, tid).Scan(&assignee).Error; err != nil {
			return err
		}
		if assignee == nil {
			return fmt.Errorf("ticket %d not assigned yet", tid)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.app.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	hooks := col.Named("POST /webhooks/whatsapp")
	presences := col.Named("PUT /api/v1/agents/me/presence")
	batches := col.Named("ingest batch")
	if len(hooks) != 1 || len(presences) != 1 || len(batches) != 1 {
		t.Fatalf("exported %d webhook, %d presence and %d ingest batch spans, want one each", len(hooks), len(presences), len(batches))
	}
	hook, presence, batch := hooks[0], presences[0], batches[0]
	links := func(s *tracepb.Span, to *tracepb.Span) bool {
		for _, l := range s.GetLinks() {
			if hex.EncodeToString(l.GetTraceId()) == apptest.TraceID(to) {
				return true
			}
		}
		return false
	}
	var inCitizen, inAgent *tracepb.Span
	for _, s := range col.Named("routing assign") {
		switch apptest.TraceID(s) {
		case apptest.TraceID(hook):
			inCitizen = s
		case apptest.TraceID(presence):
			inAgent = s
		default:
			t.Errorf("a routing assign span in trace %s, neither the citizen's nor the agent's", apptest.TraceID(s))
		}
	}
	if inCitizen == nil || inAgent == nil {
		t.Fatalf("routing assign in the citizen's trace: %v, in the agent's request's trace: %v; want both", inCitizen != nil, inAgent != nil)
	}
	// In the citizen's trace, under the batch that stored the message.
	if apptest.ParentID(inCitizen) != apptest.SpanID(batch) {
		t.Errorf("the later assignment in the citizen's trace is not under its ingest batch")
	}
	if !links(inCitizen, presence) || !links(inAgent, hook) {
		t.Errorf("the two routing assign spans do not link each other's traces")
	}
	for _, s := range []*tracepb.Span{inCitizen, inAgent} {
		var ticket int64
		for _, kv := range s.GetAttributes() {
			if kv.GetKey() == "ticket_id" {
				ticket = kv.GetValue().GetIntValue()
			}
		}
		if ticket != tid {
			t.Errorf("a routing assign span names ticket %d, want %d", ticket, tid)
		}
	}
}
