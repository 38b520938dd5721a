package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserQueueBoard: a supervisor of the demo seed opens the queue
// board and sees the national queue's waiting tickets, sees the count grow
// after a refresh when another complaint arrives, and keeps the last rows
// when a refresh fails; an agent never gets the board, in the page or
// from the API.
func TestBrowserQueueBoard(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg := demoConfig(t)
	// The board here moves by its refresh button, and parts of the test
	// doctor the page's answers: the core's periodic queue.metrics push
	// (every 10 s by default) would overwrite them at a random moment.
	cfg.Routing.MetricsInterval = time.Hour
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	// Nobody of the seed is online, so both complaints wait in umum.
	api.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})

	root := newBrowser(t, browser)
	shots := newShots(t)
	sup := newTab(t, root)
	sup.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	sup.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	for css, key := range map[string]string{
		"#tab-tickets":                 "board.tab_tickets",
		"#tab-board":                   "board.tab_queues",
		"#board-title":                 "board.title",
		"#board-refresh":               "board.refresh",
		"#board-table th:nth-child(2)": "board.col_waiting",
		"#board-table th:nth-child(3)": "board.col_oldest",
		"#board-table th:nth-child(7)": "board.col_sla",
		"#board-table caption":         "board.caption",
	} {
		if got, want := sup.text(t, css), tx(key); got != want {
			t.Errorf("%s = %q, want the Indonesian %q", css, got, want)
		}
	}
	if got := sup.text(t, "#tab-board"); got != "Antrean" {
		t.Errorf("board tab = %q, want Antrean", got)
	}

	sup.openBoard(t)
	if sup.evalString(t, `String(document.getElementById('tickets-panel').hidden)`) != "true" {
		t.Error("the ticket list is still shown beside the board")
	}
	row := func(queue, css string) string {
		return fmt.Sprintf(`(document.querySelector('#board-rows tr[data-queue=%q] %s') || {}).textContent`, queue, css)
	}
	// The complaint is ingested asynchronously: refresh as a supervisor
	// would, every 2 s, until it is counted.
	waitWaiting := func(n int) {
		t.Helper()
		sup.waitJSFor(t, fmt.Sprintf("umum shows %d waiting", n), asyncWait, fmt.Sprintf(`(() => {
			const ok = %s === %q;
			window.__polls = (window.__polls || 0) + 1;
			if (!ok && window.__polls %% 20 === 0) document.getElementById('board-refresh').click();
			return ok;
		})()`, row("umum", ".board-waiting"), fmt.Sprint(n)))
	}
	waitWaiting(1)
	if got := sup.evalString(t, row("umum", "th .board-name")); got != "Umum (nasional)" {
		t.Errorf("umum row name = %q", got)
	}
	if got := sup.evalString(t, row("umum", ".board-oldest")); !strings.HasSuffix(got, " dtk") && !strings.HasSuffix(got, " mnt") {
		t.Errorf("oldest wait = %q, want seconds or minutes in Indonesian", got)
	}
	if got := sup.evalString(t, row("umum", ".board-sla")); got != "100%" {
		t.Errorf("umum SLA = %q, want 100%% (one ticket, nothing breached)", got)
	}
	if got := sup.evalString(t, row("jatim", ".board-sla")); got != "—" {
		t.Errorf("jatim SLA = %q, want — (no tickets)", got)
	}
	if got := sup.evalString(t, row("jatim", ".board-waiting")); got != "0" {
		t.Errorf("jatim waiting = %q", got)
	}
	if got := sup.evalString(t, row("umum", ".board-flag")); got != tx("board.flag_none") {
		t.Errorf("umum attention = %q, want %q", got, tx("board.flag_none"))
	}
	if got := sup.text(t, "#board-updated"); !strings.HasPrefix(got, "Diperbarui ") {
		t.Errorf("last updated = %q", got)
	}
	shots.take(t, sup, "13-queue-board")

	api.Complaint(map[string]string{"name": "Yusuf", "phone": "081333334444", "category": "lainnya", "description": "Saya belum menerima email verifikasi."})
	waitWaiting(2)

	// A failed refresh keeps the rows and says so.
	sup.do(t, "cut the queue APIs off", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__fetch = window.fetch;
		window.fetch = (u, i) => String(u).includes('/api/v1/queues/') ? Promise.reject(new TypeError('offline')) : window.__fetch(u, i);
		document.getElementById('board-refresh').click();
	})()`))
	sup.waitJS(t, "refresh failure said", `document.getElementById('board-status').textContent !== ''`)
	if got, want := sup.text(t, "#board-status"), tx("error.network"); !strings.Contains(got, want) || !strings.HasPrefix(got, "Gagal memuat ulang") {
		t.Errorf("status after a failed refresh = %q, want it to say the refresh failed (%q)", got, want)
	}
	if got := sup.evalString(t, row("umum", ".board-waiting")); got != "2" {
		t.Errorf("after a failed refresh umum waiting = %q, want the last 2 kept", got)
	}
	sup.do(t, "reconnect and refresh", chromedp.Evaluate[chromedp.Void](`(() => {
		window.fetch = window.__fetch;
		document.getElementById('board-refresh').click();
	})()`))
	sup.waitJS(t, "failure notice cleared", `document.getElementById('board-status').textContent === ''`)

	// Attention: a queue whose oldest ticket waited past its overflow
	// threshold (jabar: 900 s in the seed), and one below 80 % within SLA
	// (umum, the one queue with tickets in the report).
	// Waiting that long or breaching takes real time, so the page's own
	// answers are doctored here, as for the failed refresh above.
	sup.do(t, "doctor the queue answers", chromedp.Evaluate[chromedp.Void](`(() => {
		const doctor = (u, d) => {
			for (const q of d.queues) {
				if (String(u).includes('/queues/metrics') && q.queue === 'jabar') { q.waiting = 3; q.oldest_wait_seconds = 1000; }
				if (String(u).includes('/queues/sla') && q.queue === 'umum') { q.tickets = 10; q.within = 5; q.percent = 50; }
			}
			return d;
		};
		window.fetch = (u, i) => String(u).includes('/api/v1/queues/')
			? window.__fetch(u, i).then(r => r.json()).then(d => new Response(JSON.stringify(doctor(u, d)),
				{status: 200, headers: {'Content-Type': 'application/json'}}))
			: window.__fetch(u, i);
		document.getElementById('board-refresh').click();
	})()`))
	sup.waitJS(t, "jabar marked", `!!document.querySelector('#board-rows tr[data-queue="jabar"].board-alert')`)
	if got, want := sup.evalString(t, row("jabar", ".board-flag")), tx("board.flag_overflow"); got != want {
		t.Errorf("jabar attention = %q, want %q", got, want)
	}
	if got := sup.evalString(t, row("jabar", ".board-oldest")); got != "16 mnt" {
		t.Errorf("jabar oldest wait = %q, want 16 mnt", got)
	}
	if got, want := sup.evalString(t, row("umum", ".board-flag")), tx("board.flag_sla", "percent", 80); got != want {
		t.Errorf("umum attention = %q, want %q", got, want)
	}
	if got := sup.evalString(t, row("umum", ".board-sla")); got != "50%" {
		t.Errorf("umum SLA = %q, want 50%%", got)
	}
	if sup.evalString(t, `String(!!document.querySelector('#board-rows tr[data-queue="jatim"].board-alert'))`) != "false" {
		t.Error("jatim marked, with nothing wrong")
	}
	shots.take(t, sup, "14-queue-board-attention")
	sup.do(t, "undoctor", chromedp.Evaluate[chromedp.Void](`(() => { window.fetch = window.__fetch; })()`))

	// Keyboard: arrows move between the tabs.
	sup.do(t, "arrow back to the tickets tab", chromedp.Evaluate[chromedp.Void](`(() => {
		document.getElementById('tab-board').focus();
		document.getElementById('tab-board').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft', bubbles: true}));
	})()`))
	sup.waitJS(t, "tickets tab selected and focused", `document.getElementById('tab-tickets').getAttribute('aria-selected') === 'true'
		&& document.activeElement.id === 'tab-tickets' && document.getElementById('board-view').hidden
		&& !document.getElementById('tickets-panel').hidden`)

	// --- an agent: no board, and the API refuses ---------------------------
	agent := newTab(t, root)
	agent.signIn(t, base+"/console", "sari@tanggap.example", "demo-sari-2026")
	agent.waitJS(t, "ticket list loaded", `document.getElementById('list-updated').textContent !== ''`)
	if got := agent.evalString(t, `[document.getElementById('console-tabs').hidden, document.getElementById('board-view').hidden].join()`); got != "true,true" {
		t.Errorf("agent's board tab and board hidden = %s, want true,true", got)
	}
	if got := agent.evalString(t, `String(performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/queues/')).length)`); got != "0" {
		t.Errorf("the agent's console called the queue APIs %s times", got)
	}
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	for _, path := range []string{"/api/v1/queues/metrics", "/api/v1/queues/sla?days=7"} {
		if r := sari.Do(http.MethodGet, path, nil); r.Status != http.StatusForbidden {
			t.Errorf("agent GET %s = %d, want 403", path, r.Status)
		}
	}

	sup.checkConsole(t)
	agent.checkConsole(t)
}
