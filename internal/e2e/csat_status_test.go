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

// TestBrowserStatusLookupSurvey: a citizen looks their solved complaint up
// on the status page (tracking number and phone, no link) and the rating
// card shows above it; they rate by keyboard. The same lookup left open
// in a second tab refuses its answer kindly: the solve is rated once.
// Screenshots at 1366×800 and 390×844.
func TestBrowserStatusLookupSurvey(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg := apptest.Config(t)
	base, agentAPI := onlineAdmin(t, cfg)
	const phone = "081311114444"
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Dewi", "phone": phone, "category": "lainnya",
		"description": "Bantuan belum cair sejak dua bulan."})
	id := ticketIDs(t, agentAPI, tn)[tn]
	apptest.FollowedUp(t, cfg, agentAPI, id) // a complaint is solved once its follow-up is published
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	// The solve's job makes the survey; the lookup carries it once made.
	checkFor(t, 20e9, func() error {
		var p struct {
			CSAT string `json:"csat"`
		}
		citizen.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+phone, nil).JSON(t, &p)
		if p.CSAT == "" {
			return fmt.Errorf("no survey yet")
		}
		return nil
	})

	root := newBrowser(t, browser)
	shots := newShots(t)
	lookup := func(tb *tab, w, h int64) {
		tb.do(t, "look the complaint up",
			chromedp.EmulateViewport(w, h),
			chromedp.Navigate(base+"/pengaduan/status?lang=id-ID"),
			chromedp.WaitVisible(chromedp.ID("lookup-form")),
			chromedp.SendKeys("#tn", tn),
			chromedp.SendKeys("#contact", phone),
			chromedp.Focus("#lookup-btn"),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.ID("result")),
			chromedp.WaitVisible(chromedp.ID("csat-card")),
		)
		tb.waitJS(t, "the card names the ticket and has focus", fmt.Sprintf(`document.getElementById('csat-tn').textContent === %q
			&& document.activeElement === document.getElementById('csat-card')
			&& document.getElementById('csat-card').nextElementSibling === document.getElementById('result')`, tn))
	}
	first := newTab(t, root)
	lookup(first, 1366, 800)
	second := newTab(t, root)
	lookup(second, 390, 844)
	if w := second.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("status page is %s px wide on a 390 px screen", w)
	}
	shots.take(t, second, "24-csat-lookup-card-phone")
	shots.take(t, first, "25-csat-lookup-card-laptop")

	first.do(t, "rate 5 by keyboard",
		chromedp.Focus(`input[name="rating"][value="4"]`),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowRight),
	)
	first.waitJS(t, "5 is chosen", `document.querySelector('input[name="rating"]:checked').value === "5"`)
	first.do(t, "send", chromedp.Focus("#csat-send"), chromedp.KeyEvent(kb.Enter))
	first.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q && document.getElementById('csat-form').hidden`, tx("csat.thanks")))
	// A refresh of the complaint leaves the card as it is.
	first.do(t, "refresh", chromedp.Click(chromedp.ID("refresh-btn")))
	first.waitJS(t, "still thanked", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q`, tx("csat.thanks")))
	shots.take(t, first, "26-csat-lookup-thanks-laptop")

	second.do(t, "answer in the other tab",
		chromedp.Click(`input[name="rating"][value="1"]`),
		chromedp.Focus("#csat-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	second.waitJS(t, "refused kindly", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q && document.getElementById('csat-form').hidden`,
		tx("error.csat_already_rated")))
	shots.take(t, second, "27-csat-lookup-refused-phone")
	first.checkConsole(t)

	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", id), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 5 || ratings.Ratings[0].AnsweredBy != csat.ByStatus {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}
}

// TestBrowserStatusInvalidSurveyLink: a survey link that is not one
// (/pengaduan/status?csat=abc123) says so as an error (an alert, in the
// error style) and nothing else: no claim that a complaint is resolved, no
// rating form, no success-styled status. Both languages; screenshots at
// 1366×800 and 390×844.
func TestBrowserStatusInvalidSurveyLink(t *testing.T) {
	browser := findBrowser(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	for _, c := range []struct {
		lang string
		w, h int64
	}{{"id-ID", 1366, 800}, {"en-US", 390, 844}} {
		tr := textsIn(t, c.lang)
		page := newTab(t, root)
		page.do(t, "open an invalid survey link", chromedp.EmulateViewport(c.w, c.h),
			chromedp.Navigate(base+"/pengaduan/status?csat=abc123&lang="+c.lang), chromedp.WaitVisible(chromedp.ID("csat-card")))
		page.waitJS(t, "the link refused as an error", fmt.Sprintf(`(e => !!e && !e.hidden && e.getClientRects().length > 0
			&& e.getAttribute('role') === 'alert' && e.classList.contains('alert-error') && e.textContent === %q)(document.getElementById('csat-error'))`,
			tr("error.csat_bad_link")))
		resolved := strings.TrimSuffix(strings.SplitN(tr("csat.card_intro"), ".", 2)[0], ".")
		if got := page.evalString(t, `document.querySelector('main').innerText`); strings.Contains(got, resolved) {
			t.Errorf("%s: an invalid link says the complaint is resolved: %q", c.lang, got)
		}
		if got := page.evalString(t, `[document.getElementById('csat-intro'), document.getElementById('csat-form'), document.getElementById('csat-comment-form')]
			.map(e => e.getClientRects().length > 0 ? e.id : '').join('') + '|' + document.getElementById('csat-status').textContent`); got != "|" {
			t.Errorf("%s: shown besides the error (visible parts | success status): %q", c.lang, got)
		}
		shots.take(t, page, "csat-invalid-link-"+c.lang)
		page.checkConsole(t)
	}
}
