package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserAdminAuditLineOpensItsTicket: a line of the audit log about a
// ticket (a status change) names the ticket, and following it opens the
// ticket in the console; the action filter says what it takes.
func TestBrowserAdminAuditLineOpensItsTicket(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Wati", "phone": "081298760002", "category": "lainnya",
		"description": "Pelatihan saya belum tercatat selesai."})
	id := adminAPI.TicketID(tn, "scope=all")
	if r := adminAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "pending"}); r.Status != http.StatusOK {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}

	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	adm.do(t, "audit section", chromedp.Click(chromedp.ID("admin-nav-audit")))
	adm.waitJS(t, "the action filter explained", fmt.Sprintf(`!!document.getElementById('au-action-hint') && document.getElementById('au-action').getAttribute('aria-describedby') === 'au-action-hint' && document.getElementById('au-action-hint').textContent === %s`,
		jsString(tx("admin.what_hint"))))
	// The filter offers actions in words; each filters by its code.
	adm.waitJS(t, "status changes offered in words", fmt.Sprintf(`(o => !!o && o.textContent === %s)(document.querySelector('#au-action option[value="ticket.status"]'))`,
		jsString(tx("audit.act.ticket_status"))))
	adm.do(t, "filter: status changes", chromedp.SetValue(chromedp.ID("au-action"), "ticket.status"),
		chromedp.Click(chromedp.CSS(`#admin-audit-form button[type=submit]`)))
	link := fmt.Sprintf(`document.querySelector('#admin-audit a[data-audit-ticket="%d"]')`, id)
	adm.waitJS(t, "the status change's line names its ticket", fmt.Sprintf(`document.querySelectorAll('#admin-audit tbody tr').length === 1 && (a => !!a && a.textContent === %s)(%s)`,
		jsString(tx("lifecycle.board.ticket", "id", id)), link))
	adm.clickNow(t, "follow it", fmt.Sprintf(`#admin-audit a[data-audit-ticket="%d"]`, id))
	adm.waitJS(t, "the ticket open, the focus in it", fmt.Sprintf(`document.getElementById('board-view').hidden && location.hash === '#ticket-%d' && document.getElementById('ticket-pane').textContent.includes(%s)
		&& document.getElementById('ticket-pane').contains(document.activeElement)`, id, jsString(tn)))
	adm.checkConsole(t)
}
