package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
	"tanggap/internal/csat"
)

// TestBrowserStatusPINSurvey: an anonymous complaint, followed up with its
// tracking number and PIN (no contact, no link), is solved; the PIN lookup
// on the status page shows the rating card above the complaint like a
// lookup by contact does, here in English on a 390 px phone. The citizen
// rates by keyboard and the rating lands on the ticket, answered on the
// status page.
func TestBrowserStatusPINSurvey(t *testing.T) {
	browser := findBrowser(t)
	en := textsIn(t, "en-US")
	cfg := apptest.Config(t)
	base := apptest.Start(t, cfg).URL()
	agentAPI := apptest.NewClient(t, base)
	agentAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	citizen := apptest.NewClient(t, base)
	res := citizen.Do(http.MethodPost, "/api/v1/complaints", map[string]any{"anonymous": true, "category": "pelatihan",
		"description": "Ada pungutan liar di tempat pelatihan kecamatan."})
	var sub struct {
		TN  string `json:"tracking_number"`
		PIN string `json:"pin"`
	}
	if err := json.Unmarshal(res.Body, &sub); err != nil || res.Status != http.StatusCreated || sub.PIN == "" {
		t.Fatalf("anonymous complaint: %d %s", res.Status, res.Body)
	}
	id := ticketIDs(t, agentAPI, sub.TN)[sub.TN]
	apptest.FollowedUp(t, cfg, agentAPI, id) // a complaint is solved once its follow-up is published
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	// The solve's job makes the survey; the PIN lookup carries it once made.
	checkFor(t, 20e9, func() error {
		var p struct {
			Ticket struct {
				CSAT string `json:"csat"`
			} `json:"ticket"`
		}
		r := citizen.Do(http.MethodPost, "/api/v1/complaints/"+sub.TN+"/pin", map[string]string{"pin": sub.PIN})
		if r.Status != http.StatusOK {
			return fmt.Errorf("PIN lookup: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &p)
		if p.Ticket.CSAT == "" {
			return fmt.Errorf("no survey on the PIN lookup yet")
		}
		return nil
	})

	root := newBrowser(t, browser)
	shots := newShots(t)
	phone := newTab(t, root)
	phone.do(t, "look the complaint up with its PIN",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/pengaduan/status?lang=en-US"),
		chromedp.WaitVisible(chromedp.ID("lookup-form")),
		chromedp.SendKeys("#tn", sub.TN),
		chromedp.SendKeys("#pin", sub.PIN),
		chromedp.Focus("#lookup-btn"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("result")),
		chromedp.WaitVisible(chromedp.ID("csat-card")),
	)
	phone.waitJS(t, "the card names the ticket, in English, and has focus", fmt.Sprintf(`document.getElementById('csat-tn').textContent === %q
		&& document.getElementById('csat-title').textContent.trim() === %s
		&& document.activeElement === document.getElementById('csat-card')
		&& document.getElementById('csat-card').nextElementSibling === document.getElementById('result')`, sub.TN, jsString(en("csat.card_title"))))
	checkFits(t, phone, "the status page with the rating card", 390)
	shots.take(t, phone, "csat-pin-01-card-phone-en")
	phone.do(t, "rate 4 by keyboard",
		chromedp.Focus(`input[name="rating"][value="3"]`),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowRight),
	)
	phone.waitJS(t, "4 is chosen", `document.querySelector('input[name="rating"]:checked').value === "4"`)
	phone.do(t, "send", chromedp.Focus("#csat-send"), chromedp.KeyEvent(kb.Enter))
	phone.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('csat-status').textContent === %s && document.getElementById('csat-form').hidden`, jsString(en("csat.thanks"))))
	shots.take(t, phone, "csat-pin-02-thanks-phone-en")
	phone.checkConsole(t)

	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", id), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 4 || ratings.Ratings[0].AnsweredBy != csat.ByStatus {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}
}
