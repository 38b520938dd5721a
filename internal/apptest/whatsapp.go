package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/app"
	"tanggap/internal/config"
)

// WhatsAppUnanswered are WhatsApp settings (app secret "secret", phone
// number id 1065) whose Graph address never answers: a reply made while
// they are in force stays queued.
func WhatsAppUnanswered() config.WhatsApp {
	return config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: "http://127.0.0.1:9", APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
}

// WithoutWhatsApp is an installation that ran WhatsApp and runs without
// it now: cfg starts with WhatsAppUnanswered, ran does there what
// happened while WhatsApp ran (a citizen writes, an agent answers), then
// the same installation (database and bus) starts again without the
// WhatsApp settings until the test ends. It returns that app and its
// configuration.
func WithoutWhatsApp(t testing.TB, cfg config.Config, ran func(before *app.App)) (*app.App, config.Config) {
	t.Helper()
	cfg.WhatsApp = WhatsAppUnanswered()
	before := Start(t, cfg)
	ran(before)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Stopped now, so that the next start has the state to itself; its
	// cleanup's second Stop does nothing.
	if err := before.Stop(ctx); err != nil {
		t.Fatalf("apptest: stop the installation with WhatsApp: %v", err)
	}
	cfg.WhatsApp = config.WhatsApp{}
	return Start(t, cfg), cfg
}

// WhatsApp delivers one webhook change value the way Meta does (signed
// with the app secret of WhatsAppUnanswered and the e2e Graph stand-in,
// to phone number id 1065) and fails the test unless the app accepts it.
func (c *Client) WhatsApp(value map[string]any) {
	c.T.Helper()
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]any{"phone_number_id": "1065"}
	body, err := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "1",
		"changes": []any{map[string]any{"field": "messages", "value": value}}}}})
	if err != nil {
		c.T.Fatalf("apptest: encode: %v", err)
	}
	res := c.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", string(body),
		map[string]string{"X-Hub-Signature-256": whatsapp.Sign("secret", body)})
	if res.Status != http.StatusOK {
		c.T.Fatalf("apptest: WhatsApp webhook: %d %s", res.Status, res.Body)
	}
}

// WhatsAppText is a citizen's text message from waID, a webhook change
// value for Client.WhatsApp.
func WhatsAppText(waID, name, wamid string, at time.Time, text string) map[string]any {
	return map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": waID}},
		"messages": []any{map[string]any{"from": waID, "id": wamid, "timestamp": fmt.Sprint(at.Unix()),
			"type": "text", "text": map[string]any{"body": text}}},
	}
}
