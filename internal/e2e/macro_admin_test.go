package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserMacroEditor: an admin, on the canned-reply screen, creates a
// macro by keyboard (a nameless one is refused beside the name field),
// shared with every queue: a canned reply with variables, a priority, a
// tag and a status (with TAGS_FREE=none, a tag not on the list is first
// refused beside the tags field, naming it); then edits it (a new name,
// another priority). An
// agent applies it to a ticket she took from her queue: the ticket shows
// the reply with its tracking number filled in, the new priority and
// status, and carries the tag.
func TestBrowserMacroEditor(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg := demoConfig(t)
	cfg.Tags.Free = "none" // nobody creates tags by using them: the admin neither
	base := apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	var reply struct {
		ID int64 `json:"id"`
	}
	res := adminAPI.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Sedang diverifikasi", "lang": "id-ID", "shared": true,
		"body": "Pengaduan {{tracking_number}} sedang kami verifikasi."})
	if res.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &reply)
	if res := adminAPI.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "verifikasi"}); res.Status != http.StatusCreated {
		t.Fatalf("tag: %d %s", res.Status, res.Body)
	}
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Agus", "phone": "081298760001", "category": "lainnya",
		"description": "Dana insentif belum masuk ke rekening saya."})

	// --- create, by keyboard ------------------------------------------------------
	adm := newTab(t, root)
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
	adm.clickNow(t, "open the canned-reply screen", "#canned-admin-title")
	adm.waitJS(t, "the macro form drawn", fmt.Sprintf(`!!document.getElementById('mc-name') && !!document.querySelector('#mc-canned option[value="%d"]')
		&& !!document.querySelector('#mc-transfer-queue option[value="umum"]')`, reply.ID))
	if got := adm.evalString(t, `document.querySelector('label[for="mc-priority"]').textContent`); got != tx("macro_admin.priority") {
		t.Errorf("the priority field is labelled %q", got)
	}
	adm.do(t, "save without a name", chromedp.Focus(chromedp.ID("mc-name")), chromedp.SendKeys(chromedp.ID("mc-name"), kb.Enter))
	adm.waitJS(t, "the name refused beside its field", `!document.getElementById('mc-name-error').hidden
		&& document.getElementById('mc-name').getAttribute('aria-invalid') === 'true'
		&& document.getElementById('mc-name').getAttribute('aria-describedby').includes('mc-name-error')
		&& document.activeElement.id === 'mc-name'`)
	if got := adm.text(t, "#mc-name-error"); got == "" || strings.Contains(got, "validation.") {
		t.Errorf("the name's error reads %q", got)
	}
	if got := adm.text(t, "#mc-tags-hint"); !strings.Contains(got, tx("macro_admin.tags_known", "tags", "verifikasi")) {
		t.Errorf("the tags' hint = %q", got)
	}
	adm.selectValue(t, "#mc-canned", fmt.Sprint(reply.ID))
	adm.waitJS(t, "the reply shown with its variables", `document.getElementById('mc-reply-preview').textContent.includes('{{tracking_number}}')`)
	adm.selectValue(t, "#mc-priority", "high")
	adm.selectValue(t, "#mc-status", "pending")
	adm.do(t, "fill with a tag not on the list and press Enter", chromedp.SendKeys(chromedp.ID("mc-tags"), "verifikasi, Belum Ada"),
		chromedp.Click(chromedp.ID("mc-shared")),
		chromedp.SendKeys(chromedp.ID("mc-name"), "Verifikasi"+kb.Enter))
	adm.waitJS(t, "the unknown tag refused beside its field", `!document.getElementById('mc-tags-error').hidden
		&& document.getElementById('mc-tags').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'mc-tags'`)
	if got, want := adm.text(t, "#mc-tags-error"), tx("tags.unknown_names", "names", `"belum ada"`); got != want {
		t.Errorf("the tags' error reads %q, want %q", got, want)
	}
	shots.take(t, adm, "macro-tags-refused")
	adm.do(t, "keep the listed tag and press Enter", clearField("mc-tags"), chromedp.SendKeys(chromedp.ID("mc-tags"), "verifikasi"+kb.Enter))
	adm.waitJS(t, "the macro listed", `[...document.querySelectorAll('#macro-admin-table tbody tr')].some(r => r.cells[0].textContent === 'Verifikasi')`)
	// Said in the screen's status region, which outlives the redraw, and
	// the focus on the emptied form for the next macro.
	adm.waitJS(t, "saved said", fmt.Sprintf(`document.getElementById('ca-live').textContent === %q && document.activeElement.id === 'mc-name'`,
		tx("macro_admin.saved", "name", "Verifikasi")))
	row := `[...document.querySelectorAll('#macro-admin-table tbody tr')].find(r => r.cells[0].textContent.startsWith('Verifikasi'))`
	if got := adm.evalString(t, row+`.textContent`); !strings.Contains(got, tx("priority.high")) || !strings.Contains(got, "Sedang diverifikasi") ||
		!strings.Contains(got, tx("canned_admin.shared_queue", "queue", tx("canned_admin.all_queues"))) {
		t.Errorf("the macro's row = %q", got)
	}
	adm.scrollTo(t, "macro-admin-title")
	shots.take(t, adm, "macro-created")

	// --- edit ---------------------------------------------------------------------
	adm.do(t, "edit it", chromedp.Click(chromedp.CSS(`#macro-admin-table button[data-macro-edit]`)))
	adm.waitJS(t, "the form holds the macro", `document.getElementById('mc-name').value === 'Verifikasi' && document.activeElement.id === 'mc-name'
		&& document.getElementById('mc-priority').value === 'high' && document.getElementById('mc-status').value === 'pending'
		&& document.getElementById('mc-tags').value === 'verifikasi' && document.getElementById('mc-shared').checked`)
	adm.selectValue(t, "#mc-priority", "urgent")
	adm.do(t, "rename and save", clearField("mc-name"), chromedp.SendKeys(chromedp.ID("mc-name"), "Verifikasi mendesak"),
		chromedp.Click(chromedp.ID("mc-save")))
	adm.waitJS(t, "the edit listed", `[...document.querySelectorAll('#macro-admin-table tbody tr')].map(r => r.cells[0].textContent).join('|') === 'Verifikasi mendesak'`)
	if got := adm.evalString(t, row+`.textContent`); !strings.Contains(got, tx("priority.urgent")) {
		t.Errorf("the edited row = %q", got)
	}
	var macros struct {
		Macros []struct {
			ID       int64    `json:"id"`
			Name     string   `json:"name"`
			CannedID *int64   `json:"canned_id"`
			Priority string   `json:"priority"`
			Status   string   `json:"status"`
			Tags     []string `json:"tags"`
			Shared   bool     `json:"shared"`
		} `json:"macros"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/macros", nil).JSON(t, &macros)
	if len(macros.Macros) != 1 {
		t.Fatalf("macros stored: %+v", macros.Macros)
	}
	if m := macros.Macros[0]; m.Name != "Verifikasi mendesak" || m.CannedID == nil || *m.CannedID != reply.ID || m.Priority != "urgent" ||
		m.Status != "pending" || !slices.Equal(m.Tags, []string{"verifikasi"}) || !m.Shared {
		t.Errorf("stored macro %+v", m)
	}
	shots.take(t, adm, "macro-edited")

	// --- an agent applies it ---------------------------------------------------------
	agent := newTab(t, root)
	agent.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	agent.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	agent.selectValue(t, "#presence", "busy")
	agent.waitJS(t, "presence saved", `document.getElementById('presence-dot').classList.contains('presence-busy')`)
	agent.selectValue(t, "#scope", "queue")
	rowJS := fmt.Sprintf(`[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes(%q))`, tn)
	agent.waitLive(t, "the waiting ticket in her queue's list", rowJS+` !== undefined`)
	id := agent.evalString(t, rowJS+`.dataset.ticketId`)
	agent.clickNow(t, "open the ticket", `#ticket-list [data-ticket-id="`+id+`"]`)
	agent.do(t, "the ticket opens", chromedp.WaitVisible(chromedp.ID("routing-panel")))
	agent.clickShown(t, "take the ticket", "claim-btn")
	agent.waitJS(t, "claimed", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q`, tx("routing.claimed")))
	agent.waitJS(t, "the macro offered", fmt.Sprintf(`!document.getElementById('macro-row').hidden && !!document.querySelector('#macro-select option[value="%d"]')`, macros.Macros[0].ID))
	agent.selectValue(t, "#macro-select", fmt.Sprint(macros.Macros[0].ID))
	agent.do(t, "apply it", chromedp.Click(chromedp.ID("macro-btn")))
	steps := strings.Join([]string{tx("macros.step_reply"), tx("macros.step_priority"), tx("macros.step_tags"), tx("macros.step_status")}, ", ")
	agent.waitJS(t, "the outcome said", `document.getElementById('ticket-live').textContent !== ''`)
	if got, want := agent.text(t, "#ticket-live"), tx("macros.applied", "name", "Verifikasi mendesak", "steps", steps); got != want {
		t.Fatalf("the agent is told %q, want %q", got, want)
	}
	agent.waitJSFor(t, "the ticket shows the effect", asyncWait, fmt.Sprintf(`document.getElementById('t-priority').textContent === %q
		&& document.getElementById('t-status-select').value === 'pending'
		&& document.getElementById('t-messages').textContent.includes(%q)`, tx("priority.urgent"), "Pengaduan "+tn+" sedang kami verifikasi."))
	shots.take(t, agent, "macro-applied")
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	var got struct {
		Status   string   `json:"status"`
		Priority string   `json:"priority"`
		Tags     []string `json:"tags"`
	}
	sari.Do(http.MethodGet, "/api/v1/tickets/"+id, nil).JSON(t, &got)
	if got.Status != "pending" || got.Priority != "urgent" || !slices.Equal(got.Tags, []string{"verifikasi"}) {
		t.Errorf("ticket after the macro: %+v", got)
	}

	// --- the same screen in English, on a phone ---------------------------------------
	en := textsIn(t, "en-US")
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
	adm.clickNow(t, "open the canned-reply screen", "#canned-admin-title")
	adm.waitJS(t, "the macro listed in English", fmt.Sprintf(`!!document.getElementById('mc-name') && %s.textContent.includes(%q)`, row, en("priority.urgent")))
	for css, key := range map[string]string{`label[for="mc-priority"]`: "macro_admin.priority", "#macro-admin-title": "canned_admin.macros", "#mc-save": "macro_admin.add"} {
		if got := adm.text(t, css); got != en(key) {
			t.Errorf("%s in English = %q, want %q", css, got, en(key))
		}
	}
	adm.do(t, "a macro with a tag not on the list", chromedp.SendKeys(chromedp.ID("mc-name"), "Uji"), chromedp.SendKeys(chromedp.ID("mc-tags"), "tidak-ada"),
		chromedp.Click(chromedp.ID("mc-save")))
	adm.waitJS(t, "the unknown tag refused in English", `!document.getElementById('mc-tags-error').hidden`)
	if got, want := adm.text(t, "#mc-tags-error"), en("tags.unknown_names", "names", `"tidak-ada"`); got != want {
		t.Errorf("the tags' error in English reads %q, want %q", got, want)
	}
	if w := adm.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("page is %s px wide on a 390 px screen", w)
	}
	adm.scrollTo(t, "macro-admin-form")
	shots.take(t, adm, "macro-form-en-390")
	adm.checkConsole(t)
	agent.checkConsole(t)
}

// TestBrowserMacroUseShown: with the canned-reply screen open, an admin
// applies a macro to a ticket; the macro's use count, and that of the
// canned reply it sends, go from 0 to 1 on the screen without a reload,
// as a canned reply's does when it is inserted, and what was being typed
// in the macro form stays.
func TestBrowserMacroUseShown(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	var reply, macro struct {
		ID int64 `json:"id"`
	}
	res := adminAPI.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Sedang diperiksa", "lang": "id-ID", "shared": true,
		"body": "Pengaduan {{tracking_number}} sedang kami periksa."})
	if res.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &reply)
	res = adminAPI.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Periksa", "shared": true, "canned_id": reply.ID, "priority": "high"})
	if res.Status != http.StatusCreated {
		t.Fatalf("macro: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &macro)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Wati", "phone": "081298760002", "category": "lainnya",
		"description": "Pelatihan saya belum tercatat selesai."})
	id := adminAPI.TicketID(tn, "scope=all")

	adm := newTab(t, root)
	adm.instrument(t)
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
	adm.clickNow(t, "open the canned-reply screen", "#canned-admin-title")
	macroUses := fmt.Sprintf(`document.querySelector('#macro-admin-table td[data-macro-uses="%d"]')`, macro.ID)
	replyUses := fmt.Sprintf(`document.querySelector('#canned-admin-table td[data-uses="%d"]')`, reply.ID)
	adm.waitJS(t, "the macro and its reply listed, not used yet", fmt.Sprintf(`(m => !!m && m.textContent === '0')(%s) && %s.textContent === '0'`, macroUses, replyUses))
	adm.do(t, "a macro half written", chromedp.SendKeys(chromedp.ID("mc-name"), "Belum selesai"))
	adm.keepMark(t)

	adm.waitJS(t, "the macro offered on the ticket", fmt.Sprintf(`!document.getElementById('macro-row').hidden && !!document.querySelector('#macro-select option[value="%d"]')`, macro.ID))
	// Writing a note, a macro that sends a canned reply to the citizen
	// cannot be chosen, and says why: a note never reaches the citizen.
	option := fmt.Sprintf(`document.querySelector('#macro-select option[value="%d"]')`, macro.ID)
	adm.do(t, "write a note", chromedp.Click(chromedp.ID("mode-note")))
	adm.waitJS(t, "the replying macro held while writing a note", fmt.Sprintf(`%s.disabled && %s.textContent === %s`,
		option, option, jsString(tx("macros.replies_to_citizen", "name", "Periksa"))))
	adm.do(t, "back to the reply", chromedp.Click(chromedp.ID("mode-reply")))
	adm.waitJS(t, "the macro offered again", fmt.Sprintf(`!%s.disabled && %s.textContent === 'Periksa'`, option, option))
	adm.selectValue(t, "#macro-select", fmt.Sprint(macro.ID))
	adm.do(t, "apply it", chromedp.Click(chromedp.ID("macro-btn")))
	steps := strings.Join([]string{tx("macros.step_reply"), tx("macros.step_priority")}, ", ")
	adm.waitJS(t, "applied", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %s`, jsString(tx("macros.applied", "name", "Periksa", "steps", steps))))
	adm.waitJS(t, "the uses counted on the screen", fmt.Sprintf(`%s.textContent === '1' && %s.textContent === '1'`, macroUses, replyUses))
	if got := adm.evalString(t, `document.getElementById('mc-name').value`); got != "Belum selesai" {
		t.Errorf("the macro form holds %q after the count was shown, want what was typed", got)
	}
	adm.checkNoReload(t)
	adm.scrollTo(t, "macro-admin-title")
	// The console fills the window and its panes scroll on their own:
	// scrolling the list pane to the screen must not move the page (a
	// visually hidden caption far down the list, placed against the
	// page, once made it 2,148 px tall and moved the console up).
	if got := adm.evalString(t, `scrollY + ' ' + document.documentElement.scrollHeight + ' ' + innerHeight`); got != "0 800 800" {
		t.Errorf("page scroll, height and window height %q after scrolling a pane, want \"0 800 800\"", got)
	}
	viewShot(t, shots, adm, "macro-use-counted")
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	// On a phone the page scrolls and the composer stays at the foot of
	// the window, over what is below it: the agent scrolls to the button.
	adm.scrollTo(t, "back-btn")
	adm.do(t, "back to the list", chromedp.Click(chromedp.ID("back-btn")))
	adm.waitJS(t, "the canned-reply screen on the phone", `document.getElementById('macro-admin-title').offsetParent !== null`)
	checkFits(t, adm, "the canned-reply screen on a phone", 390)
	adm.scrollTo(t, "macro-admin-title")
	viewShot(t, shots, adm, "macro-use-counted-390")
	adm.checkConsole(t)
}
