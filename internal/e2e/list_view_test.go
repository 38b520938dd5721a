package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserListViewSurvivesReload: an agent who narrowed the list
// (her queue, every status, the complaint form only) and presses F5 gets
// the same list back, read once with those filters, not first with the
// defaults. Signing out takes them out of the tab; a colleague signing in
// there starts from the defaults, and the agent signing in again on the
// page finds her list as she left it.
func TestBrowserListViewSurvivesReload(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Wati", "phone": "081322224444", "category": "lainnya",
		"description": "Jadwal pelatihan saya tidak muncul."})
	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	id := ticketIDs(t, api, tn)[tn]

	root := newBrowser(t, browser)
	sari := newTab(t, root)
	sari.instrument(t)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.selectValue(t, "#scope", "queue")
	sari.selectValue(t, "#status-filter", "all")
	sari.do(t, "open more filters", chromedp.Click(chromedp.ID("more-filters-summary")))
	sari.do(t, "complaint form only", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-channel').value = 'webform'`))
	sari.do(t, "apply", chromedp.Click(chromedp.ID("filters-apply")))
	oneFilter := fmt.Sprintf(`document.getElementById('more-filters-summary').textContent.includes(%q)`, tx("filters.active", "n", 1))
	sari.waitJS(t, "the narrowed list", oneFilter+` && `+rowJS(id))

	narrowed := `document.getElementById('scope').value === 'queue' && document.getElementById('status-filter').value === 'all'
		&& document.getElementById('f-channel').value === 'webform' && ` + oneFilter
	sari.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("console-view")))
	sari.waitJS(t, "the same list after the reload", narrowed+` && `+rowJS(id))
	sari.settled(t)
	var reads []string
	if err := json.Unmarshal([]byte(sari.evalString(t, `JSON.stringify(window.__e2e.requests.filter(r => r.name.includes('/api/v1/tickets?')).map(r => r.name))`)), &reads); err != nil {
		t.Fatal(err)
	}
	if len(reads) == 0 {
		t.Fatal("the list was not read after the reload")
	}
	for _, u := range reads {
		if !strings.Contains(u, "scope=queue") || !strings.Contains(u, "status=all") || !strings.Contains(u, "channel=webform") {
			t.Errorf("after the reload the list was read as %s, not with the filters the agent chose", u)
		}
	}

	sari.signOut(t)
	if got := sari.evalString(t, `Object.keys(sessionStorage).join(',')`); got != "" {
		t.Errorf("after signing out the tab keeps %q", got)
	}
	signInHere := func(email, password string) {
		t.Helper()
		sari.do(t, "sign in as "+email+" on the same page",
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("login-email"), email),
			chromedp.SendKeys(chromedp.ID("login-password"), password),
			chromedp.Click(chromedp.ID("login-btn")),
			chromedp.WaitVisible(chromedp.ID("console-view")),
		)
	}
	signInHere("dewi@tanggap.example", "demo-dewi-2026")
	sari.waitJS(t, "Dewi's list from the defaults", fmt.Sprintf(`document.getElementById('scope').value === 'mine'
		&& document.getElementById('status-filter').value === '' && document.getElementById('f-channel').value === ''
		&& document.getElementById('more-filters-summary').textContent === %q`, tx("filters.more")))
	sari.signOut(t) // Dewi
	signInHere("sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "Sari's list as she left it", narrowed+` && `+rowJS(id))
	sari.checkConsole(t)
}
