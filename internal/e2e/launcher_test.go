package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
)

// launcherSite is a program's own site on another origin than the
// contact center, embedding the launcher with its one script tag.
func launcherSite(t *testing.T, appURL *string) *httptest.Server {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Situs program</title></head>
<body><h1>Situs resmi program</h1><p>Informasi pendaftaran, pelatihan dan insentif.</p>
<script src="%s/launcher.js" data-lang="id-ID" defer></script></body></html>`, *appURL)
	}))
	t.Cleanup(site.Close)
	return site
}

// launcherSeed writes a routing seed where the IVR's agent queue (umum)
// is open around the clock and the default queue (layanan: live chat and
// WhatsApp) is open only on a weekday three days from today in WIB, so it
// is closed today and tomorrow whatever the hour.
func launcherSeed(t *testing.T) (path, openDay string) {
	t.Helper()
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	days := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	day := time.Now().In(wib).AddDate(0, 0, 3).Weekday()
	all := ""
	for _, d := range days {
		all += fmt.Sprintf("      %s: [\"00:00-24:00\"]\n", d)
	}
	seed := fmt.Sprintf(`queues:
  - code: umum
    name: Umum
    time_zone: WIB
    hours:
%s  - code: layanan
    name: Layanan
    time_zone: WIB
    hours:
      %s: ["08:00-17:00"]
`, all, days[day])
	path = filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(seed), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return path, cat.T(locale.Default, "launcher.day_"+days[day])
}

// launcherConfig is a test app whose site may embed the launcher.
func launcherConfig(t *testing.T, siteURL string) config.Config {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.LivechatAllowedOrigins = []string{siteURL}
	cfg.DefaultQueue = "layanan"
	seed, _ := launcherSeed(t)
	cfg.Routing.SeedFile = seed
	return cfg
}

// computed is a CSS property's computed value of the first match.
func computed(t *testing.T, tb *tab, css, prop string) string {
	t.Helper()
	return tb.evalString(t, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).getPropertyValue(%q)`, css, prop))
}

// openPage opens url (what it is, for the log) in a new tab the size of
// size and waits until the element with id ready shows.
func openPage(t *testing.T, root context.Context, size screenSize, what, url, ready string) *tab {
	t.Helper()
	tb := newTab(t, root)
	tb.do(t, "a "+size.name+" screen", chromedp.EmulateViewport(size.w, size.h))
	tb.do(t, "open "+what, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID(ready)))
	return tb
}

// openLauncher presses the launcher's button and waits for its menu.
func (tb *tab) openLauncher(t *testing.T) {
	t.Helper()
	tb.do(t, "open the launcher", chromedp.Click(chromedp.ID("tgl-button")))
	tb.waitJS(t, "the menu", `!document.getElementById('tgl-panel').hidden && document.querySelectorAll('#tgl-menu li').length > 0`)
}

// launcherEntries lists the menu's entries as kind:state in their order.
func launcherEntries(t *testing.T, tb *tab, list string) string {
	t.Helper()
	return tb.evalString(t, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(li => li.dataset.kind + ':' + li.dataset.state).join(' ')`, list+" > li"))
}

func entryLink(t *testing.T, tb *tab, kind, attr string) string {
	t.Helper()
	return tb.attr(t, fmt.Sprintf(`.tgl-%s .tgl-link`, kind), attr)
}

// TestLauncherOnAnotherSite: one script tag on the program's own site (a
// second origin) puts the launcher there; at laptop and phone sizes it
// greets in the program's words and offers the phone (tel:, free of
// charge, open), WhatsApp (click-to-chat with the greeting prefilled,
// closed today by its queue's calendar, after the open ones), the form and
// the status check; the chat opens in place and gives the focus back when
// closed. The landing page at / shows the same menu with plain links.
func TestLauncherOnAnotherSite(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	var appURL string
	site := launcherSite(t, &appURL)
	cfg := launcherConfig(t, site.URL)
	_, openDay := launcherSeed(t)
	cfg.Brand = config.Brand{File: filepath.Join("..", "brand", "seed", "demo.yaml"), ContactPhone: "1500-123", ContactWhatsApp: "+6281100001234"}
	appURL = apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)

	for _, size := range laptopAndPhone {
		t.Run(size.name, func(t *testing.T) {
			citizen := openPage(t, root, size, "the program's site", site.URL, "tgl-button")
			if got := citizen.text(t, "#tgl-button"); got != tx("launcher.button") {
				t.Errorf("launcher button = %q", got)
			}
			if got := computed(t, citizen, "#tgl-button", "background-color"); got != "rgb(13, 79, 74)" {
				t.Errorf("launcher button colour = %s, want the brand's primary #0d4f4a", got)
			}
			shots.take(t, citizen, "launcher-"+size.name+"-01-button")

			citizen.openLauncher(t)
			citizen.waitJS(t, "the menu, focused on its first entry", `!document.getElementById('tgl-panel').hidden &&
				document.activeElement && document.activeElement.classList.contains('tgl-link')`)
			if got := citizen.attr(t, "#tgl-button", "aria-expanded"); got != "true" {
				t.Errorf("aria-expanded = %q", got)
			}
			if got := citizen.text(t, "#tgl-greeting"); got != "Halo, sobat Kartu Kerja. Pilih menu berikut" {
				t.Errorf("greeting = %q", got)
			}
			// The phone's queue is open; live chat's and WhatsApp's is closed
			// today, so the open alternatives come first.
			if got, want := launcherEntries(t, citizen, "#tgl-menu"), "phone:open complaint:always status:always whatsapp:closed livechat:closed"; got != want {
				t.Errorf("entries = %s, want %s", got, want)
			}
			if got := entryLink(t, citizen, "phone", "href"); got != "tel:1500123" {
				t.Errorf("phone link = %q", got)
			}
			if got := citizen.text(t, ".tgl-phone .tgl-free"); got != tx("launcher.free") {
				t.Errorf("free-of-charge mark = %q", got)
			}
			if got := citizen.text(t, ".tgl-phone .tgl-state"); got != tx("launcher.state_open") {
				t.Errorf("phone state = %q", got)
			}
			wa := entryLink(t, citizen, "whatsapp", "href")
			if want := "https://wa.me/6281100001234?text=Halo+Kartu+Kerja%2C+saya+ingin+bertanya."; wa != want {
				t.Errorf("WhatsApp link = %q, want %q", wa, want)
			}
			waState := citizen.text(t, ".tgl-whatsapp .tgl-state")
			if !strings.HasPrefix(waState, tx("launcher.state_closed")) || !strings.Contains(waState, openDay+" pukul 08.00 WIB") {
				t.Errorf("WhatsApp state = %q, want closed, opening on %s at 08.00 WIB", waState, openDay)
			}
			if got := citizen.text(t, ".tgl-livechat .tgl-expect"); got != tx("launcher.chat_closed") {
				t.Errorf("live chat outside hours says %q", got)
			}
			if got := entryLink(t, citizen, "complaint", "href"); got != appURL+"/pengaduan?lang=id-ID" {
				t.Errorf("complaint form link = %q", got)
			}
			if got := entryLink(t, citizen, "status", "target"); got != "_blank" {
				t.Errorf("status link opens in %q, want a new page", got)
			}
			if got := citizen.attr(t, "#tgl-privacy", "href"); got != "https://example.go.id/kebijakan-privasi" {
				t.Errorf("privacy link = %q", got)
			}
			// Every entry is read with its state and what to expect.
			if got := citizen.evalString(t, `document.querySelector('.tgl-whatsapp .tgl-link').getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id) ? 'ok' : id).join(' ')`); got != "ok ok" {
				t.Errorf("WhatsApp link descriptions: %s", got)
			}
			if w := citizen.evalString(t, `String(document.documentElement.scrollWidth)`); w != fmt.Sprint(size.w) {
				t.Errorf("the site is %s px wide on a %d px screen with the launcher open", w, size.w)
			}
			checkInLauncher(t, citizen, ".tgl-phone .tgl-link", "#tgl-close")
			shots.take(t, citizen, "launcher-"+size.name+"-02-menu")
			// The last entry is reached by scrolling the menu, with the
			// header and the footer still in view.
			citizen.do(t, "scroll to the last entry", chromedp.Evaluate[chromedp.Void](`document.querySelector('.tgl-livechat .tgl-expect').scrollIntoView({block: 'nearest'})`))
			checkInLauncher(t, citizen, ".tgl-livechat .tgl-link", ".tgl-livechat .tgl-expect", "#tgl-close", ".tgl-foot a")
			shots.take(t, citizen, "launcher-"+size.name+"-02b-menu-end")

			citizen.do(t, "Escape closes the menu", chromedp.SendKeys(chromedp.CSS(".tgl-phone .tgl-link"), kb.Escape))
			citizen.waitJS(t, "menu closed, focus on the button", `document.getElementById('tgl-panel').hidden && document.activeElement.id === 'tgl-button'`)

			citizen.do(t, "switch to English", chromedp.Click(chromedp.ID("tgl-button")), chromedp.Click(chromedp.ID("tgl-lang")))
			citizen.waitJS(t, "English menu", `document.getElementById('tgl-greeting').textContent === 'Hello, Kartu Kerja friend. Choose one of the options below'`)
			if got := citizen.text(t, ".tgl-phone .tgl-free"); got != "Free of charge" {
				t.Errorf("English free-of-charge mark = %q", got)
			}
			shots.take(t, citizen, "launcher-"+size.name+"-03-english")
			citizen.do(t, "back to Bahasa Indonesia", chromedp.Click(chromedp.ID("tgl-lang")))
			citizen.waitJS(t, "Indonesian menu", `document.getElementById('tgl-greeting').textContent === 'Halo, sobat Kartu Kerja. Pilih menu berikut'`)

			// Live chat opens here, in this page, without a second script tag
			// on the site and without the widget's own button.
			citizen.do(t, "open the live chat", chromedp.Click(chromedp.CSS(".tgl-livechat .tgl-link")))
			citizen.waitJS(t, "the chat in place", `(p => p && !p.hidden)(document.getElementById('tgc-panel')) && document.getElementById('tgl-panel').hidden`)
			citizen.waitJS(t, "connected", `(s => s && s.classList.contains('tgc-status-open'))(document.getElementById('tgc-status'))`)
			if got := citizen.evalString(t, `location.href`); got != site.URL+"/" {
				t.Errorf("opening the chat left the site: %s", got)
			}
			if n := citizen.evalString(t, `String(document.querySelectorAll('#tgc-launcher').length)`); n != "0" {
				t.Errorf("the chat widget added its own button next to the launcher")
			}
			if got := citizen.text(t, "#tgc-brand"); got != "Kartu Kerja" {
				t.Errorf("chat names the program %q", got)
			}
			if got := computed(t, citizen, ".tgc-header", "background-color"); got != "rgb(13, 79, 74)" {
				t.Errorf("chat header colour = %s", got)
			}
			if size.name == "phone" {
				if got := citizen.evalString(t, `String(Math.round(document.getElementById('tgc-panel').getBoundingClientRect().width))`); got != "390" {
					t.Errorf("chat on a phone is %s px wide, want the whole screen", got)
				}
			}
			shots.take(t, citizen, "launcher-"+size.name+"-04-chat")
			citizen.do(t, "close the chat", chromedp.Click(chromedp.CSS(".tgc-close")))
			citizen.waitJS(t, "focus back on the launcher", `document.getElementById('tgc-panel').hidden && document.activeElement.id === 'tgl-button'`)
			citizen.do(t, "open the chat again from the launcher", chromedp.Click(chromedp.ID("tgl-button")),
				chromedp.Click(chromedp.CSS(".tgl-livechat .tgl-link")))
			citizen.waitJS(t, "the same chat again", `!document.getElementById('tgc-panel').hidden && document.querySelectorAll('.tgc').length === 1`)
			citizen.checkConsole(t)

			// The landing page: the same menu, plain links, no script needed.
			landing := openPage(t, root, size, "the landing page", appURL+"/?lang=id-ID", "tgl-menu")
			if got, want := launcherEntries(t, landing, "#tgl-menu"), "phone:open complaint:always status:always whatsapp:closed livechat:closed"; got != want {
				t.Errorf("landing entries = %s, want %s", got, want)
			}
			if got := landing.text(t, "h1"); got != "Halo, sobat Kartu Kerja. Pilih menu berikut" {
				t.Errorf("landing heading = %q", got)
			}
			if got := entryLink(t, landing, "livechat", "href"); got != "/chat?lang=id-ID" {
				t.Errorf("landing chat link = %q", got)
			}
			if n := landing.evalString(t, `String(document.querySelectorAll('script[src*="launcher"]').length)`); n != "0" {
				t.Errorf("the landing page loads the launcher script")
			}
			if w := landing.evalString(t, `String(document.documentElement.scrollWidth)`); w != fmt.Sprint(size.w) {
				t.Errorf("landing page is %s px wide on a %d px screen", w, size.w)
			}
			shots.take(t, landing, "landing-"+size.name)
			landing.do(t, "follow the complaint form link", chromedp.Click(chromedp.CSS(".tgl-complaint .tgl-link")), chromedp.WaitVisible(chromedp.ID("complaint-form")))
			landing.checkConsole(t)
		})
	}
}

// checkInLauncher fails when an element is not fully inside the
// launcher's panel and the screen.
func checkInLauncher(t *testing.T, tb *tab, selectors ...string) {
	t.Helper()
	for _, sel := range selectors {
		ok := tb.evalString(t, fmt.Sprintf(`(() => {
			const p = document.getElementById('tgl-panel').getBoundingClientRect();
			const r = document.querySelector(%q).getBoundingClientRect();
			return String(r.width > 0 && r.top >= p.top && r.bottom <= p.bottom + 0.5 && r.left >= p.left && r.right <= p.right + 0.5 &&
				r.bottom <= innerHeight && r.right <= innerWidth);
		})()`, sel))
		if ok != "true" {
			t.Errorf("%s is not fully visible in the launcher", sel)
		}
	}
}

// TestLauncherSecondProgram: another program's configuration (name,
// colours, no WhatsApp number) is applied everywhere: the launcher on its
// site, the landing page, the chat widget, the complaint form and the
// status page. Its chat is answered in the queue open around the clock,
// with no officer online: the launcher and the landing page say it is
// open but nobody is ready yet, and that the message waits for one.
func TestLauncherSecondProgram(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	var appURL string
	site := launcherSite(t, &appURL)
	cfg := launcherConfig(t, site.URL)
	cfg.DefaultQueue = "umum"
	dir := t.TempDir()
	brandFile := filepath.Join(dir, "brand.json")
	if err := os.WriteFile(brandFile, []byte(`{"short_name": "Aduan Lestari",
  "colors": {"primary": "#6b1d5e", "on_primary": "#ffffff", "link": "#7a2169"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Brand = config.Brand{ProgramName: "Layanan Aduan Kota Lestari", Greeting: "Selamat datang di Layanan Aduan Kota Lestari",
		ContactPhone: "0800-1-555-000", File: brandFile}
	appURL = apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	const plum = "rgb(107, 29, 94)"

	citizen := openPage(t, root, laptopAndPhone[0], "the site", site.URL, "tgl-button")
	if got := computed(t, citizen, "#tgl-button", "background-color"); got != plum {
		t.Errorf("launcher colour = %s, want %s", got, plum)
	}
	citizen.openLauncher(t)
	if got := citizen.text(t, "#tgl-greeting"); got != "Selamat datang di Layanan Aduan Kota Lestari" {
		t.Errorf("greeting = %q", got)
	}
	if got := citizen.text(t, ".tgl-name"); got != "Aduan Lestari" {
		t.Errorf("short name = %q", got)
	}
	// No WhatsApp number: no WhatsApp entry. No privacy link given: none.
	if got, want := launcherEntries(t, citizen, "#tgl-menu"), "phone:open livechat:no_officer complaint:always status:always"; got != want {
		t.Errorf("entries = %s, want %s", got, want)
	}
	noOfficer := func(tb *tab, where string) {
		t.Helper()
		if got := tb.text(t, ".tgl-livechat .tgl-state") + " | " + tb.text(t, ".tgl-livechat .tgl-expect"); got != tx("launcher.state_no_officer")+" | "+tx("launcher.chat_no_officer") {
			t.Errorf("%s: live chat within hours, nobody online, says %q", where, got)
		}
	}
	noOfficer(citizen, "launcher")
	// Not green like an open entry: its own colour and a half-filled dot
	// (the words say it all the same).
	if got := computed(t, citizen, ".tgl-livechat .tgl-state", "color"); got != "rgb(122, 77, 0)" {
		t.Errorf("live chat without an officer in %s, want #7a4d00", got)
	}
	if got := entryLink(t, citizen, "phone", "href"); got != "tel:08001555000" {
		t.Errorf("phone link = %q", got)
	}
	if n := citizen.evalString(t, `String(document.querySelectorAll('#tgl-privacy').length)`); n != "0" {
		t.Errorf("a privacy link without one configured")
	}
	if got := computed(t, citizen, ".tgl-head", "background-color"); got != plum {
		t.Errorf("menu header colour = %s", got)
	}
	shots.take(t, citizen, "second-01-launcher")
	citizen.do(t, "open the chat", chromedp.Click(chromedp.CSS(".tgl-livechat .tgl-link")))
	citizen.waitJS(t, "the chat in place", `(p => p && !p.hidden)(document.getElementById('tgc-panel'))`)
	citizen.waitJS(t, "the program named", `(b => b && b.textContent === 'Aduan Lestari')(document.getElementById('tgc-brand'))`)
	if got := computed(t, citizen, ".tgc-header", "background-color"); got != plum {
		t.Errorf("chat header colour = %s", got)
	}
	shots.take(t, citizen, "second-02-chat")
	citizen.checkConsole(t)

	pages := newTab(t, root)
	for _, p := range []struct{ path, ready, shot string }{
		{"/", "tgl-menu", "second-03-landing"},
		{"/pengaduan", "complaint-form", "second-04-form"},
		{"/pengaduan/status", "lookup-form", "second-05-status"},
		{"/chat", "tgc-panel", "second-06-chat-page"},
	} {
		pages.do(t, "open "+p.path, chromedp.Navigate(appURL+p.path), chromedp.WaitVisible(chromedp.ID(p.ready)))
		if got := pages.text(t, ".brand-name"); got != "Layanan Aduan Kota Lestari" {
			t.Errorf("%s names %q", p.path, got)
		}
		if got := pages.evalString(t, `document.title`); !strings.HasSuffix(got, " · Layanan Aduan Kota Lestari") {
			t.Errorf("%s title = %q", p.path, got)
		}
		if got := computed(t, pages, ".site-header", "background-color"); got != plum {
			t.Errorf("%s header colour = %s, want %s", p.path, got, plum)
		}
		if got := computed(t, pages, ".site-header .brand-name", "color"); got != "rgb(255, 255, 255)" {
			t.Errorf("%s header text colour = %s", p.path, got)
		}
		shots.take(t, pages, p.shot)
	}
	pages.do(t, "the landing page on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(appURL+"/?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("tgl-menu")))
	if got, want := launcherEntries(t, pages, "#tgl-menu"), "phone:open livechat:no_officer complaint:always status:always"; got != want {
		t.Errorf("landing entries = %s, want %s", got, want)
	}
	noOfficer(pages, "landing page")
	shots.take(t, pages, "second-03b-landing-phone")
	pages.do(t, "a laptop screen again", chromedp.EmulateViewport(1366, 800))
	pages.do(t, "the form's submit button", chromedp.Navigate(appURL+"/pengaduan"), chromedp.WaitVisible(chromedp.ID("submit-btn")))
	if got := computed(t, pages, "#submit-btn", "background-color"); got != "rgb(122, 33, 105)" {
		t.Errorf("submit button colour = %s, want the brand's link colour #7a2169", got)
	}
	pages.checkConsole(t)
}

// TestLauncherRefusesLowContrast: a brand whose colours fail WCAG AA is
// refused at start, saying which pair fails.
func TestLauncherRefusesLowContrast(t *testing.T) {
	cfg := apptest.Config(t)
	brandFile := filepath.Join(t.TempDir(), "brand.yaml")
	if err := os.WriteFile(brandFile, []byte("colors: {primary: \"#ffcc00\", on_primary: \"#ffffff\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Brand.File = brandFile
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Start(ctx, cfg, testenv.Logger(t))
	if err == nil {
		_ = a.Stop(ctx)
		t.Fatal("a brand with white text on yellow started")
	}
	if !strings.Contains(err.Error(), "on_primary #ffffff on primary #ffcc00 has a contrast of 1.") || !strings.Contains(err.Error(), "WCAG AA") {
		t.Errorf("refusal = %v", err)
	}
}

// TestBrowserLauncherOfficersOnlineAfterHours: outside the chat's hours
// (the launcher seed's default queue is closed today), an officer of the
// queue online makes live chat and WhatsApp open in the launcher, as the
// chat answers then; the phone's queue is open on its own calendar. The
// landing page says the same.
func TestBrowserLauncherOfficersOnlineAfterHours(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	var appURL string
	site := launcherSite(t, &appURL)
	cfg := launcherConfig(t, site.URL)
	seed, err := os.ReadFile(cfg.Routing.SeedFile)
	if err != nil {
		t.Fatal(err)
	}
	seed = append(seed, []byte(`agents:
  - email: malam@tanggap.example
    name: Petugas Malam
    password: jaga-malam-2026
    role: agent
    queues: [layanan]
`)...)
	if err := os.WriteFile(cfg.Routing.SeedFile, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Brand = config.Brand{File: filepath.Join("..", "brand", "seed", "demo.yaml"), ContactPhone: "1500-123", ContactWhatsApp: "+6281100001234"}
	appURL = apptest.Start(t, cfg).URL()
	officer := apptest.NewClient(t, appURL)
	officer.Login("malam@tanggap.example", "jaga-malam-2026")
	goOnline(t, officer)
	root := newBrowser(t, browser)
	shots := newShots(t)

	for _, size := range laptopAndPhone {
		t.Run(size.name, func(t *testing.T) {
			citizen := openPage(t, root, size, "the program's site", site.URL, "tgl-button")
			citizen.openLauncher(t)
			citizen.waitJS(t, "all five entries", `document.querySelectorAll('#tgl-menu li').length === 5`)
			if got, want := launcherEntries(t, citizen, "#tgl-menu"), "phone:open whatsapp:open livechat:open complaint:always status:always"; got != want {
				t.Errorf("entries with an officer online after hours = %s, want %s", got, want)
			}
			if got := citizen.text(t, ".tgl-livechat .tgl-state"); got != tx("launcher.state_online") {
				t.Errorf("live chat state = %q, want %q", got, tx("launcher.state_online"))
			}
			if got := citizen.text(t, ".tgl-livechat .tgl-expect"); got != tx("launcher.chat_open") {
				t.Errorf("live chat expect = %q, want %q", got, tx("launcher.chat_open"))
			}
			if got := citizen.text(t, ".tgl-phone .tgl-state"); got != tx("launcher.state_open") {
				t.Errorf("phone state = %q", got)
			}
			checkInLauncher(t, citizen, ".tgl-livechat .tgl-state")
			shots.takeView(t, citizen, "launcher-online-"+size.name)
			citizen.checkConsole(t)

			landing := openPage(t, root, size, "the landing page", appURL+"/?lang=id-ID", "tgl-menu")
			if got, want := launcherEntries(t, landing, "#tgl-menu"), "phone:open whatsapp:open livechat:open complaint:always status:always"; got != want {
				t.Errorf("landing entries = %s, want %s", got, want)
			}
			if got := landing.text(t, ".tgl-livechat .tgl-state"); got != tx("launcher.state_online") {
				t.Errorf("landing live chat state = %q", got)
			}
			shots.takeView(t, landing, "landing-online-"+size.name)
		})
	}
}
