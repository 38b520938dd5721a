package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
	"tanggap/internal/csat"
)

// TestBrowserLiveChatSurvey: an agent solves a chat while the visitor's
// widget is open; the widget shows the rating card (focused, 1–5 with
// words), the visitor rates by keyboard with a comment, and the rating is
// the ticket's CSAT rating under the live-chat channel. The card shows
// once per solve: a reload does not bring it back. The visitor gave no
// phone or email, so the chat's end says its tracking number cannot be
// checked on the status page (and it cannot). Screenshots at 1366×800
// and 390×844.
func TestBrowserLiveChatSurvey(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, agentAPI := onlineAdmin(t, apptest.Config(t))
	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)
	citizen.do(t, "open the chat page", chromedp.EmulateViewport(1366, 800), chromedp.Navigate(base+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	citizen.waitJS(t, "the pre-chat form", `!document.getElementById('tgc-prechat').hidden`)
	citizen.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	citizen.do(t, "write", chromedp.SendKeys(chromedp.ID("tgc-text"), "Kartu saya belum aktif"), chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "message acknowledged", `!!document.querySelector('.tgc-mine[data-status="sent"]')`)
	// The header gets the tracking number once the core has stored the
	// message, which may come after the gateway's acknowledgement.
	citizen.waitJS(t, "the tracking number in the widget's header", `!!(document.querySelector('#tgc-sub .tgc-tn') || {}).textContent`)
	tn := citizen.evalString(t, `document.querySelector('#tgc-sub .tgc-tn').textContent`)
	id := ticketIDs(t, agentAPI, tn)[tn]
	if citizen.evalString(t, `String(document.getElementById('tgc-csat').hidden)`) != "true" {
		t.Fatal("a rating card before the solve")
	}
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	citizen.waitJSFor(t, "the rating card, focused", asyncWait, fmt.Sprintf(`!document.getElementById('tgc-csat').hidden
		&& document.activeElement === document.getElementById('tgc-csat')
		&& document.getElementById('tgc-csat-intro').textContent.includes(%q)
		&& document.querySelector('label[for], .tgc-csat-choice') !== null
		&& document.querySelectorAll('#tgc-csat input[name="tgc-rating"]').length === 5
		&& document.querySelector('#tgc-rating-5').parentNode.textContent === %q`, tn, "5 · "+tx("livechat.csat_rating_5")))
	noStatus := fmt.Sprintf(`[...document.querySelectorAll('#tgc-log li.tgc-system')].some(li => li.textContent === %q)`, tx("livechat.solved_no_contact", "tn", tn))
	citizen.waitJS(t, "the chat's end says the status page cannot find it", noStatus)
	if r := agentAPI.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact=081211112222", nil); r.Status != http.StatusNotFound {
		t.Errorf("status lookup of a chat opened without a contact: %d", r.Status)
	}
	// The panel grows while the card is shown: its buttons are in view,
	// not inside the card's own scroll, with the conversation above.
	citizen.waitJS(t, "the card whole, its buttons in view", `(c => c.scrollHeight <= c.clientHeight + 1
		&& document.getElementById('tgc-csat-send').getBoundingClientRect().bottom <= c.getBoundingClientRect().bottom
		&& document.getElementById('tgc-log').getBoundingClientRect().height >= 110)(document.getElementById('tgc-csat'))`)
	shots.take(t, citizen, "28-csat-chat-card-laptop")
	// Sending with nothing picked says what is missing.
	citizen.do(t, "send without a rating", chromedp.Focus("#tgc-csat-send"), chromedp.KeyEvent(kb.Enter))
	citizen.waitJS(t, "asked to pick", fmt.Sprintf(`document.getElementById('tgc-csat-error').textContent === %q && !document.getElementById('tgc-csat-error').hidden`,
		tx("livechat.csat_pick")))
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	checkInPanel(t, citizen, "#tgc-csat-send", "#tgc-csat-later")
	citizen.do(t, "rate 4 by keyboard",
		chromedp.Focus("#tgc-rating-3"),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowDown),
	)
	citizen.waitJS(t, "4 is chosen, the prompt gone", `document.querySelector('input[name="tgc-rating"]:checked').value === "4"
		&& document.getElementById('tgc-csat-error').hidden`)
	shots.take(t, citizen, "29-csat-chat-card-phone")
	citizen.do(t, "comment and send",
		chromedp.SendKeys("#tgc-csat-comment", "Cepat ditangani"),
		chromedp.Focus("#tgc-csat-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	citizen.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('tgc-csat-status').textContent === %q && document.getElementById('tgc-csat-form').hidden`,
		tx("livechat.csat_thanks")))
	shots.take(t, citizen, "30-csat-chat-thanks-phone")
	citizen.checkConsole(t)

	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", id), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 4 || ratings.Ratings[0].Comment != "Cepat ditangani" ||
		ratings.Ratings[0].AnsweredBy != csat.ByLiveChat || ratings.Ratings[0].Channel != "livechat" {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}

	// Once per solve: after a reload the card stays away.
	citizen.do(t, "reload", chromedp.EmulateViewport(1366, 800), chromedp.Navigate(base+"/chat?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJS(t, "history replayed", `document.querySelectorAll('.tgc-mine').length === 1 && document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	citizen.waitJS(t, "the solve shown again", `!document.getElementById('tgc-new').hidden`)
	citizen.waitJS(t, "and again without the status page", noStatus)
	if citizen.evalString(t, `String(document.getElementById('tgc-csat').hidden)`) != "true" {
		t.Fatal("the rating card came back after the reload")
	}
	if got := strings.TrimSpace(citizen.text(t, "#tgc-sub")); !strings.Contains(got, tn) {
		t.Errorf("header %q", got)
	}

	// The agent reopens the ticket: the citizen reads so, and the chat
	// takes messages in this conversation again (no new one offered).
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "open"}); res.Status != 200 {
		t.Fatalf("reopen: %d %s", res.Status, res.Body)
	}
	citizen.waitJSFor(t, "told the chat is open again", asyncWait, fmt.Sprintf(`[...document.querySelectorAll('#tgc-log li')].some((li) => li.textContent.includes(%q))
		&& document.getElementById('tgc-new').hidden`, tx("livechat.reopened", "tn", tn)))
	shots.take(t, citizen, "30b-chat-reopened-laptop")
	citizen.checkConsole(t)
}
