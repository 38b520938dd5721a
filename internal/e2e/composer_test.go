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
