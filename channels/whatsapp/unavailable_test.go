package whatsapp_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"tanggap/channels"
	"tanggap/channels/whatsapp"
	"tanggap/internal/api"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/testenv"
)

// TestWebhookAnswers503WhenTheBusIsDown: without a JetStream ack Meta must
// hear a retryable error, never 200.
func TestWebhookAnswers503WhenTheBusIsDown(t *testing.T) {
	b := testenv.Bus(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	wa := whatsapp.New(whatsapp.Opts{Bus: b, DB: testenv.DB(t), Log: testenv.Logger(t), AppSecret: appSecret, VerifyToken: verifyToken, AccessToken: "x"})
	app := api.New(api.Opts{Log: testenv.Logger(t), Locale: cat, Lang: pages.Lang, Adapters: []channels.Adapter{wa}, BodyLimit: 4 << 20})
	b.NC.Close()

	for _, body := range [][]byte{
		fixture(t, "text"),  // one message
		fixture(t, "multi"), // several messages, a media job and a status
	} {
		req := httptest.NewRequest("POST", "/webhooks/whatsapp", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(appSecret, body))
		res, err := app.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d, want 503 with Retry-After", res.StatusCode)
		}
	}
}
