package whatsapp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/bus"
	"tanggap/internal/csat"
	"tanggap/internal/locale"
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

// TestSurveyThanksInvitesAReason: the thanks for a tapped rating adds one
// sentence with the survey's link, where the citizen may say why; a
// thanks with no link to offer (the site has no public address) is the
// thanks alone.
func TestSurveyThanksInvitesAReason(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := whatsapp.New(whatsapp.Opts{DB: testenv.DB(t), Log: testenv.Logger(t), AccessToken: g.token, APIBaseURL: g.srv.URL,
		APIVersion: g.version, PhoneNumberID: numberA, RateLimit: 50, Texts: cat})
	ctx := context.Background()
	const link = "https://contoh.go.id/pengaduan/status?csat=tok"
	thanks := cat.T("", "csat.wa_thanks", "rating", 2, "words", cat.T("", "csat.rating_2"))
	for _, c := range []struct {
		name, key, link, want string
	}{
		{"with a link", "wamid.t-1", link, thanks + "\n" + cat.T("", "csat.wa_thanks_comment", "link", link)},
		{"without one", "wamid.t-2", "", thanks},
	} {
		job, _ := json.Marshal(map[string]any{"key": c.key, "phone": "+6281234567890", "rating": 2, "link": c.link})
		if got := a.ThanksJob(ctx, job, 1); got != bus.JobDone {
			t.Fatalf("%s: %v", c.name, got)
		}
		g.mu.Lock()
		last := g.sent[len(g.sent)-1].Body
		g.mu.Unlock()
		body, _ := last["text"].(map[string]any)["body"].(string)
		if body != c.want {
			t.Errorf("%s: thanks %q, want %q", c.name, body, c.want)
		}
	}
	if !strings.Contains(cat.T("", "csat.wa_thanks_comment", "link", link), link) {
		t.Fatal("the invitation does not carry its link")
	}
}
