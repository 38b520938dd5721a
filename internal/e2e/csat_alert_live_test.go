package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCSATAlertShowsTheLiveChatComment: a supervisor (Dewi) watches
// the board while a chat visitor rates the solved chat 2 of 5 and writes a
// comment in the same rating card. The low rating arrives by the push
// socket (which carries no comment) and the board shows it with its
// comment, with no reload.
func TestBrowserCSATAlertShowsTheLiveChatComment(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, admin := onlineAdmin(t, demoConfig(t))
	root := newBrowser(t, browser)

	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "socket open", socketOpenJS)
	dewi.openBoard(t)
	dewi.waitJS(t, "no low ratings yet", fmt.Sprintf(`document.getElementById('csat-board').textContent.includes(%q)`, tx("csat.console_alerts_none")))
	dewi.evalString(t, `String(window.tanggapNoReload = true)`) // a reload would lose the mark

	citizen := newTab(t, root)
	citizen.do(t, "open the chat page", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	citizen.waitJS(t, "the pre-chat form", `!document.getElementById('tgc-prechat').hidden`)
	citizen.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	citizen.do(t, "write", chromedp.SendKeys(chromedp.ID("tgc-text"), "Kartu saya belum aktif"), chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "the tracking number in the widget's header", `!!(document.querySelector('#tgc-sub .tgc-tn') || {}).textContent`)
	tn := citizen.evalString(t, `document.querySelector('#tgc-sub .tgc-tn').textContent`)
	id := ticketIDs(t, admin, tn)[tn]
	if res := admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	citizen.waitJSFor(t, "the rating card", asyncWait, `!document.getElementById('tgc-csat').hidden`)
	const comment = "Sudah dua minggu belum ada kabar"
	citizen.do(t, "rate 2 with a comment and send",
		chromedp.Click("#tgc-rating-2"),
		chromedp.SendKeys("#tgc-csat-comment", comment),
		chromedp.Click("#tgc-csat-send"),
	)
	citizen.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('tgc-csat-status').textContent === %q`, tx("livechat.csat_thanks")))

	dewi.waitLive(t, "the low rating on the board, with its comment", alertsSayJS(tn,
		tx("csat.console_rating", "rating", 2, "words", tx("csat.rating_2")), comment))
	if dewi.evalString(t, `String(window.tanggapNoReload === true)`) != "true" {
		t.Fatal("the board was reloaded")
	}
	if got := dewi.evalString(t, `String(document.querySelectorAll('#csat-alerts li').length)`); got != "1" {
		t.Errorf("alerts listed: %s, want 1", got)
	}
	shots := newShots(t)
	dewi.scrollTo(t, "csat-board")
	shots.take(t, dewi, "csat-alert-livechat-comment-desktop")
	dewi.checkConsole(t)
	citizen.checkConsole(t)
}
