package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// pressEnter puts the keyboard focus on the element css names once it is
// shown (in one step of the page: a push may draw it again) and presses
// Enter, as a keyboard user does.
func (tb *tab) pressEnter(t *testing.T, what, css string) {
	t.Helper()
	tb.waitJS(t, what+": focus", fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e || e.hidden || e.getClientRects().length === 0) { return false; }
		e.focus();
		return document.activeElement === e;
	})()`, css))
	tb.do(t, what+": Enter", chromedp.KeyEvent("\r"))
}

// focusedJS is true while the element css names has the keyboard focus.
func focusedJS(css string) string {
	return fmt.Sprintf(`(document.activeElement && document.activeElement === document.querySelector(%q))`, css)
}

// TestBrowserA11yAdminKeepsTheFocusOnTheRow: an admin deactivates an
// account (Budi's) by keyboard, answering the question it asks, then
// reactivates it. The screen is drawn again each
// time; the focus stays on the row, on the button that took the pressed
// one's place, and the outcome is said in the admin screen's status region,
// the same region each time (one drawn afresh with its text is seldom read
// out).
func TestBrowserA11yAdminKeepsTheFocusOnTheRow(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the accounts listed", `!!document.querySelector('#admin-agents tr[data-agent]')`)
	budi := adm.evalString(t, `[...document.querySelectorAll('#admin-agents tr[data-agent]')].find(tr => tr.textContent.includes('budi@tanggap.example')).dataset.agent`)
	adm.do(t, "mark the status region", chromedp.Evaluate[chromedp.Void](`window.__adminLive = document.getElementById('admin-live')`))
	btn := func(act string) string {
		return fmt.Sprintf(`#admin-agents button[data-act=%s][data-id="%s"]`, act, budi)
	}
	live := func(text string) string {
		return fmt.Sprintf(`document.getElementById('admin-live') === window.__adminLive && window.__adminLive.isConnected && window.__adminLive.textContent === %q`, text)
	}

	adm.pressEnter(t, "deactivate Budi", btn("deactivate"))
	// Asked once more, the focus on the answer that does it
	// (TestBrowserAdminDeactivateAsksFirst).
	adm.waitJS(t, "asked, the focus on Ya, nonaktifkan", focusedJS(btn("deactivate-yes")))
	adm.do(t, "Enter on Ya, nonaktifkan", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "deactivated, said, the focus on Reactivate in the row",
		live(tx("admin.agent_deactivated", "name", "Budi"))+" && "+focusedJS(btn("reactivate")))
	shots.take(t, adm, "a11y-admin-deactivated")

	adm.do(t, "Enter again, on Reactivate", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "reactivated, said, the focus on Deactivate in the row",
		live(tx("admin.agent_reactivated", "name", "Budi"))+" && "+focusedJS(btn("deactivate")))
	adm.checkConsole(t)
}

// TestBrowserA11yBulkCheckboxKeepsTheFocus: an agent ticks a ticket for a
// bulk action by keyboard; a new ticket arrives and the list is drawn
// again, and the focus stays on that ticket's checkbox, still ticked.
func TestBrowserA11yBulkCheckboxKeepsTheFocus(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	citizen := apptest.NewClient(t, base)
	first := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311114441", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, first)[first]

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.selectValue(t, "#scope", "queue")
	sari.waitLive(t, "the first ticket listed", rowJS(id))
	box := fmt.Sprintf(`#ticket-list .bulk-check[data-bulk-id="%d"]`, id)
	sari.waitJS(t, "focus its checkbox", fmt.Sprintf(`((e) => e && (e.focus(), document.activeElement === e))(document.querySelector(%q))`, box))
	sari.do(t, "tick it with Space", chromedp.KeyEvent(" "))
	sari.waitJS(t, "ticked", fmt.Sprintf(`document.querySelector(%q).checked`, box))

	// A fraud report is urgent (the demo's priority rule): its row says so
	// in words, the first row says nothing of priority.
	second := citizen.Complaint(map[string]string{"name": "Tono", "phone": "081311114442", "category": "lainnya",
		"description": "Ada penipuan atas nama program di grup WhatsApp."})
	secondID := ticketIDs(t, admin, second)[second]
	sari.waitLive(t, "the new ticket pushed into the list", rowJS(secondID))
	sari.waitJS(t, "the focus still on the ticked checkbox", focusedJS(box)+fmt.Sprintf(` && document.querySelector(%q).checked`, box))
	sari.waitJS(t, "the urgent ticket marked in the list", fmt.Sprintf(`(b => b && b.textContent === %q)(document.querySelector('[data-ticket-id="%d"] .badge-priority-urgent'))
		&& !document.querySelector('[data-ticket-id="%d"] [class*=badge-priority]')`, texts(t)("priority.urgent"), secondID, id))
	sari.open(t, secondID)
	sari.waitJS(t, "and in its header", `document.getElementById('t-priority').classList.contains('badge-priority-urgent')`)
	// Sari has no canned replies yet: "/" says so and where they are made,
	// rather than that none matches.
	tx := texts(t)
	sari.do(t, "type /", chromedp.SendKeys(chromedp.ID("reply-body"), "/"))
	sari.waitJS(t, "told there are none yet", fmt.Sprintf(`document.getElementById('canned-status').textContent === %q`,
		tx("canned.picker_none", "place", tx("canned_admin.heading"))))
	sari.checkConsole(t)
}

// TestBrowserA11yClaimByKeyboard: claiming a ticket by keyboard hides the
// claim button; the focus goes to "give back", which took its place, and
// giving back brings it to "claim" again. The outcome is said by the
// routing panel's status region.
func TestBrowserA11yClaimByKeyboard(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Agus", "phone": "081311114443", "category": "lainnya",
		"description": "Dana insentif bulan lalu belum masuk ke rekening saya."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, tn)[tn]

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	// Busy: working, but not given tickets automatically.
	sari.selectValue(t, "#presence", "busy")
	sari.waitJS(t, "presence saved", `document.getElementById('presence-dot').classList.contains('presence-busy')`)
	sari.selectValue(t, "#scope", "queue")
	sari.waitLive(t, "the waiting ticket listed", rowJS(id))
	sari.open(t, id)

	sari.pressEnter(t, "claim", "#claim-btn")
	sari.waitJS(t, "claimed, the focus on give back", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q
		&& document.getElementById('claim-btn').hidden && %s`, tx("routing.claimed"), focusedJS("#release-btn")))

	sari.do(t, "Enter again, on give back", chromedp.KeyEvent("\r"))
	sari.waitJS(t, "given back, the focus on claim", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q
		&& document.getElementById('release-btn').hidden && %s`, tx("routing.released"), focusedJS("#claim-btn")))
	sari.checkConsole(t)
}

// TestBrowserA11yMentionFromTheBoard: a supervisor on the board tab is
// mentioned in a note; opening the mention from the bell by keyboard shows
// the ticket on the tickets tab (not in the hidden one) with the focus in
// it.
func TestBrowserA11yMentionFromTheBoard(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311114444", "category": "lainnya",
		"description": "Insentif kedua saya belum masuk ke rekening."})
	budi := apptest.NewClient(t, base)
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	id := ticketIDs(t, budi, tn)[tn]

	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	dewi.openBoard(t)
	dewi.waitJS(t, "socket open", socketOpenJS)

	if r := budi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/notes", id), map[string]string{"body": "@dewi mohon dicek, warga menunggu"}); r.Status >= 300 {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	dewi.waitLive(t, "the bell counts the mention", `document.getElementById('bell-count').textContent === '1' && !document.getElementById('bell-count').hidden`)
	dewi.pressEnter(t, "open the bell", "#bell-btn")
	dewi.waitJS(t, "the mention listed, the focus on the bell's heading", fmt.Sprintf(`!!document.querySelector('#bell-list .bell-unread')
		&& document.querySelector('#bell-list .bell-unread').textContent.includes(%q) && %s`,
		tx("notes.mentioned_you", "actor", "Budi", "tn", tn), focusedJS("#bell-title")))
	dewi.pressEnter(t, "open the mention", "#bell-list .bell-unread")
	dewi.waitJS(t, "the ticket shown on the tickets tab, the focus in it", fmt.Sprintf(`document.getElementById('board-view').hidden
		&& !document.getElementById('tickets-panel').hidden && document.getElementById('tab-tickets').getAttribute('aria-selected') === 'true'
		&& document.getElementById('t-tn').textContent === %q
		&& document.getElementById('ticket-detail').contains(document.activeElement) && document.activeElement.getClientRects().length > 0`, tn))
	dewi.checkConsole(t)
}

// TestBrowserPhoneThreadShowsTheNewestAboveTheReplyBox: on a phone the
// page scrolls and the reply box stays at the bottom of the screen. A
// ticket opens on its newest message, just above the reply box, not under
// it; a message that arrives then comes into view the same way; one that
// arrives while the agent has scrolled back to read leaves the page where
// it is.
func TestBrowserPhoneThreadShowsTheNewestAboveTheReplyBox(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311114443", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, admin, tn)[tn]
	reply := func(n int) {
		t.Helper()
		if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{
			"body": fmt.Sprintf("Balasan %d: mohon tunggu, kami sedang memeriksa data kartu Anda di sistem.", n)}); r.Status/100 != 2 {
			t.Fatalf("reply %d: %d %s", n, r.Status, r.Body)
		}
	}
	for n := 1; n <= 4; n++ {
		reply(n)
	}
	const newestAbove = `((last, c) => last && last.textContent.includes(%q) && last.getBoundingClientRect().bottom <= window.innerHeight - c.getBoundingClientRect().height + 1
		&& last.getBoundingClientRect().bottom > 0)(document.getElementById('t-messages').lastElementChild, document.getElementById('composer'))`

	tab := newTab(t, root)
	tab.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	tab.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	tab.do(t, "open the ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	tab.waitJS(t, "the newest message above the reply box", fmt.Sprintf(newestAbove, "Balasan 4"))

	reply(5)
	tab.waitLive(t, "the next one too", fmt.Sprintf(newestAbove, "Balasan 5"))

	tab.do(t, "scroll back to read", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	reply(6)
	tab.waitLive(t, "the sixth arrived", `document.getElementById('t-messages').lastElementChild.textContent.includes('Balasan 6')`)
	if y := tab.evalString(t, `String(window.scrollY)`); y != "0" {
		t.Errorf("the page moved to %s px while the agent read back", y)
	}
	tab.checkConsole(t)
}

// TestBrowserBoardTabHasATableOfContents: an admin's board tab holds many
// screens one under another; a row of buttons at its top names those
// shown, and one takes the focus to its screen's heading, in view.
func TestBrowserBoardTabHasATableOfContents(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen and reports drawn", `!!document.getElementById('admin-agents') && !document.getElementById('reports-mount').hidden`)
	adm.waitJS(t, "the table of contents names them", fmt.Sprintf(`!document.getElementById('board-nav').hidden
		&& document.getElementById('board-nav').getAttribute('aria-label') === %q
		&& ((names) => names.includes(document.getElementById('board-title').textContent.trim()) && names.includes(document.getElementById('admin-title').textContent.trim())
			&& names.includes(document.getElementById('reports-title').textContent.trim()))([...document.querySelectorAll('#board-nav-list button')].map(b => b.textContent))`,
		tx("board.sections_label")))
	adm.do(t, "to the reports by keyboard", chromedp.Focus(chromedp.CSS(`#board-nav-list button[data-to="reports-title"]`)), chromedp.KeyEvent(kb.Enter))
	adm.waitJS(t, "the focus on the reports' heading, in view", `document.activeElement.id === 'reports-title'
		&& document.activeElement.getBoundingClientRect().top >= 0 && document.activeElement.getBoundingClientRect().top < window.innerHeight`)
	adm.checkConsole(t)
}
