package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// tabWalk puts the focus in the element with id from and presses Tab
// until the focus leaves the reply form, returning the ids it met on
// the way (from first).
func (tb *tab) tabWalk(t *testing.T, from string) []string {
	t.Helper()
	tb.do(t, "focus #"+from, chromedp.Focus(chromedp.ID(from)))
	walk := []string{from}
	for range 10 {
		tb.do(t, "Tab", chromedp.KeyEvent(kb.Tab))
		id := tb.evalString(t, `((a) => a && a.closest('#reply-form') ? a.id || a.tagName : '')(document.activeElement)`)
		if id == "" {
			break
		}
		walk = append(walk, id)
	}
	return walk
}

// drawnInOrderJS checks that the elements with the given ids are drawn
// in reading order, one after the other: each is beside the one before
// (their boxes share a line) and to its right, or on a line below it.
// It gives "" or what is out of order.
func drawnInOrderJS(ids []string) string {
	return fmt.Sprintf(`((ids) => { const out = [];
		for (let i = 1; i < ids.length; i++) {
			const a = document.getElementById(ids[i - 1]).getBoundingClientRect(), b = document.getElementById(ids[i]).getBoundingClientRect();
			const sameLine = b.top < a.bottom - 1 && a.top < b.bottom - 1;
			if (sameLine ? b.left < a.right - 1 : b.top < a.bottom - 1) {
				out.push(ids[i] + ' (' + Math.round(b.left) + ',' + Math.round(b.top) + ') is drawn before ' + ids[i - 1] + ' (' + Math.round(a.left) + ',' + Math.round(a.top) + ')');
			}
		}
		return out.join('; '); })(%s)`, jsList(ids))
}

func jsList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// TestBrowserReplyBoxKeyboardFollowsTheEye: an agent who Tabs out of the
// reply box meets its controls in the order they are drawn: Send, drawn
// beside the text box, comes right after it, then the files and the
// macros on the line below, on a 390×844 phone with the "more" drawer
// open and on a 1366×800 laptop.
func TestBrowserReplyBoxKeyboardFollowsTheEye(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	admin, _, id := cardComplaint(t, base, "Rina", "081311114451")
	if r := admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tutup cepat", "status": "solved", "shared": true}); r.Status/100 != 2 {
		t.Fatalf("macro: %d %s", r.Status, r.Body)
	}

	agent := newTab(t, root)
	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	agent.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	agent.waitJS(t, "the ticket open, with its macros", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''
		&& !document.getElementById('macro-row').hidden && !document.getElementById('compose-more').hidden`)
	want := []string{"reply-body", "reply-btn", "attach-btn", "macro-select", "macro-btn"}

	agent.clickNow(t, "open the drawer", "#compose-more")
	agent.waitJS(t, "the drawer open", `document.getElementById('compose-more').getAttribute('aria-expanded') === 'true'
		&& document.getElementById('attach-btn').offsetParent !== null`)
	if got := agent.tabWalk(t, "reply-body"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("on a phone, Tab from the text box goes %v, want %v", got, want)
	}
	if got := agent.evalString(t, drawnInOrderJS(want)); got != "" {
		t.Errorf("on a phone the reply box's controls are not drawn in their keyboard order: %s", got)
	}
	agent.do(t, "to the reply box", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.scrollingElement.scrollHeight)`))
	shots.takeView(t, agent, "composer-order-phone")

	agent.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	agent.waitJS(t, "the laptop's reply box", `getComputedStyle(document.getElementById('compose-more')).display === 'none'
		&& document.getElementById('macro-select').offsetParent !== null`)
	if got := agent.tabWalk(t, "reply-body"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("on a laptop, Tab from the text box goes %v, want %v", got, want)
	}
	if got := agent.evalString(t, drawnInOrderJS(want)); got != "" {
		t.Errorf("on a laptop the reply box's controls are not drawn in their keyboard order: %s", got)
	}
	shots.takeView(t, agent, "composer-order-laptop")
	agent.checkConsole(t)
}

// axButtonNamed says whether assistive technology is given a button named
// name (exactly).
func (tb *tab) axButtonNamed(t *testing.T, name string) bool {
	t.Helper()
	for _, n := range tb.axNodes(t, "read the accessibility tree") {
		if !n.Ignored && axText(n.Role) == "button" && axText(n.Name) == name {
			return true
		}
	}
	return false
}

// TestBrowserPhoneSendIsCompact: on a 390×844 phone Send is one word
// ("Kirim"; "Simpan" for a note), so the text box beside it gets the
// width; it is still a button drawn with its word, named in full for a
// screen reader ("Kirim balasan"). On a 1366×800 laptop it reads in full.
func TestBrowserPhoneSendIsCompact(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	_, _, id := cardComplaint(t, base, "Rina", "081311114452")

	agent := newTab(t, root)
	agent.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	agent.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	agent.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
	// What is drawn on the button: its ::before word where the phone's
	// layout gives one, else its own text at a readable size.
	drawn := `((b) => { const before = getComputedStyle(b, '::before').content; const size = parseFloat(getComputedStyle(b).fontSize);
		return (before && before !== 'none' ? before.replace(/ \/ .*$/, '').replace(/"/g, '') + ' + ' : '') + (size >= 10 ? b.textContent.trim() : ''); })(document.getElementById('reply-btn'))`
	for _, mode := range []struct{ name, radio, short, full string }{
		{"a reply", "mode-reply", tx("console.send_reply_short"), tx("console.send_reply")},
		{"a note", "mode-note", tx("notes.send_short"), tx("notes.send")},
	} {
		agent.clickNow(t, "write "+mode.name, "#"+mode.radio)
		agent.waitJS(t, mode.name+" chosen", fmt.Sprintf(`document.getElementById(%q).checked && document.getElementById('reply-btn').textContent === %q`, mode.radio, mode.full))
		send := agent.px(t, `document.getElementById('reply-btn').getBoundingClientRect().width`)
		box := agent.px(t, `document.getElementById('reply-body').getBoundingClientRect().width`)
		t.Logf("%s on a 390 px phone: text box %.0f px, Send %.0f px", mode.name, box, send)
		if send > 100 || box < 250 {
			t.Errorf("%s on a phone: Send is %.0f px wide beside a %.0f px text box, want at most 100 beside at least 250", mode.name, send, box)
		}
		if got := agent.evalString(t, drawn); got != mode.short+" + " {
			t.Errorf("%s on a phone: Send is drawn as %q, want its word %q", mode.name, got, mode.short)
		}
		// While it sends (busy), the word trails off: still a word.
		if got := agent.evalString(t, `((b) => { b.setAttribute('aria-busy', 'true'); const c = getComputedStyle(b, '::before').content; b.removeAttribute('aria-busy'); return c; })(document.getElementById('reply-btn'))`); !strings.HasPrefix(got, `"`+mode.short+`…"`) {
			t.Errorf("%s on a phone: Send while sending is drawn as %s, want %q", mode.name, got, mode.short+"…")
		}
		if !agent.axButtonNamed(t, mode.full) {
			t.Errorf("%s on a phone: no button named %q for a screen reader", mode.name, mode.full)
		}
		agent.do(t, "to the reply box", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.scrollingElement.scrollHeight)`))
		shots.takeView(t, agent, "composer-send-phone-"+mode.radio)
	}

	agent.clickNow(t, "back to a reply", "#mode-reply")
	agent.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	agent.waitJS(t, "the laptop's reply box", `getComputedStyle(document.getElementById('compose-more')).display === 'none'
		&& document.getElementById('mode-reply').checked`)
	if got := agent.evalString(t, drawn); got != tx("console.send_reply") {
		t.Errorf("on a laptop Send is drawn as %q, want %q", got, tx("console.send_reply"))
	}
	if !agent.axButtonNamed(t, tx("console.send_reply")) {
		t.Errorf("on a laptop: no button named %q for a screen reader", tx("console.send_reply"))
	}
	shots.takeView(t, agent, "composer-send-laptop")
	agent.checkConsole(t)
}

// TestBrowserCannedPickerPreviewsAndKeepsTheMessage: the citizen writes
// again on a ticket an agent has answered several times; the agent types
// "/sal" in the reply box. The canned-reply list opens under the text
// box, not over the thread: the citizen's message being answered stays
// in sight, nothing lying over it, and so does the text box. Its preview
// reads as the reply will be inserted for this ticket (the citizen's
// name and tracking number, not {{citizen_name}}), and Enter inserts
// exactly that. On a 390×844 phone and a 1366×800 laptop.
func TestBrowserCannedPickerPreviewsAndKeepsTheMessage(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	const phone = "081311114453"
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina Marlina", "phone": phone, "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, tn)[tn]
	for n := 1; n <= 4; n++ {
		if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{
			"body": fmt.Sprintf("Balasan %d: mohon tunggu, kami sedang memeriksa data kartu Anda di sistem.", n)}); r.Status/100 != 2 {
			t.Fatalf("reply %d: %d %s", n, r.Status, r.Body)
		}
	}
	const asked = "Apakah kartu saya sudah bisa dipakai hari ini?"
	if r := citizen.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact="+phone, map[string]string{"body": asked}); r.Status/100 != 2 {
		t.Fatalf("the citizen's question: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam pembuka", "shortcut": "salam",
		"body": "Selamat siang {{citizen_name}}, pengaduan {{tracking_number}} sedang kami periksa."}); r.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", r.Status, r.Body)
	}
	// More replies that "/sal" finds, each used once so the first stays
	// first: the list at its fullest.
	for n := 1; n <= 5; n++ {
		if r := admin.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": fmt.Sprintf("Salam penutup %d", n),
			"body": fmt.Sprintf("Terima kasih {{citizen_name}}, salam %d dari {{agent_name}}.", n)}); r.Status != http.StatusCreated {
			t.Fatalf("canned reply %d: %d %s", n, r.Status, r.Body)
		}
	}
	want := "Selamat siang Rina Marlina, pengaduan " + tn + " sedang kami periksa."

	// The citizen's question, the newest message: in sight (within the
	// window and, on a laptop, within the thread's own scroll box) and
	// what is drawn at its middle and near its foot is the message.
	inSight := `((m) => { if (!m) { return 'no message'; } const r = m.getBoundingClientRect(), th = document.getElementById('t-messages').getBoundingClientRect();
		const top = Math.max(0, th.top), bottom = Math.min(window.innerHeight, th.bottom);
		const hits = [r.top + r.height / 2, r.bottom - 6].every((y) => { const e = document.elementFromPoint(r.left + r.width / 2, y); return y > top && y < bottom && e && m.contains(e); });
		return hits ? '' : 'message ' + Math.round(r.top) + '-' + Math.round(r.bottom) + ', thread shows ' + Math.round(top) + '-' + Math.round(bottom)
			+ ', at its middle: ' + ((e) => e ? e.tagName + '#' + e.id + '.' + e.className : 'nothing')(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); })(document.getElementById('t-messages').lastElementChild)`
	// The list under the text box, on screen to its foot: what is drawn
	// near its last line is the list, not past the pane or the window.
	underBox := `((l, b) => { const lr = l.getBoundingClientRect(), br = b.getBoundingClientRect(); const foot = document.elementFromPoint(lr.left + 8, lr.bottom - 4);
		return lr.top >= br.bottom - 1 && foot && l.contains(foot) ? '' : 'list ' + Math.round(lr.top) + '-' + Math.round(lr.bottom) + ', text box ends at ' + Math.round(br.bottom)
			+ ', at its foot: ' + (foot ? foot.tagName + '.' + foot.className : 'nothing'); })
		(document.getElementById('canned-list'), document.getElementById('reply-body'))`

	agent := newTab(t, root)
	agent.onEachScreen(t, phoneThenLaptop, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword, func(screen screenSize) {
		agent.waitJSFor(t, "the ticket open on the citizen's question, in sight", asyncWait, fmt.Sprintf(`!document.getElementById('reply-form').hidden
			&& document.getElementById('t-tn').textContent !== '' && document.getElementById('t-messages').lastElementChild
			&& document.getElementById('t-messages').lastElementChild.textContent.includes(%q) && (%s) === ''`, asked, inSight))
		agent.do(t, "type /sal", chromedp.SendKeys(chromedp.ID("reply-body"), "/sal"))
		agent.waitJS(t, "the list open", `!document.getElementById('canned-list').hidden && !!document.querySelector('#canned-list [aria-selected=true] .canned-preview')`)
		// The list's own scroll and the page's settle with its opening.
		checkFor(t, 10*time.Second, func() error {
			if got := agent.evalString(t, underBox); got != "" {
				return fmt.Errorf("on a %s the canned-reply list is not under the text box, on screen: %s", screen.name, got)
			}
			return nil
		})
		if got := agent.text(t, "#canned-list [aria-selected=true] .canned-preview"); got != want {
			t.Errorf("on a %s the picker previews %q, want it as it will be inserted: %q", screen.name, got, want)
		}
		if got := agent.evalString(t, inSight); got != "" {
			t.Errorf("on a %s with the canned-reply list open, the citizen's question is not in sight: %s", screen.name, got)
		}
		shots.takeView(t, agent, "canned-picker-"+screen.name)
		agent.do(t, "Enter inserts", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Enter))
		checkFor(t, asyncWait, func() error {
			got := agent.evalString(t, `JSON.stringify([document.getElementById('reply-body').value, document.getElementById('canned-list').hidden,
				(document.activeElement || {}).id || '', document.getElementById('ticket-live').textContent])`)
			if got != fmt.Sprintf(`[%q,true,"reply-body",""]`, want) {
				return fmt.Errorf("on a %s, Enter did not insert the previewed text; the box, whether the list is hidden, the focus, what was said: %s", screen.name, got)
			}
			return nil
		})
		agent.do(t, "clear the box", clearField("reply-body"))
	})
	agent.checkConsole(t)
}

// TestBrowserCannedPickerSaysWhyInANote: a canned reply is written to the
// citizen and a note never reaches them, so "/" in a note inserts none;
// the box says why, in words on screen and to a screen reader, instead
// of opening nothing: the agent chose a note (and how to reply instead),
// or the ticket takes no text reply now (closed). Esc closes what it
// said. On a 390×844 phone and a 1366×800 laptop.
func TestBrowserCannedPickerSaysWhyInANote(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	admin, _, id := cardComplaint(t, base, "Rina Marlina", "081311114455")
	if r := admin.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam pembuka", "shortcut": "salam",
		"body": "Selamat siang {{citizen_name}}."}); r.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", r.Status, r.Body)
	}
	says := func(agent *tab, where, want string) {
		t.Helper()
		agent.do(t, "type /", chromedp.SendKeys(chromedp.ID("reply-body"), "/"))
		agent.waitJS(t, where+": the box says why", fmt.Sprintf(`((l, b) => !l.hidden && b.getAttribute('aria-expanded') === 'true'
			&& !l.querySelector('[aria-selected=true]') && l.textContent === %q && document.getElementById('canned-status').textContent === %q
			&& l.getBoundingClientRect().height > 10 && l.getBoundingClientRect().bottom <= window.innerHeight)(document.getElementById('canned-list'), document.getElementById('reply-body'))`, want, want))
	}
	agent := newTab(t, root)
	agent.onEachScreen(t, phoneThenLaptop, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword, func(screen screenSize) {
		agent.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
		agent.clickNow(t, "write a note", "#mode-note")
		agent.waitJS(t, "note mode", `document.getElementById('mode-note').checked && !document.getElementById('note-hint').hidden`)
		says(agent, "a note on a "+screen.name, tx("canned.note_mode", "mode", tx("notes.mode_reply")))
		agent.do(t, "to the reply box", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.scrollingElement.scrollHeight)`))
		shots.takeView(t, agent, "canned-note-"+screen.name)
		agent.do(t, "Esc", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Escape))
		agent.waitJS(t, "closed, nothing said", `document.getElementById('canned-list').hidden && document.getElementById('canned-status').textContent === ''
			&& document.getElementById('reply-body').getAttribute('aria-expanded') === 'false'`)
		agent.do(t, "clear the box", clearField("reply-body"))
		agent.clickNow(t, "back to a reply", "#mode-reply")
		agent.waitJS(t, "reply mode", `document.getElementById('mode-reply').checked`)
	})

	// A closed ticket (the complaint archived as a duplicate) takes notes
	// only: the box says that instead.
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/archive", id), map[string]string{"reason": "duplicate"}); r.Status != http.StatusOK {
		t.Fatalf("archive the complaint: %d %s", r.Status, r.Body)
	}
	agent.do(t, "the console again", chromedp.Reload())
	agent.waitJS(t, "the closed ticket open, its box for notes", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''
		&& document.getElementById('mode-note').checked && document.getElementById('mode-reply').closest('label').hidden`)
	says(agent, "a closed ticket on a desktop", tx("canned.no_reply"))
	shots.takeView(t, agent, "canned-closed-desktop")
	agent.checkConsole(t)
}
