package e2e

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/emersion/go-smtp"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/csat"
	"tanggap/internal/ticket"
)

var surveyLinkRE = regexp.MustCompile(`https?://[^/\s"]+(/pengaduan/status\?csat=[A-Za-z0-9._-]+)`)

// TestBrowserFormSurvey: an agent solves a complaint-form ticket; the
// citizen opens the survey link the solve notification carried to them
// (an e-mail over SMTP) on the status page, rates by keyboard with a comment, and the rating
// lands in the report under the form channel, the ticket's queue, agent
// and province (from the NIK). A 2 alerts the queue's supervisors; the
// link takes one answer.
func TestBrowserFormSurvey(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "127.0.0.1"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	cfg := apptest.Config(t)
	cfg.Notify.SMTPURL = "smtp://" + ln.Addr().String() + "?tls=none"
	cfg.Notify.SMTPFrom = "noreply@layanan.test"
	base, agentAPI := onlineAdmin(t, cfg)
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina", "email": "rina@warga.test", "phone": "081311112222", "nik": "3201014708900002", "category": "lainnya",
		"description": "Saldo belum masuk setelah pelatihan selesai."})

	var d ticket.Detail
	checkFor(t, 20e9, func() error {
		var list struct {
			Tickets []ticket.Summary `json:"tickets"`
		}
		agentAPI.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &list)
		for _, s := range list.Tickets {
			if s.TrackingNumber == tn && s.AssigneeID != nil {
				agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(t, &d)
				return nil
			}
		}
		return fmt.Errorf("ticket %s not assigned yet", tn)
	})
	apptest.FollowedUp(t, cfg, agentAPI, d.ID) // a complaint is solved once its follow-up is published
	if res := agentAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", d.ID), map[string]string{"status": "solved"}); res.Status != 200 {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	// The agent's view of the ratings has no link; the citizen's e-mail has.
	if res := agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", d.ID), nil); strings.Contains(string(res.Body), "csat=") {
		t.Fatalf("the agent sees the survey link: %s", res.Body)
	}
	var link *url.URL
	checkFor(t, 30e9, func() error {
		for _, m := range box.all() {
			body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m)))
			if l := surveyLinkRE.FindStringSubmatch(string(body)); l != nil {
				link, err = url.Parse(l[1])
				return err
			}
		}
		return fmt.Errorf("no mail with a survey link yet (%d mails)", len(box.all()))
	})
	if link.Path != "/pengaduan/status" || link.Query().Get("csat") == "" {
		t.Fatalf("survey link %q", link)
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	// The supervisor's board is open before the citizen answers: the
	// alert arrives by the push socket.
	console := newTab(t, root)
	console.do(t, "a laptop-sized console", chromedp.EmulateViewport(1366, 800))
	console.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	console.openBoard(t)
	console.waitJS(t, "no low ratings yet", fmt.Sprintf(`document.getElementById('csat-board').textContent.includes(%q)`, tx("csat.console_alerts_none")))

	page := newTab(t, root)
	page.do(t, "open the survey link",
		chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(base+link.RequestURI()+"&lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("csat-card")),
	)
	page.waitJS(t, "the card names the ticket", fmt.Sprintf(`document.getElementById('csat-tn').textContent === %q`, tn))
	page.waitJS(t, "the card has focus", `document.activeElement === document.getElementById('csat-card')`)
	shots.take(t, page, "20-csat-status-card")
	// Sending with nothing picked says what is missing.
	page.do(t, "send without a rating", chromedp.Focus("#csat-send"), chromedp.KeyEvent(kb.Enter))
	page.waitJS(t, "asked to pick", fmt.Sprintf(`document.getElementById('csat-rating-error').textContent === %q`, tx("csat.pick_rating")))
	// By keyboard: on "1", the arrow moves the choice to "2".
	page.do(t, "rate 2 by keyboard",
		chromedp.Focus(`input[name="rating"][value="1"]`),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowRight),
	)
	page.waitJS(t, "2 is chosen", `document.querySelector('input[name="rating"]:checked').value === "2"`)
	page.do(t, "comment and send",
		chromedp.SendKeys("#csat-comment", "Lama sekali menunggu jawaban"),
		chromedp.Focus("#csat-send"),
		chromedp.KeyEvent(kb.Enter),
	)
	page.waitJS(t, "thanked", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q`, tx("csat.thanks")))
	page.do(t, "a phone-sized window", chromedp.EmulateViewport(390, 844))
	if w := page.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("status page is %s px wide on a 390 px screen", w)
	}
	shots.take(t, page, "21-csat-status-thanks-phone")
	// Opening the link again says it is rated.
	page.do(t, "open the link again", chromedp.Navigate(base+link.RequestURI()), chromedp.WaitVisible(chromedp.ID("csat-status")))
	page.waitJS(t, "already rated", fmt.Sprintf(`document.getElementById('csat-status').textContent === %q`, tx("csat.already_rated", "rating", 2)))
	page.checkConsole(t)

	// The console: the alert came live; the ticket shows its rating; the
	// agent's own average.
	console.waitLive(t, "the low rating on the board", fmt.Sprintf(`(l => l !== null && l.textContent.includes(%q) && l.textContent.includes(%q))(document.getElementById('csat-alerts'))`,
		tn, tx("csat.console_rating", "rating", 2, "words", tx("csat.rating_2"))))
	shots.take(t, console, "22-csat-board-alert")
	console.do(t, "open the ticket from the alert", chromedp.Click(`#csat-alerts a`))
	console.waitJS(t, "the tickets tab is back", `!document.getElementById('tickets-panel').hidden && document.getElementById('board-view').hidden`)
	// How it came, in words (it was rated through the survey link).
	console.waitLive(t, "the ticket's rating", fmt.Sprintf(`(l => l !== null && l.textContent.includes(%q) && l.textContent.includes(%q) && l.textContent.includes("Lama sekali"))(document.getElementById('csat-ratings')) && !document.getElementById('csat-mount').hidden`,
		tx("csat.console_rating", "rating", 2, "words", tx("csat.rating_2")), tx("csat.console_via", "channel", tx("csat.by.link"))))
	console.waitJS(t, "the agent's own average", fmt.Sprintf(`document.getElementById('csat-mine').textContent === %q`,
		tx("csat.console_mine", "average", 2, "pct", 0, "n", 1, "days", 30)))
	shots.take(t, console, "23-csat-ticket-rating")
	console.checkConsole(t)

	// The rating on the ticket, in the report and as an alert.
	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	agentAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", d.ID), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 2 || ratings.Ratings[0].Comment != "Lama sekali menunggu jawaban" {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}
	want := map[string]string{"channel": "webform", "agent": fmt.Sprint(*d.AssigneeID), "province": "32", "category": "lainnya"}
	for group, key := range want {
		var rep csat.Report
		agentAPI.Do(http.MethodGet, "/api/v1/reports/csat?group_by="+group, nil).JSON(t, &rep)
		if len(rep.Lines) != 1 || rep.Lines[0].Key != key || rep.Lines[0].Responses != 1 || rep.Lines[0].SatisfiedPct != 0 || rep.Lines[0].Average != 2 {
			t.Fatalf("by %s: %+v (want key %s)", group, rep.Lines, key)
		}
	}
	var byQueue csat.Report
	agentAPI.Do(http.MethodGet, "/api/v1/reports/csat?group_by=queue", nil).JSON(t, &byQueue)
	if len(byQueue.Lines) != 1 || byQueue.Lines[0].Label == "" || !strings.EqualFold(byQueue.Lines[0].Label, d.Queue) {
		t.Fatalf("by queue: %+v (ticket queue %q)", byQueue.Lines, d.Queue)
	}
	res := agentAPI.Do(http.MethodGet, "/api/v1/reports/csat?group_by=channel&format=csv", nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), "\nwebform,webform,1,1,100.00,2.00,0,0.00\n") {
		t.Fatalf("csv: %d %s", res.Status, res.Body)
	}
	var alerts struct {
		Alerts []csat.Alert `json:"alerts"`
	}
	agentAPI.Do(http.MethodGet, "/api/v1/csat/alerts", nil).JSON(t, &alerts)
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].TicketID != d.ID || alerts.Alerts[0].Rating != 2 {
		t.Fatalf("alerts %+v", alerts.Alerts)
	}
	again := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+link.Query().Get("csat"), map[string]any{"rating": 5})
	if again.Status != http.StatusConflict {
		t.Fatalf("second answer: %d %s", again.Status, again.Body)
	}
}

// onlineAdmin starts the contact center on cfg and signs its first admin
// in, online, so that new tickets are given to them; it returns the base
// URL and the admin's API client.
func onlineAdmin(t *testing.T, cfg config.Config) (string, *apptest.Client) {
	t.Helper()
	base := apptest.Start(t, cfg).URL()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	goOnline(t, admin)
	return base, admin
}
