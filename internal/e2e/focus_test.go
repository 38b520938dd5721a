package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserKeyboardKeepsItsPlace: a keyboard or screen-reader user who
// presses a button keeps their place. Signing in with Enter lands on the
// agent's presence; sending a reply and saving a status by Enter on their
// buttons leaves the focus on the button, not at the top of the page
// (a disabled button would drop it there while the request runs). A
// ticket given to the agent meanwhile is told to screen readers, and an
// away agent's bar fits 320 CSS px (WCAG reflow).
func TestBrowserKeyboardKeepsItsPlace(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	admin, _, id := cardComplaint(t, base, "Rina", "081311115555")

	tab := newTab(t, root)
	tab.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	tab.do(t, "sign in by keyboard",
		chromedp.Navigate(base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-email"), "dewi@tanggap.example"),
		chromedp.SendKeys(chromedp.ID("login-password"), "demo-dewi-2026"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.ID("console-view")))
	tab.waitJS(t, "the focus on the presence", `document.activeElement && document.activeElement.id === 'presence'`)
	tab.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)

	tab.do(t, "write and press Send by keyboard",
		chromedp.SendKeys(chromedp.ID("reply-body"), "Baik Bu, kami cek sekarang."),
		chromedp.Focus(chromedp.ID("reply-btn")),
		chromedp.KeyEvent("\r"))
	tab.waitJS(t, "sent, the focus still on Send", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %q
		&& document.getElementById('reply-body').value === '' && document.activeElement.id === 'reply-btn'`, tx("console.reply_sent")))

	tab.selectValue(t, "#t-status-select", "pending")
	tab.do(t, "save the status by keyboard", chromedp.Focus(chromedp.CSS(`#status-form button[type=submit]`)), chromedp.KeyEvent("\r"))
	tab.waitJS(t, "saved, the focus still on the button", `(b => document.activeElement === b && b.getAttribute('aria-disabled') !== 'true' && !b.disabled)(document.querySelector('#status-form button[type=submit]'))
		&& document.getElementById('t-status').className.includes('pending')`)

	// A ticket given to Dewi while she works on another is told to
	// screen readers, whatever her notification settings.
	other := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Tono", "phone": "081311116767", "category": "lainnya",
		"description": "Sertifikat pelatihan saya belum terbit."})
	otherID := ticketIDs(t, admin, other)[other]
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/assign", otherID), map[string]any{"agent_id": agentID(t, admin, "dewi@tanggap.example")}); r.Status >= 300 {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	tab.waitLive(t, "the new ticket announced", fmt.Sprintf(`document.getElementById('console-announce').textContent.startsWith(%q)
		&& document.getElementById('console-announce').textContent.includes(%q)`, tx("notify.assigned_title")+": ", other))
	// Events that come together (a new ticket given to her and its first
	// message, another citizen's message, in one burst of the socket) are
	// said as one text: none replaces another before it is read, and the
	// new ticket's message is not said twice.
	tab.do(t, "a burst: a ticket given to her, its first message, another's message", chromedp.Evaluate[chromedp.Void](`import('/static/js/console/notify.js').then((m) => {
		m.notify('assigned', { id: 990001, tracking_number: 'TN-BARU', subject: 'Kartu belum aktif' });
		m.notify('message', { id: 990001, tracking_number: 'TN-BARU', subject: 'Kartu belum aktif', preview: 'Kartu belum aktif' });
		m.notify('message', { id: 990002, tracking_number: 'TN-LAIN', preview: 'Halo, ada kabar?' });
	})`))
	tab.waitJS(t, "both said in one text, the first message not twice", fmt.Sprintf(`(() => {
		const said = document.getElementById('console-announce').textContent;
		return said.startsWith(%q) && said.includes(%q) && said.split(%q).length === 2;
	})()`, tx("notify.assigned_title")+": TN-BARU", ". "+tx("notify.message_title")+": TN-LAIN · Halo, ada kabar?", tx("notify.message_title")))

	// Away, with the reason beside the presence, at 320 CSS px (a 1280 px
	// screen zoomed to 400 %): nothing scrolls sideways.
	tab.selectValue(t, "#presence", "away")
	// On a laptop the reason's select does not push the bar onto a
	// second row.
	tab.waitJS(t, "the bar on one row with the reason, at 1366 px", `!!document.getElementById('presence-reason')
		&& Math.abs(document.getElementById('logout-btn').getBoundingClientRect().top - document.getElementById('presence').getBoundingClientRect().top) < 8`)
	tab.do(t, "320 px wide", chromedp.EmulateViewport(320, 640))
	tab.waitJS(t, "the away agent's bar fits", `!!document.getElementById('presence-reason') && document.documentElement.scrollWidth <= 320`)
	tab.checkConsole(t)
}
