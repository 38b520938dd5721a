package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// holdWrapupAnswer makes the answer of the page's next read of a ticket's
// wrap-up wait (the request is made, its answer kept) until
// window.__e2eRelease() (holdFetch).
var holdWrapupAnswer = holdFetch(`/\/api\/v1\/tickets\/\d+\/wrapup$/.test(String(url)) && (!init || !init.method || init.method === 'GET')`, true)

// TestBrowserWrapupReadsInOrder: two changes of a ticket's wrap-up code
// come close together (from another device) and the console's read for
// the first answers after the read for the second: the older answer is
// dropped, and the panel keeps the code chosen last.
func TestBrowserWrapupReadsInOrder(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	umum := queueIDOf(t, admin, "umum")
	for _, c := range []map[string]any{
		{"queue_id": umum, "code": "informasi", "label_id": "Informasi diberikan", "label_en": "Information given"},
		{"queue_id": umum, "code": "rujukan", "label_id": "Dirujuk ke instansi lain", "label_en": "Referred elsewhere"},
	} {
		if r := admin.Do(http.MethodPost, "/api/v1/admin/wrapup-codes", c); r.Status != http.StatusCreated {
			t.Fatalf("wrap-up code %v: %d %s", c["code"], r.Status, r.Body)
		}
	}
	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, sariAPI)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311118888", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	id := ticketIDs(t, sariAPI, tn)[tn]
	choose := func(code string) {
		t.Helper()
		if r := sariAPI.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/wrapup", id), map[string]string{"code": code}); r.Status != http.StatusOK {
			t.Fatalf("choose %s: %d %s", code, r.Status, r.Body)
		}
	}
	choose("informasi")

	sari := newTab(t, root)
	sari.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), "sari@tanggap.example", "demo-sari-2026")
	chosen := func(label string) string {
		return fmt.Sprintf(`document.getElementById('wrapup-state').textContent.includes(%q)`, tx("wrapup.chosen", "label", label))
	}
	sari.waitLive(t, "the code shown", chosen("Informasi diberikan"))
	sari.do(t, "hold the next read's answer", chromedp.Evaluate[chromedp.Void](holdWrapupAnswer))
	choose("informasi") // the same code again: a read, held, answers "informasi"
	sari.waitLive(t, "that read made", `window.__e2eHeld === 1`)
	choose("rujukan")
	sari.waitLive(t, "the later read shown", chosen("Dirujuk ke instansi lain"))
	sari.do(t, "the earlier answer comes now", chromedp.Evaluate[chromedp.Void](`window.__e2eRelease()`))
	sari.waitJS(t, "the earlier answer handed over", `window.__e2eDone === true`)
	if !sari.evalBool(t, chosen("Dirujuk ke instansi lain")) {
		t.Errorf("an older read put back %q", sari.text(t, "#wrapup-state"))
	}
}
