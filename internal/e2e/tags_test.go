package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserConsoleTagsWrapupBulk: an agent tags a ticket from the
// details panel (told as done; a tag not on the list is refused, told and
// marked as an error, and the error goes once the field is changed; with
// nothing left on the list the hint says so); solving it in a queue that requires a wrap-up code is
// refused with the reason shown, then allowed (by the "s" shortcut, which
// chooses "solved", and Enter) once a code is chosen; a bulk status change
// reports a result per ticket
// (refusals listed) and then changes both tickets; "?" opens the
// shortcuts dialog, Esc closes it and focus returns; a key typed in the
// reply box is text, never a shortcut. A tag a supervisor makes reaches
// the agent's suggestions without a reload: at once when it is used on a
// ticket she sees, else when the tag field takes the focus after a while.
// Screenshots at 1366×800 and 390×844.
func TestBrowserConsoleTagsWrapupBulk(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, cfg := startDemo(t)
	root := newBrowser(t, browser)
	shots := newShots(t)

	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	umum := queueIDOf(t, admin, "umum")
	for _, step := range []struct {
		method, path string
		body         any
		want         int
	}{
		{http.MethodPost, "/api/v1/tags", map[string]string{"name": "bansos"}, http.StatusCreated},
		{http.MethodPost, "/api/v1/admin/wrapup-codes", map[string]any{"queue_id": umum, "code": "informasi", "label_id": "Informasi diberikan", "label_en": "Information given"}, http.StatusCreated},
	} {
		if r := admin.Do(step.method, step.path, step.body); r.Status != step.want {
			t.Fatalf("%s %s: %d %s", step.method, step.path, r.Status, r.Body)
		}
	}

	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, api)
	citizen := apptest.NewClient(t, base)
	tnA := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	tnB := citizen.Complaint(map[string]string{"name": "Yusuf", "phone": "081333334444", "category": "lainnya", "description": "Email verifikasi belum masuk."})
	tnC := citizen.Complaint(map[string]string{"name": "Maya", "phone": "081355556666", "category": "lainnya", "description": "Sertifikat pelatihan belum terbit."})
	ids := ticketIDs(t, api, tnA, tnB, tnC)
	a, b, c := ids[tnA], ids[tnB], ids[tnC]
	// Form complaints used as any ticket: their lifecycle ended, so only
	// the wrap-up rule holds their status.
	for _, id := range []int64{a, b, c} {
		apptest.Ended(t, cfg, api, id)
	}
	status := func(id int64) string {
		var d struct {
			Status string `json:"status"`
		}
		api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		return d.Status
	}

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.waitLive(t, "three tickets in my list", fmt.Sprintf(`[%d, %d, %d].every(id => document.querySelector('#ticket-list [data-ticket-id="' + id + '"]'))`, a, b, c))

	// Tag from the details panel; the list row shows it too.
	sari.open(t, a)
	sari.waitJS(t, "the tags panel", `!document.getElementById('tags-mount').hidden`)
	// By keyboard (Enter in the field): a pointer click lands where the
	// button was, and the panel still grows while the ticket's parts load.
	sari.do(t, "tag the ticket", chromedp.SendKeys(chromedp.ID("tags-input"), "Bansos\r"))
	sari.waitJS(t, "the tag on the ticket and in the list", fmt.Sprintf(`document.getElementById('tags-chips').textContent.includes('bansos')
		&& document.querySelector('#ticket-list li:has([data-ticket-id="%d"]) .tag-chips').textContent.includes('bansos')`, a))
	// A screen reader hears the tags as text: a name on a plain span is not read.
	sari.waitJS(t, "the list row says its tags in words", fmt.Sprintf(`document.querySelector('#ticket-list li:has([data-ticket-id="%d"]) .tag-chips .visually-hidden').textContent === %q`, a, strings.ReplaceAll(tx("tags.list_label"), "{tags}", "bansos")))
	sari.waitJS(t, "told as done, not as an error", fmt.Sprintf(`document.getElementById('tags-live').textContent === %q
		&& !document.getElementById('tags-live').classList.contains('form-status-error') && !document.getElementById('tags-input').hasAttribute('aria-invalid')`, tx("tags.saved")))
	// The list's one tag is on the ticket: nothing is left to pick.
	sari.waitJS(t, "the hint says there is nothing to pick", fmt.Sprintf(`document.getElementById('tags-hint').textContent === %q
		&& !document.querySelector('#tags-options option')`, tx("tags.hint_empty")))
	// A tag not on the list: refused, said and shown as an error.
	sari.do(t, "a tag not on the list", chromedp.SendKeys(chromedp.ID("tags-input"), "insentif\r"))
	sari.waitJS(t, "refused as an error", fmt.Sprintf(`document.getElementById('tags-live').textContent === %q
		&& document.getElementById('tags-live').classList.contains('form-status-error')
		&& getComputedStyle(document.getElementById('tags-live')).color !== getComputedStyle(document.querySelector('.form-status:not(.form-status-error)')).color
		&& document.getElementById('tags-input').getAttribute('aria-invalid') === 'true'`, "⚠ "+tx("tags.unknown", "name", "insentif")))
	shots.take(t, sari, "59-console-tag-refused-laptop")
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	sari.waitJS(t, "the refusal in view", `!document.getElementById('tags-mount').hidden && document.getElementById('tags-live').getBoundingClientRect().width > 0`)
	sari.do(t, "scroll to the tags", scrollTo("tags-title"))
	shots.take(t, sari, "59-console-tag-refused-phone")
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	// Changed, the name no longer stands as refused.
	sari.do(t, "change the name", chromedp.SendKeys(chromedp.ID("tags-input"), kb.Backspace))
	sari.waitJS(t, "the refusal gone", `document.getElementById('tags-live').textContent === ''
		&& !document.getElementById('tags-live').classList.contains('form-status-error') && !document.getElementById('tags-input').hasAttribute('aria-invalid')`)
	sari.do(t, "empty the field", clearField("tags-input"))

	// Solve without a wrap-up code: refused, with the reason. The admin
	// makes a code required while the ticket is open, so the panel, read
	// before, does not ask for one yet: the refusal has it read again, and
	// the focus goes to the code to choose.
	sari.waitJS(t, "the wrap-up panel read, no code asked for yet", `!document.getElementById('wrapup-form').hidden
		&& document.getElementById('wrapup-state').textContent === ''`)
	if r := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/wrapup-rules/%d", umum), map[string]any{"required": true}); r.Status != http.StatusOK {
		t.Fatalf("require a wrap-up code: %d %s", r.Status, r.Body)
	}
	// A transfer with no one chosen is refused under it, as an error; the
	// next outcome, beside the status, takes its place: one line at a time.
	sari.clickShown(t, "transfer to no one", "transfer-btn")
	sari.waitJS(t, "the transfer refused, as an error", fmt.Sprintf(`document.getElementById('routing-live').textContent === %q
		&& document.getElementById('routing-live').classList.contains('form-status-error')`, "⚠ "+tx("console.transfer_target_required")))
	sari.selectValue(t, "#t-status-select", "solved")
	sari.clickShown(t, "try to solve", "status-btn")
	sari.waitJS(t, "the refusal beside the status, as an error, the stored status shown again, the code asked for and focused", fmt.Sprintf(`document.getElementById('status-live').textContent === %q
		&& document.getElementById('routing-live').textContent === ''
		&& document.getElementById('status-live').classList.contains('form-status-error')
		&& document.getElementById('t-status-select').value !== 'solved'
		&& document.getElementById('wrapup-state').textContent.includes(%q)
		&& %s`, "⚠ "+tx("error.wrapup_required"), tx("wrapup.missing"), focusedJS("#wrapup-select")))
	if st := status(a); st == "solved" {
		t.Fatal("the solve went through without a wrap-up code")
	}
	shots.take(t, sari, "60-console-wrapup-refused-laptop")

	// Choose the code, then solve by the "s" shortcut.
	sari.selectValue(t, "#wrapup-select", "informasi")
	sari.do(t, "save the code", chromedp.Click(chromedp.ID("wrapup-btn")))
	sari.waitJS(t, "the code chosen", fmt.Sprintf(`document.getElementById('wrapup-state').textContent.includes(%q)`, tx("wrapup.chosen", "label", "Informasi diberikan")))
	// "s" only chooses "solved" (typing never solves a ticket); Enter saves it.
	sari.do(t, "press s", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("s"))
	sari.waitJS(t, "solved chosen, Enter asked for", fmt.Sprintf(`document.activeElement.id === 't-status-select'
		&& document.getElementById('t-status-select').value === 'solved' && document.getElementById('status-live').textContent === %q`, tx("shortcuts.solve_confirm")))
	if st := status(a); st == "solved" {
		t.Fatal("s alone solved the ticket")
	}
	sari.do(t, "press Enter", chromedp.KeyEvent(kb.Enter))
	checkFor(t, asyncWait, func() error {
		if st := status(a); st != "solved" {
			return fmt.Errorf("status %s after s", st)
		}
		return nil
	})

	// Typing in a field is never a shortcut.
	sari.open(t, b)
	sari.do(t, "type s in the reply box", chromedp.Click(chromedp.ID("reply-body")), chromedp.KeyEvent("s"))
	sari.waitJS(t, "the s is text", `document.getElementById('reply-body').value === 's'`)
	if st := status(b); st == "solved" || st == "pending" {
		t.Fatalf("a key typed in the reply box changed the ticket: %s", st)
	}
	sari.do(t, "empty the box", clearField("reply-body"))

	// Bulk: solve both (refused per ticket, reasons listed), then pending.
	sari.clickNow(t, "tick a ticket", fmt.Sprintf(`#ticket-list [data-bulk-id="%d"]`, b))
	sari.clickNow(t, "tick another", fmt.Sprintf(`#ticket-list [data-bulk-id="%d"]`, c))
	sari.waitJS(t, "the bulk bar", fmt.Sprintf(`!document.getElementById('bulk-mount').hidden && document.getElementById('bulk-count').textContent === %q`, tx("bulk.selected", "n", 2)))
	sari.selectValue(t, "#bulk-action", "status")
	sari.selectValue(t, "#bulk-value", "solved")
	sari.do(t, "apply", chromedp.Click(chromedp.ID("bulk-apply")))
	sari.waitJS(t, "both refused, with the reason", fmt.Sprintf(`document.getElementById('bulk-result').textContent.includes(%q)
		&& document.querySelectorAll('#bulk-result .bulk-failures li').length === 2
		&& document.getElementById('bulk-result').textContent.includes(%q)`, tx("bulk.done", "done", 0, "failed", 2), tx("error.wrapup_required")))
	shots.take(t, sari, "61-console-bulk-refused-laptop")
	sari.selectValue(t, "#bulk-value", "pending")
	sari.do(t, "apply pending", chromedp.Click(chromedp.ID("bulk-apply")))
	sari.waitJS(t, "both changed", fmt.Sprintf(`document.getElementById('bulk-result').textContent.includes(%q)`, tx("bulk.done", "done", 2, "failed", 0)))
	for _, id := range []int64{b, c} {
		if st := status(id); st != "pending" {
			t.Errorf("ticket %d is %s after the bulk change", id, st)
		}
	}

	// "?" lists the shortcuts in a modal dialog; Esc closes it.
	sari.do(t, "press ?", chromedp.Evaluate[chromedp.Void](`document.getElementById('shortcuts-btn').focus()`), chromedp.KeyEvent("?"))
	sari.waitJS(t, "the shortcuts dialog", fmt.Sprintf(`document.getElementById('shortcuts-dialog').open
		&& document.activeElement.id === 'shortcuts-close'
		&& document.getElementById('shortcuts-dialog').textContent.includes(%q)
		&& document.querySelectorAll('#shortcuts-dialog kbd').length >= 9`, tx("shortcuts.solve")))
	shots.take(t, sari, "62-console-shortcuts-laptop")
	sari.do(t, "Esc", chromedp.KeyEvent(kb.Escape))
	sari.waitJS(t, "closed, focus back", `!document.getElementById('shortcuts-dialog').open && document.activeElement.id === 'shortcuts-btn'`)

	// j and k move to the next and the previous ticket of the list.
	first := mustAtoi(t, sari.evalString(t, `document.querySelectorAll('#ticket-list .ticket-item')[0].dataset.ticketId`))
	second := mustAtoi(t, sari.evalString(t, `document.querySelectorAll('#ticket-list .ticket-item')[1].dataset.ticketId`))
	sari.open(t, first)
	sari.do(t, "press j", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("j"))
	sari.waitJS(t, "the next ticket open", fmt.Sprintf(`location.hash === '#ticket-%d' && document.activeElement.dataset.ticketId === '%d'`, second, second))
	sari.do(t, "press k", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("k"))
	sari.waitJS(t, "the previous ticket open", fmt.Sprintf(`location.hash === '#ticket-%d'`, first))

	// One-key shortcuts turned off in their dialog: j does nothing, and
	// the choice outlives a reload.
	sari.do(t, "open the shortcuts", chromedp.Click(chromedp.ID("shortcuts-btn")))
	sari.waitJS(t, "the dialog", `document.getElementById('shortcuts-dialog').open`)
	sari.do(t, "turn one-key shortcuts off", chromedp.Click(chromedp.ID("shortcuts-on")), chromedp.KeyEvent(kb.Escape))
	sari.waitJS(t, "closed", `!document.getElementById('shortcuts-dialog').open`)
	sari.do(t, "reload", chromedp.Reload())
	sari.waitJS(t, "the ticket open again", fmt.Sprintf(`document.getElementById('t-tn').textContent !== '' && location.hash === '#ticket-%d'`, first))
	sari.do(t, "press j", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("j"))
	sari.do(t, "press ?", chromedp.KeyEvent("?"))
	if got := sari.evalString(t, `location.hash + (document.getElementById('shortcuts-dialog') && document.getElementById('shortcuts-dialog').open ? ' dialog' : '')`); got != fmt.Sprintf("#ticket-%d", first) {
		t.Errorf("with one-key shortcuts off, j and ? gave %q", got)
	}
	sari.do(t, "open the shortcuts", chromedp.Click(chromedp.ID("shortcuts-btn")))
	sari.waitJS(t, "the dialog, the box unticked", `document.getElementById('shortcuts-dialog').open && !document.getElementById('shortcuts-on').checked`)
	sari.do(t, "turn them on again", chromedp.Click(chromedp.ID("shortcuts-on")), chromedp.KeyEvent(kb.Escape))

	if href := sari.attr(t, "#transcript-link", "href"); !strings.HasSuffix(href, "/transcript") {
		t.Errorf("transcript link %q", href)
	}

	// On a phone: the list with its bulk bar, and the details panel.
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.do(t, "back to the list", chromedp.Click(chromedp.ID("back-btn")))
	sari.clickNow(t, "tick a ticket", fmt.Sprintf(`#ticket-list [data-bulk-id="%d"]`, b))
	sari.waitJS(t, "the bulk bar fits", `document.getElementById('bulk-mount').getBoundingClientRect().right <= 390
		&& document.documentElement.scrollWidth <= 390`)
	shots.take(t, sari, "63-console-bulk-phone")
	sari.open(t, c)
	sari.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	sari.waitJS(t, "the tags panel fits", `!document.getElementById('tags-mount').hidden
		&& document.getElementById('tags-mount').getBoundingClientRect().width > 0
		&& document.documentElement.scrollWidth <= 390`)
	shots.take(t, sari, "64-console-tags-phone")

	// The printable transcript: its one style block is allowed by the
	// page's policy (a violation would be logged and fail checkConsole).
	sari.do(t, "the transcript", chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(fmt.Sprintf("%s/api/v1/tickets/%d/transcript", base, a)),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	sari.waitJS(t, "styled, the public thread", fmt.Sprintf(`getComputedStyle(document.querySelector('main')).maxWidth !== 'none'
		&& document.body.textContent.includes(%q) && document.body.textContent.includes('bansos')`, tnA))
	shots.take(t, sari, "66-transcript-laptop")
	sari.do(t, "the transcript on a phone", chromedp.EmulateViewport(390, 844))
	sari.waitJS(t, "it fits", `document.documentElement.scrollWidth <= 390`)
	shots.take(t, sari, "67-transcript-phone")

	// In English, on a laptop.
	sari.do(t, "English, laptop", chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(fmt.Sprintf("%s/console?lang=en-US#ticket-%d", base, c)),
		chromedp.WaitVisible(chromedp.ID("console-view")))
	sari.waitJS(t, "the English panel", `!document.getElementById('tags-mount').hidden
		&& document.getElementById('wrapup-label').textContent.startsWith('Wrap-up code (required)')
		&& document.getElementById('wrapup-state').textContent.includes('Not chosen yet')`)
	shots.take(t, sari, "65-console-wrapup-english-laptop")
	sari.checkConsole(t)

	// A supervisor keeps the lists on the queue board tab.
	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.openBoard(t)
	dewi.waitJS(t, "the lists", fmt.Sprintf(`!document.getElementById('tags-admin-mount').hidden
		&& document.getElementById('wrapup-admin-rows').textContent.includes('informasi')
		&& document.getElementById('wrapup-rule-%d') && document.getElementById('wrapup-rule-%d').checked
		&& document.getElementById('tags-admin-list').textContent.includes('bansos')`, umum, umum))
	dewi.do(t, "add a tag to the list",
		chromedp.SendKeys(chromedp.ID("tags-admin-name"), "Verifikasi ulang"),
		chromedp.Click(chromedp.CSS("#tags-admin-form button")))
	dewi.waitJS(t, "the new tag listed", `document.getElementById('tags-admin-list').textContent.includes('verifikasi ulang')`)
	dewi.do(t, "umum no longer requires a code", chromedp.Click(chromedp.ID(fmt.Sprintf("wrapup-rule-%d", umum))))
	dewi.waitJS(t, "saved", fmt.Sprintf(`document.getElementById('tags-admin-live').textContent === %q`, tx("wrapup.admin_saved")))
	var w struct {
		Wrapup struct {
			Required bool `json:"required"`
		} `json:"wrapup"`
	}
	api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/wrapup", b), nil).JSON(t, &w)
	if w.Wrapup.Required {
		t.Error("the rule switched off in the console still holds")
	}
	shots.take(t, dewi, "68-console-tags-admin-laptop")
	dewi.checkConsole(t)

	// Sari's suggestions follow the list without a reload. The tag Dewi
	// added is offered when the tag field takes the focus once the list
	// was read a while ago (the page's clock moved on).
	sari.do(t, "half a minute on", chromedp.Evaluate[chromedp.Void](`Date.now = ((now) => () => now() + 31000)(Date.now)`))
	sari.do(t, "focus the tag field", chromedp.Evaluate[chromedp.Void](`document.getElementById('tags-input').blur(), document.getElementById('tags-input').focus()`))
	sari.waitJS(t, "the tag added to the list offered", `!!document.querySelector('#tags-options option[value="verifikasi ulang"]')`)
	// A tag made by using it on a ticket of hers (her ticket b; c is
	// open) is offered at once.
	dewiAPI := apptest.NewClient(t, base)
	dewiAPI.Login("dewi@tanggap.example", "demo-dewi-2026")
	if r := dewiAPI.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/tags", b), map[string]any{"tags": []string{"darurat"}}); r.Status != http.StatusOK {
		t.Fatalf("tag b: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "the new tag offered", `!!document.querySelector('#tags-options option[value="darurat"]')`)
}
