package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/channels/voice"
	"tanggap/internal/apptest"
)

// TestBrowserAdminMore: an admin, in the console's admin screens, adds a
// complaint category (a bad code is refused beside its field) and the
// citizen's form on /pengaduan offers it; uploads an IVR menu with a
// mistake and sees the validator's problem with its line and path, then a
// valid one, applied and drawn in the tree; creates a shared canned reply
// with a preview of its variables and uses it in a ticket's reply box.
// Screens at 1366×800 and 390×844.
func TestBrowserAdminMore(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	live := func() string { return adm.evalString(t, `document.getElementById('admin-live').textContent`) }

	// --- a complaint category ------------------------------------------------
	adm.do(t, "categories section", chromedp.Click(chromedp.ID("admin-nav-categories")))
	adm.waitJS(t, "seeded categories listed", `!!document.querySelector('#admin-categories tr[data-category="pendaftaran"]')`)
	adm.do(t, "a bad code", chromedp.SendKeys(chromedp.ID("ac-code"), "Bantuan Sosial"),
		chromedp.SendKeys(chromedp.ID("ac-label-id"), "Bantuan sosial"),
		chromedp.SendKeys(chromedp.ID("ac-label-en"), "Social aid"),
		chromedp.Click(chromedp.CSS(`#admin-category-form button[type=submit]`)))
	adm.waitJS(t, "the code refused beside its field", fmt.Sprintf(`!document.getElementById('ac-code-error').hidden
		&& document.getElementById('ac-code-error').textContent === %q && document.getElementById('ac-code').getAttribute('aria-invalid') === 'true'`,
		tx("admin.category_code_invalid")))
	adm.do(t, "scroll to admin-category-form", scrollTo("admin-category-form"))
	shots.take(t, adm, "admincat-category-refused")
	adm.do(t, "a good code, first in order", chromedp.Evaluate[chromedp.Void](`document.getElementById('ac-code').value = ''; document.getElementById('ac-position').value = '0'`),
		chromedp.SendKeys(chromedp.ID("ac-code"), "bansos"),
		chromedp.Click(chromedp.ID("ac-sensitive")),
		chromedp.Click(chromedp.CSS(`#admin-category-form button[type=submit]`)))
	adm.waitJS(t, "category listed", `!!document.querySelector('#admin-categories tr[data-category="bansos"]')`)
	if got := live(); got != tx("admin.category_saved", "name", "Bantuan sosial") {
		t.Errorf("live = %q", got)
	}
	if got := adm.evalString(t, `document.querySelector('#admin-categories tr[data-category="bansos"]').textContent`); !strings.Contains(got, "Social aid") || !strings.Contains(got, tx("admin.yes")) {
		t.Errorf("bansos row = %q", got)
	}
	adm.do(t, "scroll to admin-section-title", scrollTo("admin-section-title"))
	shots.take(t, adm, "admincat-categories")

	citizen := newTab(t, root)
	citizen.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	citizen.do(t, "the complaint form", chromedp.Navigate(base+"/pengaduan?lang=id-ID"))
	citizen.waitJS(t, "the new category offered", `[...document.querySelectorAll('#category option')].some(o => o.value === 'bansos' && o.textContent === 'Bantuan sosial')`)
	citizen.selectValue(t, "#category", "bansos")
	shots.take(t, citizen, "admincat-form-category-390")

	// --- the IVR menu ----------------------------------------------------------
	adm.do(t, "IVR section", chromedp.Click(chromedp.ID("admin-nav-ivr")))
	adm.waitJS(t, "the menu tree drawn", `!!document.querySelector('#ivr-tree li[data-menu="main"]') && !!document.querySelector('#ivr-tree li[data-menu="info"]')`)
	adm.do(t, "scroll to admin-section-title", scrollTo("admin-section-title"))
	shots.take(t, adm, "admincat-ivr-tree")
	broken := strings.Replace(string(voice.DefaultMenu), `"4": {action: callback}`, `"4": {action: callbak}`, 1)
	setBody := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const b = document.getElementById('ai-body'); b.value = %q; b.dispatchEvent(new Event('input')); })()`, text))
	}
	adm.do(t, "a menu with a mistake", setBody(broken), chromedp.Click(chromedp.ID("ai-apply")))
	line := strings.Count(broken[:strings.Index(broken, "callbak")], "\n") + 1
	adm.waitJS(t, "the problem with its line and path", fmt.Sprintf(`(() => {
		const li = document.querySelectorAll('#ivr-problems li');
		return li.length === 1 && li[0].textContent === %q
			&& document.activeElement === document.getElementById('ivr-problems-box') && document.getElementById('ai-body').getAttribute('aria-invalid') === 'true';
	})()`, tx("ivr.problem.at_line_path", "line", line, "path", "menus.main.options.4", "problem", tx("ivr.problem.action_unknown", "action", "callbak"))))
	if got := live(); got != tx("admin.ivr_invalid", "n", 1) {
		t.Errorf("live = %q", got)
	}
	if adm.evalString(t, `document.getElementById('ai-body').value.includes('callbak') ? 'kept' : 'lost'`) != "kept" {
		t.Error("the refused text was not kept for fixing")
	}
	adm.do(t, "scroll to ivr-problems-box", scrollTo("ivr-problems-box"))
	shots.take(t, adm, "admincat-ivr-refused")
	fixed := strings.Replace(string(voice.DefaultMenu), `"4": {action: callback}`, `"4": {action: callback}
      "5": {action: hangup}`, 1)
	adm.do(t, "the fixed menu", setBody(fixed), chromedp.Click(chromedp.ID("ai-check")))
	adm.waitJS(t, "checked, not applied", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q && !document.getElementById('ivr-problems')`, tx("admin.ivr_valid")))
	adm.do(t, "apply it", chromedp.Click(chromedp.ID("ai-apply")))
	adm.waitJS(t, "applied and drawn", `document.querySelector('#ivr-tree li[data-menu="main"] li[data-key="5"]') !== null && document.getElementById('ivr-version').textContent.includes('1')`)
	if got := live(); got != tx("admin.ivr_applied", "version", 1) {
		t.Errorf("live = %q", got)
	}
	adm.do(t, "scroll to admin-section-title", scrollTo("admin-section-title"))
	shots.take(t, adm, "admincat-ivr-applied")

	// --- a shared canned reply, used in the reply box ----------------------------
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina Marlina", "phone": "081311117777", "category": "bansos",
		"description": "Bantuan sosial bulan ini belum cair."})
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, adminAPI, tn)[tn]
	adm.openTickets(t)
	adm.clickNow(t, "open the canned-reply screen", "#canned-admin-title")
	adm.waitJS(t, "the form drawn", `!!document.getElementById('ca-title') && !!document.getElementById('ca-shared')`)
	adm.do(t, "a bad shortcut", chromedp.SendKeys(chromedp.ID("ca-title"), "Bansos diproses"),
		chromedp.SendKeys(chromedp.ID("ca-shortcut"), "Ban Sos"),
		chromedp.SendKeys(chromedp.ID("ca-body"), "Halo {{citizen_name}}, pengaduan {{tracking_number}} sedang diproses. Salam, {{agent_name}}"),
		chromedp.Click(chromedp.ID("ca-shared")))
	adm.waitJS(t, "the preview fills the variables", fmt.Sprintf(`document.getElementById('ca-preview').textContent === %q`,
		"Halo "+tx("canned_admin.sample_citizen_name")+", pengaduan "+tx("canned_admin.sample_tracking_number")+" sedang diproses. Salam, "+tx("canned_admin.sample_agent_name")))
	adm.selectValue(t, "#ca-queue", fmt.Sprint(queueIDOf(t, adminAPI, "umum")))
	adm.do(t, "save", chromedp.Click(chromedp.ID("ca-save")))
	adm.waitJS(t, "the shortcut refused beside its field", `!document.getElementById('ca-shortcut-error').hidden && document.getElementById('ca-shortcut').getAttribute('aria-invalid') === 'true'`)
	adm.do(t, "a good shortcut", chromedp.Evaluate[chromedp.Void](`document.getElementById('ca-shortcut').value = ''`),
		chromedp.SendKeys(chromedp.ID("ca-shortcut"), "bansos"), chromedp.Click(chromedp.ID("ca-save")))
	adm.waitJS(t, "listed as shared", fmt.Sprintf(`[...document.querySelectorAll('#canned-admin-table tbody tr')].some(r => r.textContent.includes('Bansos diproses') && r.textContent.includes(%q))`,
		tx("canned_admin.shared_queue", "queue", "Umum")))
	adm.do(t, "scroll to canned-admin-title", scrollTo("canned-admin-title"))
	shots.take(t, adm, "admincat-canned")
	var listed struct {
		Canned []struct {
			Title  string `json:"title"`
			Shared bool   `json:"shared"`
			Queue  string `json:"queue"`
		} `json:"canned_responses"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/canned-responses", nil).JSON(t, &listed)
	if len(listed.Canned) != 1 || !listed.Canned[0].Shared || listed.Canned[0].Queue == "" {
		t.Errorf("canned replies: %+v", listed.Canned)
	}

	adm.selectValue(t, "#scope", "all")
	adm.waitJS(t, "the ticket listed", rowJS(id))
	adm.open(t, id)
	adm.do(t, "type /bans", chromedp.SendKeys(chromedp.ID("reply-body"), "/bans"))
	adm.waitJS(t, "the picker lists the shared reply", `!document.getElementById('canned-list').hidden
		&& document.querySelector('#canned-list [aria-selected=true]').textContent.includes('Bansos diproses')`)
	adm.do(t, "Enter inserts", chromedp.SendKeys(chromedp.ID("reply-body"), kb.Enter))
	// bansos is confidential by default: the citizen's name stays hidden
	// from the reply, the tracking number and the agent are filled in.
	checkFor(t, asyncWait, func() error {
		got := adm.evalString(t, `document.getElementById('reply-body').value`)
		if !strings.HasPrefix(got, "Halo ") || !strings.Contains(got, "pengaduan "+tn+" sedang diproses. Salam, ") || strings.Contains(got, "{{") || strings.Contains(got, "Rina") {
			return fmt.Errorf("the reply box holds %q", got)
		}
		return nil
	})
	adm.do(t, "scroll to reply-body", scrollTo("reply-body"))
	shots.take(t, adm, "admincat-canned-used")

	// --- phones -------------------------------------------------------------------
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.do(t, "back to the list", chromedp.Click(chromedp.ID("back-btn")))
	adm.waitJS(t, "the canned-reply screen shown", `document.getElementById('canned-admin-mount').open && document.getElementById('ca-title').getBoundingClientRect().width > 0`)
	adm.do(t, "scroll to canned-admin-title", scrollTo("canned-admin-title"))
	shots.take(t, adm, "admincat-canned-390")
	adm.clickNow(t, "the board tab", "#tab-board")
	adm.do(t, "IVR section", chromedp.Click(chromedp.ID("admin-nav-ivr")))
	adm.waitJS(t, "the tree drawn", `!!document.querySelector('#ivr-tree li[data-menu="main"]')`)
	adm.do(t, "scroll to admin-section-title", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "admincat-ivr-390")
	adm.do(t, "categories section", chromedp.Click(chromedp.ID("admin-nav-categories")))
	adm.waitJS(t, "the categories drawn", `!!document.querySelector('#admin-categories tr[data-category="bansos"]')`)
	adm.do(t, "scroll to admin-section-title", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "admincat-categories-390")
	if w := adm.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the admin screen is %s px wide on a 390 px phone", w)
	}
	adm.checkConsole(t)
	citizen.checkConsole(t)
}

func queueIDOf(t *testing.T, c *apptest.Client, code string) int64 {
	t.Helper()
	var out struct {
		Queues []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"queues"`
	}
	c.Do(http.MethodGet, "/api/v1/transfer-targets", nil).JSON(t, &out)
	for _, q := range out.Queues {
		if q.Code == code {
			return q.ID
		}
	}
	t.Fatalf("no queue %s", code)
	return 0
}

// scrollTo brings an element to the top of its scrolling box, so a
// screenshot shows it.
func scrollTo(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).scrollIntoView({block: 'start'})`, id))
}

// viewShot saves what the screen shows (on a phone the board is one long
// page, which a full-page shot shrinks past reading).
func viewShot(t *testing.T, s *shots, tb *tab, name string) {
	t.Helper()
	s.takeView(t, tb, name)
}
