package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestLiveChatWidgetOutsideHours: the widget on another site, opened
// while the chat's queue is closed, says so before the visitor writes,
// with when it opens again, in the chat page's words; a message written
// then gets the "outside service hours" line with the opening day and
// time in the queue's zone (WIB), which later queue frames leave as it is
// (its live region says it once). The English switch says it in English.
// At laptop and phone sizes.
func TestLiveChatWidgetOutsideHours(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	en := textsIn(t, "en-US")
	var appURL string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Situs program</title></head>
<body><h1>Situs program</h1><p>Informasi program.</p>
<script src="%s/static/js/livechat-widget.js" data-lang="id-ID" defer></script></body></html>`, appURL)
	}))
	t.Cleanup(site.Close)
	// The default queue (live chat's) opens at 08:00 WIB three days from
	// today; nobody is online.
	cfg := launcherConfig(t, site.URL)
	_, openDay := launcherSeed(t)
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	openDayEN := en("launcher.day_" + []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[time.Now().In(wib).AddDate(0, 0, 3).Weekday()])
	app := apptest.Start(t, cfg)
	appURL = app.URL()
	root := newBrowser(t, browser)
	shots := newShots(t)

	opens := tx("launcher.opens_at", "when", tx("launcher.on_day", "day", openDay, "time", "08.00 WIB"))
	before := tx("launcher.state_closed") + ". " + opens + " " + tx("launcher.chat_closed")
	written := tx("livechat.closed_hours", "opens", opens)
	writtenEN := en("livechat.closed_hours", "opens", en("launcher.opens_at", "when", en("launcher.on_day", "day", openDayEN, "time", "08:00 WIB")))

	// The chat page says it in these words above the widget.
	page := newTab(t, root)
	page.do(t, "open the chat page", chromedp.Navigate(appURL+"/chat?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("chat-hours")))
	if got := page.text(t, "#chat-hours"); got != before {
		t.Fatalf("the chat page says %q, want %q", got, before)
	}

	for _, size := range laptopAndPhone {
		t.Run(size.name, func(t *testing.T) {
			citizen := newTab(t, root)
			citizen.instrument(t)
			citizen.do(t, "a "+size.name+" screen", chromedp.EmulateViewport(size.w, size.h))
			citizen.do(t, "open the program's site", chromedp.Navigate(site.URL), chromedp.WaitVisible(chromedp.ID("tgc-launcher")))
			citizen.waitJS(t, "widget texts loaded", `document.getElementById('tgc-launcher').textContent === 'Obrolan'`)
			citizen.do(t, "open the widget", chromedp.Click(chromedp.ID("tgc-launcher")))
			citizen.waitJS(t, "connected, the pre-chat form", `document.getElementById('tgc-status').classList.contains('tgc-status-open') &&
				!document.getElementById('tgc-prechat').hidden`)
			// Before writing: closed, when it opens, what still works.
			citizen.waitJSFor(t, "the closed notice", asyncWait, fmt.Sprintf(`!document.getElementById('tgc-queue').hidden &&
				document.getElementById('tgc-queue-line').textContent === %q`, before))
			if got := citizen.attr(t, "#tgc-text", "aria-describedby"); got != "tgc-queue-line" {
				t.Errorf("the message box is described by %q, want the closed notice", got)
			}
			if citizen.evalString(t, `String(document.getElementById('tgc-queue').querySelector('.tgc-hint').hidden && !document.getElementById('tgc-give-contact'))`) != "true" {
				t.Errorf("the closed notice before writing shows the waiting visitor's hint or contact button")
			}
			checkInPanel(t, citizen, "#tgc-queue-line", ".tgc-prechat .tgc-btn", ".tgc-prechat .tgc-btn-plain")
			shots.take(t, citizen, "widget-closed-"+size.name+"-01-before")

			citizen.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
			citizen.do(t, "write", chromedp.SendKeys(chromedp.ID("tgc-text"), "Selamat malam, kartu saya belum aktif"),
				chromedp.Click(chromedp.ID("tgc-send")))
			citizen.waitJS(t, "message acknowledged", `document.querySelector('.tgc-mine[data-status="sent"]')`)
			citizen.waitJSFor(t, "outside hours, with the opening", asyncWait, fmt.Sprintf(`!document.getElementById('tgc-queue').hidden &&
				document.getElementById('tgc-queue-line').textContent === %q`, written))
			if got := citizen.text(t, "#tgc-queue .tgc-hint"); got != tx("livechat.answer_here") {
				t.Errorf("how the answer comes = %q", got)
			}
			if got := citizen.evalString(t, `String(document.getElementById('tgc-text').hasAttribute('aria-describedby'))`); got != "false" {
				t.Errorf("after writing the message box is still described by the notice before writing")
			}
			checkInPanel(t, citizen, "#tgc-queue-line", "#tgc-send", "#tgc-text")
			shots.take(t, citizen, "widget-closed-"+size.name+"-02-written")

			// A later queue frame (another citizen's complaint is a ticket
			// event) changes nothing in the live region.
			citizen.do(t, "watch the queue box", chromedp.Evaluate[chromedp.Void](`(() => {
				window.__queueFrames = window.__e2e.frames.filter((f) => f.type === 'queue').length;
				window.__queueChanges = 0;
				new MutationObserver((ms) => { window.__queueChanges += ms.length; })
					.observe(document.getElementById('tgc-queue'), { childList: true, characterData: true, subtree: true });
			})()`))
			apptest.NewClient(t, appURL).Complaint(map[string]string{"name": "Budi", "phone": "081322226666", "category": "lainnya",
				"description": "Pertanyaan tentang jadwal pelatihan."})
			citizen.waitJSFor(t, "a later queue frame", asyncWait, `window.__e2e.frames.filter((f) => f.type === 'queue').length > window.__queueFrames`)
			if got := citizen.evalString(t, `String(window.__queueChanges)`); got != "0" {
				t.Errorf("a later queue frame changed the queue box %s times", got)
			}

			citizen.do(t, "switch to English", chromedp.Click(chromedp.ID("tgc-lang")))
			citizen.waitJS(t, "English texts", `document.getElementById('tgc-send').textContent === 'Send'`)
			citizen.waitJS(t, "outside hours, in English", fmt.Sprintf(`document.getElementById('tgc-queue-line').textContent === %q`, writtenEN))
			shots.take(t, citizen, "widget-closed-"+size.name+"-03-english")
			citizen.checkConsole(t)
		})
	}
}
