package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/locale"
)

// Accessibility of the citizen pages by screen reader and keyboard: what
// a live region says when the page refreshes, and where the focus goes
// when a button is busy or a box is drawn again.

// addInitScript runs js in every document of the tab before the page's
// own scripts (tab.instrument does the same with its own script).
func (tb *tab) addInitScript(t *testing.T, what, js string) {
	t.Helper()
	tb.do(t, what, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
		return chromedp.Void{}, err
	})
}

// holdCSAT makes the page's rating posts wait until window.__e2eRelease()
// is called, so a test can look at the page while one is on its way.
var holdCSAT = holdFetch(`String(url).includes('/api/v1/public/csat/') && init && init.method === 'POST'`, false)

// TestBrowserA11yCitizenStatus: on the status page the thread is no live
// region; a refresh that brings an officer's reply says so once in a
// status line and adds the reply without drawing the thread again, and a
// refresh with nothing new says nothing. Rating by keyboard keeps the
// focus: on the busy Send button while the rating is on its way (a second
// Enter sends nothing), then on the card. File sizes use the page
// language's decimal sign.
func TestBrowserA11yCitizenStatus(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg := apptest.Config(t)
	base, agentAPI := onlineAdmin(t, cfg)
	const phone = "081311115555"
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Sari", "phone": phone, "category": "lainnya",
		"description": "Saldo kartu saya belum masuk."})
	id := ticketIDs(t, agentAPI, tn)[tn]

	root := newBrowser(t, browser)
	shots := newShots(t)
	tb := newTab(t, root)
	tb.addInitScript(t, "hold rating posts", holdCSAT)
	lookup := func() {
		tb.do(t, "look the complaint up",
			chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(base+"/pengaduan/status?lang=id-ID"),
			chromedp.WaitVisible(chromedp.ID("lookup-form")),
			chromedp.SendKeys("#tn", tn),
			chromedp.SendKeys("#contact", phone),
			chromedp.Focus("#lookup-btn"),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.ID("result")),
		)
	}
	tb.do(t, "in Jakarta's time", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Jakarta"})
		return chromedp.Void{}, err
	})
	// A number that cannot be one is said on its field, before any lookup.
	tb.do(t, "look up a short number",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/pengaduan/status?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("lookup-form")),
		chromedp.SendKeys("#tn", "1234-5678"),
		chromedp.SendKeys("#contact", phone),
		chromedp.Focus("#lookup-btn"),
		chromedp.KeyEvent(kb.Enter),
	)
	tb.waitJS(t, "told on the field, focused", fmt.Sprintf(`document.getElementById('tn-error').textContent === %q
		&& document.getElementById('tn').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'tn'
		&& document.getElementById('lookup-alert').textContent === '' && document.getElementById('result').hidden`, tx("validation.tn_format")))
	lookup()
	tb.waitJS(t, "the complaint in the thread", `document.querySelectorAll('#thread > li').length === 1`)
	// A deadline at midnight reads as the end of the day before: a
	// citizen in Jakarta given "10 Des 2026, 00.00" takes it for the 10th.
	if got, want := tb.evalString(t, `Tanggap.formatDeadline('2026-12-09T17:00:00Z')`), tb.evalString(t, `Tanggap.formatDate('2026-12-09T16:59:00Z')`); got != want || !strings.Contains(got, "23.59") {
		t.Errorf("a deadline at midnight in Jakarta reads %q, want %q (the end of the 9th)", got, want)
	}
	if got, want := tb.evalString(t, `Tanggap.formatDeadline('2026-12-10T02:30:00Z')`), tb.evalString(t, `Tanggap.formatDate('2026-12-10T02:30:00Z')`); got != want {
		t.Errorf("a deadline in the day reads %q, want %q as any time", got, want)
	}
	if got := tb.evalString(t, `(t => [t.getAttribute('aria-live'), t.getAttribute('role')].join('|'))(document.getElementById('thread'))`); got != "|" {
		t.Errorf("the thread is a live region (aria-live|role = %s): every refresh would read it all again", got)
	}
	if got := tb.attr(t, "#thread-news", "role"); got != "status" {
		t.Errorf("#thread-news role %q, want status", got)
	}
	// Everything the status line says, and every message node the thread
	// loses, from here on.
	tb.do(t, "watch the thread", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__said = [];
		window.__removed = 0;
		window.__first = document.querySelector('#thread > li');
		const news = document.getElementById('thread-news');
		new MutationObserver(() => { if (news.textContent) { window.__said.push(news.textContent); } })
			.observe(news, { childList: true, characterData: true, subtree: true });
		new MutationObserver((ms) => { ms.forEach((m) => { window.__removed += m.removedNodes.length; }); })
			.observe(document.getElementById('thread'), { childList: true });
	})()`))

	if r := agentAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Saldo sudah kami kirim ulang."}); r.Status/100 != 2 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	// The citizen's view carries a reply once it is delivered to the
	// channel: one refresh after that must show it.
	checkFor(t, asyncWait, func() error {
		var p struct {
			Messages []json.RawMessage `json:"messages"`
		}
		citizen.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+phone, nil).JSON(t, &p)
		if len(p.Messages) != 2 {
			return fmt.Errorf("%d messages in the citizen's view", len(p.Messages))
		}
		return nil
	})
	tb.do(t, "refresh by keyboard", chromedp.Focus("#refresh-btn"), chromedp.KeyEvent(kb.Enter))
	want := tx("status_page.new_replies", "n", 1)
	tb.waitJS(t, "the reply in the thread, said in the status line", fmt.Sprintf(`document.querySelectorAll('#thread > li').length === 2
		&& document.getElementById('thread-news').textContent === %q`, want))
	shots.take(t, tb, "a11y-status-new-reply-phone")
	tb.do(t, "refresh again", chromedp.Focus("#refresh-btn"), chromedp.KeyEvent(kb.Enter))
	tb.waitJS(t, "nothing new: the status line is quiet", `document.getElementById('thread-news').textContent === ''`)
	if got := tb.evalString(t, `JSON.stringify(window.__said)`); got != fmt.Sprintf("[%q]", want) {
		t.Errorf("the status line said %s, want the new reply once", got)
	}
	if got := tb.evalString(t, `String(window.__removed) + ' ' + String(window.__first === document.querySelector('#thread > li') && window.__first.isConnected)`); got != "0 true" {
		t.Errorf("refreshes drew the thread again (removed nodes, first message kept): %s", got)
	}
	if got := tb.evalString(t, `document.activeElement.id`); got != "refresh-btn" {
		t.Errorf("after the refresh the focus is on %q", got)
	}

	// The rating card: solved (its follow-up published first), the lookup shows it.
	apptest.FollowedUp(t, cfg, agentAPI, id)
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	checkFor(t, asyncWait, func() error {
		var p struct {
			CSAT string `json:"csat"`
		}
		citizen.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+phone, nil).JSON(t, &p)
		if p.CSAT == "" {
			return fmt.Errorf("no survey yet")
		}
		return nil
	})
	lookup()
	tb.waitJS(t, "the card, focused", `!document.getElementById('csat-card').hidden && document.activeElement === document.getElementById('csat-card')`)
	tb.do(t, "rate 4 by keyboard and send",
		chromedp.Focus(`input[name="rating"][value="3"]`),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.Focus("#csat-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	tb.waitJS(t, "the rating on its way", `window.__e2eHeld === 1`)
	if got := tb.evalString(t, `(b => [document.activeElement === b, b.disabled, b.getAttribute('aria-disabled')].join(' '))(document.getElementById('csat-send'))`); got != "true false true" {
		t.Errorf("while sending, Send (focused, disabled, aria-disabled) = %s; want the focus kept on a refusing button", got)
	}
	tb.do(t, "press Enter again", chromedp.KeyEvent(kb.Enter))
	tb.do(t, "let the rating go", chromedp.Evaluate[chromedp.Void](`window.__e2eRelease()`))
	tb.waitJS(t, "thanked, the card focused", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q
		&& document.getElementById('csat-form').hidden && document.activeElement === document.getElementById('csat-card')`, tx("csat.thanks")))
	if got := tb.evalString(t, `String(window.__e2eHeld)`); got != "1" {
		t.Errorf("%s rating posts, want 1", got)
	}
	shots.take(t, tb, "a11y-status-rated-phone")
	tb.checkConsole(t)

	// The complaint form: a file's size with a decimal comma in Bahasa
	// Indonesia, a dot in English.
	big := filepath.Join(t.TempDir(), "surat.pdf")
	if err := os.WriteFile(big, append([]byte("%PDF-1.4\n"), make([]byte, 3*1<<19)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want string }{{"id-ID", "(1,5 MB)"}, {"en-US", "(1.5 MB)"}} {
		tb.do(t, "choose a file in "+c.lang,
			chromedp.Navigate(base+"/pengaduan?lang="+c.lang),
			chromedp.WaitVisible(chromedp.ID("attachments")),
			chromedp.SetUploadFiles(chromedp.ID("attachments-input"), []string{big}),
		)
		if got := tb.text(t, "#file-list li"); !strings.HasPrefix(got, "surat.pdf "+c.want) {
			t.Errorf("%s: file list %q, want the name then %q", c.lang, got, c.want)
		}
		if got := tb.evalString(t, `String(document.querySelectorAll('p[aria-labelledby]').length)`); got != "0" {
			t.Errorf("%s: %s paragraphs named with aria-labelledby", c.lang, got)
		}
	}
	shots.take(t, tb, "a11y-complaint-file-phone")
}

// TestBrowserA11yCitizenLiveChat: a visitor waits with no officer online;
// a later queue frame leaves the queue box as it is (its live region says
// nothing again) and the focused "give contact" button keeps the focus.
// After the solve the visitor rates by keyboard and the focus goes from
// the Send button to the card, never to the page. The language button's
// name contains its visible word, marked in that word's language.
func TestBrowserA11yCitizenLiveChat(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	// An admin who is not online: nobody answers, the visitor waits.
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	root := newBrowser(t, browser)
	shots := newShots(t)
	tb := newTab(t, root)
	tb.instrument(t)
	tb.do(t, "open the chat page", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	tb.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	tb.waitJS(t, "the pre-chat form", `!document.getElementById('tgc-prechat').hidden`)
	tb.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	tb.do(t, "write", chromedp.SendKeys(chromedp.ID("tgc-text"), "Kartu saya terblokir"), chromedp.Click(chromedp.ID("tgc-send")))
	tb.waitJSFor(t, "the queue box with the give-contact button", asyncWait, `(b => b && !b.hidden && !document.getElementById('tgc-queue').hidden)(document.getElementById('tgc-give-contact'))`)
	tb.do(t, "focus the give-contact button and watch the queue box", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__give = document.getElementById('tgc-give-contact');
		window.__line = document.querySelector('#tgc-queue .tgc-queue-line');
		window.__give.focus();
		window.__queueFrames = window.__e2e.frames.filter((f) => f.type === 'queue').length;
		window.__queueChanges = 0;
		new MutationObserver((ms) => { window.__queueChanges += ms.length; })
			.observe(document.getElementById('tgc-queue'), { childList: true, characterData: true, subtree: true });
	})()`))
	shots.take(t, tb, "a11y-chat-queue-phone")
	// Another citizen's complaint is a ticket event: the gateway sends the
	// waiting visitor their place again (the 15 s backstop would too).
	apptest.NewClient(t, base).Complaint(map[string]string{"name": "Budi", "phone": "081322226666", "category": "lainnya",
		"description": "Pertanyaan tentang jadwal pelatihan."})
	tb.waitJSFor(t, "a later queue frame", asyncWait, `window.__e2e.frames.filter((f) => f.type === 'queue').length > window.__queueFrames`)
	if got := tb.evalString(t, `[document.activeElement === window.__give, window.__give.isConnected,
		window.__line === document.querySelector('#tgc-queue .tgc-queue-line'), window.__queueChanges].join(' ')`); got != "true true true 0" {
		t.Errorf("after a queue frame (focus kept, button kept, line kept, changes in the live region) = %s; want true true true 0", got)
	}

	// The language button: its name contains the visible word, in English.
	if got := tb.evalString(t, `(b => [b.getAttribute('aria-label'), b.textContent, b.firstElementChild ? b.firstElementChild.lang : ''].join('|'))(document.getElementById('tgc-lang'))`); got != tx("livechat.lang_switch_label")+"|English|en-US" {
		t.Errorf("language button (name|text|lang) %s", got)
	} else if label := tx("livechat.lang_switch_label"); !strings.Contains(label, tx("livechat.lang_switch")) {
		t.Errorf("the language button's name %q lacks its visible word %q", label, tx("livechat.lang_switch"))
	}

	// Solve; the rating card comes; rate by keyboard.
	tb.waitJS(t, "the tracking number in the widget's header", `!!(document.querySelector('#tgc-sub .tgc-tn') || {}).textContent`)
	tn := tb.evalString(t, `document.querySelector('#tgc-sub .tgc-tn').textContent`)
	id := ticketIDs(t, admin, tn)[tn]
	// A conversation long enough to fill the log, the answer last.
	for i, body := range []string{"Mohon tunggu, kami periksa.", "Kartu Anda terblokir karena salah PIN tiga kali.",
		"Kami sudah membuka blokirnya.", "Silakan coba lagi dengan PIN lama Anda.", "Jika masih gagal, hubungi kami lagi.",
		"Kartu Anda sudah aktif kembali."} {
		if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": body}); r.Status/100 != 2 {
			t.Fatalf("answer %d: %d %s", i, r.Status, r.Body)
		}
	}
	tb.waitJSFor(t, "the answers", asyncWait, `document.querySelectorAll('#tgc-log .tgc-theirs').length === 6`)
	if res := admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	tb.waitJSFor(t, "the rating card", asyncWait, `!document.getElementById('tgc-csat').hidden`)
	// Reloaded on a laptop with the card open: the log still ends with
	// the solve notice and the answer before it in view, and keeps room.
	tb.do(t, "reload on a laptop", chromedp.EmulateViewport(1366, 800), chromedp.Navigate(base+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	tb.waitJSFor(t, "the card after the replay", asyncWait, `!document.getElementById('tgc-csat').hidden && !document.getElementById('tgc-new').hidden
		&& document.querySelectorAll('#tgc-log .tgc-theirs').length === 6`)
	logEnd := `(l => { const r = l.getBoundingClientRect(), last = l.lastElementChild.getBoundingClientRect(), answer = [...l.querySelectorAll('.tgc-theirs')].pop().getBoundingClientRect();
		return [Math.round(r.height), last.bottom <= r.bottom + 1 && last.top >= r.top - 1, answer.bottom <= r.bottom + 1 && answer.bottom > r.top].join(' '); })(document.getElementById('tgc-log'))`
	checkFor(t, 2*time.Second, func() error {
		got := strings.Fields(tb.evalString(t, logEnd))
		if len(got) != 3 || atoi(got[0]) < 120 || got[1] != "true" || got[2] != "true" {
			return fmt.Errorf("after a reload with the rating card open, the log (height, solve notice in view, last answer in view) = %v; want at least 120 px, true, true", got)
		}
		return nil
	})
	shots.take(t, tb, "a11y-chat-card-reload-laptop")
	tb.do(t, "back to a phone", chromedp.EmulateViewport(390, 844))
	tb.do(t, "rate 5 by keyboard and send",
		chromedp.Focus("#tgc-rating-4"),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.Focus("#tgc-csat-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	tb.waitJS(t, "thanked, the card focused", fmt.Sprintf(`document.getElementById('tgc-csat-status').textContent === %q
		&& document.getElementById('tgc-csat-form').hidden && document.activeElement === document.getElementById('tgc-csat')`, tx("livechat.csat_thanks")))
	// Rated: the card no longer asks for a rating, and says which was given.
	if got := tb.evalString(t, `[...document.querySelectorAll('#tgc-csat > *')].filter((n) => n.offsetParent !== null && n.tagName !== 'FORM').map((n) => n.textContent).join(' | ')`); strings.Contains(got, tx("livechat.csat_intro", "tn", tn)) ||
		!strings.Contains(got, tx("livechat.csat_given", "rating", 5, "word", tx("livechat.csat_rating_5"))) {
		t.Errorf("rating card after rating 5 reads %q; want no %q, and %q", got, tx("livechat.csat_intro", "tn", tn), tx("livechat.csat_given", "rating", 5, "word", tx("livechat.csat_rating_5")))
	}
	shots.take(t, tb, "a11y-chat-rated-phone")
	tb.checkConsole(t)
}

// newTabLinks lists, for each link in scope that opens a new tab, its
// text (what a screen reader reads as its name).
const newTabLinks = `JSON.stringify([...document.querySelectorAll(%q)].filter((a) => a.target === '_blank').map((a) => a.textContent.replace(/\s+/g, ' ').trim()))`

// TestBrowserA11yCitizenLauncher: every link of the launcher (its entries
// and its footer) and of the landing page that opens a new tab says so;
// the launcher's language button is named with its visible word, marked
// in that word's language, in both languages.
func TestBrowserA11yCitizenLauncher(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := func(key string) string {
		cat, err := locale.Load()
		if err != nil {
			t.Fatal(err)
		}
		return cat.T(locale.English, key)
	}
	var appURL string
	site := launcherSite(t, &appURL)
	cfg := launcherConfig(t, site.URL)
	cfg.Brand = config.Brand{File: filepath.Join("..", "brand", "seed", "demo.yaml"), ContactPhone: "1500-123", ContactWhatsApp: "+6281100001234"}
	appURL = apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	tb := newTab(t, root)

	checkNewTabs := func(where, scope string, least int) {
		t.Helper()
		var links []string
		if err := json.Unmarshal([]byte(tb.evalString(t, fmt.Sprintf(newTabLinks, scope))), &links); err != nil {
			t.Fatal(err)
		}
		if len(links) < least {
			t.Errorf("%s: %d links open a new tab, want at least %d", where, len(links), least)
		}
		for _, l := range links {
			if !strings.HasSuffix(l, tx("launcher.new_page")) {
				t.Errorf("%s: the link %q opens a new tab without saying so", where, l)
			}
		}
	}
	langButton := func(label, word, lang string) {
		t.Helper()
		got := tb.evalString(t, `(b => [b.getAttribute('aria-label'), b.textContent, b.firstElementChild ? b.firstElementChild.lang : ''].join('|'))(document.getElementById('tgl-lang'))`)
		if want := label + "|" + word + "|" + lang; got != want {
			t.Errorf("language button (name|text|lang) %s, want %s", got, want)
		}
		if !strings.Contains(label, word) {
			t.Errorf("the language button's name %q lacks its visible word %q", label, word)
		}
	}

	tb.do(t, "open the launcher on the program's site", chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.URL),
		chromedp.WaitVisible(chromedp.ID("tgl-button")), chromedp.Click(chromedp.ID("tgl-button")), chromedp.WaitVisible(chromedp.ID("tgl-panel")))
	tb.waitJS(t, "the menu", `document.querySelectorAll('#tgl-menu > li').length > 0 && document.querySelectorAll('.tgl-foot a').length === 2`)
	// WhatsApp, the form and the status page in the menu; the landing
	// page and the privacy notice in the footer.
	checkNewTabs("launcher", "#tgl-panel a", 5)
	langButton(tx("launcher.lang_switch_label"), tx("launcher.lang_switch"), "en-US")
	shots.take(t, tb, "a11y-launcher-phone")
	tb.do(t, "switch to English", chromedp.Click(chromedp.ID("tgl-lang")))
	tb.waitJS(t, "the menu in English", fmt.Sprintf(`document.getElementById('tgl-button').textContent === %q`, en("launcher.button")))
	langButton(en("launcher.lang_switch_label"), en("launcher.lang_switch"), "id-ID")

	tb.do(t, "open the landing page", chromedp.Navigate(appURL+"/?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("tgl-menu")))
	checkNewTabs("landing page", "#tgl-menu a", 1) // WhatsApp at least
	shots.take(t, tb, "a11y-landing-phone")
	tb.checkConsole(t)
}
