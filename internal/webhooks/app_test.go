package webhooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
	"tanggap/internal/webhooks"
)

type health struct {
	Channels []struct {
		Channel        string     `json:"channel"`
		Refused        int64      `json:"refused"`
		LastRefusedAt  *time.Time `json:"last_refused_at"`
		LastReason     string     `json:"last_reason"`
		LastAcceptedAt *time.Time `json:"last_accepted_at"`
	} `json:"channels"`
	Since time.Time `json:"refused_since"`
}

// TestRefusedWebhooksShowToAdmins: two instances share the database. A
// WhatsApp delivery is accepted on one; deliveries signed with a wrong app
// secret are refused on both, and a telephony request without its
// signature on one. The admin summary, read on either instance, counts
// the refusals of both per channel with the last one's reason, and the
// last accepted delivery's time.
func TestRefusedWebhooksShowToAdmins(t *testing.T) {
	t.Parallel()
	wa := config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: "http://127.0.0.1:9", APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
	a, b, _ := apptest.StartTwoWith(t, func(a, b *config.Config) { a.WhatsApp, b.WhatsApp = wa, wa })
	onA, onB := apptest.NewClient(t, a.URL()), apptest.NewClient(t, b.URL())

	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "1",
		"changes": []any{map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
			"metadata": map[string]any{"phone_number_id": "1065"},
			"contacts": []any{map[string]any{"profile": map[string]any{"name": "Siti"}, "wa_id": "6281234567890"}},
			"messages": []any{map[string]any{"from": "6281234567890", "id": "wamid.health-1", "timestamp": fmt.Sprint(time.Now().Unix()),
				"type": "text", "text": map[string]any{"body": "Halo"}}}}}}}}})
	post := func(c *apptest.Client, secret string, want int) {
		t.Helper()
		res := c.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", string(body),
			map[string]string{"X-Hub-Signature-256": whatsapp.Sign(secret, body)})
		if res.Status != want {
			t.Fatalf("webhook signed with %q: %d %s, want %d", secret, res.Status, res.Body, want)
		}
	}
	accepted := time.Now()
	post(onA, "secret", http.StatusOK)
	refusedFrom := time.Now()
	post(onA, "an-old-secret", http.StatusUnauthorized)
	post(onB, "an-old-secret", http.StatusUnauthorized)
	post(onB, "an-old-secret", http.StatusUnauthorized)
	if res := onB.Raw(http.MethodPost, "/webhooks/voice/incoming", "application/x-www-form-urlencoded", "CallSid=CA1&From=%2B6281234567890", nil); res.Status != http.StatusForbidden {
		t.Fatalf("unsigned voice webhook: %d %s", res.Status, res.Body)
	}

	for _, c := range []*apptest.Client{onA, onB} {
		c.Login(apptest.AdminEmail, apptest.AdminPassword)
		testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
			var h health
			if res := c.Do(http.MethodGet, "/api/v1/admin/webhooks", nil); res.Status != http.StatusOK {
				return fmt.Errorf("summary: %d %s", res.Status, res.Body)
			} else {
				res.JSON(t, &h)
			}
			if len(h.Channels) != 2 || h.Since.IsZero() || time.Since(h.Since) > webhooks.Recent || time.Since(h.Since) < webhooks.Recent-time.Hour {
				return fmt.Errorf("summary %+v", h)
			}
			v, w := h.Channels[0], h.Channels[1]
			if w.Channel != "whatsapp" || w.Refused != 3 || w.LastReason != webhooks.ReasonSignature ||
				w.LastRefusedAt == nil || w.LastRefusedAt.Before(refusedFrom.Add(-time.Second)) ||
				w.LastAcceptedAt == nil || w.LastAcceptedAt.Before(accepted.Add(-time.Second)) || w.LastAcceptedAt.After(refusedFrom.Add(time.Second)) {
				return fmt.Errorf("whatsapp %+v", w)
			}
			if v.Channel != "voice" || v.Refused != 1 || v.LastReason != webhooks.ReasonSignature || v.LastAcceptedAt != nil {
				return fmt.Errorf("voice %+v", v)
			}
			return nil
		})
	}
}
