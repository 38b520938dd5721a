package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserAdminAuditReadsAsWords: an admin renames a queue in the admin
// screen and shortens its first-response target; its audit line then says
// so in words ("Antrean diubah: Insentif Kartu"), with what changed as
// label: old → new lines ("Target respons pertama (Tinggi): 30 menit → 15
// menit"), nothing that did not change, not as "PUT /api/v1/admin/queues/...
// {json}"; the stored line, exact, is behind a disclosure. An account's
// creation is read as words too, the password masked. The same lines read
// in English.
func TestBrowserAdminAuditReadsAsWords(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := adminAPI.Do(http.MethodPut, "/api/v1/admin/queues/insentif", map[string]any{"name": "Insentif", "time_zone": "Asia/Jakarta",
		"channels": []string{"livechat"}, "sla": map[string]any{"high": map[string]int{"first_response_seconds": 1800}}}); r.Status != http.StatusOK {
		t.Fatalf("queue insentif: %d %s", r.Status, r.Body)
	}
	if r := adminAPI.Do(http.MethodPost, "/api/v1/agents", map[string]any{"name": "Dewi", "email": "dewi@tanggap.example",
		"password": "rahasia-dewi-2026", "role": "agent"}); r.Status/100 != 2 {
		t.Fatalf("account: %d %s", r.Status, r.Body)
	}

	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	adm.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "insentif listed", `!!document.querySelector('#admin-queues tr[data-queue="insentif"]')`)
	adm.do(t, "edit insentif", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="insentif"] button`)))
	adm.waitJS(t, "insentif's form", `document.getElementById('aq-code').value === 'insentif'`)
	adm.waitJS(t, "its first response target in minutes", `document.getElementById('aq-sla-high-first').value === '30' && document.getElementById('aq-sla-high-first-unit').value === 'minutes'`)
	adm.do(t, "rename it, 15 minutes to answer", chromedp.Evaluate[chromedp.Void](`document.getElementById('aq-name').value = ''; document.getElementById('aq-sla-high-first').value = ''`),
		chromedp.SendKeys(chromedp.ID("aq-name"), "Insentif Kartu"), chromedp.SendKeys(chromedp.ID("aq-sla-high-first"), "15"),
		chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "saved", `!!document.querySelector('#admin-queues tr[data-queue="insentif"]') && document.querySelector('#admin-queues tr[data-queue="insentif"]').textContent.includes('Insentif Kartu')`)

	adm.do(t, "audit section", chromedp.Click(chromedp.ID("admin-nav-audit")))
	want := tx("audit.named", "summary", tx("audit.summary", "what", tx("audit.res.queues"), "verb", tx("audit.verb.changed")), "name", "Insentif Kartu")
	line := `[...document.querySelectorAll('#admin-audit tbody tr')].find(r => r.querySelector('.audit-summary') && r.querySelector('.audit-summary').textContent === %s)`
	adm.waitJS(t, "the rename's line in words", fmt.Sprintf(line, jsString(want)))
	row := fmt.Sprintf(line, jsString(want))
	if got := adm.evalString(t, row+`.querySelector('.audit-action').textContent`); got != "admin.put.queues" {
		t.Errorf("the line's action code = %q", got)
	}
	// What is seen: a change's old value, the arrow, the new value.
	seen := `[...%s.querySelectorAll('.audit-fields div')].map(d => d.querySelector('dt').textContent + ': ' + (d.querySelector('.audit-change') ?
		d.querySelector('.audit-from').textContent + d.querySelector('.audit-arrow').textContent + d.querySelector('.audit-to').textContent : d.querySelector('dd').textContent)).join(' | ')`
	fields := adm.evalString(t, fmt.Sprintf(seen, row))
	wantFields := tx("audit.field.name") + ": Insentif → Insentif Kartu | " +
		tx("audit.in", "what", tx("audit.sla.first_response_seconds"), "where", tx("priority.high")) + ": " +
		tx("audit.dur.minutes", "n", 30) + " → " + tx("audit.dur.minutes", "n", 15)
	if fields != wantFields {
		t.Errorf("the line's values read %q, want only what changed: %q", fields, wantFields)
	}
	// A screen reader hears "Insentif menjadi Insentif Kartu", not an arrow.
	if got := adm.evalString(t, row+`.querySelector('.audit-change .visually-hidden').textContent.trim()`); got != tx("audit.became") {
		t.Errorf("the change's word for the arrow = %q", got)
	}
	// Words, not the request: what is in view names no method, path or
	// JSON; the stored line is there for the exact record, folded.
	if got := adm.evalString(t, row+`.innerText`); strings.Contains(got, "PUT /api/v1") || strings.Contains(got, "{\"") {
		t.Errorf("the line shows the raw request: %q", got)
	}
	if got := adm.evalString(t, `String(`+row+`.querySelector('details.audit-raw').open)`); got != "false" {
		t.Errorf("the stored line is open: %s", got)
	}
	if got := adm.evalString(t, row+`.querySelector('details.audit-raw summary').textContent`); got != tx("audit.raw") {
		t.Errorf("disclosure reads %q", got)
	}
	adm.do(t, "the log in view", chromedp.Evaluate[chromedp.Void](`document.getElementById('admin-audit').scrollIntoView({block: 'start'})`))
	shots.takeView(t, adm, "admin-audit-words-1366")
	adm.do(t, "open the stored line", chromedp.Click(chromedp.CSS(`#admin-audit details.audit-raw summary`)))
	if got := adm.evalString(t, row+`.querySelector('details.audit-raw code').textContent`); !strings.Contains(got, "PUT /api/v1/admin/queues/insentif {") ||
		!strings.Contains(got, `{"field":"name","from":"Insentif","to":"Insentif Kartu"}`) || !strings.Contains(got, `"from":1800,"to":900`) {
		t.Errorf("stored line = %q", got)
	}

	// The account made through the settings route: named, password masked.
	acct := tx("audit.named", "summary", tx("audit.summary", "what", tx("audit.res.agents"), "verb", tx("audit.verb.created")), "name", "Dewi")
	acctRow := fmt.Sprintf(line, jsString(acct))
	adm.waitJS(t, "the account's line in words", acctRow)
	acctFields := adm.evalString(t, `[...`+acctRow+`.querySelectorAll('.audit-fields div')].map(d => d.querySelector('dt').textContent + ': ' + d.querySelector('dd').textContent).join(' | ')`)
	if got := adm.evalString(t, acctRow+`.textContent`); strings.Contains(got, "rahasia-dewi-2026") || !strings.Contains(acctFields, tx("audit.field.password")+": •••") {
		t.Errorf("account line = %q (values %q), want the password masked", got, acctFields)
	}
	adm.checkConsole(t)

	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "phone width", `window.innerWidth === 390`)
	if got := adm.evalString(t, `String(document.documentElement.scrollWidth)`); mustAtoi(t, got) > 390 {
		t.Errorf("the audit log is %s px wide on a 390 px phone", got)
	}
	adm.do(t, "the rename's line in view", chromedp.Evaluate[chromedp.Void](row+`.scrollIntoView({block: 'start'})`))
	shots.takeView(t, adm, "admin-audit-words-390")

	// In English.
	txEN := textsIn(t, "en-US")
	en := newTab(t, root)
	en.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	en.signIn(t, base+"/console?lang=en-US", apptest.AdminEmail, apptest.AdminPassword)
	en.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	en.openBoard(t)
	en.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	en.do(t, "audit section", chromedp.Click(chromedp.ID("admin-nav-audit")))
	if got := txEN("audit.named", "summary", txEN("audit.summary", "what", txEN("audit.res.queues"), "verb", txEN("audit.verb.changed")), "name", "Insentif Kartu"); got != "Queue changed: Insentif Kartu" {
		t.Errorf("English summary = %q", got)
	}
	enRow := fmt.Sprintf(line, jsString("Queue changed: Insentif Kartu"))
	en.waitJS(t, "the rename's line in English", enRow)
	if got := en.evalString(t, fmt.Sprintf(seen, enRow)); !strings.Contains(got, "First response target (High): 30 minutes → 15 minutes") {
		t.Errorf("English values read %q", got)
	}
	en.checkConsole(t)
}
