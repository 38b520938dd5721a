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
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311114451", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, tn)[tn]
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
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311114452", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, tn)[tn]

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
