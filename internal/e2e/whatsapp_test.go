package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserWhatsAppWindow: an agent opens a WhatsApp ticket whose
// citizen last wrote 25 hours ago. The console says the 24-hour window is
// closed, hides free text, and sends an approved template instead; when
// the citizen writes again the window shows open until 24 hours later.
func TestBrowserWhatsAppWindow(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)

	graph := newGraphStandIn(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	post := func(wamid string, at time.Time, text string) {
		api.WhatsApp(apptest.WhatsAppText("6281234567890", "Siti Rahayu", wamid, at, text))
	}
	post("wamid.e2e-in-1", time.Now().Add(-25*time.Hour), "Kartu saya belum aktif")
	// Two more citizens whose windows are shut, for the box's mode when the
	// agent comes back after they wrote again.
	api.WhatsApp(apptest.WhatsAppText("6281234567891", "Budi Santoso", "wamid.e2e-budi-1", time.Now().Add(-25*time.Hour), "Sertifikat pelatihan belum terbit"))
	api.WhatsApp(apptest.WhatsAppText("6281234567892", "Rina Wati", "wamid.e2e-rina-1", time.Now().Add(-25*time.Hour), "Insentif bulan lalu belum masuk"))

	root := newBrowser(t, browser)
	agent := newTab(t, root)
	agent.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	agent.selectValue(t, "#scope", "all")
	rowJS := `[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes('Kartu saya belum aktif'))`
	agent.waitLive(t, "the WhatsApp ticket reaches the list", rowJS+` !== undefined`)
	id := agent.evalString(t, rowJS+`.dataset.ticketId`)
	agent.clickNow(t, "open the ticket", `#ticket-list [data-ticket-id="`+id+`"]`)
	agent.do(t, "the ticket opens", chromedp.WaitVisible(chromedp.ID("ticket-detail")))
	agent.waitJS(t, "window shown", `!document.getElementById('wa-panel').hidden`)
	if got := agent.text(t, "#wa-window"); got != tx("console.wa_window_closed") {
		t.Fatalf("window note %q, want %q", got, tx("console.wa_window_closed"))
	}
	agent.waitJS(t, "outside the window the box writes notes only", `document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-note').checked`)
	agent.waitJS(t, "template form", `!document.getElementById('wa-template-form').hidden && document.getElementById('wa-param-0') !== null`)
	agent.do(t, "send the template",
		chromedp.SendKeys(chromedp.ID("wa-param-0"), "Ibu Siti"),
		chromedp.Click(chromedp.ID("wa-template-btn")),
	)
	outJS := `[...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes('tindak_lanjut') && m.textContent.includes('Ibu Siti'))`
	agent.waitLive(t, "template in the thread, sent", outJS+` !== undefined && `+outJS+`.querySelector('.delivery-sent') !== null`)

	post("wamid.e2e-in-2", time.Now(), "Terima kasih")
	agent.waitLive(t, "window open again", `document.getElementById('wa-window').classList.contains('wa-open')`)
	agent.waitJS(t, "inside the window free text again", `!document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-reply').checked`)
	if got := agent.text(t, "#wa-window"); !strings.HasPrefix(got, strings.Split(tx("console.wa_window_open"), "{")[0]) {
		t.Fatalf("window note %q", got)
	}
	if graph.sent.Load() != 1 {
		t.Fatalf("%d messages sent, want the template only", graph.sent.Load())
	}

	// Inside the window: free text with quick reply buttons.
	agent.do(t, "reply with buttons",
		chromedp.SendKeys(chromedp.ID("reply-body"), "Apakah masalahnya sudah selesai?"),
		chromedp.SendKeys(chromedp.ID("wa-buttons"), "Sudah, Belum"),
		chromedp.Click(chromedp.ID("reply-btn")),
	)
	agent.waitLive(t, "reply sent", `[...document.querySelectorAll('#t-messages .msg-out')].some(m => m.textContent.includes('sudah selesai') && m.querySelector('.delivery-sent'))`)
	body, _ := graph.lastBody.Load().(string)
	if !strings.Contains(body, `"type":"interactive"`) || !strings.Contains(body, `"title":"Sudah"`) || !strings.Contains(body, `"title":"Belum"`) {
		t.Fatalf("reply sent as %s", body)
	}
	if v := agent.evalString(t, `document.getElementById('wa-buttons').value`); v != "" {
		t.Fatalf("buttons field kept %q after sending", v)
	}

	// A ticket visited while its window was shut is answered again once
	// the citizen writes and the agent comes back, unless a note was begun
	// in it.
	open := func(what, text string) {
		t.Helper()
		row := `[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes('` + text + `'))`
		agent.waitLive(t, what+": in the list", row+` !== undefined`)
		tid := agent.evalString(t, row+`.dataset.ticketId`)
		agent.clickNow(t, what, `#ticket-list [data-ticket-id="`+tid+`"]`)
		agent.waitJS(t, what+": shown", `document.getElementById('t-messages').textContent.includes('`+text+`')`)
	}
	noteOnly := `document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-note').checked`
	open("Budi's ticket, window shut", "Sertifikat pelatihan")
	agent.waitJS(t, "Budi's box takes notes only", noteOnly+` && document.getElementById('wa-window').textContent === `+jsString(tx("console.wa_window_closed")))
	open("Rina's ticket, window shut", "Insentif bulan lalu")
	agent.waitJS(t, "Rina's box takes notes only", noteOnly+` && document.getElementById('t-messages').textContent.includes('Insentif bulan lalu')`)
	agent.do(t, "begin a note for Rina", chromedp.SendKeys(chromedp.ID("reply-body"), "Cek data rekening dulu"))
	// Reloaded with the note half written, then Rina writes while her ticket
	// is open: the note stays a note.
	agent.do(t, "reload", chromedp.Reload())
	agent.waitJS(t, "Rina's draft back, as a note", noteOnly+` && document.getElementById('reply-body').value === 'Cek data rekening dulu'`)
	api.WhatsApp(apptest.WhatsAppText("6281234567892", "Rina Wati", "wamid.e2e-rina-2", time.Now(), "Mohon dibantu"))
	agent.waitLive(t, "Rina's window open", `document.getElementById('wa-window').classList.contains('wa-open') && document.getElementById('t-messages').textContent.includes('Mohon dibantu')`)
	agent.waitJS(t, "Rina's begun note stays a note", `!document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-note').checked && document.getElementById('reply-body').value === 'Cek data rekening dulu'`)
	agent.selectValue(t, "#scope", "all") // the list's scope is not kept across a reload
	open("Siti's ticket", "Kartu saya belum aktif")
	agent.waitJS(t, "Siti's box replies", `document.getElementById('mode-reply').checked && document.getElementById('reply-body').value === ''`)
	api.WhatsApp(apptest.WhatsAppText("6281234567891", "Budi Santoso", "wamid.e2e-budi-2", time.Now(), "Halo, ada kabar?"))
	open("Budi's ticket, window open again", "Sertifikat pelatihan")
	agent.waitLive(t, "Budi's window open", `document.getElementById('wa-window').classList.contains('wa-open') && document.getElementById('t-messages').textContent.includes('ada kabar')`)
	agent.waitJS(t, "Budi's box replies again", `!document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-reply').checked`)
	open("Rina's ticket again", "Insentif bulan lalu")
	agent.waitJS(t, "Rina's note is still a note", `document.getElementById('mode-note').checked && document.getElementById('reply-body').value === 'Cek data rekening dulu'`)
	agent.checkConsole(t)
}
