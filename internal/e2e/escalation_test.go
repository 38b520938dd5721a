package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/complaint"
)

// TestBrowserComplaintEscalation: an open lifecycle panel (on a phone
// screen) follows a stage change made elsewhere without a reload
// (complaint.updated), and when the scheduler escalates a confidential
// complaint at its ceiling, the supervisor's board lists it without a
// reload (complaint.escalated), in words, with no identity anywhere.
func TestBrowserComplaintEscalation(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	_, a, admin := startLifecycleApp(t)
	base := a.URL()
	if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "spv@tanggap.test", "name": "Supervisor Satu",
		"password": "rahasia-spv-1234", "role": "supervisor"}); r.Status >= 300 {
		t.Fatalf("create supervisor: %d %s", r.Status, r.Body)
	}
	tn := admin.Complaint(map[string]string{"name": "Rahasia Warga", "phone": "081234500077", "category": "insentif",
		"description": "Insentif saya dipotong oknum."})
	id := ticketIDs(t, admin, tn)[tn]

	root := newBrowser(t, browser)
	shots := newShots(t)
	phone := newTab(t, root)
	phone.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	phone.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	phone.do(t, "open ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	phone.waitJS(t, "lifecycle panel", `document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'verification'`)

	spv := newTab(t, root)
	spv.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	spv.signIn(t, base+"/console?lang=id-ID", "spv@tanggap.test", "rahasia-spv-1234")
	spv.openBoard(t)
	spv.waitJS(t, "no escalated complaint yet", `!document.getElementById('complaints-board').hidden && document.getElementById('complaints-escalated-none')`)

	// Verified elsewhere (another agent): the open panel follows.
	res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/verify", id), map[string]any{})
	if res.Status != http.StatusOK {
		t.Fatalf("verify: %d %s", res.Status, res.Body)
	}
	var v complaint.View
	res.JSON(t, &v)
	phone.waitJS(t, "stage verified, pushed", `document.getElementById('lc-stage').dataset.stage === 'verified'`)
	// On a phone the details (with the lifecycle panel) are a pane of
	// their own.
	phone.do(t, "open the details", chromedp.Evaluate[chromedp.Void](`document.getElementById('details-btn').click()`))
	phone.waitJS(t, "lifecycle panel shown", `document.getElementById('lifecycle-mount').getClientRects().length > 0`)
	phone.do(t, "show the panel", chromedp.Evaluate[chromedp.Void](`document.getElementById('lifecycle-mount').scrollIntoView()`))
	shots.take(t, phone, "escalation-01-panel-phone")
	if over := phone.evalString(t, `(() => { const p = document.getElementById('lifecycle-mount'); const r = p.getBoundingClientRect();
		const out = [...p.querySelectorAll('*')].filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && (b.right > r.right + 1 || b.left < r.left - 1); });
		return out.map((e) => e.tagName + '#' + e.id + '.' + e.className).join(' '); })()`); over != "" {
		t.Errorf("lifecycle panel parts stick out of it on a phone: %s", over)
	}
	if w := phone.evalString(t, `String(Math.max(document.documentElement.scrollWidth, document.body.scrollWidth))`); w != "390" {
		t.Errorf("the phone page is %spx wide (wider than the 390px screen)", w)
	}

	var ceiling *complaint.Clock
	for i := range v.Clocks {
		if v.Clocks[i].Name == "ceiling" {
			ceiling = &v.Clocks[i]
		}
	}
	if ceiling == nil || ceiling.Due == nil {
		t.Fatalf("no ceiling clock: %+v", v.Clocks)
	}
	r, err := a.Complaints().Tick(context.Background(), ceiling.Due.Add(60e9))
	if err != nil || r.Escalated != 1 {
		t.Fatalf("tick at the ceiling: %+v %v", r, err)
	}
	row := fmt.Sprintf(`#complaints-escalated li[data-ticket="%d"]`, id)
	spv.waitJS(t, "escalated complaint on the board, pushed", `document.querySelector('`+row+`')`)
	rowText := spv.evalString(t, `document.querySelector('`+row+`').innerText`)
	if !strings.Contains(rowText, tx("lifecycle.console.escalated")) || !strings.Contains(rowText, tx("lifecycle.console.confidential")) {
		t.Fatalf("escalated row %q does not say escalated and confidential in words", rowText)
	}
	spv.waitJS(t, "announced", `document.getElementById('complaints-announce').textContent.indexOf(`+fmt.Sprintf("%q", tn)+`) >= 0`)
	if body := spv.evalString(t, `document.body.innerText`); strings.Contains(body, "Rahasia Warga") || strings.Contains(body, "4500077") {
		t.Fatal("the supervisor's board shows the confidential identity")
	}
	spv.do(t, "show the list", chromedp.Evaluate[chromedp.Void](`document.getElementById('complaints-board').scrollIntoView()`))
	shots.take(t, spv, "escalation-02-board")
	phone.waitJS(t, "escalated badge on the panel, pushed", `document.querySelector('#lc-steps [data-step="escalated"]')`)
	shots.take(t, phone, "escalation-03-panel-escalated-phone")
	phone.checkConsole(t)
	// The row's link opens the ticket on the tickets tab, the focus in it.
	spv.pressEnter(t, "open the escalated ticket", row+` a[data-lc-ticket]`)
	spv.waitJS(t, "the ticket shown, the focus in it", fmt.Sprintf(`document.getElementById('board-view').hidden
		&& document.getElementById('t-tn').textContent === %q
		&& document.getElementById('ticket-detail').contains(document.activeElement) && document.activeElement.getClientRects().length > 0`, tn))
	spv.checkConsole(t)
}
