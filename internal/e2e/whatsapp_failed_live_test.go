package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// waFailed is Meta's "failed" status of a reply, with its error.
func waFailed(waID, wamid string, at time.Time, code int, title, details string) map[string]any {
	v := waStatus(waID, wamid, "failed", at)
	v["statuses"].([]any)[0].(map[string]any)["errors"] = []any{map[string]any{"code": code, "title": title, "message": title,
		"error_data": map[string]any{"details": details}}}
	return v
}

// TestBrowserWhatsAppFailedLive: an agent's WhatsApp reply goes out, then
// Meta reports it failed, with its error. The open console marks it
// "Gagal" and says why at once, from the event alone (no reload, no
// re-read of the ticket): a reason an agent can act on in words (past the
// 24-hour window: send a template), any other as WhatsApp gave it. In
// Indonesian and in English; screens at 1366×800 and 390×844.
func TestBrowserWhatsAppFailedLive(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := textsIn(t, "en-US")
	graph := newGraphStandIn(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	citizen := apptest.NewClient(t, base)
	const waID = "6281234567890"
	citizen.WhatsApp(apptest.WhatsAppText(waID, "Siti Rahayu", "wamid.failed-1", time.Now(), "Kartu saya belum aktif"))
	api := apptest.NewClient(t, base)
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := api.TicketOn("whatsapp", "scope=all")

	root := newBrowser(t, browser)
	shots := newShots(t)
	agent := newTab(t, root)
	agent.instrument(t)
	agent.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))

	// fail replies on the open ticket, lets Meta fail it with its error,
	// and checks the thread says why with no reload or re-read.
	fail := func(lang, reply string, code int, title, details, want string) {
		t.Helper()
		agent.waitJS(t, lang+": socket open", socketOpenJS)
		agent.keepMark(t)
		replied := agent.pageNow(t)
		agent.do(t, lang+": reply on WhatsApp", chromedp.SendKeys(chromedp.ID("reply-body"), reply), chromedp.Click(chromedp.ID("reply-btn")))
		outJS := fmt.Sprintf(`[...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes(%s))`, jsString(reply))
		agent.waitLive(t, lang+": the reply sent", outJS+` !== undefined && `+outJS+`.querySelector('.delivery-sent') !== null`)
		wamid := fmt.Sprintf("wamid.e2e-%d", graph.sent.Load())
		// The reply's own frames may have the console read the ticket:
		// they are in, and their reads done, before Meta's status comes.
		agent.frameNow(t, lang+": the reply's frame", replied, fmt.Sprintf(`f.event === 'message.created' && f.ticket_id === %d && f.direction === 'out'`, id))
		agent.frameNow(t, lang+": the reply's sent frame", replied, fmt.Sprintf(`f.event === 'message.updated' && f.ticket_id === %d && f.status === 'sent'`, id))
		agent.settled(t)
		mark := agent.pageNow(t)
		citizen.WhatsApp(waFailed(waID, wamid, time.Now(), code, title, details))
		agent.waitLive(t, lang+": the reply failed, and why", fmt.Sprintf(`(m => m.querySelector('.delivery-failed') !== null
			&& m.querySelector('.delivery-failed').textContent === %s
			&& m.querySelector('.msg-error') !== null && m.querySelector('.msg-error').textContent === %s)(%s)`,
			jsString(map[string]func(string, ...any) string{"id-ID": tx, "en-US": en}[lang]("delivery.failed")), jsString(want), outJS))
		read := agent.frameNow(t, lang+": the failed frame", mark, fmt.Sprintf(`f.event === 'message.updated' && f.ticket_id === %d && f.status === 'failed'`, id))
		for _, u := range agent.requestsSince(t, read, "/api/v1/tickets/") {
			if strings.HasSuffix(u, fmt.Sprintf("/api/v1/tickets/%d", id)) {
				t.Errorf("%s: the failure re-read the ticket (%s); the event carries its reason", lang, u)
			}
		}
		agent.checkNoReload(t)
	}

	agent.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	agent.selectValue(t, "#scope", "all")
	agent.open(t, id)
	fail("id-ID", "Kami periksa dulu, Bu Siti.", 131047, "Re-engagement message",
		"Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
		tx("console.delivery_error", "error", tx("delivery_reason.whatsapp_131047")))
	viewShot(t, shots, agent, "wa-failed-live-id")
	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	checkFits(t, agent, "the failed reply on a phone", 390)
	agent.do(t, "the box in view", scrollTo("composer"))
	viewShot(t, shots, agent, "wa-failed-live-id-390")

	agent.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	agent.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	agent.selectValue(t, "#scope", "all")
	agent.open(t, id)
	// A code without words of its own reads as WhatsApp gave it.
	fail("en-US", "Please send the photo again.", 131053, "Media upload error", "Unable to upload the media used in the message.",
		en("console.delivery_error", "error", "WhatsApp error 131053: Media upload error (Unable to upload the media used in the message.)"))
	viewShot(t, shots, agent, "wa-failed-live-en")
	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	checkFits(t, agent, "the failed reply on a phone, in English", 390)
	agent.do(t, "the box in view", scrollTo("composer"))
	viewShot(t, shots, agent, "wa-failed-live-en-390")
	agent.checkConsole(t)
}
