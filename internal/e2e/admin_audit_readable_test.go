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
// screen; its audit line then says so in words ("Antrean disimpan:
// Insentif Kartu"), with the values sent as label: value lines, not as
// "PUT /api/v1/admin/queues/... {json}"; the stored line, exact, is behind
// a disclosure. An account's password reset is read as words too, the
// password masked. The same lines read in English.
func TestBrowserAdminAuditReadsAsWords(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := adminAPI.Do(http.MethodPut, "/api/v1/admin/queues/insentif", map[string]any{"name": "Insentif", "time_zone": "Asia/Jakarta",
		"channels": []string{"livechat"}}); r.Status != http.StatusOK {
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
	adm.do(t, "rename it", chromedp.Evaluate[chromedp.Void](`document.getElementById('aq-name').value = ''`), chromedp.SendKeys(chromedp.ID("aq-name"), "Insentif Kartu"),
		chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "saved", `!!document.querySelector('#admin-queues tr[data-queue="insentif"]') && document.querySelector('#admin-queues tr[data-queue="insentif"]').textContent.includes('Insentif Kartu')`)

	adm.do(t, "audit section", chromedp.Click(chromedp.ID("admin-nav-audit")))
	want := tx("audit.named", "summary", tx("audit.summary", "what", tx("audit.res.queues"), "verb", tx("audit.verb.saved")), "name", "Insentif Kartu")
	line := `[...document.querySelectorAll('#admin-audit tbody tr')].find(r => r.querySelector('.audit-summary') && r.querySelector('.audit-summary').textContent === %s)`
	adm.waitJS(t, "the rename's line in words", fmt.Sprintf(line, jsString(want)))
	row := fmt.Sprintf(line, jsString(want))
	if got := adm.evalString(t, row+`.querySelector('.audit-action').textContent`); got != "admin.put.queues" {
		t.Errorf("the line's action code = %q", got)
	}
	fields := adm.evalString(t, `[...`+row+`.querySelectorAll('.audit-fields div')].map(d => d.querySelector('dt').textContent + ': ' + d.querySelector('dd').textContent).join(' | ')`)
	for _, f := range []string{tx("audit.field.time_zone") + ": Asia/Jakarta", tx("audit.field.channels") + ": " + tx("channel.livechat")} {
		if !strings.Contains(fields, f) {
			t.Errorf("the line's values %q lack %q", fields, f)
		}
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
	if got := adm.evalString(t, row+`.querySelector('details.audit-raw code').textContent`); !strings.Contains(got, "PUT /api/v1/admin/queues/insentif {") || !strings.Contains(got, `"name":"Insentif Kartu"`) {
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
	en.waitJS(t, "the rename's line in English", fmt.Sprintf(line, jsString(txEN("audit.named", "summary", txEN("audit.summary", "what", txEN("audit.res.queues"), "verb", txEN("audit.verb.saved")), "name", "Insentif Kartu"))))
	if want := "Queue saved: Insentif Kartu"; want != txEN("audit.named", "summary", txEN("audit.summary", "what", txEN("audit.res.queues"), "verb", txEN("audit.verb.saved")), "name", "Insentif Kartu") {
		t.Errorf("English summary is not %q", want)
	}
	en.checkConsole(t)
}
