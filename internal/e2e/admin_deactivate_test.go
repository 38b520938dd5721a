package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserAdminDeactivateAsksFirst: deactivating an account ends every
// session of the person and closes their console, so "Nonaktifkan" asks
// once more in the row, by keyboard: the question names the person and
// what happens, the focus is on "Ya, nonaktifkan", which the question
// describes. Escape or "Batal" withdraws it, the focus back on
// "Nonaktifkan", and nothing happened: Budi's console is still open.
// Answered, Budi is deactivated and their console closed. The admin's own
// row offers no "Nonaktifkan" (the server refuses it) and says why. The
// question fits a laptop and a 390 px phone.
func TestBrowserAdminDeactivateAsksFirst(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	deactivated := func(email string) bool {
		t.Helper()
		var out struct {
			Agents []struct {
				Email       string `json:"email"`
				Deactivated bool   `json:"deactivated"`
			} `json:"agents"`
		}
		adminAPI.Do(http.MethodGet, "/api/v1/admin/agents", nil).JSON(t, &out)
		for _, a := range out.Agents {
			if a.Email == email {
				return a.Deactivated
			}
		}
		t.Fatalf("no account %s", email)
		return false
	}

	// Budi's console is open.
	budiTab := newTab(t, root)
	budiTab.signIn(t, base+"/console?lang=id-ID", "budi@tanggap.example", "demo-budi-2026")
	budiTab.waitJS(t, "Budi's socket open", `document.documentElement.dataset.socket === 'open'`)

	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the accounts listed", `!!document.querySelector('#admin-agents tr[data-agent]')`)
	rowOf := func(email string) string {
		return adm.evalString(t, fmt.Sprintf(`[...document.querySelectorAll('#admin-agents tr[data-agent]')].find(tr => tr.textContent.includes(%q)).dataset.agent`, email))
	}
	budi, own := rowOf("budi@tanggap.example"), rowOf(apptest.AdminEmail)
	btn := func(act string) string {
		return fmt.Sprintf(`#admin-agents button[data-act=%s][data-id="%s"]`, act, budi)
	}
	question := fmt.Sprintf(`#aa-deactivate-question-%s`, budi)
	asked := fmt.Sprintf(`(q => !!q && q.textContent === %q && q.getClientRects().length > 0)(document.querySelector(%q))
		&& document.querySelector(%q)?.getAttribute('aria-describedby') === %q
		&& document.querySelector(%q)?.textContent === %q && !document.querySelector(%q)`,
		tx("admin.deactivate_confirm", "name", "Budi"), question, btn("deactivate-yes"), question[1:],
		btn("deactivate-yes"), tx("admin.deactivate_yes"), btn("deactivate"))
	withdrawn := `!document.querySelector(` + fmt.Sprintf("%q", question) + `) && ` + focusedJS(btn("deactivate"))

	// The admin's own row: nothing to press, and why.
	if got := adm.evalString(t, fmt.Sprintf(`(r => [...r.querySelectorAll('button')].map((b) => b.dataset.act).join(',') + ' | ' + r.querySelector('.admin-own').textContent)(document.querySelector('#admin-agents tr[data-agent="%s"]'))`, own)); got != "edit | "+tx("admin.deactivate_own") {
		t.Errorf("the admin's own row offers %q, want edit only and %q", got, tx("admin.deactivate_own"))
	}

	// Asked, then withdrawn with Escape.
	adm.pressEnter(t, "deactivate Budi", btn("deactivate"))
	adm.waitJS(t, "asked in the row, the focus on the answer that does it", asked+" && "+focusedJS(btn("deactivate-yes")))
	adm.scrollTo(t, "admin-agents")
	shots.take(t, adm, "admin-deactivate-asked-1366")
	adm.do(t, "Escape", chromedp.KeyEvent(kb.Escape))
	adm.waitJS(t, "withdrawn by Escape, the focus on Nonaktifkan", withdrawn)

	// Asked, then withdrawn with Batal, reached by Tab.
	adm.do(t, "Enter on Nonaktifkan", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "asked again", asked+" && "+focusedJS(btn("deactivate-yes")))
	adm.do(t, "Tab to Batal", chromedp.KeyEvent(kb.Tab))
	adm.waitJS(t, "on Batal", focusedJS(btn("deactivate-no")))
	adm.do(t, "Enter on Batal", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "withdrawn by Batal, the focus on Nonaktifkan", withdrawn)
	if deactivated("budi@tanggap.example") {
		t.Fatal("Budi was deactivated before the question was answered")
	}
	if got := budiTab.evalString(t, `document.documentElement.dataset.socket`); got != "open" {
		t.Errorf("Budi's console after a withdrawn question: socket %q", got)
	}

	// On a phone the question and its answers are on screen.
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "phone width", `window.innerWidth === 390`)
	adm.do(t, "Enter on Nonaktifkan", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "asked on the phone", asked+" && "+focusedJS(btn("deactivate-yes")))
	if got := adm.evalString(t, fmt.Sprintf(`[document.querySelector(%q), document.querySelector(%q), document.querySelector(%q)]
		.filter((e) => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; }).map((e) => e.id || e.dataset.act).join(', ')
		+ (document.documentElement.scrollWidth > 390 ? ' page ' + document.documentElement.scrollWidth : '')`, question, btn("deactivate-yes"), btn("deactivate-no"))); got != "" {
		t.Errorf("the question goes past the 390 px screen: %s", got)
	}
	shots.takeOf(t, adm, "admin-deactivate-asked-390", "#admin-agents")

	// Answered: deactivated, said, the focus on Aktifkan kembali, and
	// Budi's console closed.
	start := time.Now()
	adm.do(t, "Enter on Ya, nonaktifkan", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "deactivated, said, the focus on Reactivate", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q && %s`,
		tx("admin.agent_deactivated", "name", "Budi"), focusedJS(btn("reactivate"))))
	budiTab.waitJSFor(t, "Budi's console signed out", 5*time.Second, `!document.getElementById('login-view').hidden`)
	t.Logf("answered → Budi's console closed: %v", time.Since(start).Round(time.Millisecond))
	if !deactivated("budi@tanggap.example") {
		t.Error("Budi not deactivated after the answer")
	}
	adm.checkConsole(t)
}
