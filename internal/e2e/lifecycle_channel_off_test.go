package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
)

// TestBrowserLifecyclePublishOnAChannelOff: a complaint that came by
// WhatsApp, answered by its unit, on an installation that runs without
// WhatsApp now. The supervisor publishing the follow-up is told under the
// button, as an error in words and sign, that WhatsApp is not set up
// here, the step was not recorded and what would let it go on; the
// complaint stays answered (no follow-up step) on the screen and on the
// server. In Indonesian and in English; screens
// at 1366×800 and 390×844.
func TestBrowserLifecyclePublishOnAChannelOff(t *testing.T) {
	browser := findBrowser(t)
	cfg := apptest.Config(t)
	cfg.Complaint.Units = []config.ComplaintUnit{{Code: "unit-insentif", Name: "Divisi Insentif"}}
	a, _ := apptest.WithoutWhatsApp(t, cfg, func(before *app.App) {
		apptest.NewClient(t, before.URL()).WhatsApp(apptest.WhatsAppText("6281298765432", "Siti Rahayu", "wamid.lc-off-1", time.Now(),
			"Saya mau mengadu: insentif saya belum cair."))
	})
	base := a.URL()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := admin.TicketOn("whatsapp", "scope=all")
	complaintPath := fmt.Sprintf("/api/v1/tickets/%d/complaint", id)
	if res := admin.Do(http.MethodPost, complaintPath, map[string]string{"kind": "pengaduan", "category": "insentif"}); res.Status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", res.Status, res.Body)
	}
	for _, step := range []struct {
		action string
		body   map[string]string
	}{
		{"verify", nil},
		{"dispose", map[string]string{"unit": "unit-insentif", "note": "Mohon dicek."}},
		{"answer", map[string]string{"answer": "Insentif Anda sudah dicairkan."}},
	} {
		if res := admin.Do(http.MethodPost, complaintPath+"/"+step.action, step.body); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, res.Status, res.Body)
		}
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	staff := newTab(t, root)
	staff.instrument(t)
	staff.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	publish := func(tr func(string, ...any) string, lang string) {
		t.Helper()
		staff.do(t, lang+": open the ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
		staff.waitJS(t, lang+": the complaint answered, publishing offered", `document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'answered'
			&& !!document.querySelector('#lc-action option[value="publish"]')`)
		staff.selectValue(t, "#lc-action", "publish")
		staff.do(t, lang+": publish", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
		staff.waitJS(t, lang+": the refusal under the button, as an error", fmt.Sprintf(`document.getElementById('lifecycle-mount').getAttribute('aria-busy') !== 'true'
			&& (s => !!s && s.textContent === '⚠ ' + %s && s.classList.contains('form-status-error'))(document.getElementById('lc-status'))`,
			jsString(tr(complaint.StepChannelOffKey("whatsapp")))))
		if !staff.evalBool(t, `document.getElementById('lc-stage').dataset.stage === 'answered' && !document.querySelector('#lc-steps [data-step="published"]')`) {
			t.Errorf("%s: the panel shows the follow-up published", lang)
		}
		var v struct {
			Stage string `json:"stage"`
		}
		admin.Do(http.MethodGet, complaintPath, nil).JSON(t, &v)
		if v.Stage != "answered" {
			t.Errorf("%s: the refused follow-up moved the complaint to %s", lang, v.Stage)
		}
	}
	shoot := func(name string) {
		t.Helper()
		staff.do(t, "the panel's form in view", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').scrollIntoView({block: 'center'})`))
		viewShot(t, shots, staff, name)
		staff.do(t, "a phone", chromedp.EmulateViewport(390, 844))
		checkFits(t, staff, "the ticket on a phone", 390)
		// The details, the panel among them, are behind a button on a phone.
		staff.waitJS(t, "details behind a button on a phone", `document.getElementById('details-btn').offsetParent !== null`)
		staff.do(t, "open the details", chromedp.Evaluate[chromedp.Void](`document.getElementById('details-btn').click()`))
		staff.waitJS(t, "the refusal laid out", `document.getElementById('lc-status').offsetParent !== null`)
		checkFits(t, staff, "the panel on a phone", 390)
		staff.do(t, "the refusal in view", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-status').scrollIntoView({block: 'center'})`))
		viewShot(t, shots, staff, name+"-390")
		staff.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	}
	publish(texts(t), "id-ID")
	shoot("lifecycle-channel-off-id")
	staff.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	publish(textsIn(t, "en-US"), "en-US")
	shoot("lifecycle-channel-off-en")
	staff.checkConsole(t)
}
