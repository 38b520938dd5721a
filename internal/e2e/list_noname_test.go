package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserListRowOfACitizenWithoutAName: the ticket list puts a
// citizen's name on each row; an anonymous complaint has none. Arriving
// live, its row quotes the citizen's words in the name's place, and an
// agent's reply (whose ticket event carries the reply's start) does not
// take their place: the row once read the agent's own words as if they were
// the citizen's. Read from the server, the row says the citizen gave no name.
func TestBrowserListRowOfACitizenWithoutAName(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	agentAPI := apptest.NewClient(t, base)
	agentAPI.Login(apptest.AdminEmail, apptest.AdminPassword)

	adm := newTab(t, root)
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the list shown", `!!document.getElementById('ticket-list')`)
	// The complaint is filed once the list of all tickets has been read:
	// a read answered after it would bring its row from the server (no
	// name, "(tanpa nama)"), not live.
	adm.do(t, "count the list's reads", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = window.fetch;
		window.__listReads = 0;
		window.fetch = (u, init) => {
			if (!String(u).includes('/api/v1/tickets?')) { return f(u, init); }
			window.__listReads++;
			return f(u, init).finally(() => { window.__listReads--; window.__listReadsDone = (window.__listReadsDone || 0) + 1; });
		};
	})()`))
	adm.selectValue(t, "#scope", "all")
	adm.waitJS(t, "the list of all tickets read", `window.__listReadsDone >= 1 && window.__listReads === 0`)

	res := apptest.NewClient(t, base).Do(http.MethodPost, "/api/v1/complaints", map[string]any{"anonymous": true, "category": "pelatihan",
		"description": "Ada pungutan liar di tempat pelatihan kecamatan."})
	var sub struct {
		TN string `json:"tracking_number"`
	}
	if err := json.Unmarshal(res.Body, &sub); err != nil || res.Status != http.StatusCreated {
		t.Fatalf("anonymous complaint: %d %s", res.Status, res.Body)
	}
	id := ticketIDs(t, agentAPI, sub.TN)[sub.TN]
	row := fmt.Sprintf(`document.querySelector('#ticket-list [data-ticket-id="%d"] .ticket-contact')`, id)
	quoted := tx("console.preview_quoted", "text", "Ada pungutan liar di tempat pelatihan kecamatan.")
	adm.waitJS(t, "the new ticket's row quoting the citizen", fmt.Sprintf(`(e => !!e && e.textContent === %s)(%s)`, jsString(quoted), row))

	if r := agentAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]any{"body": "Ibu, laporan Anda kami terima."}); r.Status/100 != 2 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	// The reply's ticket event moves the ticket from new to open: once the
	// row says so, the event is handled, and the row must still quote the
	// citizen.
	adm.waitJS(t, "the reply's event handled", fmt.Sprintf(`(e => !!e && e.textContent === %s)(document.querySelector('#ticket-list [data-ticket-id="%d"] .badge-open'))`,
		jsString(tx("ticket_status.open")), id))
	if got := adm.evalString(t, row+`.textContent`); got != quoted {
		t.Errorf("after the agent's reply the row's name reads %q, want the citizen's words %q", got, quoted)
	}

	adm.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("console-view")))
	adm.waitJS(t, "the row read from the server", fmt.Sprintf(`(e => !!e && e.textContent === %s)(%s)`, jsString(tx("contact.no_name")), row))
	adm.checkConsole(t)
}
