package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/csat"
	"tanggap/internal/ticket"
)

// TestBrowserCSATCommentAfterWhatsApp: a citizen taps "2" on WhatsApp; the
// thanks invites a reason at the survey's link. The link's card shows the
// rating given and a comment box; an empty send says what is missing, the
// comment is thanked, and the link then just says it is rated. The
// supervisor's low-rating alert and the ticket's rating carry the comment:
// an admin's board open meanwhile shows it as it comes (csat.commented),
// without a reload.
func TestBrowserCSATCommentAfterWhatsApp(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newSurveyGraph(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: graph.srv.URL, APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
	base, api := onlineAdmin(t, cfg)
	hook := apptest.NewClient(t, base)
	const waID = "6281377776666"
	hook.WhatsApp(apptest.WhatsAppText(waID, "Sari", "wamid.c-1", time.Now(), "Bantuan belum cair"))

	var d ticket.Detail
	checkFor(t, 20*time.Second, func() error {
		var list struct {
			Tickets []ticket.Summary `json:"tickets"`
		}
		api.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &list)
		for _, s := range list.Tickets {
			if s.Channel == "whatsapp" && s.AssigneeID != nil {
				api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(t, &d)
				return nil
			}
		}
		return fmt.Errorf("no assigned WhatsApp ticket yet")
	})
	if res := api.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", d.ID), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	var two string
	checkFor(t, 20*time.Second, func() error {
		l := graph.surveys(waID, "interactive")
		if len(l) != 1 {
			return fmt.Errorf("no survey list sent")
		}
		rows := l[0]["interactive"].(map[string]any)["action"].(map[string]any)["sections"].([]any)[0].(map[string]any)["rows"].([]any)
		for _, r := range rows {
			if row := r.(map[string]any); strings.HasPrefix(row["title"].(string), "2 ") {
				two = row["id"].(string)
			}
		}
		return nil
	})
	hook.WhatsApp(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Sari"}, "wa_id": waID}},
		"messages": []any{map[string]any{"from": waID, "id": "wamid.c-2", "timestamp": fmt.Sprint(time.Now().Unix()),
			"type": "interactive", "interactive": map[string]any{"type": "list_reply", "list_reply": map[string]any{"id": two, "title": "2 · Tidak puas"}}}},
	})
	// The thanks carries the survey's link.
	var link *url.URL
	checkFor(t, 20*time.Second, func() error {
		l := graph.surveys(waID, "text")
		if len(l) != 1 {
			return fmt.Errorf("thanks: %v", l)
		}
		body := fmt.Sprint(l[0]["text"].(map[string]any)["body"])
		m := surveyLinkRE.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, tx("csat.wa_thanks_comment", "link", m[0])) {
			return fmt.Errorf("no invitation with the survey link in %q", body)
		}
		var err error
		link, err = url.Parse(m[0])
		return err
	})

	root := newBrowser(t, browser)
	shots := newShots(t)
	// An admin's board, open before the comment: the tap's alert, with no
	// reason yet.
	console := newTab(t, root)
	console.instrument(t)
	console.do(t, "a laptop-sized console", chromedp.EmulateViewport(1366, 800))
	console.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	console.openBoard(t)
	console.waitLive(t, "the tap's alert without a comment", fmt.Sprintf(`(l => l !== null && l.textContent.includes(%q) && l.textContent.includes(%q) && l.querySelector('q.csat-comment') === null)(document.getElementById('csat-alerts'))`,
		d.TrackingNumber, tx("csat.console_rating", "rating", 2, "words", tx("csat.rating_2"))))
	console.keepMark(t)

	page := newTab(t, root)
	page.do(t, "open the link of the thanks",
		chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(base+link.RequestURI()+"&lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("csat-comment-form")),
	)
	page.waitJS(t, "the rating given and a comment box", fmt.Sprintf(`document.getElementById('csat-given').textContent === %q
		&& document.getElementById('csat-form').hidden && !document.getElementById('csat-comment-form').hidden
		&& document.getElementById('csat-tn').textContent === %q && document.activeElement === document.getElementById('csat-card')
		&& document.querySelector('label[for="csat-comment-later"]').textContent === %q`,
		tx("csat.given", "rating", 2, "words", tx("csat.rating_2")), d.TrackingNumber, tx("csat.comment_later")))
	shots.take(t, page, "24-csat-comment-after-whatsapp")
	page.do(t, "a phone-sized window", chromedp.EmulateViewport(390, 844))
	if w := page.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("status page is %s px wide on a 390 px screen", w)
	}
	shots.take(t, page, "25-csat-comment-after-whatsapp-phone")
	// An empty comment says what is missing, on the box, which keeps the focus.
	page.do(t, "send nothing", chromedp.Focus("#csat-comment-send"), chromedp.KeyEvent(kb.Enter))
	page.waitJS(t, "asked to write", fmt.Sprintf(`document.getElementById('csat-comment-later-error').textContent === %q
		&& document.getElementById('csat-comment-later').getAttribute('aria-invalid') === 'true'
		&& document.activeElement === document.getElementById('csat-comment-later')`, tx("csat.comment_required")))
	page.do(t, "write and send",
		chromedp.SendKeys("#csat-comment-later", "Sudah tiga bulan dana belum masuk"),
		chromedp.Focus("#csat-comment-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	page.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q
		&& document.getElementById('csat-comment-form').hidden && document.activeElement === document.getElementById('csat-card')`, tx("csat.comment_thanks")))
	shots.take(t, page, "26-csat-comment-thanks-phone")
	page.do(t, "open the link again", chromedp.Navigate(base+link.RequestURI()), chromedp.WaitVisible(chromedp.ID("csat-status")))
	page.waitJS(t, "already rated", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q
		&& document.getElementById('csat-form').hidden && document.getElementById('csat-comment-form').hidden`, tx("csat.already_rated", "rating", 2)))
	page.checkConsole(t)

	// The board heard it: the alert shows the comment, announced, with no
	// reload.
	console.waitLive(t, "the comment's event", `window.__e2e.frames.some(f => f.event === 'csat.commented')`)
	console.waitLive(t, "the comment on the alert", `(l => l !== null && l.querySelector('q.csat-comment') !== null
		&& l.querySelector('q.csat-comment').textContent === "Sudah tiga bulan dana belum masuk")(document.getElementById('csat-alerts'))`)
	console.waitJS(t, "the comment announced", fmt.Sprintf(`document.getElementById('csat-announce').textContent === %q`,
		tx("csat.comment_new", "tracking", d.TrackingNumber)))
	console.checkNoReload(t)
	console.checkConsole(t)

	// The supervisor's alert and the ticket's rating carry the reason.
	var alerts struct {
		Alerts []csat.Alert `json:"alerts"`
	}
	api.Do(http.MethodGet, "/api/v1/csat/alerts", nil).JSON(t, &alerts)
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].TicketID != d.ID || alerts.Alerts[0].Rating != 2 || alerts.Alerts[0].Comment != "Sudah tiga bulan dana belum masuk" {
		t.Fatalf("alerts %+v", alerts.Alerts)
	}
	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", d.ID), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].AnsweredBy != csat.ByWhatsApp || ratings.Ratings[0].Comment != "Sudah tiga bulan dana belum masuk" ||
		ratings.Ratings[0].CommentBy != csat.ByLink {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}
}
