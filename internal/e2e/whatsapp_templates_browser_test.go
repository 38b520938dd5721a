package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserWhatsAppTemplates: an admin, on the WhatsApp templates
// screen, sees the templates seeded from the settings; a bad name is
// refused beside its field (focused, marked invalid); a second active
// notification template in Indonesian is refused beside "active"; the
// admin deactivates the seeded one by keyboard (focus stays on its row)
// and the new one is saved and listed. Screens at 1366×800 and 390×844.
func TestBrowserWhatsAppTemplates(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newSurveyGraph(t)
	cfg := seededTemplatesConfig(t, graph)
	base := apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	live := func() string { return adm.evalString(t, `document.getElementById('admin-live').textContent`) }

	adm.do(t, "WhatsApp templates section", chromedp.Click(chromedp.ID("admin-nav-watemplates")))
	adm.waitJS(t, "seeded templates listed", `!!document.querySelector('#admin-wat tr[data-template="tindak_lanjut:id:reply"]')
		&& !!document.querySelector('#admin-wat tr[data-template="kabar_tiket:id:notify"]')
		&& !!document.querySelector('#admin-wat tr[data-template="penilaian_layanan:id:csat"]')`)
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	shots.take(t, adm, "wat-list")

	// A bad name, submitted with Enter from the keyboard.
	adm.selectValue(t, "#aw-purpose", "notify")
	adm.do(t, "a bad name", chromedp.SetValue(chromedp.ID("aw-params"), "nomor\ntautan"),
		chromedp.SendKeys(chromedp.ID("aw-name"), "Kabar Baru"+kb.Enter))
	adm.waitJS(t, "the name refused beside its field, focused", fmt.Sprintf(`!document.getElementById('aw-name-error').hidden
		&& document.getElementById('aw-name-error').textContent === %q && document.getElementById('aw-name').getAttribute('aria-invalid') === 'true'
		&& document.activeElement.id === 'aw-name'`, tx("whatsapp.template_name_invalid")))
	adm.do(t, "scroll to the form", scrollTo("admin-wat-form"))
	shots.take(t, adm, "wat-name-refused")

	// A good name, but the seeded notification template is active.
	adm.do(t, "a good name", clearField("aw-name"), chromedp.SendKeys(chromedp.ID("aw-name"), "kabar_baru"+kb.Enter))
	adm.waitJS(t, "active refused beside its field", fmt.Sprintf(`!document.getElementById('aw-active-error').hidden
		&& document.getElementById('aw-active-error').textContent === %q && document.activeElement.id === 'aw-active'
		&& document.getElementById('aw-name-error').hidden`, tx("whatsapp.template_active_taken", "name", "kabar_tiket")))
	shots.take(t, adm, "wat-active-refused")

	// Deactivate the seeded one by keyboard.
	adm.do(t, "focus its deactivate button", chromedp.Focus(chromedp.CSS(`#admin-wat tr[data-template="kabar_tiket:id:notify"] button[data-off]`)))
	adm.do(t, "press Enter", chromedp.KeyEvent(kb.Enter))
	adm.waitJS(t, "deactivated, focus on its row", `document.querySelector('#admin-wat tr[data-template="kabar_tiket:id:notify"]').classList.contains('admin-off')
		&& !document.querySelector('#admin-wat tr[data-template="kabar_tiket:id:notify"] button[data-off]')
		&& document.activeElement === document.querySelector('#admin-wat tr[data-template="kabar_tiket:id:notify"] button[data-edit]')`)
	if got := live(); got != tx("admin.wat_deactivated", "name", "kabar_tiket") {
		t.Errorf("live = %q", got)
	}

	// Now the new one goes in.
	adm.selectValue(t, "#aw-purpose", "notify")
	adm.do(t, "the new notification template", chromedp.SetValue(chromedp.ID("aw-params"), "nomor\ntautan"),
		chromedp.SendKeys(chromedp.ID("aw-name"), "kabar_baru"), chromedp.Click(chromedp.ID("aw-save")))
	adm.waitJS(t, "the new template listed, active", `!!document.querySelector('#admin-wat tr[data-template="kabar_baru:id:notify"]:not(.admin-off)')`)
	if got := live(); got != tx("admin.wat_saved", "name", "kabar_baru") {
		t.Errorf("live = %q", got)
	}
	if got := adm.evalString(t, `document.querySelector('#admin-wat tr[data-template="kabar_baru:id:notify"]').textContent`); got == "" ||
		!strings.Contains(got, tx("admin.wat_purpose_notify")) || !strings.Contains(got, "tautan") {
		t.Errorf("kabar_baru row = %q", got)
	}
	// Edit fills the form and names the template.
	adm.do(t, "edit it", chromedp.Click(chromedp.CSS(`#admin-wat tr[data-template="kabar_baru:id:notify"] button[data-edit]`)))
	adm.waitJS(t, "the form holds it", fmt.Sprintf(`document.getElementById('aw-title').textContent === %q && document.getElementById('aw-name').value === 'kabar_baru'
		&& document.getElementById('aw-purpose').value === 'notify' && document.activeElement.id === 'aw-name'`, tx("admin.wat_edit", "name", "kabar_baru")))
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	shots.take(t, adm, "wat-edit")

	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "no sideways scroll of the page", `document.documentElement.scrollWidth <= 390`)
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "wat-list-390")
	adm.do(t, "scroll to the form", scrollTo("admin-wat-form"))
	viewShot(t, shots, adm, "wat-form-390")
	adm.checkConsole(t)
}

// TestBrowserWhatsAppTemplatesChannelOff: on an installation without the
// WhatsApp settings, the templates section says, in Indonesian and in
// English, that WhatsApp is not set up and which settings turn it on,
// and asks the server nothing (no request to the WhatsApp routes, which
// are not there, and no failed request). Signed in by the form (the
// sign-in answer names the channels) and by a reload (/auth/me does).
// Screens at 1366×800 and 390×844.
func TestBrowserWhatsAppTemplatesChannelOff(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := textsIn(t, "en-US")
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	const settings = "WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID"

	adm := newTab(t, root)
	adm.instrument(t)
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	signedIn := adm.pageNow(t)
	section := func(tr func(string, ...any) string, lang string) {
		t.Helper()
		adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
		adm.openBoard(t)
		adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-nav-watemplates')`)
		adm.do(t, "WhatsApp templates section", chromedp.Click(chromedp.ID("admin-nav-watemplates")))
		adm.waitJS(t, lang+": not set up, and what sets it up", fmt.Sprintf(`(u => !!u && u.textContent === %s
			&& document.getElementById('wat-setup').textContent === %s)(document.getElementById('wat-unavailable'))`,
			jsString(tr("admin.wat_unavailable")), jsString(tr("admin.wat_setup", "vars", settings))))
		if adm.evalBool(t, `!!document.getElementById('admin-wat-form') || !!document.getElementById('admin-wat')`) {
			t.Errorf("%s: a templates table or form is offered for a channel that is off", lang)
		}
		adm.settled(t)
	}
	section(tx, "id-ID")
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "wat-off-id")
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	checkFits(t, adm, "the section on a phone", 390)
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "wat-off-id-390")
	if got := adm.requestsSince(t, 0, "whatsapp-templates"); len(got) != 0 {
		t.Errorf("the console asked for the templates of a channel that is off: %v", got)
	}
	if got := adm.failedRequestsSince(t, signedIn); len(got) != 0 {
		t.Errorf("the console's failed requests: %v", got)
	}

	// In English, the session read again by /auth/me.
	adm.do(t, "the console in English", chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	section(en, "en-US")
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "wat-off-en-390")
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.do(t, "scroll to the section", scrollTo("admin-section-title"))
	viewShot(t, shots, adm, "wat-off-en")
	if got := adm.requestsSince(t, 0, "whatsapp-templates"); len(got) != 0 {
		t.Errorf("the console in English asked for the templates of a channel that is off: %v", got)
	}
	if got := adm.failedRequestsSince(t, 0); len(got) != 0 {
		t.Errorf("the console's failed requests in English: %v", got)
	}
	adm.checkConsole(t)
}
