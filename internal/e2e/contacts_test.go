package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/locale"
)

// contactTicket is a ticket as the list API shows it.
type contactTicket struct {
	ID             int64  `json:"id"`
	TrackingNumber string `json:"tracking_number"`
	Channel        string `json:"channel"`
	ContactID      int64  `json:"contact_id"`
}

func allTickets(t *testing.T, c *apptest.Client, want int) []contactTicket {
	t.Helper()
	var out []contactTicket
	checkFor(t, asyncWait, func() error {
		var body struct {
			Tickets []contactTicket `json:"tickets"`
		}
		c.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &body)
		if len(body.Tickets) < want {
			return fmt.Errorf("%d tickets stored, want %d", len(body.Tickets), want)
		}
		out = body.Tickets
		return nil
	})
	return out
}

// panelTicketsJS is the ticket ids the contact panel lists, in order.
const panelTicketsJS = `[...document.querySelectorAll('#contact-tickets button[data-ticket]')].map(b => b.dataset.ticket).join(',')`

// TestBrowserContactPanel walks the citizen's whole history. Rina writes
// on WhatsApp and files the complaint form with the same number and her
// NIK: an agent of her queue opens the WhatsApp ticket and sees, in the
// details pane, both tickets (each still its own conversation), opens the
// form ticket from the panel and goes back by keyboard, and writes a note
// on Rina. Rina also wrote from a second number (a contact of its own) and
// sent a form with her NIK and that number: a supervisor opening the
// second number's ticket is offered Rina as a probable duplicate, merges
// (confirmed in place), sees every ticket under one contact, a new message
// from the merged number lands on the surviving contact and a reply on the
// moved WhatsApp ticket still goes to the number that conversation came
// from; then splits, and each contact has exactly its own tickets again.
// Screens at 1366×800 and 390×844.
func TestBrowserContactPanel(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newGraphStandIn(t)
	cfg := demoConfig(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	shots := newShots(t)

	const nik = "3201014708900002"
	dewiAPI := apptest.NewClient(t, base)
	dewiAPI.Login("dewi@tanggap.example", "demo-dewi-2026")
	// Each message is stored before the next is sent: which contact a
	// citizen's identities meet depends on what came first.
	hook := apptest.NewClient(t, base)
	hook.WhatsApp(apptest.WhatsAppText("6281311112222", "Rina", "wamid.c-1", time.Now(), "Saldo kartu saya belum masuk"))
	allTickets(t, dewiAPI, 1)
	citizen := apptest.NewClient(t, base)
	tnForm := citizen.Complaint(map[string]string{"name": "Rina", "phone": "0813-1111-2222", "nik": nik, "category": "lainnya",
		"description": "Saldo belum masuk setelah pelatihan selesai."})
	allTickets(t, dewiAPI, 2)
	hook.WhatsApp(apptest.WhatsAppText("6285799998888", "Rina S", "wamid.c-2", time.Now(), "Ini nomor saya yang baru"))
	allTickets(t, dewiAPI, 3)
	tnForm2 := citizen.Complaint(map[string]string{"name": "Rina", "phone": "085799998888", "nik": nik, "category": "lainnya",
		"description": "Mohon kabari saya ke nomor baru."})

	var wa1, wa2, form1, form2 contactTicket
	for _, tk := range allTickets(t, dewiAPI, 4) {
		switch {
		case tk.TrackingNumber == tnForm:
			form1 = tk
		case tk.TrackingNumber == tnForm2:
			form2 = tk
		}
	}
	for _, tk := range allTickets(t, dewiAPI, 4) {
		if tk.Channel == "whatsapp" {
			if tk.ContactID == form1.ContactID {
				wa1 = tk
			} else {
				wa2 = tk
			}
		}
	}
	if wa1.ID == 0 || wa2.ID == 0 || form1.ID == 0 || form2.ContactID != form1.ContactID {
		t.Fatalf("tickets: wa1 %+v wa2 %+v form1 %+v form2 %+v: want the form with the NIK and the new number filed under Rina", wa1, wa2, form1, form2)
	}
	rina, second := form1.ContactID, wa2.ContactID

	root := newBrowser(t, browser)

	// --- an agent of Rina's queue ---------------------------------------
	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, fmt.Sprintf("%s/console?lang=id-ID#ticket-%d", base, wa1.ID), "sari@tanggap.example", "demo-sari-2026")
	want := fmt.Sprintf("%d,%d,%d", form2.ID, form1.ID, wa1.ID)
	sari.waitJS(t, "Rina's three tickets, newest first", panelTicketsJS+` === '`+want+`'`)
	panel := sari.text(t, "#contact-panel")
	for _, w := range []string{tx("contact.title"), tx("channel.whatsapp"), tx("channel.webform"), tnForm, tx("contact.this_ticket"),
		"+6281311112222", "320101**********"} {
		if !strings.Contains(panel, w) {
			t.Errorf("panel lacks %q:\n%s", w, panel)
		}
	}
	if strings.Contains(panel, nik) {
		t.Error("the panel shows the NIK unmasked")
	}
	if got := sari.evalString(t, fmt.Sprintf(`document.querySelector('#contact-tickets [data-ticket="%d"]').getAttribute('aria-current') || ''`, wa1.ID)); got != "true" {
		t.Errorf("the open ticket is not marked in the panel: aria-current %q", got)
	}
	if !sari.hidden(t, "#contact-dups-block") {
		t.Error("an agent is offered duplicates and merging")
	}
	if got := sari.text(t, "#contact-jump"); got != tx("contact.jump", "n", 3) {
		t.Errorf("jump button %q, want %q", got, tx("contact.jump", "n", 3))
	}
	sari.do(t, "go to the panel by keyboard", chromedp.Focus(chromedp.ID("contact-jump")), chromedp.KeyEvent("\r"))
	sari.waitJS(t, "focus on the panel's heading", `document.activeElement.id === 'contact-title'`)
	shots.take(t, sari, "60-contact-panel-agent-laptop")

	sari.do(t, "open the form ticket from the panel", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#contact-tickets [data-ticket="%d"]`, form1.ID))))
	sari.waitJS(t, "the form ticket is open", fmt.Sprintf(`location.hash === '#ticket-%d' && document.getElementById('t-tn').textContent === %q
		&& document.querySelector('#contact-tickets [data-ticket="%d"]').getAttribute('aria-current') === 'true'`, form1.ID, tnForm, form1.ID))
	sari.do(t, "back to the WhatsApp ticket by keyboard",
		chromedp.Focus(chromedp.CSS(fmt.Sprintf(`#contact-tickets [data-ticket="%d"]`, wa1.ID))),
		chromedp.KeyEvent("\r"))
	sari.waitJS(t, "the WhatsApp ticket is open again", fmt.Sprintf(`location.hash === '#ticket-%d'
		&& document.querySelector('#contact-tickets [data-ticket="%d"]').getAttribute('aria-current') === 'true'`, wa1.ID, wa1.ID))
	// Its line in the history follows a change of its status.
	sari.selectValue(t, "#t-status-select", "pending")
	sari.clickShown(t, "set it pending", "status-btn")
	sari.waitJS(t, "the history's line says pending", fmt.Sprintf(`document.querySelector('#contact-tickets [data-ticket="%d"]').textContent.includes(%q)`,
		wa1.ID, tx("ticket_status.pending")))
	// The history is drawn again when a colleague moves the ticket: the
	// focus on another line of it stays there.
	formLine := fmt.Sprintf(`#contact-tickets [data-ticket="%d"]`, form1.ID)
	sari.do(t, "on the form ticket's line by keyboard", chromedp.Focus(chromedp.CSS(formLine)))
	if r := dewiAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", wa1.ID), map[string]string{"status": "open"}); r.Status != http.StatusOK {
		t.Fatalf("reopen: %d %s", r.Status, r.Body)
	}
	sari.waitJS(t, "the history's line says open", fmt.Sprintf(`document.querySelector('#contact-tickets [data-ticket="%d"]').textContent.includes(%q)`,
		wa1.ID, tx("ticket_status.open")))
	sari.waitJS(t, "the focus still on the form ticket's line", focusedJS(formLine))

	sari.do(t, "save an empty note", chromedp.Click(chromedp.ID("contact-note-btn")))
	sari.waitJS(t, "told to write it first", fmt.Sprintf(`document.getElementById('contact-note-error').textContent === %q
		&& document.activeElement.id === 'contact-note'`, tx("contact.note_empty")))
	const note = "Warga minta dihubungi lewat WhatsApp sore hari."
	sari.do(t, "write a note and save it by keyboard",
		chromedp.SendKeys(chromedp.ID("contact-note"), note),
		chromedp.Focus(chromedp.ID("contact-note-btn")),
		chromedp.KeyEvent("\r"))
	sari.waitJS(t, "the note saved or refused", fmt.Sprintf(`document.getElementById('contact-notes').textContent.includes(%q)
		|| document.getElementById('contact-note-error').textContent !== ''`, note))
	if e := sari.text(t, "#contact-note-error"); e != "" {
		t.Fatalf("the note was refused: %q", e)
	}
	sari.waitJS(t, "the note on Rina, by Sari, the field emptied", fmt.Sprintf(`document.getElementById('contact-notes').textContent.includes(%q)
		&& document.getElementById('contact-notes').textContent.includes('Sari')
		&& document.getElementById('contact-note').value === ''`, note))

	// Another citizen's ticket: the button to the history keeps its place
	// while their history is read, so the ticket's actions below it do not
	// move under the agent's pointer.
	sari.do(t, "watch where the status form is", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const tops = window.__statusTops = [];
		const note = () => {
			if (document.getElementById('t-tn').textContent === %q) { tops.push(document.getElementById('status-form').offsetTop); }
		};
		new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
	})()`, wa2.TrackingNumber)))
	sari.do(t, "open the other number's ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, wa2.ID)))
	sari.waitJS(t, "its history read", panelTicketsJS+fmt.Sprintf(` === '%d'`, wa2.ID))
	if got := sari.evalString(t, `JSON.stringify([...new Set(window.__statusTops)])`); strings.Count(got, ",") != 0 || got == "[]" {
		t.Errorf("the status form moved while the history was read: it stood at %s px", got)
	}

	sari.checkConsole(t)
	// A phone: the panel is in the details, behind their button.
	sariPhone := newTab(t, root)
	sariPhone.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sariPhone.signIn(t, fmt.Sprintf("%s/console?lang=id-ID#ticket-%d", base, wa1.ID), "sari@tanggap.example", "demo-sari-2026")
	sariPhone.waitJS(t, "the ticket open", fmt.Sprintf(`document.getElementById('t-tn').textContent !== '' && %s === '%s'`, panelTicketsJS, want))
	sariPhone.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	sariPhone.waitJS(t, "the panel fits the phone", `!document.getElementById('contact-panel').hidden
		&& document.getElementById('details-pane').classList.contains('open')
		&& document.documentElement.scrollWidth <= 390
		&& [...document.querySelectorAll('#contact-tickets button')].every(b => b.getBoundingClientRect().right <= 390)`)
	sariPhone.scrollTo(t, "contact-panel")
	shots.take(t, sariPhone, "61-contact-panel-agent-phone")
	sariPhone.checkConsole(t)

	// --- a supervisor merges, then splits --------------------------------
	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, fmt.Sprintf("%s/console?lang=id-ID#ticket-%d", base, wa2.ID), "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "the second number's one ticket", panelTicketsJS+fmt.Sprintf(` === '%d'`, wa2.ID))
	dupJS := fmt.Sprintf(`document.querySelector('#contact-dups li[data-contact="%d"]')`, rina)
	dewi.waitJS(t, "Rina suggested as a duplicate", dupJS+` !== null`)
	why := dewi.text(t, fmt.Sprintf(`#contact-dups li[data-contact="%d"]`, rina))
	if !strings.Contains(why, "+6285799998888") || !strings.Contains(why, "Rina") {
		t.Errorf("duplicate %q does not say why (the number a ticket was reported with)", why)
	}
	var panelBefore struct {
		Tickets []struct{ ID int64 } `json:"tickets"`
	}
	dewiAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", rina), nil).JSON(t, &panelBefore)
	if len(panelBefore.Tickets) != 3 {
		t.Fatalf("Rina has %d tickets before the merge, want 3 (a suggestion never merges)", len(panelBefore.Tickets))
	}
	dewi.do(t, "go to the panel", chromedp.Click(chromedp.ID("contact-jump")))
	dewi.scrollTo(t, "contact-dups-block")
	shots.take(t, dewi, "62-contact-duplicates-laptop")

	dewi.do(t, "merge Rina into this contact", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#contact-dups button[data-merge="%d"]`, rina))))
	dewi.waitJS(t, "asked to confirm, focus on yes", fmt.Sprintf(`document.activeElement && document.activeElement.dataset.mergeYes === '%d'`, rina))
	if got := dewi.text(t, "#contact-confirm-text"); got != tx("contact.merge_confirm", "id", rina) {
		t.Errorf("confirmation %q", got)
	}
	shots.take(t, dewi, "63-contact-merge-confirm")
	dewi.do(t, "confirm by keyboard", chromedp.KeyEvent("\r"))
	dewi.waitJS(t, "every ticket under one contact", fmt.Sprintf(`%s.split(',').length === 4
		&& document.querySelector('#contact-merges button[data-split]') !== null
		&& document.getElementById('contact-live').textContent === %q`, panelTicketsJS, tx("contact.merged", "from", rina, "tickets", 3)))
	if !strings.Contains(dewi.text(t, "#contact-notes"), note) {
		t.Error("Sari's note did not move with the merge")
	}
	dewi.scrollTo(t, "contact-merges-block")
	shots.take(t, dewi, "64-contact-merged-laptop")

	// A message from the merged number lands on the surviving contact, and
	// a reply on the moved WhatsApp ticket goes to that ticket's number.
	hook.WhatsApp(apptest.WhatsAppText("6281311112222", "Rina", "wamid.c-3", time.Now(), "Pesan setelah digabung"))
	checkFor(t, asyncWait, func() error {
		for _, id := range []int64{wa1.ID, wa2.ID} {
			var d struct {
				ContactID int64 `json:"contact_id"`
				Messages  []struct {
					Body string `json:"body"`
				} `json:"messages"`
			}
			dewiAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
			for _, m := range d.Messages {
				if m.Body == "Pesan setelah digabung" {
					if d.ContactID != second {
						t.Fatalf("the merged number's message is on ticket %d of contact %d, want the survivor %d", id, d.ContactID, second)
					}
					return nil
				}
			}
		}
		return fmt.Errorf("the message after the merge is not stored yet")
	})
	if r := dewiAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", wa1.ID), map[string]string{"body": "Baik Bu Rina, kami cek."}); r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	checkFor(t, asyncWait, func() error {
		b, _ := graph.lastBody.Load().(string)
		if !strings.Contains(b, "Baik Bu Rina") {
			return fmt.Errorf("reply not at the Graph API yet")
		}
		if !strings.Contains(b, `"to":"6281311112222"`) {
			t.Fatalf("the reply on Rina's first WhatsApp conversation went elsewhere: %s", b)
		}
		return nil
	})

	dewi.do(t, "split the merge", chromedp.Click(chromedp.CSS(`#contact-merges button[data-split]`)))
	dewi.waitJS(t, "the second number has its own ticket again", fmt.Sprintf(`%s === '%d'
		&& document.querySelector('#contact-merges button[data-split]') === null
		&& document.getElementById('contact-merges').textContent.includes('Dewi')`, panelTicketsJS, wa2.ID))
	var panelAfter struct {
		Tickets []struct{ ID int64 }    `json:"tickets"`
		Notes   []struct{ Body string } `json:"notes"`
	}
	dewiAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", rina), nil).JSON(t, &panelAfter)
	if len(panelAfter.Tickets) != 3 || len(panelAfter.Notes) != 1 {
		t.Fatalf("after the split Rina has %d tickets and %d notes, want 3 and 1", len(panelAfter.Tickets), len(panelAfter.Notes))
	}
	dewi.scrollTo(t, "contact-merges-block")
	shots.take(t, dewi, "65-contact-split-laptop")

	dewiPhone := newTab(t, root)
	dewiPhone.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	// in English this time.
	dewiPhone.signIn(t, fmt.Sprintf("%s/console?lang=en-US#ticket-%d", base, wa2.ID), "dewi@tanggap.example", "demo-dewi-2026")
	dewiPhone.waitJS(t, "the ticket open", fmt.Sprintf(`document.getElementById('t-tn').textContent !== '' && %s === '%d'
		&& document.querySelector('#contact-dups li[data-contact]') !== null`, panelTicketsJS, wa2.ID))
	dewiPhone.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	dewiPhone.waitJS(t, "the panel fits the phone", `!document.getElementById('contact-panel').hidden && document.documentElement.scrollWidth <= 390`)
	en := textsIn(t, "en-US")
	for css, key := range map[string]string{"#contact-title": "contact.title", "#contact-dups-title": "contact.duplicates", "#contact-merges-title": "contact.merges"} {
		if got := dewiPhone.text(t, css); got != en(key) {
			t.Errorf("%s in English = %q, want %q", css, got, en(key))
		}
	}
	dewiPhone.scrollTo(t, "contact-dups-block")
	shots.take(t, dewiPhone, "66-contact-supervisor-phone")

	// Agents may not merge (the server says so, whatever the page shows).
	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/merge", second)},
		{http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/split", second)},
		{http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d/duplicates", second)},
	} {
		if r := sariAPI.Do(c.method, c.path, map[string]int64{"from": rina}); r.Status != http.StatusForbidden {
			t.Errorf("agent %s %s: %d %s, want 403", c.method, c.path, r.Status, r.Body)
		}
	}
	dewi.checkConsole(t)
}

// textsIn renders keys in one language.
func textsIn(t *testing.T, lang string) func(key string, args ...any) string {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return func(key string, args ...any) string { return cat.T(lang, key, args...) }
}

// hidden reports whether the element matching css is hidden.
func (tb *tab) hidden(t *testing.T, css string) bool {
	t.Helper()
	return tb.evalString(t, fmt.Sprintf(`String(document.querySelector(%q).hidden)`, css)) == "true"
}

// TestBrowserContactPanelAnonymousReporter: a complaint sent through the
// form without identity has a visitor identity of its own; the contact
// panel names it for what it is, an anonymous reporter of the complaint
// form, not a live-chat visitor (the API says its origin).
func TestBrowserContactPanelAnonymousReporter(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	res := apptest.NewClient(t, base).Do(http.MethodPost, "/api/v1/complaints", map[string]any{"anonymous": true, "category": "pelatihan",
		"description": "Ada pungutan liar di tempat pelatihan kecamatan."})
	var sub struct {
		TN string `json:"tracking_number"`
	}
	if err := json.Unmarshal(res.Body, &sub); err != nil || res.Status != http.StatusCreated {
		t.Fatalf("anonymous complaint: %d %s", res.Status, res.Body)
	}
	id := ticketIDs(t, adminAPI, sub.TN)[sub.TN]
	var tk struct {
		ContactID int64 `json:"contact_id"`
	}
	adminAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &tk)
	var panel struct {
		Identities []struct {
			Kind   string `json:"kind"`
			Origin string `json:"origin"`
		} `json:"identities"`
	}
	adminAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", tk.ContactID), nil).JSON(t, &panel)
	if len(panel.Identities) != 1 || panel.Identities[0].Kind != "visitor" || panel.Identities[0].Origin != "anonymous_form" {
		t.Fatalf("the anonymous reporter's identities: %+v, want one visitor identity of origin anonymous_form", panel.Identities)
	}

	root := newBrowser(t, browser)
	adm := newTab(t, root)
	adm.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, fmt.Sprintf("%s/console?lang=id-ID#ticket-%d", base, id), apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the reporter's identity named", fmt.Sprintf(`(e => !!e && e.textContent === %s)(document.querySelector('#contact-identities .contact-kind'))`,
		jsString(tx("contact.origin_anonymous_form"))))
	if got := adm.text(t, "#contact-identities"); strings.Contains(got, tx("contact.kind_visitor")) {
		t.Errorf("the anonymous reporter's identity reads %q, a chat visitor's name", got)
	}
	adm.checkConsole(t)
}
