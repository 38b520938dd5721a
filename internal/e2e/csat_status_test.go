package e2e

import (
	"fmt"
	"net/http"
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
