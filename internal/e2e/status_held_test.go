package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserLifecycleStatusHeld: the status control of a complaint still
// awaiting verification offers neither "Selesai" nor "Ditutup" and says
// why, in words, beside it; a console that offers them anyway (its panel
// out of date) shows the server's refusal and keeps the status; the
// reason follows the panel's stage, and the lifecycle's own end (archive)
// closes the ticket. Once its follow-up is published, a complaint is
// solved from the same control; closing still waits.
func TestBrowserLifecycleStatusHeld(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	_, a, admin := startLifecycleApp(t)
	base := a.URL()
	pub := apptest.NewClient(t, base)
	tn := pub.Complaint(map[string]string{"name": "Dewi Lestari", "phone": "081234500077", "category": "pendaftaran",
		"description": "Pendaftaran saya ditolak padahal data sudah benar."})
	id := ticketIDs(t, admin, tn)[tn]

	root := newBrowser(t, browser)
	shots := newShots(t)
	staff := newTab(t, root)
	staff.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	staff.do(t, "open the complaint", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	staff.waitJS(t, "verification stage", fmt.Sprintf(`location.hash === '#ticket-%d' && document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'verification'`, id))

	held := func(stage string) string {
		return fmt.Sprintf(`(() => {
			const sel = document.getElementById('t-status-select'), note = document.getElementById('status-held');
			const off = (v) => sel.querySelector('option[value="' + v + '"]').disabled;
			return off('solved') && off('closed') && !off('open') && !off('pending') && !note.hidden
				&& note.textContent === %q && (sel.getAttribute('aria-describedby') || '').split(' ').includes('status-held');
		})()`, tx("lifecycle.held."+stage))
	}
	staff.waitJS(t, "solved and closed held, with the reason in words", held("verification"))
	staff.scrollTo(t, "status-form")
	shots.take(t, staff, "status-held-01-verification")

	// A console that still offers "Selesai" (say its panel had not caught
	// up with another agent's change) is refused by the server, which
	// says why where the status is; the ticket keeps its status.
	before := ticketStatus(t, admin, id)
	staff.do(t, "offer solved anyway", chromedp.Evaluate[chromedp.Void](`document.querySelector('#t-status-select option[value="solved"]').disabled = false`))
	staff.selectValue(t, "#t-status-select", "solved")
	staff.do(t, "save the status", chromedp.Click(chromedp.ID("status-btn")))
	staff.waitJS(t, "the server's refusal shown", fmt.Sprintf(`document.getElementById('status-live').textContent.includes(%q) && document.getElementById('status-live').classList.contains('form-status-error') && document.getElementById('t-status-select').value === %q`,
		tx("lifecycle.held.verification"), before))
	if got := ticketStatus(t, admin, id); got != before {
		t.Fatalf("refused solve changed the ticket from %s to %s", before, got)
	}

	// The reason follows the stage the panel moves it to.
	staff.selectValue(t, "#lc-action", "verify")
	staff.do(t, "verify", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
	staff.waitJS(t, "verified, still held", `document.getElementById('lc-stage').dataset.stage === 'verified' && `+held("verified"))

	// The lifecycle's own end closes the ticket; nothing is held then.
	staff.selectValue(t, "#lc-action", "archive")
	staff.selectValue(t, "#lc-reason", "duplicate")
	staff.do(t, "archive", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
	staff.waitJS(t, "archived, the ticket closed, nothing held", `document.getElementById('lc-stage').dataset.stage === 'archived'
		&& document.getElementById('t-status-select').value === 'closed' && document.getElementById('status-held').hidden`)

	// Once the follow-up is published the ticket may be solved (the
	// citizen has the answer), not closed while they may still disagree.
	tn2 := pub.Complaint(map[string]string{"name": "Dewi Lestari", "phone": "081234500077", "category": "pelatihan",
		"description": "Sertifikat pelatihan saya belum terbit."})
	id2 := ticketIDs(t, admin, tn2)[tn2]
	for _, step := range []struct {
		action string
		body   map[string]string
	}{{"verify", nil}, {"dispose", map[string]string{"unit": "unit-insentif", "note": "Mohon dicek sertifikatnya."}},
		{"answer", map[string]string{"answer": "Sertifikat Anda sudah terbit."}}, {"publish", nil}} {
		if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/%s", id2, step.action), step.body); r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, r.Status, r.Body)
		}
	}
	staff.do(t, "open the answered complaint", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id2)))
	staff.waitJS(t, "followed up: solved offered, closed held with its reason", fmt.Sprintf(`location.hash === '#ticket-%d'
		&& document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'followed_up'
		&& !document.querySelector('#t-status-select option[value="solved"]').disabled
		&& document.querySelector('#t-status-select option[value="closed"]').disabled
		&& document.getElementById('status-held').textContent === %q`, id2, tx("lifecycle.held.followed_up")))
	staff.selectValue(t, "#t-status-select", "solved")
	staff.do(t, "solve the answered complaint", chromedp.Click(chromedp.ID("status-btn")))
	staff.waitJS(t, "solved", fmt.Sprintf(`document.getElementById('status-live').textContent === %q`, tx("console.status_updated")))
	if got := ticketStatus(t, admin, id2); got != "solved" {
		t.Fatalf("answered complaint's ticket %s after solving, want solved", got)
	}
	staff.checkConsole(t)
}

// ticketStatus is a ticket's stored status.
func ticketStatus(t *testing.T, c *apptest.Client, id int64) string {
	t.Helper()
	var tk struct{ Status string }
	res := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("ticket %d: %d %s", id, res.Status, res.Body)
	}
	res.JSON(t, &tk)
	return tk.Status
}
