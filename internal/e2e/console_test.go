package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// cardComplaint files a citizen's complaint by the form (name, phone: a
// card not active since last month) and signs the admin in: the admin's
// client, the complaint's tracking number and its ticket's id once the
// admin sees it.
func cardComplaint(t *testing.T, base, name, phone string) (admin *apptest.Client, tn string, id int64) {
	t.Helper()
	tn = apptest.NewClient(t, base).Complaint(map[string]string{"name": name, "phone": phone, "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	admin = apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	return admin, tn, ticketIDs(t, admin, tn)[tn]
}

// ticketIDs waits until every tracking number is a ticket the client may
// see and returns their ids.
func ticketIDs(t *testing.T, c *apptest.Client, tns ...string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	checkFor(t, asyncWait, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		c.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			ids[tk.TrackingNumber] = tk.ID
		}
		for _, tn := range tns {
			if ids[tn] == 0 {
				return fmt.Errorf("ticket %s not ingested yet", tn)
			}
		}
		return nil
	})
	return ids
}

// clickNow finds the element at css and clicks it in one step of the
// page (waiting until it exists): the ticket list may be drawn again by a
// pushed event between a lookup and a click of the browser's input.
func (tb *tab) clickNow(t *testing.T, what, css string) {
	t.Helper()
	tb.waitJS(t, what, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) { return false; }
		e.click();
		return true;
	})()`, css))
}

// clickShown clicks the element with id once it is shown, in one step of
// the page: the details pane grows as its panels load (contact, lifecycle,
// ratings), so a pointer click at where chromedp measured a button may
// land on what moved there instead.
func (tb *tab) clickShown(t *testing.T, what, id string) {
	t.Helper()
	tb.waitJS(t, what, fmt.Sprintf(`(() => {
		const e = document.getElementById(%q);
		if (!e || e.hidden || e.offsetParent === null) { return false; }
		e.click();
		return true;
	})()`, id))
}

// openBoard and openTickets switch the console's tabs. The tab is clicked
// in one step of the page, then the switch waited for: a pointer click
// lands where the tab was when chromedp measured it, and the header may
// still be laying out (the role, the status select and the links appear
// as the agent is read).
func (tb *tab) openBoard(t *testing.T) {
	t.Helper()
	tb.clickNow(t, "open the board tab", "#tab-board")
	tb.waitJS(t, "the board shown", `!document.getElementById('board-view').hidden`)
}

func (tb *tab) openTickets(t *testing.T) {
	t.Helper()
	tb.clickNow(t, "open the tickets tab", "#tab-tickets")
	tb.waitJS(t, "the tickets shown", `!document.getElementById('tickets-panel').hidden`)
}

func (tb *tab) open(t *testing.T, id int64) {
	t.Helper()
	tb.clickNow(t, fmt.Sprintf("open ticket %d", id), fmt.Sprintf(`#ticket-list [data-ticket-id="%d"]`, id))
	// Until the ticket is read, the header still shows the one open before.
	tb.waitJS(t, "the ticket shown", fmt.Sprintf(`location.hash === '#ticket-%d'
		&& document.querySelector('#ticket-list [aria-current="true"]').dataset.ticketId === '%d'
		&& document.getElementById('t-tn').textContent === document.querySelector('#ticket-list [aria-current="true"] .mono').textContent`, id, id))
}

// TestBrowserConsoleAgentDay: a demo agent's first day in the console, on
// a laptop and on a phone. She signs in "Luring" (offline) with an empty list
// and is told to switch to "Siap melayani"; tickets then reach her list.
// The status select always shows the open ticket's status (a pending
// ticket, then a new one: "Baru"); a solved ticket shows no running SLA
// and offers neither "Kembalikan ke antrean" nor "Alihkan"; the header
// names the tracking number once even without a subject. The list moves
// by arrow keys. On a 390×844 phone the list, the conversation with the
// reply box in view and the details by a button each fit the width; a
// supervisor's queue board too. Screenshots of each, in both languages.
func TestBrowserConsoleAgentDay(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, cfg := startDemo(t)
	root := newBrowser(t, browser)
	shots := newShots(t)

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "the first-run hint", `!document.getElementById('first-run').hidden`)
	hint := sari.text(t, "#first-run-text")
	for _, want := range []string{tx("presence.offline"), tx("presence.online")} {
		if !strings.Contains(hint, want) {
			t.Errorf("first-run hint %q does not name %q", hint, want)
		}
	}
	shots.take(t, sari, "30-console-first-run")
	// What is read once per session is not read again on a presence change.
	sari.do(t, "count the reads", chromedp.Evaluate[chromedp.Void](`(() => { window.__reads = []; const f = window.fetch;
		window.fetch = (u, ...rest) => { window.__reads.push(String(u)); return f(u, ...rest); }; })()`))
	sari.do(t, "switch to ready from the hint", chromedp.Click(chromedp.ID("first-run-btn")))
	sari.waitJS(t, "presence online, hint gone", `document.getElementById('presence').value === 'online'
		&& document.getElementById('presence-dot').classList.contains('presence-online')
		&& document.getElementById('first-run').hidden`)
	if got := sari.evalString(t, `window.__reads.filter(u => /notifications|canned-responses|macros|tags|csat|views/.test(u)).join(' ')`); got != "" {
		t.Errorf("a presence change read again: %s", got)
	}

	// Sari is the one agent online in umum: the complaints go to her.
	citizen := apptest.NewClient(t, base)
	tnPending := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu, mohon dicek."})
	tnNew := citizen.Complaint(map[string]string{"name": "Yusuf", "phone": "081333334444", "category": "lainnya", "description": "Saya belum menerima email verifikasi setelah mendaftar."})
	tnDone := citizen.Complaint(map[string]string{"name": "Maya", "phone": "081355556666", "category": "lainnya", "description": "Sertifikat pelatihan saya belum terbit."})
	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	ids := ticketIDs(t, api, tnPending, tnNew, tnDone)
	apptest.FollowedUp(t, cfg, api, ids[tnDone]) // a complaint is solved once its follow-up is published
	for tn, status := range map[string]string{tnPending: "pending", tnDone: "solved"} {
		if r := api.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[tn]), map[string]string{"status": status}); r.Status != http.StatusOK {
			t.Fatalf("set %s to %s: %d %s", tn, status, r.Status, r.Body)
		}
	}
	sari.waitLive(t, "both active tickets in my list", fmt.Sprintf(
		`document.querySelector('#ticket-list [data-ticket-id="%d"]') && document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnPending], ids[tnNew]))

	// Bug 2: the select follows the open ticket.
	sari.open(t, ids[tnPending])
	sari.waitJS(t, "pending shown", `document.getElementById('t-status-select').value === 'pending'`)
	sari.open(t, ids[tnNew])
	sari.waitJS(t, "new shown", `document.getElementById('t-status-select').value === 'new'`)
	if got := sari.evalString(t, `(s => s.options[s.selectedIndex].textContent)(document.getElementById('t-status-select'))`); got != tx("ticket_status.new") {
		t.Errorf("status select shows %q on a new ticket, want %q", got, tx("ticket_status.new"))
	}
	if got := sari.text(t, "#t-status"); got != tx("ticket_status.new") {
		t.Errorf("status badge = %q", got)
	}
	sari.waitJS(t, "routing panel", `!document.getElementById('routing-panel').hidden`)
	// The console fits the window: its panes scroll, the page does not
	// (a visually hidden text outside its pane once stretched the page).
	sari.waitJS(t, "the tags panel drawn", `!!document.getElementById('transcript-hint')`)
	if got := sari.evalString(t, `document.scrollingElement.scrollHeight + ' of ' + window.innerHeight`); got != "800 of 800" {
		t.Errorf("page height %s: the page scrolls, not the panes", got)
	}
	shots.take(t, sari, "31-console-ticket-laptop")

	// A reply being written stays with its ticket: the next ticket opens
	// with an empty box, and the draft is back on returning.
	const draft = "Baik Bu, kami cek dulu ke bank penyalur."
	sari.do(t, "start a reply", chromedp.SendKeys(chromedp.ID("reply-body"), draft))
	sari.open(t, ids[tnPending])
	sari.waitJS(t, "the other ticket's box is empty", `document.getElementById('reply-body').value === ''`)
	sari.open(t, ids[tnNew])
	sari.waitJS(t, "the draft is back", fmt.Sprintf(`document.getElementById('reply-body').value === %q`, draft))
	sari.do(t, "drop the draft", chromedp.Evaluate[chromedp.Void](`document.getElementById('reply-body').value = ''`))

	// The list by keyboard: arrows move between tickets.
	sari.do(t, "arrow down the list", chromedp.Evaluate[chromedp.Void](`(() => {
		const first = document.querySelector('#ticket-list .ticket-item');
		first.focus();
		first.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));
	})()`))
	sari.waitJS(t, "focus on the second ticket", `document.activeElement === document.querySelectorAll('#ticket-list .ticket-item')[1]`)

	// Bug 12: no subject, no category: the header still names the
	// tracking number once (the title falls back to the channel).
	sari.do(t, "answer the ticket without a subject", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__fetch = window.fetch;
		window.fetch = (u, i) => /\/api\/v1\/tickets\/\d+$/.test(String(u))
			? window.__fetch(u, i).then(r => r.json()).then(d => { d.subject = ''; d.category = '';
				return new Response(JSON.stringify(d), {status: 200, headers: {'Content-Type': 'application/json'}}); })
			: window.__fetch(u, i);
	})()`))
	sari.open(t, ids[tnPending])
	sari.waitJS(t, "fallback title", fmt.Sprintf(`document.getElementById('t-subject').textContent === %q`, tx("console.subject_channel", "channel", tx("channel.webform"))))
	if n := sari.evalString(t, fmt.Sprintf(`String(document.querySelector('.ticket-head').textContent.split(%q).length - 1)`, tnPending)); n != "1" {
		t.Errorf("the ticket header names the tracking number %s times", n)
	}
	sari.do(t, "undoctor", chromedp.Evaluate[chromedp.Void](`window.fetch = window.__fetch`))

	// Bug 10: a solved ticket has no running clock and no give back or transfer.
	sari.selectValue(t, "#status-filter", "solved")
	sari.waitJS(t, "solved ticket listed", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnDone]))
	sari.open(t, ids[tnDone])
	sari.waitJS(t, "routing of the solved ticket", `!document.getElementById('routing-panel').hidden`)
	for _, id := range []string{"release-btn", "transfer-form", "claim-btn"} {
		if sari.evalString(t, fmt.Sprintf(`String(document.getElementById(%q).offsetParent === null)`, id)) != "true" {
			t.Errorf("#%s is offered on a solved ticket", id)
		}
	}
	for _, id := range []string{"r-first-state", "r-resolution-state"} {
		if got := sari.evalString(t, fmt.Sprintf(`document.getElementById(%q).hidden ? '' : document.getElementById(%q).textContent`, id, id)); got == tx("sla_state.ok") || got == tx("sla_state.warning") {
			t.Errorf("#%s = %q on a solved ticket: a running clock", id, got)
		}
	}
	if got := sari.evalString(t, `document.getElementById('t-status-select').value`); got != "solved" {
		t.Errorf("status select = %q on a solved ticket", got)
	}
	shots.take(t, sari, "32-console-solved")
	// "All statuses" is all of them: the solved ticket beside the active.
	sari.selectValue(t, "#status-filter", "all")
	sari.waitJS(t, "solved and active listed together", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& !!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnDone], ids[tnNew]))
	sari.selectValue(t, "#status-filter", "")
	sari.waitJS(t, "the solved ticket gone from the ones in progress", fmt.Sprintf(`!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnDone]))

	// English.
	en := newTab(t, root)
	en.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	en.signIn(t, base+fmt.Sprintf("/console?lang=en-US#ticket-%d", ids[tnNew]), "sari@tanggap.example", "demo-sari-2026")
	en.waitJS(t, "ticket opened from the address", fmt.Sprintf(`document.getElementById('t-tn').textContent === %q`, tnNew))
	if got := en.text(t, "#details-title"); got == tx("console.ticket") || got == "" {
		t.Errorf("details title in English = %q", got)
	}
	shots.take(t, en, "33-console-ticket-english")
	// A narrower window: the details open over the conversation.
	en.do(t, "a small laptop screen", chromedp.EmulateViewport(1000, 800))
	en.waitJS(t, "details behind a button", `document.getElementById('t-contact-name').offsetParent === null && document.getElementById('details-btn').offsetParent !== null`)
	en.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	en.waitJS(t, "details over the thread", `document.getElementById('t-contact-name').offsetParent !== null && document.activeElement.id === 'details-title'`)
	shots.take(t, en, "33b-console-details-overlay")
	en.do(t, "close them with Escape", chromedp.Evaluate[chromedp.Void](`document.getElementById('details-pane').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`))
	en.waitJS(t, "details closed, focus back", `document.getElementById('t-contact-name').offsetParent === null && document.activeElement.id === 'details-btn'`)

	// --- a phone ------------------------------------------------------------
	phone := newTab(t, root)
	phone.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	phone.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	phone.waitJS(t, "list loaded", `document.querySelectorAll('#ticket-list .ticket-item').length >= 2`)
	noOverflow := func(what string) {
		t.Helper()
		if w := phone.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
			t.Errorf("%s: page is %s px wide on a 390 px screen", what, w)
		}
	}
	noOverflow("list")
	if phone.evalString(t, `String(document.getElementById('ticket-pane').offsetParent === null)`) != "true" {
		t.Error("the conversation pane shows beside the list on a phone")
	}
	shots.take(t, phone, "34-console-list-phone")
	phone.open(t, ids[tnNew])
	phone.waitJS(t, "list hidden, thread shown", `document.querySelector('.list-pane').offsetParent === null && document.getElementById('reply-body').offsetParent !== null`)
	noOverflow("thread")
	// The reply box is in view without scrolling.
	phone.waitJS(t, "reply box in view", `(r => r.top >= 0 && r.bottom <= window.innerHeight)(document.getElementById('reply-btn').getBoundingClientRect())`)
	shots.take(t, phone, "35-console-thread-phone")
	phone.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	phone.waitJS(t, "details shown", `document.getElementById('t-contact-name').offsetParent !== null
		&& document.getElementById('details-btn').getAttribute('aria-expanded') === 'true'`)
	noOverflow("details")
	shots.take(t, phone, "36-console-details-phone")
	phone.do(t, "close the details", chromedp.Click(chromedp.ID("details-close")))
	phone.waitJS(t, "back at the thread, focus on the button", `document.getElementById('reply-body').offsetParent !== null && document.activeElement.id === 'details-btn'`)
	phone.do(t, "back to the list", chromedp.Click(chromedp.ID("back-btn")))
	phone.waitJS(t, "list again, focus on the ticket", fmt.Sprintf(`document.querySelector('.list-pane').offsetParent !== null && document.activeElement.dataset.ticketId === '%d'`, ids[tnNew]))

	// A supervisor's board, on a laptop and on a phone.
	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.openBoard(t)
	dewi.waitJS(t, "board rows", `document.querySelectorAll('#board-rows tr').length > 0`)
	shots.take(t, dewi, "37-console-board-laptop")
	dewi.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	dewi.waitJS(t, "board still shown", `document.querySelectorAll('#board-rows tr').length > 0`)
	if w := dewi.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("board page is %s px wide on a 390 px screen (the table scrolls inside its region)", w)
	}
	shots.take(t, dewi, "38-console-board-phone")

	for _, tb := range []*tab{sari, en, phone, dewi} {
		tb.checkConsole(t)
	}
}

// TestBrowserConsoleTransferTargets: an agent claims a waiting ticket (it
// is not hers to move before) and transfers it to a colleague
// picked by name with their presence written out, or to a queue picked by
// name (GET /api/v1/transfer-targets, see the README's "API overview").
func TestBrowserConsoleTransferTargets(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	budi := apptest.NewClient(t, base)
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	if r := budi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); r.Status != http.StatusOK {
		t.Fatalf("budi busy: %d %s", r.Status, r.Body)
	}
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Agus", "phone": "081298765432", "category": "lainnya", "description": "Dana insentif bulan lalu belum masuk."})
	id := ticketIDs(t, sari, tn)[tn]

	root := newBrowser(t, browser)
	agent := newTab(t, root)
	agent.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	agent.selectValue(t, "#scope", "queue")
	agent.waitLive(t, "the ticket listed", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id))
	agent.open(t, id)
	// Offline, she is offered no ticket to take: the server would refuse.
	agent.waitJS(t, "nothing to take while offline", `!document.getElementById('routing-panel').hidden
		&& document.getElementById('claim-btn').hidden`)
	agent.selectValue(t, "#presence", "busy")
	agent.waitJS(t, "presence saved", `document.getElementById('presence-dot').classList.contains('presence-busy')`)
	// Waiting in the queue, the ticket is not hers to move: she claims it.
	agent.waitJS(t, "claim offered, transfer not", `!document.getElementById('claim-btn').hidden
		&& document.getElementById('transfer-form').hidden && document.getElementById('release-btn').hidden`)
	agent.clickShown(t, "claim the ticket", "claim-btn")
	agent.waitJS(t, "transfer offered", `!document.getElementById('transfer-form').hidden && document.getElementById('claim-btn').hidden`)
	agent.waitJS(t, "colleagues listed", `document.querySelectorAll('#transfer-agent option').length > 1`)
	if agent.evalString(t, `String(document.getElementById('transfer-code-field').hidden)`) != "true" {
		t.Error("the queue code field is offered although queues are listed by name")
	}
	budiOpt := `[...document.querySelectorAll('#transfer-agent option')].find(o => o.textContent.startsWith('Budi'))`
	if got, want := agent.evalString(t, budiOpt+`.textContent`), tx("console.transfer_agent_option", "name", "Budi", "presence", tx("presence.busy")); got != want {
		t.Errorf("Budi's option = %q, want %q", got, want)
	}
	if got := agent.evalString(t, `[...document.querySelectorAll('#transfer-queue option')].map(o => o.textContent).join('|')`); strings.Contains(got, "jabar|") || !strings.Contains(got, "Jawa Barat") {
		t.Errorf("queues offered as %q, want names", got)
	}
	agent.selectValue(t, "#transfer-agent", agent.evalString(t, budiOpt+`.value`))
	agent.do(t, "a note for Budi", chromedp.SendKeys(chromedp.ID("transfer-note"), "Mohon dibantu, soal insentif."))
	agent.clickShown(t, "transfer to Budi", "transfer-btn")
	agent.waitJS(t, "transferred", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q`, tx("routing.transferred")))
	agent.waitLive(t, "Budi is the assignee", `document.getElementById('t-assignee').textContent === 'Budi'`)
	agent.checkConsole(t)
}
