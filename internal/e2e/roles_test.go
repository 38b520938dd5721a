package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserRoles: an admin defines the role "Verifikator" (work tickets,
// reports) with the roles screen's checkboxes, gives it to a new account
// in the account form, and that account signs in: the queue board and
// its reports are there, the wallboard and the admin screens are not,
// and the wallboard's API answers 403. The role cannot be deleted while
// the account holds it, and the change is in the audit log.
func TestBrowserRoles(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the roles screen drawn", `!!document.querySelector('#roles-table tr[data-role="supervisor"]')`)

	// --- define the role --------------------------------------------------
	adm.do(t, "new role", chromedp.Click(chromedp.ID("roles-new")))
	adm.waitJS(t, "role form", `!!document.getElementById('rf-name') && document.querySelector('#rf-permissions legend') !== null`)
	if got := adm.evalString(t, `document.querySelector('label[for="rf-perm-reports-view"]').textContent`); got != tx("perm.reports.view") {
		t.Errorf("the reports checkbox is labelled %q", got)
	}
	adm.do(t, "fill the role", chromedp.SendKeys(chromedp.ID("rf-name"), "verifikator"),
		chromedp.SendKeys(chromedp.ID("rf-label"), "Verifikator"),
		chromedp.Click(chromedp.ID("rf-perm-tickets-work")),
		chromedp.Click(chromedp.ID("rf-perm-reports-view")),
		chromedp.Click(chromedp.ID("roles-save")))
	adm.waitJS(t, "role listed", `!!document.querySelector('#roles-table tr[data-role="verifikator"]')`)
	adm.waitJS(t, "saved said", fmt.Sprintf(`document.getElementById('roles-live').textContent === %q`, tx("roles.saved", "name", "Verifikator")))
	shots.take(t, adm, "roles")

	// --- give it to a new account --------------------------------------------
	adm.do(t, "the console again", chromedp.Reload())
	adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	adm.openBoard(t)
	adm.waitJS(t, "the role offered", `!!document.querySelector('#aa-role option[value="verifikator"]')`)
	adm.do(t, "fill the agent", chromedp.SendKeys(chromedp.ID("aa-name"), "Vera Verifikator"),
		chromedp.SendKeys(chromedp.ID("aa-email"), "vera@tanggap.example"),
		chromedp.SendKeys(chromedp.ID("aa-password"), "vera-rahasia-2027"),
		chromedp.Click(chromedp.CSS(`#aa-queues input[value="umum"]`)))
	adm.selectValue(t, "#aa-role", "verifikator")
	adm.do(t, "save the agent", chromedp.Click(chromedp.CSS(`#admin-agent-form button[type=submit]`)))
	adm.waitJS(t, "agent listed with the role", `[...document.querySelectorAll('#admin-agents tr[data-agent]')].some(tr => tr.cells[0].textContent === 'Vera Verifikator' && tr.cells[2].textContent === 'Verifikator')`)

	// --- Vera signs in ------------------------------------------------------------
	vera := newTab(t, root)
	vera.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	vera.signIn(t, base+"/console?lang=id-ID", "vera@tanggap.example", "vera-rahasia-2027")
	vera.waitJS(t, "the board tab offered (reports)", `!document.getElementById('console-tabs').hidden`)
	if got := vera.text(t, "#agent-role"); got != "Verifikator" {
		t.Errorf("Vera's role shown as %q", got)
	}
	vera.openBoard(t)
	vera.waitJS(t, "the queue board shown", `!document.getElementById('board-view').hidden && document.querySelectorAll('#board-rows tr').length > 0`)
	for _, id := range []string{"wallboard-mount", "admin-mount", "roles-mount", "privacy-mount"} {
		if got := vera.evalString(t, fmt.Sprintf(`(() => { const n = document.getElementById(%q); return n ? String(n.hidden) : 'absent'; })()`, id)); got != "true" && got != "absent" {
			t.Errorf("Vera sees #%s (hidden=%s)", id, got)
		}
	}
	shots.take(t, vera, "roles-verifikator")

	api := apptest.NewClient(t, base)
	api.Login("vera@tanggap.example", "vera-rahasia-2027")
	for path, want := range map[string]int{
		"/api/v1/tickets":              http.StatusOK,
		"/api/v1/queues/metrics":       http.StatusOK,
		"/api/v1/reports/csat":         http.StatusOK,
		"/api/v1/wallboard":            http.StatusForbidden,
		"/api/v1/admin/roles":          http.StatusForbidden,
		"/api/v1/admin/audit":          http.StatusForbidden,
		"/api/v1/complaints/escalated": http.StatusForbidden,
	} {
		if r := api.Do(http.MethodGet, path, nil); r.Status != want {
			t.Errorf("Vera GET %s = %d, want %d", path, r.Status, want)
		}
	}

	// --- the role is held: not deletable; the change is audited -------------
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := adminAPI.Do(http.MethodDelete, "/api/v1/admin/roles/verifikator", nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "role_in_use") {
		t.Errorf("delete a held role = %d %s", r.Status, r.Body)
	}
	if r := adminAPI.Do(http.MethodDelete, "/api/v1/admin/roles/supervisor", nil); r.Status != http.StatusConflict {
		t.Errorf("delete a built-in role = %d", r.Status)
	}
	var out struct {
		Entries []struct{ Action, Detail string } `json:"entries"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/audit?action=admin.post.roles", nil).JSON(t, &out)
	if len(out.Entries) != 1 || !strings.Contains(out.Entries[0].Detail, "verifikator") {
		t.Errorf("audit of the new role = %+v", out.Entries)
	}
}
