package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
)

// TestBrowserLifecycleFieldErrorsClearOnRetry: a disposition sent without
// instructions is refused with the error under that field; sent again
// with instructions but a time limit out of range, only the time limit's
// error shows, saying the range in words (the instructions' is gone, and so is its aria-invalid),
// and sent right it is recorded.
func TestBrowserLifecycleFieldErrorsClearOnRetry(t *testing.T) {
	browser := findBrowser(t)
	cfg := apptest.Config(t)
	cfg.Complaint.Units = []config.ComplaintUnit{{Code: "unit-kartu", Name: "Divisi Kartu"}}
	base := apptest.Start(t, cfg).URL()
	admin, _, id := cardComplaint(t, base, "Rina Wati", "081234500077")
	complaintPath := fmt.Sprintf("/api/v1/tickets/%d/complaint", id)
	if res := admin.Do(http.MethodPost, complaintPath+"/verify", map[string]string{}); res.Status != http.StatusOK {
		t.Fatalf("verify: %d %s", res.Status, res.Body)
	}

	root := newBrowser(t, browser)
	staff := newTab(t, root)
	staff.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	staff.do(t, "open the ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	staff.waitJS(t, "the complaint verified, disposition offered", `!!document.querySelector('#lc-action option[value="dispose"]')`)
	staff.selectValue(t, "#lc-action", "dispose")
	submit := func(step string) {
		t.Helper()
		staff.do(t, step, chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
	}
	shown := func(f string) string {
		return fmt.Sprintf(`(e => !!e && !e.hidden && e.textContent !== '')(document.getElementById('lc-%[1]s-error'))
			&& document.getElementById('lc-%[1]s').getAttribute('aria-invalid') === 'true'`, f)
	}
	gone := func(f string) string {
		return fmt.Sprintf(`document.getElementById('lc-%[1]s-error').hidden && document.getElementById('lc-%[1]s-error').textContent === ''
			&& !document.getElementById('lc-%[1]s').hasAttribute('aria-invalid')`, f)
	}
	idle := `document.getElementById('lifecycle-mount').getAttribute('aria-busy') !== 'true'`

	submit("dispose without instructions")
	staff.waitJS(t, "the instructions' error", idle+" && "+shown("instructions")+" && "+gone("due_days"))

	staff.do(t, "instructions written, a limit out of range",
		chromedp.SendKeys("#lc-instructions", "Mohon cek status kartu."), chromedp.SendKeys("#lc-due_days", "99"))
	submit("dispose again")
	staff.waitJS(t, "only the limit's error", idle+" && "+shown("due_days")+" && "+gone("instructions"))
	if got, want := staff.text(t, "#lc-due_days-error"), texts(t)("lifecycle.due_days_range", "max", complaint.MaxDueDays, "default", 5); got != want {
		t.Errorf("the limit's error reads %q, want the range in words: %q", got, want)
	}

	staff.do(t, "a limit in range", clearField("lc-due_days"), chromedp.SendKeys("#lc-due_days", "10"))
	submit("dispose right")
	staff.waitJS(t, "the disposition recorded", `document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'disposed'`)
	staff.checkConsole(t)
}
