package whatsapp_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/bus"
	"tanggap/internal/csat"
	"tanggap/internal/testenv"
)

// TestSurveyQuestionRecordedBeforeItGoes: the survey question is recorded
// before it reaches Meta (outbox), so an answer or a crash never meets a
// question nobody recorded; a redelivered job does not ask again, a send
// Meta refused is asked again, and an attempt cut off after its record
// (a crash) is never repeated.
func TestSurveyQuestionRecordedBeforeItGoes(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	d := testenv.DB(t)
	a := whatsapp.New(whatsapp.Opts{DB: d, Log: testenv.Logger(t), AccessToken: g.token, APIBaseURL: g.srv.URL,
		APIVersion: g.version, PhoneNumberID: numberA, RateLimit: 50})
	ctx := context.Background()
	records := func(key string) (n int, wamid string) {
		t.Helper()
		var rows []string
		if err := d.Raw(`SELECT wamid FROM whatsapp_sends WHERE outbound_id = ?`, key).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 {
			wamid = rows[0]
		}
		return len(rows), wamid
	}
	asked := map[string]bool{}
	g.onSend = func(body map[string]any) {
		// Under the fake's lock: which survey is this? The one whose
		// record is pending.
		var keys []string
		if err := d.Raw(`SELECT outbound_id FROM whatsapp_sends WHERE wamid = ''`).Scan(&keys).Error; err != nil || len(keys) != 1 {
			g.violate("question sent with pending records %v (%v): it must be recorded first", keys, err)
			return
		}
		asked[keys[0]] = true
	}
	now := time.Now()
	job := func(id int64) []byte {
		b, _ := json.Marshal(csat.Ask{SurveyID: id, TicketID: id, TrackingNumber: "2026-0001", Token: "tok", Phone: "+6281234567890", LastInboundAt: &now})
		return b
	}

	if got := a.AskJob(ctx, job(7), 1); got != bus.JobDone {
		t.Fatalf("ask: %v", got)
	}
	if n, wamid := records("csat:7"); n != 1 || wamid == "" || !asked["csat:7"] {
		t.Fatalf("record %d %q, asked %v", n, wamid, asked)
	}
	if got := a.AskJob(ctx, job(7), 2); got != bus.JobDone || len(g.sent) != 1 {
		t.Fatalf("redelivered: %v, %d sends", got, len(g.sent))
	}

	// Meta refuses for now: the record is taken back and the retry asks.
	g.mu.Lock()
	g.fail = []graphFailure{serverError}
	g.mu.Unlock()
	if got := a.AskJob(ctx, job(8), 1); got != bus.JobRetry {
		t.Fatalf("refused: %v, want retry", got)
	}
	if n, _ := records("csat:8"); n != 0 {
		t.Fatalf("a refused question keeps %d records", n)
	}
	if got := a.AskJob(ctx, job(8), 2); got != bus.JobDone || len(g.sent) != 2 {
		t.Fatalf("retry: %v, %d sends", got, len(g.sent))
	}

	// An attempt cut off after its record: never asked twice.
	if err := d.Exec(`INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at) VALUES ('csat:9', 0, '', ?, ?)`, numberA, now).Error; err != nil {
		t.Fatal(err)
	}
	if got := a.AskJob(ctx, job(9), 2); got != bus.JobDone || len(g.sent) != 2 {
		t.Fatalf("after a crash: %v, %d sends", got, len(g.sent))
	}
}
