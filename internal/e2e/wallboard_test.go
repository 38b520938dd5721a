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

// TestBrowserWallboard: a supervisor of the demo seed opens the board and
// the wallboard moves by push alone (nothing reloads it): a complaint
// arrives and the web-form line of umum counts it waiting; an agent goes
// away with a reason and the grid shows the reason; the supervisor sets
// that agent online from the grid; TV mode enlarges the board. Screens
// are taken at 1366x800 and 390x844.
func TestBrowserWallboard(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	sup := newTab(t, root)
	sup.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	sup.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	sup.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	sup.openBoard(t)
	sup.do(t, "the wallboard shown", chromedp.WaitVisible(chromedp.ID("wallboard-mount")))
	sup.waitJS(t, "the wallboard drawn", `!!document.querySelector('#wb-agents tr[data-agent]')`)
	if got := sup.evalString(t, `document.getElementById('wb-title').textContent`); got != tx("wallboard.title") {
		t.Errorf("wallboard title = %q", got)
	}
	// Today's calls (none yet), abandoned ones included, in words.
	if got, want := sup.evalString(t, `(document.getElementById('wb-calls') || {}).textContent`), tx("wallboard.calls", "inbound", 0, "abandoned", 0); got != want {
		t.Errorf("calls line = %q, want %q", got, want)
	}
	row := func(sel, css string) string {
		return fmt.Sprintf(`((document.querySelector(%q) || {querySelector: () => null}).querySelector(%q) || {}).textContent`, sel, css)
	}
	sup.waitJS(t, "the console's push socket is open", `document.documentElement.dataset.socket === 'open'`)
	// No reload from here on: a count that moves was pushed.
	sup.do(t, "count the wallboard reads", chromedp.Evaluate[chromedp.Void](`window.__since = performance.now()`))

	api := apptest.NewClient(t, base)
	start := time.Now()
	api.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	line := `#wb-lines tr[data-line="umum/webform"]`
	sup.waitJSFor(t, "umum/webform shows 1 waiting", asyncWait, row(line, ".wb-waiting")+` === "1"`)
	t.Logf("complaint submitted → wallboard shows it: %v (ingest included)", time.Since(start).Round(time.Millisecond))
	if got := sup.evalString(t, row(line, ".wb-offered")); got != "1" {
		t.Errorf("umum/webform arrived today = %q, want 1", got)
	}
	// Waiting well within the web form's threshold (4 h): neither met
	// nor missed yet, so no service level and no alarm.
	if got := sup.evalString(t, row(line, ".wb-sl")); got != "—" {
		t.Errorf("service level with one ticket waiting within its threshold = %q, want —", got)
	}
	if got := sup.evalString(t, row(line, ".board-flag")); strings.Contains(got, tx("wallboard.flag_service_level")) {
		t.Errorf("attention = %q, want no service-level mark for a ticket within its threshold", got)
	}

	// Sari goes away to pray: her row says so, by push.
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	var sariID int64
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	sari.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	sariID = me.Agent.ID
	sariRow := fmt.Sprintf(`#wb-agents tr[data-agent="%d"]`, sariID)
	start = time.Now()
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "away", "reason": "sholat"}); r.Status != http.StatusOK {
		t.Fatalf("sari away with a reason: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "Sari shown away for prayer", 5*time.Second, row(sariRow, ".wb-state-cell")+`.includes("Sholat")`)
	// Logged, not judged: the time depends on the machine's load. That the
	// push follows the event is wallboard.TestPushFollowsTheEvent; the
	// time is measured by wallboard.BenchmarkWallboardPush.
	t.Logf("agent state change → wallboard: %v", time.Since(start).Round(time.Millisecond))
	if got := sup.evalString(t, row(sariRow, ".wb-state-cell")); !strings.Contains(got, "◆") {
		t.Errorf("away state = %q, want its shape beside the words", got)
	}
	if got := sup.evalString(t, `String(performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/wallboard') && e.startTime > window.__since).length)`); got != "0" {
		t.Errorf("the wallboard was read %s times: the changes must come by push", got)
	}
	// Budi is given the complaint: his "move all" list names each
	// colleague's state and load (an away colleague's tickets would go
	// back to the queue after the grace), ready ones first, offline ones
	// not to be picked.
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var list struct {
		Tickets []struct {
			ID int64 `json:"id"`
		} `json:"tickets"`
	}
	admin.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
	if len(list.Tickets) != 1 {
		t.Fatalf("%d tickets listed, want the complaint", len(list.Tickets))
	}
	budiID := agentID(t, admin, "budi@tanggap.example")
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/assign", list.Tickets[0].ID), map[string]any{"agent_id": budiID}); r.Status >= 300 {
		t.Fatalf("assign to Budi: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "Budi's move list names Sari's state and load", asyncWait, fmt.Sprintf(`(o => !!o && o.textContent.startsWith(%q) && /\d+\/\d+$/.test(o.textContent) && !o.disabled)(document.querySelector('#wb-move-%d option[value="a:%d"]'))
		&& [...document.querySelectorAll('#wb-move-%d option[value^="a:"]')].every(o => o.disabled === (o.textContent.includes(%q) || o.textContent.endsWith(%q)))
		&& ((o) => o.every((x, i) => i === 0 || x >= o[i - 1]))([...document.querySelectorAll('#wb-move-%d option[value^="a:"]')].map(o => [%q, %q, %q, %q].findIndex(p => o.textContent.includes(' · ' + p + ' · '))))`,
		"Sari · "+tx("presence.away")+" · ", budiID, sariID, budiID, " · "+tx("presence.offline")+" · ", "("+tx("board.cannot_take_full")+")",
		budiID, tx("presence.online"), tx("presence.busy"), tx("presence.away"), tx("presence.offline")))
	sup.scrollTo(t, "wallboard-mount")
	shots.take(t, sup, "wallboard-1366")

	// The supervisor puts Sari back online from the grid.
	sup.selectValue(t, fmt.Sprintf("#wb-state-%d", sariID), "online")
	sup.do(t, "apply", chromedp.Click(chromedp.CSS(sariRow+" .wb-apply")))
	sup.waitJSFor(t, "Sari shown online", 5*time.Second, row(sariRow, ".wb-state-cell")+`.includes(`+fmt.Sprintf("%q", tx("presence.online"))+`)`)
	sup.waitJS(t, "the action said done", fmt.Sprintf(`document.getElementById('wb-status').textContent === %q`, tx("wallboard.state_set")))
	var check struct {
		Agent struct {
			Presence string `json:"presence"`
		} `json:"agent"`
	}
	sari.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &check)
	if check.Agent.Presence != "online" {
		t.Errorf("sari's presence after the supervisor's action = %q", check.Agent.Presence)
	}

	// Moving Budi's tickets to Sari is asked once more, in place, with the
	// focus on the answer: cancelled, nothing moves; confirmed, they move.
	sup.selectValue(t, fmt.Sprintf("#wb-move-%d", budiID), fmt.Sprintf("a:%d", sariID))
	sup.do(t, "move all", chromedp.Click(chromedp.ID(fmt.Sprintf("wb-moveall-%d", budiID))))
	sup.waitJS(t, "asked, the focus on yes", fmt.Sprintf(`document.activeElement && document.activeElement.id === 'wb-move-yes-%d'
		&& document.getElementById('wb-move-confirm-%d').textContent === %q`, budiID, budiID, tx("wallboard.move_confirm", "n", 1, "name", "Budi", "to", "Sari")))
	shots.take(t, sup, "wallboard-move-confirm")
	sup.do(t, "cancel", chromedp.Click(chromedp.ID(fmt.Sprintf("wb-move-no-%d", budiID))))
	sup.waitJS(t, "back to the button", fmt.Sprintf(`document.activeElement && document.activeElement.id === 'wb-moveall-%d'`, budiID))
	var owner struct {
		AssigneeID int64 `json:"assignee_id"`
	}
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", list.Tickets[0].ID), nil).JSON(t, &owner)
	if owner.AssigneeID != budiID {
		t.Fatalf("after cancelling, the ticket is %d's, want Budi's", owner.AssigneeID)
	}
	ask := func(step string) {
		t.Helper()
		sup.selectValue(t, fmt.Sprintf("#wb-move-%d", budiID), fmt.Sprintf("a:%d", sariID))
		sup.do(t, step, chromedp.Click(chromedp.ID(fmt.Sprintf("wb-moveall-%d", budiID))))
		sup.waitJS(t, step+": asked", fmt.Sprintf(`document.activeElement && document.activeElement.id === 'wb-move-yes-%d'`, budiID))
	}
	// Escape withdraws the question too.
	ask("move all again")
	sup.do(t, "escape", chromedp.KeyEvent(kb.Escape))
	sup.waitJS(t, "escaped, back to the button", fmt.Sprintf(`document.activeElement && document.activeElement.id === 'wb-moveall-%d'`, budiID))
	// A question that no longer stands (Sari went offline meanwhile) is
	// withdrawn and said.
	ask("move all to Sari, who then leaves")
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "offline"}); r.Status != http.StatusOK {
		t.Fatalf("sari offline: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "the question withdrawn", asyncWait, fmt.Sprintf(`!document.getElementById('wb-move-yes-%d')
		&& document.getElementById('wb-status').textContent === %q && document.activeElement && document.activeElement.id === 'wb-moveall-%d'`,
		budiID, tx("wallboard.move_dropped"), budiID))
	// Offline, Sari is offered as the ticket's transfer offers her: not
	// to be picked, and why. Picked all the same (the list was drawn
	// before she left), the move is asked, and the server's refusal is
	// said as it is, not as a board that changed.
	offline := fmt.Sprintf(`document.querySelector('#wb-move-%d option[value="a:%d"]')`, budiID, sariID)
	sup.waitJSFor(t, "Sari offered offline, with why", asyncWait, fmt.Sprintf(`(o => !!o && o.disabled && o.textContent.includes(%q) && o.textContent.endsWith(%q))(%s)`,
		" · "+tx("presence.offline")+" · ", " ("+tx("board.cannot_take")+")", offline))
	sup.selectValue(t, fmt.Sprintf("#wb-move-%d", budiID), fmt.Sprintf("a:%d", sariID))
	sup.do(t, "move all to Sari, offline", chromedp.Click(chromedp.ID(fmt.Sprintf("wb-moveall-%d", budiID))))
	sup.waitJS(t, "asked, not withdrawn", fmt.Sprintf(`document.activeElement && document.activeElement.id === 'wb-move-yes-%d'`, budiID))
	sup.do(t, "yes, to Sari offline", chromedp.Click(chromedp.ID(fmt.Sprintf("wb-move-yes-%d", budiID))))
	sup.waitJS(t, "the refusal said", fmt.Sprintf(`document.getElementById('wb-status').textContent === %q`, tx("error.no_capacity")))
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", list.Tickets[0].ID), nil).JSON(t, &owner)
	if owner.AssigneeID != budiID {
		t.Fatalf("after a refused move, the ticket is %d's, want Budi's", owner.AssigneeID)
	}
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("sari online: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "Sari back", asyncWait, fmt.Sprintf(`!!document.querySelector('#wb-move-%d option[value="a:%d"]:not([disabled])')`, budiID, sariID))
	// Without room (her capacity taken to 0), she is not to be picked
	// either, and the option says why.
	sariPath := fmt.Sprintf("/api/v1/admin/agents/%d", sariID)
	var before struct {
		Capacity int `json:"capacity"`
	}
	for _, x := range func() []map[string]any {
		var l struct {
			Agents []map[string]any `json:"agents"`
		}
		admin.Do(http.MethodGet, "/api/v1/admin/agents", nil).JSON(t, &l)
		return l.Agents
	}() {
		if id, _ := x["id"].(float64); int64(id) == sariID {
			before.Capacity = int(x["capacity"].(float64))
		}
	}
	if r := admin.Do(http.MethodPut, sariPath, map[string]any{"capacity": 0}); r.Status != http.StatusOK {
		t.Fatalf("sari's capacity 0: %d %s", r.Status, r.Body)
	}
	// A capacity is pushed with the next event (or the periodic push): her
	// presence is one.
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "busy"}); r.Status != http.StatusOK {
		t.Fatalf("sari busy: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "Sari offered full, with why", asyncWait, fmt.Sprintf(`(o => !!o && o.disabled && o.textContent.endsWith(%q))(%s)`,
		" · 0/0 ("+tx("board.cannot_take_full")+")", offline))
	if r := admin.Do(http.MethodPut, sariPath, map[string]any{"capacity": before.Capacity}); r.Status != http.StatusOK || before.Capacity == 0 {
		t.Fatalf("sari's capacity back to %d: %d %s", before.Capacity, r.Status, r.Body)
	}
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("sari online again: %d %s", r.Status, r.Body)
	}
	sup.waitJSFor(t, "Sari has room again", asyncWait, fmt.Sprintf(`!!document.querySelector('#wb-move-%d option[value="a:%d"]:not([disabled])')`, budiID, sariID))
	ask("move all to Sari, back")
	sup.do(t, "by keyboard: yes", chromedp.KeyEvent("\r"))
	sup.waitJS(t, "moved", fmt.Sprintf(`document.getElementById('wb-status').textContent === %q`, tx("wallboard.moved", "n", 1, "refused", 0)))
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", list.Tickets[0].ID), nil).JSON(t, &owner)
	if owner.AssigneeID != sariID {
		t.Fatalf("after confirming, the ticket is %d's, want Sari's (%d)", owner.AssigneeID, sariID)
	}

	sup.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	sup.waitJS(t, "redrawn", `!!document.querySelector('#wb-agents tr[data-agent]')`)
	if w := sup.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Log(sup.evalString(t, `[document.body.scrollWidth, window.innerWidth, document.getElementById('board-view').scrollWidth, document.getElementById('wallboard-mount').scrollWidth, document.querySelector('.console-bar').scrollWidth].join()`))
		t.Log(sup.evalString(t, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392 && (!e.closest('.board-scroll') || e.classList.contains('board-scroll'))).slice(0, 12).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('\n')`))
		t.Errorf("page is %s px wide on a 390 px screen: the tables must scroll in their own region", w)
	}
	sup.scrollTo(t, "wb-agents")
	shots.take(t, sup, "wallboard-390")
	sup.do(t, "back to a laptop", chromedp.EmulateViewport(1366, 800))

	// TV mode: larger type, the console's bar hidden, every column of the
	// queue lines on a laptop's screen; Escape leaves it.
	cellType := `parseFloat(getComputedStyle(document.querySelector('#wb-agents td')).fontSize)`
	normal := sup.evalString(t, `String(`+cellType+`)`)
	sup.do(t, "TV mode", chromedp.Click(chromedp.ID("wb-tv")))
	sup.waitJS(t, "TV mode on", `document.body.classList.contains('wb-tv-mode')`)
	if got := sup.evalString(t, `String(`+cellType+` > `+normal+`) + ' ' + String(document.querySelector('#wb-lines').getBoundingClientRect().right <= window.innerWidth)`); got != "true true" {
		t.Errorf("TV mode: larger type, the lines fit = %s (cell type %s px before; %s)", got, normal,
			sup.evalString(t, `(e => e.tagName + ' ' + e.getBoundingClientRect().right + ' ' + e.scrollWidth + ' / ' + window.innerWidth + ' ' + [...e.querySelectorAll('th')].map(h => h.textContent + ':' + Math.round(h.getBoundingClientRect().width)).join(', '))(document.querySelector('#wb-lines'))`))
	}
	shots.take(t, sup, "wallboard-tv")
	sup.do(t, "leave TV mode", chromedp.KeyEvent("\x1b"))
	sup.waitJS(t, "TV mode off", `!document.body.classList.contains('wb-tv-mode')`)

	// An agent never gets the wallboard.
	if r := sari.Do(http.MethodGet, "/api/v1/wallboard", nil); r.Status != http.StatusForbidden {
		t.Errorf("agent GET /api/v1/wallboard = %d, want 403", r.Status)
	}
	sup.checkConsole(t)
}
