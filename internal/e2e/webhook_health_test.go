package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/channels/whatsapp"
	"tanggap/internal/apptest"
)

// TestBrowserWebhookHealth: WhatsApp's app secret was changed at Meta and
// not here. One delivery was accepted before; now every one is refused for
// its signature. An admin opens the refused deliveries' section by
// keyboard and reads, per channel, how many were refused in the last day
// (since the start of its oldest whole hour, which the column names),
// when the last was and why in words — which setting to check —, that
// nothing was accepted since, and when the last accepted delivery came;
// the telephony channel with nothing refused says so. The table is
// reached by Tab. In Indonesian and in English, at 1366×800 and 390×844.
func TestBrowserWebhookHealth(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := textsIn(t, "en-US")
	graph := newGraphStandIn(t)
	cfg := demoConfig(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	api.WhatsApp(apptest.WhatsAppText("6281234567890", "Siti Rahayu", "wamid.health-ok", time.Now(), "Kartu saya belum aktif"))
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{}})
	for range 3 {
		res := api.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", string(body),
			map[string]string{"X-Hub-Signature-256": whatsapp.Sign("the-new-secret", body)})
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("a delivery signed with another secret: %d %s", res.Status, res.Body)
		}
	}
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	var since time.Time // where the count starts
	checkFor(t, 10*time.Second, func() error {
		var h struct {
			Channels []struct {
				Channel string `json:"channel"`
				Refused int64  `json:"refused"`
			} `json:"channels"`
			Since time.Time `json:"refused_since"`
		}
		api.Do(http.MethodGet, "/api/v1/admin/webhooks", nil).JSON(t, &h)
		since = h.Since
		for _, c := range h.Channels {
			if c.Channel == "whatsapp" && c.Refused == 3 {
				return nil
			}
		}
		return fmt.Errorf("summary %+v", h)
	})

	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	check := func(lang string, tr func(string, ...any) string) {
		t.Helper()
		adm.waitJS(t, lang+": the admin screen drawn", `!!document.getElementById('admin-nav-refused')`)
		adm.do(t, lang+": to the refused deliveries by keyboard", chromedp.Focus("#admin-nav-refused"), chromedp.KeyEvent(kb.Enter))
		adm.waitJS(t, lang+": per channel, the count, the reason in words, nothing since, the last accepted", fmt.Sprintf(`(() => {
			const wa = document.querySelector('#admin-webhooks tr[data-webhook="whatsapp"]');
			const voice = document.querySelector('#admin-webhooks tr[data-webhook="voice"]');
			if (!wa || !voice) { return false; }
			const c = (r) => [...r.cells].map((x) => x.textContent);
			const w = c(wa), v = c(voice);
			return w[0] === 'WhatsApp' && w[1] === '3' && w[2] !== %[1]q && w[3] === %[2]q + ' ' + %[3]q && w[4] !== %[4]q
				&& v[1] === '0' && v[2] === %[1]q && v[3] === '—' && v[4] === %[4]q
				&& [%[5]q, %[6]q].includes(document.querySelector('#admin-webhooks thead tr').cells[1].textContent);
		})()`, tr("webhooks.none"), tr("webhooks.reason_signature_whatsapp"), tr("webhooks.stuck"), tr("webhooks.never"),
			// The count's start as the page writes a time; an hour later
			// if an hour began since the summary above was read.
			tr("webhooks.col_refused_since", "since", adm.evalString(t, fmt.Sprintf(`Tanggap.formatDate(%q)`, since.Format(time.RFC3339)))),
			tr("webhooks.col_refused_since", "since", adm.evalString(t, fmt.Sprintf(`Tanggap.formatDate(%q)`, since.Add(time.Hour).Format(time.RFC3339))))))
		reached := false
		for range 12 {
			adm.do(t, lang+": Tab", chromedp.KeyEvent(kb.Tab))
			if adm.evalBool(t, `!!document.activeElement && !!document.activeElement.querySelector('#admin-webhooks')`) {
				reached = true
				break
			}
		}
		if !reached {
			t.Errorf("%s: the webhook table is not reached by Tab from the section's button", lang)
		}
		adm.scrollTo(t, "webhook-health")
		viewShot(t, shots, adm, "webhook-health-"+lang)
		adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
		checkFits(t, adm, lang+": the webhook health on a phone", 390)
		adm.scrollTo(t, "webhook-health")
		viewShot(t, shots, adm, "webhook-health-"+lang+"-390")
		adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	}
	check("id-ID", tx)
	adm.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-tabs")))
	adm.openBoard(t)
	check("en-US", en)
	adm.checkConsole(t)
}
