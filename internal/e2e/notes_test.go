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

// TestBrowserNotesMentionsAndCanned is issue 14's "note with mention →
// the other agent is notified; / picker inserts a filled canned reply":
// Budi writes an internal note mentioning Sari on a ticket of their queue;
// Sari's console, open on another screen, shows the notification in the
// bell with no reload (the push socket), and her list opens the ticket.
// The note is labelled as internal in the thread. Budi then types "/sal"
// in the reply box: the picker lists his canned reply, the keyboard picks
// it, and the box holds the reply with the citizen's name and tracking
// number filled in. Screens at 1366×800 and 390×844.
func TestBrowserNotesMentionsAndCanned(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, demoConfig(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)

	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina Marlina", "phone": "081311117777", "category": "lainnya",
		"description": "Insentif kedua saya belum masuk ke rekening."})
	budiAPI := apptest.NewClient(t, base)
	budiAPI.Login("budi@tanggap.example", "demo-budi-2026")
	id := ticketIDs(t, budiAPI, tn)[tn]
	if r := budiAPI.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam pembuka", "shortcut": "salam",
		"body": "Selamat siang {{citizen_name}}, pengaduan {{tracking_number}} sedang kami periksa. Salam, {{agent_name}}"}); r.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", r.Status, r.Body)
	}

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "socket open", socketOpenJS)
	sari.waitJS(t, "no notification yet", `document.getElementById('bell-count').hidden`)

	budi := newTab(t, root)
	budi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	budi.signIn(t, base+"/console?lang=id-ID", "budi@tanggap.example", "demo-budi-2026")
	budi.selectValue(t, "#scope", "queue")
	budi.waitJS(t, "the ticket listed", rowJS(id))
	budi.open(t, id)

	// --- the note with a mention ---------------------------------------------
	const note = "@sari mohon cek rekening warga ini di bank penyalur"
	budi.do(t, "switch to an internal note", chromedp.Click(chromedp.ID("mode-note")))
	budi.waitJS(t, "note mode shown", fmt.Sprintf(`document.getElementById('reply-body-label').textContent === %q
		&& !document.getElementById('note-hint').hidden && document.getElementById('reply-btn').textContent === %q`,
		tx("notes.note_label"), tx("notes.send")))
	budi.waitJS(t, "who can be mentioned", `document.getElementById('note-mentions').textContent.includes('@sari')`)
	budi.do(t, "write the note", chromedp.SendKeys(chromedp.ID("reply-body"), note))
	shots.take(t, budi, "60-note-compose-laptop")
	budi.do(t, "save it", chromedp.Click(chromedp.ID("reply-btn")))
	budi.waitJS(t, "the note in the thread, labelled", fmt.Sprintf(`[...document.querySelectorAll('#t-messages .msg-note')].some(m =>
		m.textContent.includes(%q) && m.querySelector('.note-badge') && m.querySelector('.note-badge').textContent.includes(%q))`, note, tx("notes.badge")))
	budi.waitJS(t, "told who was notified", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %q`,
		tx("notes.saved_mentions", "names", "Sari")))

	sari.waitLive(t, "the bell counts one unread", `document.getElementById('bell-count').textContent === '1' && !document.getElementById('bell-count').hidden`)
	if got := sari.attr(t, "#bell-btn", "aria-label"); got != tx("notes.bell_unread", "count", 1) {
		t.Errorf("bell label %q", got)
	}
	if got := sari.text(t, "#bell-live"); !strings.Contains(got, "Budi") {
		t.Errorf("the new notification is not announced: %q", got)
	}
	sari.do(t, "open the bell", chromedp.Click(chromedp.ID("bell-btn")))
	sari.waitJS(t, "the notification listed", fmt.Sprintf(`!document.getElementById('bell-panel').hidden
		&& document.querySelector('#bell-list .bell-unread') && document.querySelector('#bell-list .bell-unread').textContent.includes(%q)`,
		tx("notes.mentioned_you", "actor", "Budi", "tn", tn)))
	shots.take(t, sari, "61-bell-laptop")
	sari.do(t, "open the ticket from it", chromedp.Click(chromedp.CSS("#bell-list .bell-unread")))
	sari.waitJS(t, "the ticket with the note", fmt.Sprintf(`location.hash === '#ticket-%d' && %s`, id, threadHasJS(note)))
	sari.waitJS(t, "read", `document.getElementById('bell-count').hidden`)

	// --- the note mode stays with its ticket -----------------------------------
	// Another ticket opens on a reply to its citizen, not on a note begun
	// elsewhere; back on the first, the note mode is as it was left.
	tn2 := citizen.Complaint(map[string]string{"name": "Joko Susilo", "phone": "081311118888", "category": "lainnya",
		"description": "Sertifikat pelatihan saya belum terbit."})
	id2 := ticketIDs(t, budiAPI, tn2)[tn2]
	budi.waitJS(t, "the second ticket listed", rowJS(id2))
	budi.open(t, id2)
	budi.waitJS(t, "a reply, not a note, on the other ticket", `document.getElementById('mode-reply').checked
		&& document.getElementById('note-hint').hidden && !document.getElementById('composer').classList.contains('composer-note')`)
	budi.open(t, id)
	budi.waitJS(t, "the note mode back on the first", `document.getElementById('mode-note').checked && !document.getElementById('note-hint').hidden`)
	// A note half written, and the page reloaded: the draft comes back as
	// the note it was, never as a reply.
	budi.do(t, "half a note", chromedp.SendKeys(chromedp.ID("reply-body"), "Catatan belum selesai"))
	budi.do(t, "reload", chromedp.Reload())
	budi.waitJS(t, "the draft back, as a note", fmt.Sprintf(`location.hash === '#ticket-%d' && document.getElementById('reply-body').value === 'Catatan belum selesai'
		&& document.getElementById('mode-note').checked && document.getElementById('composer').classList.contains('composer-note')`, id))
	budi.do(t, "clear it", clearField("reply-body"))

	// --- the "/" picker ---------------------------------------------------------
	budi.do(t, "back to replying", chromedp.Click(chromedp.ID("mode-reply")))
	budi.do(t, "type /sal", chromedp.SendKeys(chromedp.ID("reply-body"), "/sal"))
	budi.waitJS(t, "the picker lists the reply", `!document.getElementById('canned-list').hidden
		&& document.getElementById('reply-body').getAttribute('aria-haspopup') === 'listbox' && !document.getElementById('canned-list').hidden
		&& document.querySelector('#canned-list [role=option][aria-selected=true]')
		&& document.getElementById('reply-body').getAttribute('aria-activedescendant') === document.querySelector('#canned-list [aria-selected=true]').id
		&& document.querySelector('#canned-list [aria-selected=true]').textContent.includes('Salam pembuka')`)
	shots.take(t, budi, "62-canned-picker-laptop")
	budi.do(t, "Esc closes it", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Escape))
	budi.waitJS(t, "picker closed", `document.getElementById('canned-list').hidden && document.getElementById('reply-body').value === '/sal'`)
	budi.do(t, "type on: it opens again", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Backspace+"l"))
	budi.waitJS(t, "picker open again", `!document.getElementById('canned-list').hidden`)
	budi.do(t, "Enter inserts", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Enter))
	want := "Selamat siang Rina Marlina, pengaduan " + tn + " sedang kami periksa. Salam, Budi"
	// Said with what the box holds, should it ever differ.
	checkFor(t, asyncWait, func() error {
		got := budi.evalString(t, `JSON.stringify([document.getElementById('reply-body').value, document.getElementById('canned-list').hidden])`)
		if got != fmt.Sprintf(`[%q,true]`, want) {
			return fmt.Errorf("the reply box and whether the picker is hidden: %s", got)
		}
		return nil
	})
	if got := budi.text(t, "#canned-status"); got != tx("canned.inserted", "title", "Salam pembuka") {
		t.Errorf("canned status %q", got)
	}
	budi.do(t, "send it", chromedp.Click(chromedp.ID("reply-btn")))
	budi.waitJS(t, "the reply in the thread", threadHasJS(want)+` && document.getElementById('reply-body').value === ''`)

	// --- phones ------------------------------------------------------------------
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.do(t, "open the bell", chromedp.Click(chromedp.ID("bell-btn")))
	sari.waitJS(t, "bell panel open", `!document.getElementById('bell-panel').hidden`)
	if w := sari.evalString(t, `String(document.getElementById('bell-panel').getBoundingClientRect().right <= 390 && document.documentElement.scrollWidth <= 390)`); w != "true" {
		t.Errorf("the bell panel does not fit a 390 px screen")
	}
	shots.take(t, sari, "63-bell-phone")
	budi.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	budi.do(t, "note mode", chromedp.Click(chromedp.ID("mode-note")))
	budi.do(t, "type /", chromedp.Click(chromedp.ID("mode-reply")), chromedp.SendKeys(chromedp.ID("reply-body"), "/"))
	budi.waitJS(t, "picker open", `!document.getElementById('canned-list').hidden`)
	if w := budi.evalString(t, `String(document.documentElement.scrollWidth <= 390)`); w != "true" {
		t.Errorf("the reply box with the picker does not fit a 390 px screen")
	}
	shots.take(t, budi, "64-canned-picker-phone")
	sari.checkConsole(t)
	budi.checkConsole(t)
}
