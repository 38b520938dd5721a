package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
)

// TestBrowserWhatsAppOffReply: an installation that ran WhatsApp runs
// without it now. An agent opening an older WhatsApp ticket is told,
// before writing, that WhatsApp is not set up here so a reply cannot
// reach the citizen (the reply box's description, for screen readers,
// too); the box takes an internal note (the reply mode is not offered)
// and no WhatsApp reply window is shown. The reply made while WhatsApp
// ran, never delivered, says it was not sent and why, instead of
// "queued". In Indonesian and in English; screens at 1366×800 and
// 390×844.
func TestBrowserWhatsAppOffReply(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := textsIn(t, "en-US")

	// While WhatsApp ran: Siti wrote, an agent answered. Nothing answers at
	// the Graph address, so the answer is still queued when WhatsApp goes.
	var id int64
	a, _ := apptest.WithoutWhatsApp(t, apptest.Config(t), func(before *app.App) {
		api := apptest.NewClient(t, before.URL())
		api.WhatsApp(apptest.WhatsAppText("6281234567890", "Siti Rahayu", "wamid.off-1", time.Now().Add(-2*time.Hour), "Kartu saya belum aktif"))
		api.Login(apptest.AdminEmail, apptest.AdminPassword)
		id = api.TicketOn("whatsapp", "scope=all")
		if res := api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Kami periksa dulu, Bu Siti."}); res.Status != http.StatusCreated {
			t.Fatalf("a reply while WhatsApp runs: %d %s", res.Status, res.Body)
		}
	})

	// The same installation, without the WhatsApp settings.
	base := a.URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	agent := newTab(t, root)
	agent.instrument(t)
	agent.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	agent.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	signedIn := agent.pageNow(t)

	check := func(tr func(string, ...any) string, lang string) {
		t.Helper()
		agent.selectValue(t, "#scope", "all")
		agent.clickNow(t, lang+": open the WhatsApp ticket", fmt.Sprintf(`#ticket-list [data-ticket-id="%d"]`, id))
		agent.waitJS(t, lang+": the ticket shown", `document.getElementById('t-messages').textContent.includes('Kartu saya belum aktif')`)
		agent.waitJS(t, lang+": the box says, before anything is written, that WhatsApp is not set up", fmt.Sprintf(
			`!document.getElementById('channel-off').hidden && document.getElementById('channel-off').textContent === %s
			&& document.getElementById('reply-body').value === ''
			&& document.getElementById('reply-body').getAttribute('aria-describedby').split(' ').includes('channel-off')`, jsString(tr("channel_off.whatsapp"))))
		agent.waitJS(t, lang+": the box takes notes only", `document.getElementById('mode-reply').closest('label').hidden
			&& document.getElementById('mode-note').checked && !document.getElementById('note-hint').hidden`)
		if !agent.evalBool(t, `document.getElementById('wa-panel').hidden && document.getElementById('wa-buttons-field').hidden`) {
			t.Errorf("%s: the WhatsApp reply window is shown for a channel that is off", lang)
		}
		agent.waitJS(t, lang+": the reply made before says it was not sent, and why", fmt.Sprintf(
			`(m => !!m && !!m.querySelector('.delivery-failed') && m.querySelector('.delivery-failed').textContent === %s
				&& m.querySelector('.msg-error').textContent === %s)
			([...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes('Kami periksa dulu')))`,
			jsString(tr("delivery.failed")), jsString(tr("console.delivery_channel_off", "channel", tr("channel.whatsapp")))))
	}
	check(tx, "id-ID")
	viewShot(t, shots, agent, "wa-off-reply-id")

	// The agent notes what to do instead: a note is taken.
	agent.do(t, "write a note", chromedp.SendKeys(chromedp.ID("reply-body"), "WhatsApp tidak aktif: telepon warga besok pagi."),
		chromedp.Click(chromedp.ID("reply-btn")))
	agent.waitJS(t, "the note in the thread", `[...document.querySelectorAll('#t-messages .msg-note')].some(m => m.textContent.includes('telepon warga besok'))
		&& document.getElementById('reply-body').value === ''`)
	agent.settled(t)
	if got := agent.failedRequestsSince(t, signedIn); len(got) != 0 {
		t.Errorf("the console's failed requests: %v", got)
	}
	// The server agrees: the reply that was queued is failed for the
	// channel being off, and no new reply was stored.
	checkFor(t, 20*time.Second, func() error {
		var d struct {
			Messages []struct {
				Direction      string `json:"direction"`
				DeliveryStatus string `json:"delivery_status"`
				DeliveryError  string `json:"delivery_error"`
			} `json:"messages"`
		}
		adm := apptest.NewClient(t, base)
		adm.Login(apptest.AdminEmail, apptest.AdminPassword)
		adm.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		out := 0
		for _, m := range d.Messages {
			if m.Direction != "out" {
				continue
			}
			out++
			if m.DeliveryStatus != "failed" || m.DeliveryError != "channel_off" {
				return fmt.Errorf("the reply is %s (%q)", m.DeliveryStatus, m.DeliveryError)
			}
		}
		if out != 1 {
			return fmt.Errorf("%d replies stored, want the one made while WhatsApp ran", out)
		}
		return nil
	})

	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	checkFits(t, agent, "the ticket on a phone", 390)
	agent.do(t, "the box in view", scrollTo("composer"))
	viewShot(t, shots, agent, "wa-off-reply-id-390")

	agent.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	agent.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	check(en, "en-US")
	viewShot(t, shots, agent, "wa-off-reply-en")
	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	checkFits(t, agent, "the ticket on a phone, in English", 390)
	agent.do(t, "the box in view", scrollTo("composer"))
	viewShot(t, shots, agent, "wa-off-reply-en-390")
	agent.checkConsole(t)
}
