package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserConsoleTicketSwitchAndTyping: what an agent fills in on one
// ticket never shows on the next, and typing into an opened ticket never
// solves it.
//
// A note begun on ticket A's citizen, the transfer's note and the tag
// being typed stay with ticket A: ticket B opens with them empty and
// without what was said of A's last save ("Catatan tersimpan."), so
// pressing save on B cannot put A's note on B's citizen; back on A they
// are there again. A ticket opened by a click gives the reply box the
// focus (and tells a screen reader which ticket opened): "selamat sore"
// typed then is the reply, and the ticket stays open. Typed with the
// focus on the ticket itself, the "s" only chooses "solved" and the next
// letter takes it back, the whole greeting going to the reply box. The
// "s" shortcut still solves with Enter, and Esc takes it back. On a
// phone, where the opened ticket keeps the focus, the greeting goes to the
// reply box too.
func TestBrowserConsoleTicketSwitchAndTyping(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, cfg := startDemo(t)
	root := newBrowser(t, browser)

	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, api)
	citizen := apptest.NewClient(t, base)
	tnA := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	tnB := citizen.Complaint(map[string]string{"name": "Yusuf", "phone": "081333334444", "category": "lainnya", "description": "Email verifikasi belum masuk."})
	ids := ticketIDs(t, api, tnA, tnB)
	a, b := ids[tnA], ids[tnB]
	// Form complaints used as any ticket: their lifecycle ended, so "s"
	// could solve them at once before.
	for _, id := range []int64{a, b} {
		apptest.Ended(t, cfg, api, id)
	}
	type ticket struct {
		Status    string `json:"status"`
		ContactID int64  `json:"contact_id"`
	}
	get := func(id int64) ticket {
		var d ticket
		api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		return d
	}
	notesOf := func(id int64) string {
		var c struct {
			Notes []struct {
				Body string `json:"body"`
			} `json:"notes"`
		}
		api.Do(http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", get(id).ContactID), nil).JSON(t, &c)
		var all []string
		for _, n := range c.Notes {
			all = append(all, n.Body)
		}
		return strings.Join(all, " | ")
	}
	if get(a).ContactID == get(b).ContactID {
		t.Fatal("the two complaints share a contact")
	}

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.waitLive(t, "both tickets in my list", fmt.Sprintf(`%s && %s`, rowJS(a), rowJS(b)))
	contactShown := func(name string) string {
		return fmt.Sprintf(`!document.getElementById('contact-body').hidden && document.getElementById('contact-name').textContent === %q`, name)
	}

	// --- fields of the details panel go with their ticket -------------------
	sari.open(t, a)
	sari.waitJS(t, "Rina's contact panel", contactShown("Rina"))
	const saved = "Warga minta dihubungi sore hari"
	sari.do(t, "a note on Rina", chromedp.SendKeys(chromedp.ID("contact-note"), saved))
	sari.clickShown(t, "save it", "contact-note-btn")
	sari.waitJS(t, "the note saved", fmt.Sprintf(`document.getElementById('contact-live').textContent === %q
		&& document.getElementById('contact-notes').textContent.includes(%q)`, tx("contact.note_saved"), saved))
	const draft = "Nomor rekening warga ini sudah diganti"
	sari.do(t, "another note begun, a transfer note and a tag typed",
		chromedp.SendKeys(chromedp.ID("contact-note"), draft),
		chromedp.SendKeys(chromedp.ID("transfer-note"), "Mohon dicek bagian rekening"),
		chromedp.SendKeys(chromedp.ID("tags-input"), "bansos"))

	sari.open(t, b)
	sari.waitJS(t, "Yusuf's contact panel, every field empty and nothing said of Rina's note", contactShown("Yusuf")+`
		&& document.getElementById('contact-note').value === ''
		&& document.getElementById('transfer-note').value === ''
		&& document.getElementById('tags-input').value === ''
		&& document.getElementById('contact-live').textContent === ''`)
	sari.clickShown(t, "save on Yusuf", "contact-note-btn")
	sari.waitJS(t, "told to write the note first", fmt.Sprintf(`document.getElementById('contact-note-error').textContent === %q`, tx("contact.note_empty")))
	if got := notesOf(b); got != "" {
		t.Fatalf("Yusuf's contact has notes %q", got)
	}

	sari.open(t, a)
	sari.waitJS(t, "back on Rina, what was begun there is there again, the error said on Yusuf is not",
		fmt.Sprintf(`%s && document.getElementById('contact-note').value === %q
		&& document.getElementById('transfer-note').value === 'Mohon dicek bagian rekening'
		&& document.getElementById('tags-input').value === 'bansos'
		&& document.getElementById('contact-note-error').textContent === ''`, contactShown("Rina"), draft))
	if got := notesOf(a); got != saved {
		t.Errorf("Rina's contact has notes %q, want only %q", got, saved)
	}

	// --- typing into an opened ticket never solves it ------------------------
	sari.open(t, b)
	sari.waitJS(t, "the reply box focused, the ticket said", fmt.Sprintf(`document.activeElement.id === 'reply-body'
		&& document.getElementById('t-announce').textContent.includes(%q)`, tnB))
	sari.do(t, "type a greeting", chromedp.KeyEvent("selamat sore"))
	sari.waitJS(t, "the greeting in the reply box", `document.getElementById('reply-body').value === 'selamat sore'`)
	if st := get(b).Status; st == "solved" {
		t.Fatal("typing a greeting solved the ticket")
	}

	sari.do(t, "empty the box, focus the ticket", clearField("reply-body"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('ticket-detail').focus()`))
	sari.do(t, "type a greeting", chromedp.KeyEvent("selamat sore"))
	sari.waitJS(t, "the greeting in the reply box, the status as stored", `document.getElementById('reply-body').value === 'selamat sore'
		&& document.activeElement.id === 'reply-body'
		&& document.getElementById('t-status-select').value !== 'solved'
		&& document.getElementById('status-live').textContent === ''`)
	if st := get(b).Status; st == "solved" {
		t.Fatal("typing a greeting on the ticket solved it")
	}

	// The shortcut: s chooses, Esc takes it back, Enter saves.
	sari.do(t, "empty the box, focus the ticket, press s", clearField("reply-body"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('ticket-detail').focus()`), chromedp.KeyEvent("s"))
	sari.waitJS(t, "solved chosen, not saved, Enter asked for", fmt.Sprintf(`document.activeElement.id === 't-status-select'
		&& document.getElementById('t-status-select').value === 'solved'
		&& document.getElementById('status-live').textContent === %q`, tx("shortcuts.solve_confirm")))
	sari.do(t, "Esc", chromedp.KeyEvent(kb.Escape))
	sari.waitJS(t, "taken back, the focus on the ticket", `document.activeElement.id === 'ticket-detail'
		&& document.getElementById('t-status-select').value !== 'solved'
		&& document.getElementById('status-live').textContent === ''`)
	if st := get(b).Status; st == "solved" {
		t.Fatal("s then Esc solved the ticket")
	}
	sari.do(t, "s, then Enter", chromedp.KeyEvent("s"))
	sari.waitJS(t, "solved chosen", `document.activeElement.id === 't-status-select' && document.getElementById('t-status-select').value === 'solved'`)
	sari.do(t, "Enter", chromedp.KeyEvent(kb.Enter))
	checkFor(t, asyncWait, func() error {
		if st := get(b).Status; st != "solved" {
			return fmt.Errorf("status %s after s and Enter", st)
		}
		return nil
	})
	sari.waitJS(t, "said as done", fmt.Sprintf(`document.getElementById('status-live').textContent === %q`, tx("console.status_updated")))

	// On a phone the opened ticket keeps the focus (a focused box would
	// bring up the keyboard over the thread); the greeting still goes to
	// the reply box, and the details panel the "s" opened closes again.
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.clickShown(t, "back to the list", "back-btn")
	sari.open(t, a)
	sari.waitJS(t, "the ticket focused", `document.activeElement.id === 'ticket-detail'`)
	sari.do(t, "type a greeting", chromedp.KeyEvent("selamat sore"))
	sari.waitJS(t, "the greeting in the reply box, the details closed", `document.getElementById('reply-body').value === 'selamat sore'
		&& document.activeElement.id === 'reply-body' && !document.getElementById('details-pane').classList.contains('open')`)
	if st := get(a).Status; st == "solved" {
		t.Fatal("typing a greeting on a phone solved the ticket")
	}
	sari.checkConsole(t)
}
