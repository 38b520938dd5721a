package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
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
// number filled in. The reply box is a combobox that says whether its list
// is open; what the picker and the sending said is taken back once it no
// longer holds (sent, the mode switched). The canned-reply screen, open in
// the list's column, shows each reply as a card that fits the column, and
// the use just counted. Screens at 1366×800 and 390×844.
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

	// --- the canned-reply screen in the list's column -----------------------------
	// Each reply a card within the column (no table wider than it, nothing
	// behind a sideways scroll), its use count at 0.
	budi.clickNow(t, "open the canned-reply screen", "#canned-admin-title")
	budi.waitJS(t, "the reply listed, not used yet", `(c => c && c.textContent === '0')(document.querySelector('#canned-admin-table td[data-uses]'))`)
	budi.waitJS(t, "the table fits its column", `((m, tb) => tb.getBoundingClientRect().right <= m.getBoundingClientRect().right + 1
		&& tb.parentElement.scrollWidth <= tb.parentElement.clientWidth
		&& getComputedStyle(tb.querySelector('tbody tr')).display === 'block'
		&& [...tb.querySelectorAll('tbody td')].every(c => c.getBoundingClientRect().right <= m.getBoundingClientRect().right + 1))
		(document.getElementById('canned-admin-mount'), document.getElementById('canned-admin-table'))`)
	budi.do(t, "scroll to the screen", scrollTo("canned-admin-title"))
	shots.take(t, budi, "62a-canned-admin-laptop")

	// --- the "/" picker ---------------------------------------------------------
	budi.do(t, "back to replying", chromedp.Click(chromedp.ID("mode-reply")))
	budi.waitJS(t, "a combobox, its list closed", `document.getElementById('reply-body').getAttribute('role') === 'combobox'
		&& document.getElementById('reply-body').getAttribute('aria-expanded') === 'false'
		&& document.getElementById('reply-body').getAttribute('aria-autocomplete') === 'list'`)
	budi.do(t, "type /sal", chromedp.SendKeys(chromedp.ID("reply-body"), "/sal"))
	budi.waitJS(t, "the picker lists the reply", `!document.getElementById('canned-list').hidden
		&& document.getElementById('reply-body').getAttribute('aria-expanded') === 'true'
		&& document.getElementById('reply-body').getAttribute('aria-haspopup') === 'listbox' && !document.getElementById('canned-list').hidden
		&& document.querySelector('#canned-list [role=option][aria-selected=true]')
		&& document.getElementById('reply-body').getAttribute('aria-activedescendant') === document.querySelector('#canned-list [aria-selected=true]').id
		&& document.querySelector('#canned-list [aria-selected=true]').textContent.includes('Salam pembuka')`)
	// The reply's language by its name, as the canned-reply screen says it,
	// not as a locale code.
	if got := budi.text(t, `#canned-list [aria-selected=true] .canned-meta`); !strings.Contains(got, tx("canned_admin.lang_id")) || strings.Contains(got, "id-ID") {
		t.Errorf("the picker's line under the reply reads %q, want the language named %q", got, tx("canned_admin.lang_id"))
	}
	// What a screen reader is given: an open combobox, named as the box.
	if got := budi.axCombobox(t, tx("console.reply")); got != "true" {
		t.Errorf("the reply box with the picker open is, to assistive technology, %q (want an expanded combobox)", got)
	}
	shots.take(t, budi, "62-canned-picker-laptop")
	budi.do(t, "Esc closes it", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Escape))
	budi.waitJS(t, "picker closed", `document.getElementById('canned-list').hidden && document.getElementById('reply-body').value === '/sal'
		&& document.getElementById('reply-body').getAttribute('aria-expanded') === 'false'`)
	if got := budi.axCombobox(t, tx("console.reply")); got != "false" {
		t.Errorf("the reply box with the picker closed is, to assistive technology, %q (want a collapsed combobox)", got)
	}
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
	// Sent: the picker's "inserted, check then send" no longer holds.
	budi.waitJS(t, "the insertion no longer said, the sending said", fmt.Sprintf(`document.getElementById('canned-status').textContent === ''
		&& document.getElementById('ticket-live').textContent === %q`, tx("console.reply_sent")))
	// The canned-reply screen counts the use.
	budi.waitJS(t, "the use counted on the canned-reply screen", `document.querySelector('#canned-admin-table td[data-uses]').textContent === '1'`)
	// Switched to a note: the reply's "queued" no longer holds.
	budi.do(t, "switch to a note", chromedp.Click(chromedp.ID("mode-note")))
	budi.waitJS(t, "the reply's outcome no longer said", `document.getElementById('mode-note').checked && document.getElementById('ticket-live').textContent === ''`)
	budi.do(t, "back to a reply", chromedp.Click(chromedp.ID("mode-reply")))

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
	budi.do(t, "close the picker", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Escape), clearField("reply-body"))
	budi.do(t, "back to the list", chromedp.Click(chromedp.ID("back-btn")))
	budi.waitJS(t, "the canned-reply screen fits the phone", `document.getElementById('canned-admin-mount').open
		&& document.getElementById('canned-admin-table').getBoundingClientRect().right <= 390
		&& document.documentElement.scrollWidth <= 390`)
	budi.do(t, "scroll to the screen", scrollTo("canned-admin-title"))
	shots.take(t, budi, "64a-canned-admin-phone")
	sari.checkConsole(t)
	budi.checkConsole(t)
}

// axCombobox is how assistive technology is given the combobox named
// name: "true" or "false" for its expanded state, "" when there is no
// such combobox (the role or the state missing).
func (tb *tab) axCombobox(t *testing.T, name string) string {
	t.Helper()
	got := ""
	for _, n := range tb.axNodes(t, "read the accessibility tree") {
		if n.Ignored || axText(n.Role) != "combobox" || axText(n.Name) != name {
			continue
		}
		for _, p := range n.Properties {
			if p.Name == accessibility.PropertyNameExpanded && p.Value != nil {
				var b bool
				if json.Unmarshal(p.Value.Value, &b) == nil {
					got = fmt.Sprint(b)
				}
			}
		}
	}
	return got
}
