package app_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"tanggap/internal/apptest"
)

// With OTEL_EXPORTER_OTLP_ENDPOINT set, one trace runs from the citizen's
// form submission through JetStream to the ingest commit and the routing
// decision, and another from the agent's reply to the channel's send.
// (Not parallel: the OTEL_* variables are the process's.)
func TestTraceFollowsAMessageAcrossNATS(t *testing.T) {
	col := apptest.TraceTo(t)

	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	console, _ := openPushSocket(t, a.URL(), http.Header{"Authorization": {"Bearer " + admin.Token}})
	console.wait("hello", func(f map[string]json.RawMessage) bool { return string(f["type"]) == `"hello"` })
	id := fileComplaint(t, admin, "Sertifikat pelatihan belum terbit")
	console.wait("message.created", func(f map[string]json.RawMessage) bool { return string(f["event"]) == `"message.created"` })
	if res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Sedang kami periksa."}); res.Status >= 300 {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	// Stop flushes the exporter: every span ended by then is sent.
	waitSpans := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for ctx.Err() == nil && len(col.Named("deliver webform")) == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitSpans()
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Stop(stop); err != nil {
		t.Fatal(err)
	}

	one := func(name string) *tracepb.Span {
		t.Helper()
		got := col.Named(name)
		if len(got) == 0 {
			t.Fatalf("no span %q exported", name)
		}
		return got[0]
	}
	form := one("POST /api/v1/complaints")
	batch := one("ingest batch")
	decision := one("routing decision")
	if hex.EncodeToString(batch.GetTraceId()) != hex.EncodeToString(form.GetTraceId()) {
		t.Errorf("the ingest batch is not in the form submission's trace")
	}
	if hex.EncodeToString(batch.GetParentSpanId()) != hex.EncodeToString(form.GetSpanId()) {
		t.Errorf("the ingest batch's parent is not the submission's span")
	}
	if hex.EncodeToString(decision.GetParentSpanId()) != hex.EncodeToString(batch.GetSpanId()) {
		t.Errorf("the routing decision is not a child of the ingest batch")
	}
	// The push of the citizen's message to the console is in the same
	// trace, under the ingest batch.
	pushed := false
	for _, p := range col.Named("console push") {
		if hex.EncodeToString(p.GetTraceId()) == hex.EncodeToString(form.GetTraceId()) {
			pushed = true
			if hex.EncodeToString(p.GetParentSpanId()) != hex.EncodeToString(batch.GetSpanId()) {
				t.Errorf("a console push of the submission is not a child of the ingest batch")
			}
		}
	}
	if !pushed {
		t.Errorf("no console push in the form submission's trace")
	}
	reply := one("POST /api/v1/tickets/:id<int>/messages")
	send := one("deliver webform")
	if hex.EncodeToString(send.GetTraceId()) != hex.EncodeToString(reply.GetTraceId()) ||
		hex.EncodeToString(send.GetParentSpanId()) != hex.EncodeToString(reply.GetSpanId()) {
		t.Errorf("the channel's send is not a child of the agent's reply request")
	}
}
