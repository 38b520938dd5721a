package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserRouting: an agent of the demo seed signs in, sets a presence,
// opens a waiting ticket and sees its SLA due time and place in the queue,
// takes it, and transfers it to another of her queues with a note that
// lands in the thread.
func TestBrowserRouting(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	api := apptest.NewClient(t, base)
	const line = "Dana insentif bulan lalu belum masuk ke rekening saya."
	tn := api.Complaint(map[string]string{"name": "Agus", "phone": "081298765432", "category": "lainnya", "description": line})

	root := newBrowser(t, browser)
	shots := newShots(t)
	agent := newTab(t, root)
	agent.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	// Busy: working, but not given tickets automatically.
	agent.selectValue(t, "#presence", "busy")
	agent.waitJS(t, "presence saved", `document.getElementById('presence-dot').classList.contains('presence-busy')`)
	agent.selectValue(t, "#scope", "queue")
	rowJS := fmt.Sprintf(`[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes(%q))`, tn)
	agent.waitLive(t, "the waiting ticket in my queue's list", rowJS+` !== undefined`)
	id := agent.evalString(t, rowJS+`.dataset.ticketId`)
	agent.clickNow(t, "open the ticket", `#ticket-list [data-ticket-id="`+id+`"]`)
	agent.do(t, "the ticket opens", chromedp.WaitVisible(chromedp.ID("routing-panel")))
	agent.waitJS(t, "SLA due time shown", `document.getElementById('r-first-due').getAttribute('datetime')`)
	if got := agent.text(t, "#r-first-state"); got != tx("sla_state.ok") && got != tx("sla_state.warning") && got != tx("sla_state.breached") {
		t.Errorf("first response state = %q", got)
	}
	// The place in the queue, or (outside the queue's hours, nobody
	// online) when it opens: whichever the server says right now.
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	var view struct {
		Routing struct {
			Closed bool `json:"closed"`
		} `json:"routing"`
	}
	sari.Do(http.MethodGet, "/api/v1/tickets/"+id+"/routing", nil).JSON(t, &view)
	got := agent.text(t, "#r-position")
	closed := view.Routing.Closed
	if closed && !strings.HasPrefix(got, strings.SplitN(tx("routing.queue_closed"), ".", 2)[0]) || !closed && !strings.HasPrefix(got, "1 ") {
		t.Errorf("place in queue = %q, want first (or closed: %v)", got, closed)
	}
	if got := agent.text(t, "#t-priority"); got != tx("priority.normal") {
		t.Errorf("priority = %q", got)
	}
	shots.take(t, agent, "11-routing-waiting")

	agent.clickShown(t, "take the ticket", "claim-btn")
	agent.waitJS(t, "claimed", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q`, tx("routing.claimed")))
	agent.waitJS(t, "give-back button shown", `!document.getElementById('release-btn').hidden && document.getElementById('claim-btn').hidden`)
	agent.waitJSFor(t, "assignee shown", asyncWait, `document.getElementById('t-assignee').textContent === 'Sari'`)

	// Queues are listed by name (GET /api/v1/transfer-targets); a server
	// without that list leaves the queue's code to type.
	if agent.evalString(t, `String(document.getElementById('transfer-code-field').hidden)`) == "true" {
		agent.waitJS(t, "queues listed by name", `!!document.querySelector('#transfer-queue option[value="jabar"]')`)
		agent.selectValue(t, "#transfer-queue", "jabar")
	} else {
		agent.do(t, "type the queue code", chromedp.SendKeys(chromedp.ID("transfer-queue-code"), "jabar"))
	}
	agent.do(t, "a note for the Jawa Barat queue", chromedp.SendKeys(chromedp.ID("transfer-note"), "Warga Jawa Barat, mohon dicek tim wilayah."))
	agent.clickShown(t, "transfer to the Jawa Barat queue", "transfer-btn")
	agent.waitJS(t, "transferred", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q`, tx("routing.transferred")))
	agent.waitLive(t, "note in the thread", `document.getElementById('t-messages').textContent.includes('mohon dicek tim wilayah')`)
	agent.waitJSFor(t, "back in a queue: claim offered again", asyncWait, `!document.getElementById('claim-btn').hidden`)
	shots.take(t, agent, "12-routing-transferred")
	agent.checkConsole(t)
}
