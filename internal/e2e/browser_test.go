package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
)

const (
	citizenPhone  = "0812-3456-7890"
	complaintLine = "Saya tidak bisa masuk ke akun setelah mengganti nomor HP."
	// How long the asynchronous parts (ingest, delivery, the console's
	// refresh every few seconds) may take before the test gives up.
	asyncWait = 45 * time.Second
)

var trackingRE = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`)

// TestBrowserJourney is the walking skeleton seen through a browser: a
// citizen files a complaint on /pengaduan and gets a tracking number, an
// agent signs in on /console, goes online, opens the ticket and replies,
// and the citizen reads the reply on /pengaduan/status and answers it.
// Each page is captured as a screenshot (kept in TANGGAP_SHOTS_DIR when
// set, for a human to look at).
func TestBrowserJourney(t *testing.T) {
	browser := findBrowser(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	tx := func(key string, args ...any) string { return cat.T(locale.Default, key, args...) }
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)

	citizen := newTab(t, root)
	agent := newTab(t, root)

	// --- the citizen files a complaint ---------------------------------
	citizen.do(t, "open the form",
		chromedp.Navigate(base+"/pengaduan?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("complaint-form")),
	)
	citizen.waitJS(t, "categories loaded", `document.querySelectorAll('#category option').length > 1`)
	if got := citizen.text(t, "h1"); got != tx("complaint.title") {
		t.Errorf("form heading = %q, want %q", got, tx("complaint.title"))
	}
	if got := citizen.text(t, `#category option[value="pendaftaran"]`); got != tx("category.pendaftaran") {
		t.Errorf("category label = %q, want %q", got, tx("category.pendaftaran"))
	}
	shots.take(t, citizen, "01-form-empty")

	// Nothing filled: the browser-side check marks the fields and moves
	// focus to the first one.
	citizen.do(t, "submit an empty form", chromedp.Click(chromedp.ID("submit-btn")))
	citizen.waitJS(t, "focus on the first invalid field", `document.activeElement && document.activeElement.id === 'name'`)
	if got := citizen.text(t, "#name-error"); got != tx("validation.required") {
		t.Errorf("name error = %q, want %q", got, tx("validation.required"))
	}
	if got := citizen.text(t, "#phone-error"); got != tx("validation.contact_required") {
		t.Errorf("phone error = %q, want %q", got, tx("validation.contact_required"))
	}

	// A phone number only the server can judge: its 422 lands next to
	// the phone field, focused.
	upload := writePNG(t)
	citizen.do(t, "fill the form with a bad phone number",
		chromedp.SendKeys(chromedp.ID("name"), "Siti Rahayu"),
		chromedp.SendKeys(chromedp.ID("phone"), "12345"),
		chromedp.SetValue(chromedp.ID("category"), "pendaftaran"),
		chromedp.SendKeys(chromedp.ID("description"), complaintLine+"\nMohon bantuannya."),
		chromedp.SetUploadFiles(chromedp.ID("attachments-input"), []string{upload}),
		chromedp.Click(chromedp.ID("submit-btn")),
	)
	citizen.waitJS(t, "server error on the phone field", `!document.getElementById('phone-error').hidden`)
	if got := citizen.text(t, "#phone-error"); got != tx("validation.phone_invalid") {
		t.Errorf("phone error = %q, want %q", got, tx("validation.phone_invalid"))
	}
	citizen.waitJS(t, "focus on the phone field", `document.activeElement && document.activeElement.id === 'phone'`)
	if got := citizen.attr(t, "#phone", "aria-invalid"); got != "true" {
		t.Errorf("phone aria-invalid = %q", got)
	}
	// The summary over the form reads the same whichever side found it.
	if got := citizen.text(t, "#form-alert"); got != tx("complaint.errors_summary") {
		t.Errorf("summary of the server's refusal = %q, want %q as for the browser's", got, tx("complaint.errors_summary"))
	}
	shots.take(t, citizen, "02-form-errors")

	// A second pick adds to the first; a file of the wrong kind is named
	// in the error, and taken out on its own, the photo kept.
	wrongKind := filepath.Join(t.TempDir(), "catatan.txt")
	if err := os.WriteFile(wrongKind, []byte("catatan"), 0o644); err != nil {
		t.Fatal(err)
	}
	citizen.do(t, "pick a second file, of the wrong kind", chromedp.SetUploadFiles(chromedp.ID("attachments-input"), []string{wrongKind}))
	// The button that chooses them is described by the count (the
	// browser's own field, which says "no file chosen" after a pick, is
	// hidden).
	citizen.waitJS(t, "both listed, counted, the wrong one named", fmt.Sprintf(`document.querySelectorAll('#file-list li').length === 2
		&& document.getElementById('attachments-error').textContent === %q
		&& document.getElementById('attachments-count').textContent === %q
		&& document.getElementById('attachments').getAttribute('aria-describedby').split(' ').includes('attachments-count')
		&& document.getElementById('attachments-input').getAttribute('aria-hidden') === 'true'`,
		tx("complaint.file_error", "name", "catatan.txt", "error", tx("validation.file_type")), tx("files.count", "n", 2)))
	citizen.scrollTo(t, "attachments")
	shots.takeView(t, citizen, "02b-form-file-refused")
	// A file dragged onto the field is taken as if picked; then removed.
	citizen.do(t, "drop a file on the field", chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(['%PDF-1.4'], 'surat.pdf', { type: 'application/pdf' }));
		document.getElementById('attachments').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`))
	citizen.waitJS(t, "the dropped file listed, counted", fmt.Sprintf(`document.querySelectorAll('#file-list li').length === 3
		&& document.querySelector('#file-list li:nth-child(3) .file-name').textContent === 'surat.pdf'
		&& document.getElementById('attachments-count').textContent === %q`, tx("files.count", "n", 3)))
	citizen.clickNow(t, "remove the dropped file", `#file-list li:nth-child(3) .file-remove`)
	citizen.clickNow(t, "remove the text file", `#file-list li:nth-child(2) .file-remove`)
	citizen.waitJS(t, "the text file gone with its error, the photo kept, the focus in the list", fmt.Sprintf(`document.querySelectorAll('#file-list li').length === 1
		&& document.querySelector('#file-list .file-name').textContent === %q
		&& document.getElementById('attachments-error').hidden
		&& document.activeElement === document.querySelector('#file-list .file-remove')`, filepath.Base(upload)))

	citizen.do(t, "fix the phone number and send",
		clearField("phone"),
		chromedp.SendKeys(chromedp.ID("phone"), citizenPhone),
		chromedp.Click(chromedp.ID("submit-btn")),
		chromedp.WaitVisible(chromedp.ID("complaint-success")),
	)
	tn := citizen.text(t, "#tracking-number")
	if !trackingRE.MatchString(tn) {
		t.Fatalf("tracking number %q does not look like 1234-5678-9012-3456", tn)
	}
	if href := citizen.attr(t, "#status-link", "href"); !strings.HasSuffix(href, "/pengaduan/status?tn="+tn) {
		t.Errorf("status link = %q, want it prefilled with %s", href, tn)
	}
	// With the form gone, nothing on the page still asks for it to be filled in.
	if shown := citizen.evalString(t, `[...document.querySelectorAll('.container p, .container h1')].filter(e => e.offsetParent !== null && e.textContent.includes(`+strconv.Quote(tx("complaint.intro"))+`)).length + ''`); shown != "0" {
		t.Errorf("after a successful submit the intro %q is still shown", tx("complaint.intro"))
	}
	shots.take(t, citizen, "03-form-success")
	// On a phone the number stands on one line; narrower, it wraps
	// between its digit groups only.
	citizen.do(t, "a phone-sized window", chromedp.EmulateViewport(390, 844))
	checkTrackingGroups(t, citizen, "#tracking-number .tn-group")
	if tops := citizen.evalString(t, `String(new Set([...document.querySelectorAll('#tracking-number .tn-group')].map(g => Math.round(g.getBoundingClientRect().top))).size)`); tops != "1" {
		t.Errorf("on a 390 px phone the tracking number is on %s lines, want one", tops)
	}
	shots.take(t, citizen, "03b-form-success-phone")
	citizen.do(t, "a small phone", chromedp.EmulateViewport(320, 640))
	checkTrackingGroups(t, citizen, "#tracking-number .tn-group")
	citizen.do(t, "back to a laptop-sized window", chromedp.EmulateViewport(1280, 900))

	// --- the agent answers ---------------------------------------------
	agent.do(t, "open the console",
		chromedp.Navigate(base+"/console?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	)
	shots.take(t, agent, "04-console-login")
	agent.do(t, "sign in with a wrong password",
		chromedp.SendKeys(chromedp.ID("login-email"), apptest.AdminEmail),
		chromedp.SendKeys(chromedp.ID("login-password"), "salah-sekali-123"),
		chromedp.Click(chromedp.ID("login-btn")),
	)
	agent.waitJS(t, "login error shown", `!document.getElementById('login-alert').hidden`)
	if got := agent.text(t, "#login-alert"); got != tx("error.invalid_credentials") {
		t.Errorf("login error = %q, want %q", got, tx("error.invalid_credentials"))
	}
	agent.do(t, "sign in",
		clearField("login-password"),
		chromedp.SendKeys(chromedp.ID("login-password"), apptest.AdminPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.ID("console-view")),
	)
	agent.selectValue(t, "#presence", "online")
	agent.waitJS(t, "presence saved", `document.getElementById('presence-dot').classList.contains('presence-online')`)
	agent.selectValue(t, "#scope", "all")
	// Find the ticket by its text first, so a ticket filed under another
	// tracking number than the citizen was given fails with that said.
	rowJS := fmt.Sprintf(`[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes(%q))`, complaintLine)
	agent.waitLive(t, "the complaint reaches the ticket list", rowJS+` !== undefined`)
	if got := agent.evalString(t, rowJS+`.querySelector('.mono').textContent`); got != tn {
		t.Fatalf("the citizen was given tracking number %s, but the ticket has %s", tn, got)
	}
	shots.take(t, agent, "05-console-list")
	id := agent.evalString(t, rowJS+`.dataset.ticketId`)
	agent.clickNow(t, "open the ticket", `#ticket-list [data-ticket-id="`+id+`"]`)
	agent.do(t, "the ticket opens", chromedp.WaitVisible(chromedp.ID("ticket-detail")))
	agent.waitJS(t, "ticket loaded", fmt.Sprintf(`document.getElementById('t-tn').textContent === %q`, tn))
	agent.waitJS(t, "citizen message shown", `document.querySelector('#t-messages .msg-in .msg-body') !== null`)
	if got := agent.text(t, "#t-contact-name"); got != "Siti Rahayu" {
		t.Errorf("contact name = %q", got)
	}
	if got := agent.text(t, "#t-messages .msg-in .msg-body"); !strings.Contains(got, "tidak bisa masuk") {
		t.Errorf("citizen message = %q", got)
	}
	if got := agent.text(t, "#t-messages .attachments a:not(.thumb-link)"); !strings.Contains(got, "ktp.png") {
		t.Errorf("attachment link = %q, want ktp.png", got)
	}
	// The photo is shown in the thread as a thumbnail, loaded with the
	// agent's session.
	agent.waitJS(t, "the photo's thumbnail", `(i => i && i.complete && i.naturalWidth === 24)(document.querySelector('#t-messages .attachments img.thumb'))`)

	const reply = "Terima kasih, Ibu Siti. Nomor HP Anda sudah kami perbarui. Silakan coba masuk kembali."
	agent.do(t, "reply",
		chromedp.SendKeys(chromedp.ID("reply-body"), reply),
		chromedp.Click(chromedp.ID("reply-btn")),
	)
	outJS := fmt.Sprintf(`[...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes(%q))`, reply)
	agent.waitJS(t, "reply in the thread", outJS+` !== undefined`)
	// Nobody told the citizen: the reply is posted on the status page.
	agent.waitLive(t, "reply posted", outJS+`.querySelector('.delivery-posted') !== null`)
	if got := agent.evalString(t, outJS+`.querySelector('.delivery').textContent`); got != tx("delivery.posted") {
		t.Errorf("delivery label = %q, want %q", got, tx("delivery.posted"))
	}
	shots.take(t, agent, "06-console-ticket")

	// --- the citizen reads the reply -------------------------------------
	citizen.do(t, "open the status page with a wrong contact",
		chromedp.Navigate(base+"/pengaduan/status?tn="+tn),
		chromedp.WaitVisible(chromedp.ID("lookup-form")),
		clearField("contact"),
		chromedp.SendKeys(chromedp.ID("contact"), "orang.lain@example.com"),
		chromedp.Click(chromedp.ID("lookup-btn")),
	)
	citizen.waitJS(t, "not-found message", `!document.getElementById('lookup-alert').hidden`)
	if got := citizen.text(t, "#lookup-alert"); got != tx("status_page.not_found") {
		t.Errorf("not-found message = %q, want %q", got, tx("status_page.not_found"))
	}
	// The same message for every miss (it tells nothing about the ticket)
	// names the other way in: a confidential or anonymous complaint is
	// looked up with its PIN, never with a phone number or email.
	if got := citizen.text(t, "#lookup-alert"); !strings.Contains(got, "PIN") {
		t.Errorf("not-found message %q does not say that a confidential or anonymous complaint is looked up with its PIN", got)
	}
	if got := citizen.evalString(t, `document.getElementById('tn').value`); got != tn {
		t.Errorf("tracking number field = %q, want it prefilled with %s", got, tn)
	}
	citizen.do(t, "look up with the right phone number",
		clearField("contact"),
		chromedp.SendKeys(chromedp.ID("contact"), "+62 812 3456 7890"),
		chromedp.Click(chromedp.ID("lookup-btn")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	citizen.waitJS(t, "reply visible to the citizen", fmt.Sprintf(`document.getElementById('thread').textContent.includes(%q)`, reply))
	if got := citizen.text(t, "#r-tn"); got != tn {
		t.Errorf("status page tracking number = %q", got)
	}
	if got := citizen.text(t, "#r-category"); got != tx("category.pendaftaran") {
		t.Errorf("status page category = %q", got)
	}
	if got := citizen.text(t, "#r-status"); got == "" || strings.Contains(got, "status.") {
		t.Errorf("status label = %q, want a translated label", got)
	}
	// The citizen's own file is listed with the complaint.
	if got := citizen.text(t, "#thread .msg-in .msg-files .file-post button"); got != "ktp.png" {
		t.Errorf("own attachment listed as %q, want ktp.png", got)
	}
	shots.take(t, citizen, "07-status-reply")

	// A follow-up may carry one file; a wrong one is refused with the
	// text kept.
	const followUp = "Sudah bisa masuk lagi. Terima kasih banyak atas bantuannya!"
	notes := filepath.Join(t.TempDir(), "catatan.txt")
	if err := os.WriteFile(notes, []byte("catatan"), 0o644); err != nil {
		t.Fatal(err)
	}
	citizen.do(t, "send a follow-up with a text file",
		chromedp.SendKeys(chromedp.ID("followup-body"), followUp),
		chromedp.SetUploadFiles(chromedp.ID("followup-file"), []string{notes}),
		chromedp.Click(chromedp.ID("followup-btn")),
	)
	citizen.waitJS(t, "file refused next to the field", `!document.getElementById('followup-file-error').hidden`)
	if got := citizen.text(t, "#followup-file-error"); got != tx("validation.file_type") {
		t.Errorf("file error = %q, want %q", got, tx("validation.file_type"))
	}
	if got := citizen.evalString(t, `document.getElementById('followup-body').value`); got != followUp {
		t.Errorf("follow-up text after a refused file = %q, want it kept", got)
	}
	shots.take(t, citizen, "07b-status-bad-file")
	citizen.do(t, "send the follow-up with a photo",
		chromedp.SetUploadFiles(chromedp.ID("followup-file"), []string{upload}),
		chromedp.Click(chromedp.ID("followup-btn")),
	)
	// The page re-reads the thread a few times on its own; on a slow
	// machine the test presses "refresh" every 2 s as a citizen would.
	citizen.waitJSFor(t, "follow-up in the citizen's thread", asyncWait, fmt.Sprintf(`(() => {
		const ok = document.getElementById('thread').textContent.includes(%q);
		window.__polls = (window.__polls || 0) + 1;
		if (!ok && window.__polls %% 20 === 0) document.getElementById('refresh-btn').click();
		return ok;
	})()`, followUp))
	citizen.waitJSFor(t, "the follow-up's file listed", asyncWait, `document.querySelectorAll('#thread .msg-in .msg-files .file-post button').length === 2`)
	shots.take(t, citizen, "08-status-follow-up")
	agent.waitLive(t, "follow-up reaches the console",
		fmt.Sprintf(`document.getElementById('t-messages').textContent.includes(%q)`, followUp))

	// --- English, and a phone-sized screen -------------------------------
	citizen.do(t, "open the form in English",
		chromedp.Navigate(base+"/pengaduan?lang=en-US"),
		chromedp.WaitVisible(chromedp.ID("complaint-form")),
	)
	citizen.waitJS(t, "categories loaded", `document.querySelectorAll('#category option').length > 1`)
	if got, want := citizen.text(t, `#category option[value="pendaftaran"]`), cat.T(locale.English, "category.pendaftaran"); got != want {
		t.Errorf("English category label = %q, want %q (the API must follow the page language)", got, want)
	}
	if got := citizen.attr(t, "html", "lang"); got != "en" {
		t.Errorf(`<html lang> = %q, want "en"`, got)
	}
	shots.take(t, citizen, "09-form-english")

	phone := newTab(t, root)
	phone.do(t, "emulate a phone", chromedp.EmulateViewport(390, 844))
	phone.do(t, "open the form on a phone",
		chromedp.Navigate(base+"/pengaduan"),
		chromedp.WaitVisible(chromedp.ID("complaint-form")),
	)
	phone.waitJS(t, "categories loaded", `document.querySelectorAll('#category option').length > 1`)
	if w := phone.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("page is %s px wide on a 390 px screen: something overflows", w)
	}
	shots.take(t, phone, "10-form-phone")
	phone.do(t, "the status page on a phone, in English",
		chromedp.Navigate(base+"/pengaduan/status?lang=en-US&tn="+tn),
		chromedp.WaitVisible(chromedp.ID("lookup-form")),
		chromedp.SendKeys(chromedp.ID("contact"), citizenPhone),
		chromedp.Click(chromedp.ID("lookup-btn")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	checkTrackingGroups(t, phone, "#r-tn .tn-group")
	if got := phone.text(t, "#thread .msg-in .msg-files .file-post button"); got != "ktp.png" {
		t.Errorf("own attachment on the phone = %q", got)
	}
	if w := phone.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("status page is %s px wide on a 390 px screen", w)
	}
	shots.take(t, phone, "11-status-phone-english")

	for _, tab := range []*tab{citizen, agent, phone} {
		tab.checkConsole(t)
	}
}

// ---- app ---------------------------------------------------------------

// ---- browser -----------------------------------------------------------

// texts gives the catalog's text for a key in the default language, as
// the pages show it.
func texts(t *testing.T) func(key string, args ...any) string {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return func(key string, args ...any) string { return cat.T(locale.Default, key, args...) }
}

// startWithDemoSeed starts the app with the demo seed's queues and agents
// and returns its address.
func startWithDemoSeed(t *testing.T) string {
	t.Helper()
	base, _ := startDemo(t)
	return base
}

// startDemo is startWithDemoSeed also giving the app's configuration
// (for apptest.FollowedUp and apptest.Ended).
func startDemo(t *testing.T) (string, config.Config) {
	t.Helper()
	cfg := demoConfig(t)
	return apptest.Start(t, cfg).URL(), cfg
}

// demoConfig is a test app's configuration with the demo seed's queues
// and agents.
func demoConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.Routing.SeedFile = filepath.Join("..", "..", "internal", "routing", "seed", "demo.yaml")
	return cfg
}

// findBrowser returns the chromium to drive. Without one the test skips,
// except on CI, where a missing browser is a broken setup.
func findBrowser(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROME_PATH"), "chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := "no chromium found (looked at CHROME_PATH, then chromium, chromium-browser, google-chrome on PATH); install Debian's chromium package"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in containers and CI has no user namespace sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first Do binds the browser's life to the context it gets, so it
	// gets ctx itself; a timeout context here would end the browser.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("start %s: %v", path, err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("start %s: no answer within a minute", path)
	}
	return ctx
}

// tab is one page in its own browser context (own cookies and storage),
// so the citizen and the agent do not share a session.
type tab struct {
	ctx context.Context
	mu  sync.Mutex
	log []chromedp.ConsoleMessage
	// expected are console errors the test itself causes (a network
	// cut), each allowed only in its time window.
	expected []expectedConsole
}

type expectedConsole struct {
	from, to time.Time
	text     *regexp.Regexp
}

// expectConsole allows browser console errors matching text logged
// between from and to (a second of slack either side for the clocks);
// any other error still fails checkConsole.
func (tb *tab) expectConsole(from, to time.Time, text *regexp.Regexp) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.expected = append(tb.expected, expectedConsole{from: from.Add(-time.Second), to: to.Add(time.Second), text: text})
}

// screenSize is a window a page is checked in.
type screenSize struct {
	name string
	w, h int64
}

// laptopAndPhone are the windows every screen is checked in: a laptop's
// (1366×800) and a phone's (390×844).
var laptopAndPhone = []screenSize{{"desktop", 1366, 800}, {"phone", 390, 844}}

// phoneThenLaptop are the same windows, the phone's first: a test that
// goes on at a laptop's width after the loop.
var phoneThenLaptop = []screenSize{laptopAndPhone[1], laptopAndPhone[0]}

// onEachScreen opens url in each of screens in turn, signed in as email
// on the first and reloaded on the next, and runs check there.
func (tb *tab) onEachScreen(t *testing.T, screens []screenSize, url, email, password string, check func(screen screenSize)) {
	t.Helper()
	for i, screen := range screens {
		tb.do(t, "a "+screen.name+" window", chromedp.EmulateViewport(screen.w, screen.h))
		if i == 0 {
			tb.signIn(t, url, email, password)
		} else {
			tb.do(t, "the page again", chromedp.Reload())
		}
		check(screen)
	}
}

func newTab(t *testing.T, root context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// chromedp.Do has no deadline of its own: a browser that stopped
	// answering must fail the test, not hang the package.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx) }()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("open tab: %v", err)
		}
	case <-time.After(time.Minute):
		cancel()
		t.Fatal("open tab: the browser did not answer within a minute")
	}
	tb := &tab{ctx: ctx}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.log = append(tb.log, m)
			tb.mu.Unlock()
		}
	}()
	return tb
}

func (tb *tab) do(t *testing.T, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func (tb *tab) text(t *testing.T, css string) string {
	t.Helper()
	// Found and read in one step of the page: a pushed event may draw the
	// element again between a lookup and a separate read.
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		return e ? JSON.stringify(e.textContent) : null;
	})()`, css), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// scrollTo brings the element with the given id into view. The lookup and
// the scroll are one step of the page: a pushed event may draw the element
// again in between, and a node found by a separate lookup would be gone.
func (tb *tab) scrollTo(t *testing.T, id string) {
	t.Helper()
	tb.waitJS(t, "#"+id+" to scroll to", fmt.Sprintf(`((e) => e && (e.scrollIntoView({block: 'start'}), true))(document.getElementById(%q))`, id))
}

func (tb *tab) attr(t *testing.T, css, name string) string {
	t.Helper()
	return tb.evalString(t, fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ''`, css, name))
}

func (tb *tab) evalString(t *testing.T, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}

// signIn opens the console at url and signs in with email and password;
// it returns once the console is shown.
func (tb *tab) signIn(t *testing.T, url, email, password string) {
	t.Helper()
	tb.do(t, "sign in as "+email,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-email"), email),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.ID("console-view")),
	)
}

// signOut signs out of a console that has gone live. Closing a socket
// still connecting makes the browser log a warning, which checkConsole
// counts; an agent signs out of a console that is up and running.
func (tb *tab) signOut(t *testing.T) {
	t.Helper()
	tb.waitJS(t, "the console live before signing out", socketOpenJS)
	tb.do(t, "sign out", chromedp.Click(chromedp.ID("logout-btn")), chromedp.WaitVisible(chromedp.ID("login-form")))
}

// signOutDiscarding signs out of a console holding unsent replies: it is
// asked first, naming the tickets (the open one first), and goes on.
func (tb *tab) signOutDiscarding(t *testing.T, tracking ...string) {
	t.Helper()
	tb.waitJS(t, "the console live before signing out", socketOpenJS)
	tb.clickNow(t, "sign out", "#logout-btn")
	tb.waitJS(t, "asked about the unsent replies", fmt.Sprintf(`(() => {
		const d = document.querySelector('dialog.unsent-dialog');
		return !!d && d.open && Array.from(d.querySelectorAll('li')).map((li) => li.textContent).join('|') === %q;
	})()`, strings.Join(tracking, "|")))
	tb.clickNow(t, "sign out and discard them", "#unsent-go")
	tb.do(t, "signed out", chromedp.WaitVisible(chromedp.ID("login-form")))
}

// clearField empties an input. SetValue cannot: chromedp v0.23 drops an
// empty string argument, and the field ends up holding "undefined".
func clearField(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ''`, id))
}

// selectValue picks an option the way a user does, so the page's change
// handler runs (SetValue alone fires no event).
func (tb *tab) selectValue(t *testing.T, css, value string) {
	t.Helper()
	tb.do(t, "choose "+value+" in "+css, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector(%q); if (!(s instanceof HTMLSelectElement)) { throw new Error('not a select: ' + (s ? s.outerHTML.slice(0, 80) : 'none')); } s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, css, value)))
}

func (tb *tab) waitJS(t *testing.T, what, expr string) {
	t.Helper()
	tb.waitJSFor(t, what, 15*time.Second, expr)
}

// waitJSFor polls expr in the page until it is true; the page's own
// timers keep running meanwhile, so nothing here sleeps.
func (tb *tab) waitJSFor(t *testing.T, what string, total time.Duration, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, total+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")",
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(total)))
	if err != nil {
		dumpCtx, cancelDump := context.WithTimeout(tb.ctx, 5*time.Second)
		defer cancelDump()
		body, _ := chromedp.Run(dumpCtx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ''`))
		t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, body)
	}
}

// waitLive waits in the agent console for a change the server pushes
// (a new ticket, a message, a delivery mark) for up to asyncWait, with the
// push socket open: nothing reloads the list meanwhile, so a pass proves
// the change was pushed.
func (tb *tab) waitLive(t *testing.T, what, expr string) {
	t.Helper()
	tb.waitJS(t, "the console's push socket is open", `document.documentElement.dataset.socket === 'open'`)
	tb.waitJSFor(t, what, asyncWait, expr)
}

// checkConsole fails on script errors and on messages the page should
// never cause (a CSP violation is one). 4xx responses the test provoked on
// purpose (validation, wrong password, not found) are logged by the
// browser too and are expected.
func (tb *tab) checkConsole(t *testing.T) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.log {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException && m.Type != chromedp.ConsoleWarning {
			continue
		}
		if strings.Contains(m.Text, "Failed to load resource: the server responded with a status of 4") {
			continue
		}
		if tb.isExpected(m) {
			continue
		}
		t.Errorf("browser console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
	}
}

// waitConsole waits until the browser logged a console message matching
// text (since the tab opened).
func (tb *tab) waitConsole(t *testing.T, what string, total time.Duration, text *regexp.Regexp) {
	t.Helper()
	testenv.CheckFor(t, total, 100*time.Millisecond, func() error {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.log {
			if text.MatchString(m.Text) {
				return nil
			}
		}
		return fmt.Errorf("the browser has not logged %s", what)
	})
}

func (tb *tab) isExpected(m chromedp.ConsoleMessage) bool {
	for _, e := range tb.expected {
		if e.text.MatchString(m.Text) && !m.Time.Before(e.from) && !m.Time.After(e.to) {
			return true
		}
	}
	return false
}

// ---- screenshots -------------------------------------------------------

type shots struct{ dirs []string }

func newShots(t *testing.T) *shots {
	s := &shots{dirs: []string{t.TempDir()}}
	if d := os.Getenv("TANGGAP_SHOTS_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		s.dirs = append(s.dirs, d)
	}
	return s
}

func (s *shots) take(t *testing.T, tb *tab, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(img) < 1000 {
		t.Errorf("screenshot %s is only %d bytes", name, len(img))
	}
	for _, d := range s.dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// takeView captures what the window shows (where the point is what is
// in view, and a full page would be too tall to read on a phone).
func (s *shots) takeView(t *testing.T, tb *tab, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, d := range s.dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// takeOf captures the element css selects (its box only, where a full
// page would be too tall to read on a phone).
func (s *shots) takeOf(t *testing.T, tb *tab, name, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, d := range s.dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writePNG makes a small real PNG for the upload field.
func writePNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for x := range 24 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{R: uint8(x * 10), G: 60, B: uint8(y * 15), A: 255})
		}
	}
	p := filepath.Join(t.TempDir(), "ktp.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// checkFor polls f every 100 ms until it returns nil or total passed.
func checkFor(t *testing.T, total time.Duration, f func() error) {
	t.Helper()
	testenv.CheckFor(t, total, 100*time.Millisecond, f)
}
