package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserSignOutLeavesNothingForTheNext: an agent signs out of a
// shared browser with a reply half written and a status picked but not
// saved; asked about the reply, she discards it. The next agent to sign in, without a reload, finds no ticket
// open, and on opening that ticket an empty reply box and its stored
// status: nothing of the first agent's goes out under the second's name.
func TestBrowserSignOutLeavesNothingForTheNext(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu, mohon dicek."})
	api := apptest.NewClient(t, base)
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, api, tn)[tn]

	tab := newTab(t, root)
	tab.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	tab.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	openByAddress := func() {
		t.Helper()
		tab.do(t, "open the ticket by its address", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
		tab.waitJS(t, "the ticket shown", fmt.Sprintf(`!document.getElementById('status-form').hidden
			&& document.getElementById('t-tn').textContent.replace(/\D/g, '') === %q`, strings.ReplaceAll(tn, "-", "")))
	}
	openByAddress()
	const draft = "Baik Bu, sudah kami selesaikan."
	tab.do(t, "start a reply", chromedp.SendKeys(chromedp.ID("reply-body"), draft))
	tab.selectValue(t, "#t-status-select", "pending")

	// A ticket given to Dewi meanwhile is told to screen readers...
	if r := api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/assign", id), map[string]any{"agent_id": agentID(t, api, "dewi@tanggap.example")}); r.Status >= 300 {
		t.Fatalf("assign to Dewi: %d %s", r.Status, r.Body)
	}
	tab.waitLive(t, "the ticket given to Dewi announced", fmt.Sprintf(`document.getElementById('console-announce').textContent.includes(%q)`, tn))

	// The sign-out's answer is held until the page's socket is no longer
	// open: the server ends the session before it answers, and its "bye"
	// on the socket must not show the form early ("session expired"),
	// where the next agent's email would be wiped when the answer comes.
	tab.do(t, "hold the sign-out's answer", chromedp.Evaluate[chromedp.Void](`(() => {
		const send = window.fetch;
		let release;
		const held = new Promise((r) => { release = r; });
		window.releaseSignOut = release;
		window.fetch = function (url) {
			const res = send.apply(this, arguments);
			return String(url).includes('/auth/logout') ? res.then((r) => held.then(() => r)) : res;
		};
	})()`))
	tab.do(t, "sign out", chromedp.Click(chromedp.ID("logout-btn")))
	// Her half-written reply is not dropped unasked; she goes on.
	tab.waitJS(t, "asked about the unsent reply", fmt.Sprintf(`(() => {
		const d = document.querySelector('dialog.unsent-dialog');
		return !!d && d.open && d.querySelector('li').textContent === %q;
	})()`, tn))
	tab.clickNow(t, "sign out and discard it", "#unsent-go")
	tab.waitJS(t, "the socket closed", `document.documentElement.dataset.socket !== 'open'`)
	// The server has ended the session; a call answered 401 meanwhile (a
	// change of presence) is the sign-out too, not an expiry.
	tab.do(t, "ask until the session is over", chromedp.Evaluate[chromedp.Void](`(async () => {
		while ((await fetch('/api/v1/auth/me')).status !== 401) { await new Promise((r) => setTimeout(r, 50)); }
		window.sessionOver = true;
	})()`))
	tab.waitJS(t, "the session over", `window.sessionOver === true`)
	tab.selectValue(t, "#presence", "online")
	tab.waitJS(t, "the presence answered", `document.getElementById('console-alert').textContent !== '' || !document.getElementById('login-view').hidden`)
	if got := tab.evalString(t, `document.getElementById('login-view').hidden ? 'console' : 'form: ' + document.getElementById('login-alert').textContent`); got != "console" {
		t.Errorf("before the sign-out is answered the page shows the %s", got)
	}
	tab.do(t, "the sign-out answered", chromedp.Evaluate[chromedp.Void](`window.releaseSignOut()`), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := tab.evalString(t, `location.hash + '|' + document.getElementById('login-email').value + '|' + document.getElementById('console-announce').textContent + '|' + document.getElementById('login-alert').textContent`); got != "|||" {
		t.Errorf("after signing out, address hash | email field | announcement | alert = %q, want all empty", got)
	}
	tab.do(t, "the admin signs in on the same page",
		chromedp.SendKeys(chromedp.ID("login-email"), apptest.AdminEmail),
		chromedp.SendKeys(chromedp.ID("login-password"), apptest.AdminPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.ID("console-view")),
	)
	tab.waitJS(t, "the admin's console", `document.documentElement.dataset.socket === 'open'`)
	if got := tab.evalString(t, `location.hash + '|' + document.getElementById('console-alert').textContent`); got != "|" {
		t.Errorf("the admin's console opened with address | alert %q from Dewi's session", got)
	}
	openByAddress()
	tab.waitJS(t, "the ticket's stored status", `document.getElementById('t-status-select').value === 'new'`)
	if got := tab.evalString(t, `document.getElementById('reply-body').value`); got != "" {
		t.Errorf("the admin's reply box holds %q, Dewi's unsent reply", got)
	}
}

// TestBrowserUnsentRepliesSurviveALanguageSwitch: switching the console's
// language reloads it; the replies an agent was writing, on the open
// ticket and on another, come back with it. Signing out removes them
// from the tab, so the next agent on the browser reloads to nothing.
func TestBrowserUnsentRepliesSurviveALanguageSwitch(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	citizen := apptest.NewClient(t, base)
	first := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311113333", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu, mohon dicek."})
	second := citizen.Complaint(map[string]string{"name": "Tono", "phone": "081311114444", "category": "lainnya",
		"description": "Sertifikat pelatihan saya belum terbit."})
	api := apptest.NewClient(t, base)
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	ids := ticketIDs(t, api, first, second)

	tab := newTab(t, root)
	tab.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	tab.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	open := func(id int64) {
		t.Helper()
		tab.do(t, "open a ticket by its address", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
		tab.waitJS(t, "the ticket shown", fmt.Sprintf(`!document.getElementById('reply-form').hidden
			&& document.getElementById('ticket-detail').getAttribute('aria-busy') === 'false'
			&& location.hash === '#ticket-%d'`, id))
	}
	const toRina, toTono = "Baik Bu Rina, kartu Ibu kami cek.", "Pak Tono, sertifikat Bapak sedang diproses."
	open(ids[second])
	tab.do(t, "write to Tono", chromedp.SendKeys(chromedp.ID("reply-body"), toTono))
	open(ids[first])
	tab.do(t, "write to Rina", chromedp.SendKeys(chromedp.ID("reply-body"), toRina))

	// The link's click handler carries the ticket over; the click waits
	// for the page it loads.
	switched, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	if _, err := chromedp.RunResponse(switched, chromedp.Click(chromedp.CSS(`a[hreflang^="en"]`))); err != nil {
		t.Fatalf("switch to English: %v", err)
	}
	cancel()
	tab.waitJS(t, "the English console with Rina's ticket and reply", fmt.Sprintf(`document.documentElement.lang.startsWith('en')
		&& !document.getElementById('reply-form').hidden && location.hash === '#ticket-%d'
		&& document.getElementById('reply-body').value === %q`, ids[first], toRina))
	open(ids[second])
	tab.waitJS(t, "Tono's reply back too", fmt.Sprintf(`document.getElementById('reply-body').value === %q`, toTono))

	tab.signOutDiscarding(t, second, first)
	if got := tab.evalString(t, `Object.keys(sessionStorage).join(',')`); got != "" {
		t.Errorf("after signing out the tab keeps %q", got)
	}
	tab.do(t, "reload", chromedp.Reload())
	tab.do(t, "the admin signs in on the same tab",
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-email"), apptest.AdminEmail),
		chromedp.SendKeys(chromedp.ID("login-password"), apptest.AdminPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.ID("console-view")),
	)
	open(ids[first])
	if got := tab.evalString(t, `document.getElementById('reply-body').value`); got != "" {
		t.Errorf("the admin's reply box holds %q, Dewi's unsent reply", got)
	}
}
