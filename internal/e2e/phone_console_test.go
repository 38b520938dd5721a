package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// rectJS is the bounding box of the element css selects, as JSON (null
// when there is none).
func rectJS(css string) string {
	return fmt.Sprintf(`((e) => e && JSON.stringify(e.getBoundingClientRect()))(document.querySelector(%q))`, css)
}

// px reads a number the page computed.
func (tb *tab) px(t *testing.T, expr string) float64 {
	t.Helper()
	s := tb.evalString(t, `String(`+expr+`)`)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s = %q, not a number", expr, s)
	}
	return v
}

// TestBrowserPhoneTicketKeepsTheThreadInView: an agent answers on a
// 390×844 phone a ticket two colleagues are on. The reply box at rest is a
// line for the mode switch and one for the text and Send (no more than
// 140 px); files and macros wait behind one "more" button, a disclosure
// the keyboard opens and Escape closes, the focus kept on it. The text box
// grows with what is written, up to a limit. The ticket's header stays on
// screen above the banner naming the colleagues, neither covered, and the
// thread between them and the reply box keeps most of the screen. On a
// laptop the reply box is as it was: no "more" button, files and macros
// in sight.
func TestBrowserPhoneTicketKeepsTheThreadInView(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	admin, _, id := cardComplaint(t, base, "Rina", "081311114449")
	for n := 1; n <= 5; n++ {
		if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{
			"body": fmt.Sprintf("Balasan %d: mohon tunggu, kami sedang memeriksa data kartu Anda di sistem.", n)}); r.Status/100 != 2 {
			t.Fatalf("reply %d: %d %s", n, r.Status, r.Body)
		}
	}
	if r := admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tutup cepat", "status": "solved", "shared": true}); r.Status/100 != 2 {
		t.Fatalf("macro: %d %s", r.Status, r.Body)
	}
	// Two colleagues on the ticket, one of them writing: the banner over
	// the thread names both.
	for _, who := range []struct{ email, password string }{{"dewi@tanggap.example", "demo-dewi-2026"}, {"sari@tanggap.example", "demo-sari-2026"}} {
		o := newTab(t, root)
		o.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), who.email, who.password)
		o.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
		o.waitJS(t, "the console's push socket is open", socketOpenJS)
	}

	phone := newTab(t, root)
	phone.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	phone.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	phone.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
	phone.waitLive(t, "both colleagues named over the thread", `((v) => !v.hidden && v.textContent.includes('Dewi') && v.textContent.includes('Sari'))(document.getElementById('t-viewers'))`)
	phone.waitJS(t, "the macros offered", `!document.getElementById('macro-row').hidden`)
	phone.waitJS(t, "the newest message above the reply box", `((last, c) => last && last.textContent.includes('Balasan 5')
		&& last.getBoundingClientRect().bottom <= c.getBoundingClientRect().top + 1 && last.getBoundingClientRect().bottom > 0)(document.getElementById('t-messages').lastElementChild, document.getElementById('composer'))`)

	// The header, the banner under it and the reply box, where the page
	// opens the ticket and scrolled back to its start.
	const headJS = `document.querySelector('#ticket-detail .ticket-head')`
	layout := func(where string) {
		t.Helper()
		head := phone.px(t, headJS+`.getBoundingClientRect().top`)
		headBottom := phone.px(t, headJS+`.getBoundingClientRect().bottom`)
		banner := phone.px(t, `document.getElementById('t-viewers').getBoundingClientRect().top`)
		bannerBottom := phone.px(t, `document.getElementById('t-viewers').getBoundingClientRect().bottom`)
		composer := phone.px(t, `document.getElementById('composer').getBoundingClientRect().top`)
		if head < 0 || headBottom > composer {
			t.Errorf("%s: the ticket's header runs from %.0f to %.0f px, out of the screen above the reply box (at %.0f px)", where, head, headBottom, composer)
		}
		if banner < headBottom-1 {
			t.Errorf("%s: the banner starts at %.0f px, over the header that ends at %.0f px", where, banner, headBottom)
		}
		// What is drawn at the header's title and tracking number is the
		// header itself: nothing lies over it.
		if got := phone.evalString(t, `String(['#t-subject', '#t-tn'].every((css) => { const r = document.querySelector(css).getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + 4, r.top + r.height / 2); return !!hit && !!hit.closest('.ticket-head'); }))`); got != "true" {
			t.Errorf("%s: the header's title or tracking number is covered", where)
		}
		if room := composer - bannerBottom; room < 450 {
			t.Errorf("%s: the thread has %.0f px between the banner and the reply box, want at least 450 of the 844", where, room)
		}
	}
	layout("the ticket just opened")
	rest := phone.px(t, `document.getElementById('composer').getBoundingClientRect().height`)
	t.Logf("reply box at rest on a 390×844 phone: %.0f px high", rest)
	if rest > 140 {
		t.Errorf("the reply box at rest is %.0f px high on an 844 px screen, want at most 140", rest)
	}
	shots.takeView(t, phone, "phone-ticket-rest")

	// Files and macros behind one button, a disclosure for the keyboard
	// and screen readers.
	const more = "#compose-more"
	if got := phone.attr(t, more, "aria-expanded") + " " + phone.attr(t, more, "aria-controls"); got != "false attach macro-row" {
		t.Errorf("the more button: aria-expanded, aria-controls = %q", got)
	}
	if got := phone.evalString(t, `document.querySelector('#compose-more .visually-hidden').textContent`); got != tx("composer.more") {
		t.Errorf("the more button is named %q, want %q", got, tx("composer.more"))
	}
	folded := `document.getElementById('attach-btn').offsetParent === null && document.getElementById('macro-select').offsetParent === null`
	if phone.evalString(t, `String(`+folded+`)`) != "true" {
		t.Error("at rest the attach button and the macros are on screen, want them behind the more button")
	}
	phone.pressEnter(t, "open the drawer by keyboard", more)
	phone.waitJS(t, "open, the focus kept on its button, its sign a minus", `document.getElementById('compose-more').getAttribute('aria-expanded') === 'true'
		&& document.getElementById('attach-btn').offsetParent !== null && document.getElementById('macro-select').offsetParent !== null && `+focusedJS(more)+`
		&& document.querySelector('#compose-more [aria-hidden]').textContent === '−'`)
	if got := phone.evalString(t, `String(document.scrollingElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Error("the open drawer makes the page wider than the phone")
	}
	shots.takeView(t, phone, "phone-ticket-more")
	phone.do(t, "Escape from the attach button", chromedp.Focus(chromedp.ID("attach-btn")), chromedp.KeyEvent(kb.Escape))
	phone.waitJS(t, "closed, the focus back on its button", `document.getElementById('compose-more').getAttribute('aria-expanded') === 'false'
		&& `+folded+` && `+focusedJS(more))

	// The text box grows with the text, up to a limit.
	line := phone.px(t, `document.getElementById('reply-body').getBoundingClientRect().height`)
	phone.do(t, "write a long reply", chromedp.SendKeys(chromedp.ID("reply-body"),
		"Selamat siang Ibu Rina.\nKartu Ibu sudah kami periksa.\nAktivasi memerlukan verifikasi ulang data.\nMohon kirim foto KTP.\nTerima kasih.\nSalam,\nTim Layanan\nProgram"))
	phone.waitJS(t, "the box grew, up to its limit", fmt.Sprintf(`((b) => { const h = b.getBoundingClientRect().height; return h > %f && h <= 161 && b.scrollHeight > b.clientHeight; })(document.getElementById('reply-body'))`, line+20))
	shots.takeView(t, phone, "phone-ticket-writing")
	phone.do(t, "leave the text", chromedp.Evaluate[chromedp.Void](`document.getElementById('reply-body').value = ''; document.getElementById('reply-body').blur()`))

	phone.do(t, "scroll back to the start of the ticket", chromedp.Evaluate[chromedp.Void](`document.getElementById('ticket-detail').scrollIntoView({block: 'start'})`))
	layout("scrolled back to the start")
	phone.do(t, "and on to the newest", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.scrollingElement.scrollHeight)`))
	layout("scrolled to the newest")

	// Sent, the reply box is at rest again: the drawer shut, its sign a plus.
	phone.clickNow(t, "open the drawer", more)
	phone.waitJS(t, "the drawer open", `document.getElementById('compose-more').getAttribute('aria-expanded') === 'true'`)
	phone.do(t, "a short reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Baik, Bu Rina, kami periksa."))
	phone.clickNow(t, "send it", "#reply-btn")
	phone.waitJS(t, "sent, the drawer shut", `[...document.querySelectorAll('#t-messages .msg-body')].some((b) => b.textContent === 'Baik, Bu Rina, kami periksa.')
		&& document.getElementById('compose-more').getAttribute('aria-expanded') === 'false'
		&& document.querySelector('#compose-more [aria-hidden]').textContent === '+' && `+folded)
	shots.takeView(t, phone, "phone-ticket-scrolled")

	// In English, whose words are longer, the same.
	phone.do(t, "the console in English", chromedp.Navigate(base+fmt.Sprintf("/console?lang=en-US#ticket-%d", id)))
	phone.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''
		&& !document.getElementById('t-viewers').hidden && !document.getElementById('compose-more').hidden`)
	layout("in English")
	if h := phone.px(t, `document.getElementById('composer').getBoundingClientRect().height`); h > 140 {
		t.Errorf("in English the reply box at rest is %.0f px high, want at most 140", h)
	}
	shots.takeView(t, phone, "phone-ticket-en")
	phone.checkConsole(t)

	laptop := newTab(t, root)
	laptop.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	laptop.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	laptop.waitJS(t, "the ticket open, files and macros in sight, no more button", `!document.getElementById('reply-form').hidden
		&& document.getElementById('t-tn').textContent !== '' && !document.getElementById('macro-row').hidden
		&& document.getElementById('attach-btn').offsetParent !== null && document.getElementById('macro-select').offsetParent !== null
		&& getComputedStyle(document.getElementById('compose-more')).display === 'none'`)
	if got := laptop.evalString(t, `getComputedStyle(document.querySelector('#ticket-detail .ticket-head')).position`); got == "sticky" {
		t.Error("on a laptop the ticket's header is sticky, want it as it was")
	}
	// Every control of the reply box is on screen and not under the
	// footer, with the "not ready" notice and the colleagues' banner
	// taking their room above: a laptop of 800 px has no room to spare.
	for _, id := range []string{"reply-body", "attach-btn", "reply-btn", "macro-select"} {
		got := laptop.evalString(t, fmt.Sprintf(`(() => { const e = document.getElementById(%q); const r = e.getBoundingClientRect();
			const foot = document.querySelector('.site-footer').getBoundingClientRect().top;
			const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			return r.bottom <= foot && r.top >= 0 && at && e.contains(at) ? 'ok' : 'top ' + Math.round(r.top) + ', bottom ' + Math.round(r.bottom) + ', footer at ' + Math.round(foot); })()`, id))
		if got != "ok" {
			t.Errorf("on a laptop with the notice shown, #%s is not in sight: %s", id, got)
		}
	}
	shots.takeView(t, laptop, "laptop-ticket")
	laptop.checkConsole(t)
}

// TestBrowserPhoneWallboardFits: a supervisor's wallboard on a 390 px
// phone shows each queue line and each agent as a card, every cell named
// by its column: what needs attention is on screen under the line's name,
// nothing lies past the right edge, the tables do not scroll sideways and
// neither does the page. On a laptop the tables are as they were.
func TestBrowserPhoneWallboardFits(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311112229", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})

	sup := newTab(t, root)
	sup.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	sup.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	sup.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	sup.openBoard(t)
	sup.waitJSFor(t, "the wallboard drawn with the web form's line", asyncWait, `!!document.querySelector('#wb-agents tr[data-agent]') && !!document.querySelector('#wb-lines tr[data-line="umum/webform"]')`)
	flag := `#wb-lines tr[data-line="umum/webform"] .board-flag`
	if got := sup.attr(t, flag, "data-label"); got != tx("board.col_flag") {
		t.Errorf("the attention cell is labelled %q, want %q", got, tx("board.col_flag"))
	}
	fits := `[...document.querySelectorAll('#wb-lines th, #wb-lines td, #wb-agents th, #wb-agents td')].filter((c) => c.offsetParent !== null)
		.filter((c) => { const r = c.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })`
	if got := sup.evalString(t, `JSON.stringify(`+fits+`.slice(0, 5).map((c) => (c.dataset.label || c.textContent) + ' ' + Math.round(c.getBoundingClientRect().right)))`); got != "[]" {
		t.Errorf("wallboard cells past the phone's edge: %s", got)
	}
	if got := sup.evalString(t, `String([...document.querySelectorAll('#wallboard-mount .board-scroll')].every((r) => r.scrollWidth <= r.clientWidth + 1)
		&& document.scrollingElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("the wallboard scrolls sideways on a phone: page %s px, tables %s", sup.evalString(t, `String(document.scrollingElement.scrollWidth)`),
			sup.evalString(t, `[...document.querySelectorAll('#wallboard-mount .board-scroll')].map((r) => r.scrollWidth + '/' + r.clientWidth).join(', ')`))
	}
	// The day's heading names the day as a date, not as the API's code.
	if got := sup.evalString(t, `[...document.querySelectorAll('#wallboard-mount h3')].map((h) => h.textContent).join(' | ')`); regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).MatchString(got) {
		t.Errorf("the wallboard's headings read %q, a date as the API writes it", got)
	}
	// Attention comes straight under the line's name.
	if got := sup.evalString(t, fmt.Sprintf(`String(((row) => { const name = row.querySelector('th').getBoundingClientRect(), f = row.querySelector('.board-flag').getBoundingClientRect();
		return [...row.querySelectorAll('td:not(.board-flag)')].every((c) => c.getBoundingClientRect().top >= f.bottom - 1) && f.top >= name.bottom - 1; })(document.querySelector(%q)))`,
		`#wb-lines tr[data-line="umum/webform"]`)); got != "true" {
		t.Error("the attention cell is not right under the line's name")
	}
	sup.scrollTo(t, "wb-lines")
	shots.takeView(t, sup, "phone-wallboard-lines")
	sup.scrollTo(t, "wb-agents")
	shots.takeView(t, sup, "phone-wallboard-agents")

	sup.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	sup.waitJS(t, "a table again, its head row in sight", `getComputedStyle(document.querySelector('#wb-lines tbody tr')).display === 'table-row'
		&& document.querySelector('#wb-lines thead').getBoundingClientRect().height > 10`)
	sup.scrollTo(t, "wallboard-mount")
	shots.takeView(t, sup, "laptop-wallboard")
	sup.checkConsole(t)
}
