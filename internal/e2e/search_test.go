package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// TestBrowserSearchAndViews: an agent finds a citizen's ticket by the
// phone number written as the citizen says it ("0812…", stored as
// "+62812…"), sees why it matched, opens it from the results, finds
// another by words of its message and one by its bare tracking number;
// then narrows the list to the complaint form, saves that as a view, and
// watches the view's count follow a new complaint live. Checked on a
// laptop and a phone.
func TestBrowserSearchAndViews(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)

	citizen := apptest.NewClient(t, base)
	tnPhone := citizen.Complaint(map[string]string{"name": "Ratna Sari", "phone": "+62 812 7777 8888", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu, mohon dicek."})
	tnWords := citizen.Complaint(map[string]string{"name": "Agus", "phone": "081399990000", "category": "lainnya",
		"description": "Dana insentif belum masuk ke rekening saya."})
	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	ids := ticketIDs(t, api, tnPhone, tnWords)

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.selectValue(t, "#scope", "queue")
	sari.waitJS(t, "the queue's tickets listed", fmt.Sprintf(`document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnPhone]))

	// "/" from anywhere reaches the search box.
	sari.do(t, "press / on the page", chromedp.Evaluate[chromedp.Void](`(() => {
		document.activeElement && document.activeElement.blur();
		document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));
	})()`))
	sari.waitJS(t, "the search box has focus", `document.activeElement === document.getElementById('search-input')`)
	sari.do(t, "search by the local form of the phone number",
		chromedp.SendKeys(chromedp.ID("search-input"), "0812-7777-8888\r"))
	sari.waitJS(t, "the ticket found by phone", fmt.Sprintf(`document.querySelector('#search-list [data-ticket-id="%d"]')
		&& document.querySelectorAll('#search-list .ticket-item').length === 1`, ids[tnPhone]))
	if got := sari.text(t, "#search-list .search-match"); !strings.Contains(got, tx("search.field.phone")) || strings.Contains(got, "77778888") {
		t.Errorf("match reason %q: want the field named and the number masked", got)
	}
	if got := sari.text(t, "#search-status"); got != tx("search.count", "n", 1, "q", "0812-7777-8888") {
		t.Errorf("search status %q", got)
	}
	shots.take(t, sari, "60-search-phone-laptop")
	sari.do(t, "open the result", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#search-list [data-ticket-id="%d"]`, ids[tnPhone]))))
	sari.waitJS(t, "the found ticket open", fmt.Sprintf(`location.hash === '#ticket-%d' && document.getElementById('t-tn').textContent === %q`, ids[tnPhone], tnPhone))

	// Words of a message, and the tracking number without dashes.
	sari.do(t, "search by words", clearField("search-input"), chromedp.SendKeys(chromedp.ID("search-input"), "insentif rekening\r"))
	sari.waitJS(t, "the ticket found by its message", fmt.Sprintf(`document.querySelector('#search-list [data-ticket-id="%d"]')
		&& !document.querySelector('#search-list [data-ticket-id="%d"]')`, ids[tnWords], ids[tnPhone]))
	if got := sari.text(t, "#search-list .search-match"); !strings.Contains(got, tx("search.field.message")) || !strings.Contains(strings.ToLower(got), "rekening") {
		t.Errorf("message match %q: want the field and an excerpt", got)
	}
	sari.do(t, "search by the bare tracking number", clearField("search-input"),
		chromedp.SendKeys(chromedp.ID("search-input"), strings.ReplaceAll(tnWords, "-", "")+"\r"))
	sari.waitJS(t, "the ticket found by tracking number", fmt.Sprintf(`document.querySelector('#search-list [data-ticket-id="%d"]')
		&& document.querySelectorAll('#search-list .ticket-item').length === 1`, ids[tnWords]))
	sari.do(t, "search for nothing there", clearField("search-input"), chromedp.SendKeys(chromedp.ID("search-input"), "zzzqqq\r"))
	sari.waitJS(t, "no result said in words", fmt.Sprintf(`document.getElementById('search-status').textContent === %q`, tx("search.none", "q", "zzzqqq")))
	sari.do(t, "close the results with Escape", chromedp.Evaluate[chromedp.Void](`document.getElementById('search-input').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`))
	sari.waitJS(t, "results closed", `document.getElementById('search-results').hidden`)

	// More filters: the complaint form's tickets of the queue, saved as a view.
	sari.do(t, "open more filters", chromedp.Click(chromedp.ID("more-filters-summary")))
	// The province is chosen by name, not typed as its code.
	if got := sari.evalString(t, `document.querySelectorAll('#f-province option').length + ' ' + document.querySelector('#f-province option[value="32"]').textContent`); got != "39 Jawa Barat (32)" {
		t.Errorf("the province filter offers %q, want any and the 38 provinces by name", got)
	}
	sari.do(t, "complaint form only", chromedp.Evaluate[chromedp.Void](`document.getElementById('f-channel').value = 'webform'`))
	sari.do(t, "apply", chromedp.Click(chromedp.ID("filters-apply")))
	sari.waitJS(t, "the filter said on the summary", fmt.Sprintf(`document.getElementById('more-filters-summary').textContent.includes(%q)`, tx("filters.active", "n", 1)))
	sari.do(t, "name the view", chromedp.SendKeys(chromedp.ID("view-name"), "Formulir antrean"))
	sari.do(t, "save the view", chromedp.Click(chromedp.ID("view-save-btn")))
	sari.waitJS(t, "the view listed, pressed, with its count", `(() => {
		const b = Array.from(document.querySelectorAll('#views-list .view-btn')).find(x => x.textContent.includes('Formulir antrean'));
		return b && b.getAttribute('aria-pressed') === 'true' && b.querySelector('.view-count') && b.querySelector('.view-count').textContent === '2';
	})()`)
	if got := sari.text(t, "#views-status"); got != tx("views.saved", "name", "Formulir antrean") {
		t.Errorf("views status %q", got)
	}
	shots.take(t, sari, "61-search-view-laptop")

	// A new complaint: the view's count follows without a reload.
	tnNew := citizen.Complaint(map[string]string{"name": "Dedi", "phone": "081311113333", "category": "lainnya",
		"description": "Saya tidak bisa masuk ke akun."})
	ids = ticketIDs(t, api, tnNew)
	sari.waitLive(t, "the view's count goes to 3", `(() => {
		const b = Array.from(document.querySelectorAll('#views-list .view-btn')).find(x => x.textContent.includes('Formulir antrean'));
		return b && b.querySelector('.view-count').textContent === '3' && b.textContent.includes(`+"`"+tx("views.count", "n", 3)+"`"+`);
	})()`)
	sari.waitJS(t, "the new ticket in the filtered list", fmt.Sprintf(`document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnNew]))

	// Leaving the view by its button again clears the filters.
	sari.do(t, "leave the view", chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll('#views-list .view-btn')).find(x => x.textContent.includes('Formulir antrean')).click()`))
	sari.waitJS(t, "no filter on", fmt.Sprintf(`document.getElementById('more-filters-summary').textContent === %q`, tx("filters.more")))
	// Escape folds the filters away, back on their summary.
	sari.do(t, "to the channel filter", chromedp.Evaluate[chromedp.Void](`document.getElementById('more-filters').open = true; document.getElementById('f-channel').focus()`))
	sari.do(t, "Escape", chromedp.KeyEvent(kb.Escape))
	sari.waitJS(t, "the filters folded, the focus on their summary", `!document.getElementById('more-filters').open && document.activeElement.id === 'more-filters-summary'`)
	// Deleting the last view folds its panel away; the deletion is still
	// said (the status line is outside the panel), the focus on the search.
	sari.do(t, "delete the view", chromedp.Click(chromedp.CSS(`#views-list .view-del`)))
	sari.waitJS(t, "the view gone, its deletion said", fmt.Sprintf(`document.getElementById('views-nav').hidden
		&& document.getElementById('views-status').textContent === %q && document.getElementById('views-status').offsetParent !== null
		&& document.activeElement.id === 'search-input'`, tx("views.deleted", "name", "Formulir antrean")))
	shots.take(t, sari, "61b-view-deleted-laptop")

	// A phone.
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.do(t, "back to the list", chromedp.Evaluate[chromedp.Void](`(() => { const b = document.getElementById('back-btn'); if (b && b.offsetParent) { b.click(); } })()`))
	sari.waitJS(t, "the search box in view", `document.getElementById('search-input').offsetParent !== null`)
	sari.do(t, "search on the phone", clearField("search-input"), chromedp.SendKeys(chromedp.ID("search-input"), "ratna\r"))
	sari.waitJS(t, "found by name", fmt.Sprintf(`document.querySelector('#search-list [data-ticket-id="%d"]')`, ids[tnPhone]))
	if w := sari.evalString(t, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		t.Errorf("the page is wider than a 390 px phone")
	}
	shots.take(t, sari, "62-search-phone")

	// The same in English, on the laptop.
	sari.do(t, "a laptop screen in English", chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(base+"/console?lang=en-US"), chromedp.WaitVisible(chromedp.ID("console-view")))
	sari.do(t, "search in English", chromedp.SendKeys(chromedp.ID("search-input"), "0812 7777 8888\r"))
	sari.waitJS(t, "results said in English", `document.getElementById('search-status').textContent.includes('Tickets found for')`)
	if got := sari.text(t, "label[for=search-input]"); got != "Search tickets" {
		t.Errorf("search label in English: %q", got)
	}
	shots.take(t, sari, "63-search-en-laptop")
	sari.checkConsole(t)
}
