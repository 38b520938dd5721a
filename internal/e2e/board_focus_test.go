package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
)

// TestBrowserCSATAlertOpensTheTicketWithTheFocus: a supervisor (Dewi) on
// the board follows a low-rating alert's tracking number by keyboard. The
// ticket opens on the tickets tab with the focus in it, as opening it
// from the list does: the next Tab stays in the ticket, not back at the
// top of the list.
func TestBrowserCSATAlertOpensTheTicketWithTheFocus(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base, cfg := startDemo(t)
	tn, id, survey, citizen := lowRating(t, base, cfg)

	root := newBrowser(t, browser)
	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	dewi.openBoard(t)
	dewi.waitJS(t, "the low rating on the board", alertsSayJS(tn, tx("csat.console_rating", "rating", 2, "words", tx("csat.rating_2"))))
	// The board draws the alerts again as they change (here the citizen's
	// comment coming in): the focus on the alert's link stays on it.
	link := fmt.Sprintf(`#csat-alerts a[data-csat-ticket="%d"]`, id)
	dewi.waitJS(t, "the focus on the alert's link", fmt.Sprintf(`(e => !!e && (e.focus(), document.activeElement === e))(document.querySelector(%q))`, link))
	dewi.waitJS(t, "socket open", socketOpenJS) // the comment comes as a push
	const comment = "Dana belum masuk juga"
	if r := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+survey, map[string]any{"comment": comment, "from": "status_page"}); r.Status != http.StatusCreated {
		t.Fatalf("comment: %d %s", r.Status, r.Body)
	}
	dewi.waitJS(t, "the comment on the board", alertsSayJS(comment))
	dewi.waitJS(t, "the focus still on the alert's link", focusedJS(link))
	dewi.pressEnter(t, "follow the alert's tracking number", link)
	inTicket := `document.getElementById('ticket-detail').contains(document.activeElement) && document.activeElement.getClientRects().length > 0`
	dewi.waitJS(t, "the ticket shown on the tickets tab, the focus in it", fmt.Sprintf(`document.getElementById('board-view').hidden
		&& !document.getElementById('tickets-panel').hidden && document.getElementById('tab-tickets').getAttribute('aria-selected') === 'true'
		&& document.getElementById('t-tn').textContent === %q && %s`, tn, inTicket))
	dewi.do(t, "Tab", chromedp.KeyEvent(kb.Tab))
	dewi.waitJS(t, "the next Tab stays in the ticket", inTicket)
	dewi.checkConsole(t)
}

// lowRating makes a complaint Sari claims, follows up and solves, which
// its citizen (Rina) then rates 2 of 5 on the status page: a low-rating
// alert on the board. It returns the ticket, its survey and the citizen.
func lowRating(t *testing.T, base string, cfg config.Config) (tn string, id int64, survey string, citizen *apptest.Client) {
	t.Helper()
	sari := apptest.NewClient(t, base)
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	if r := sari.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); r.Status != http.StatusOK {
		t.Fatalf("busy: %d %s", r.Status, r.Body)
	}
	const phone = "081311118888"
	citizen = apptest.NewClient(t, base)
	tn = citizen.Complaint(map[string]string{"name": "Rina", "phone": phone, "category": "lainnya",
		"description": "Bantuan belum cair sejak dua bulan."})
	id = ticketIDs(t, sari, tn)[tn]
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	if r := sari.Do(http.MethodPost, path+"/claim", nil); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	apptest.FollowedUp(t, cfg, sari, id) // a complaint is solved once its follow-up is published
	if r := sari.Do(http.MethodPatch, path, map[string]string{"status": "solved"}); r.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	checkFor(t, asyncWait, func() error {
		var p struct {
			CSAT string `json:"csat"`
		}
		citizen.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+phone, nil).JSON(t, &p)
		if p.CSAT == "" {
			return fmt.Errorf("no survey yet")
		}
		survey = p.CSAT
		return nil
	})
	if r := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+survey, map[string]any{"rating": 2, "from": "status_page"}); r.Status != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Status, r.Body)
	}
	return tn, id, survey, citizen
}

// TestBrowserCSATAlertsCatchUpAfterTheNetworkComesBack: Dewi's network
// drops while she watches the board; meanwhile the citizen of a listed
// low rating adds a comment, whose push her console cannot get. Once the
// network is back the console reconnects on its own and reads the alerts
// again: the comment shows, with no reload.
func TestBrowserCSATAlertsCatchUpAfterTheNetworkComesBack(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	direct, cfg := startDemo(t)
	proxy := newCuttable(t, strings.TrimPrefix(direct, "http://"))
	tn, _, survey, citizen := lowRating(t, direct, cfg)

	root := newBrowser(t, browser)
	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, proxy.url()+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "socket open", socketOpenJS)
	dewi.openBoard(t)
	dewi.waitJS(t, "the low rating on the board", alertsSayJS(tn))

	const comment = "Sudah tiga kali saya tanya"
	commentShown := alertsSayJS(comment)
	awayWhile(t, proxy, tx("console.live_down"), []*tab{dewi}, func() {
		if r := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+survey, map[string]any{"comment": comment, "from": "status_page"}); r.Status != http.StatusCreated {
			t.Fatalf("comment: %d %s", r.Status, r.Body)
		}
		if dewi.evalString(t, commentShown+` ? 'stale?' : 'ok'`) != "ok" {
			t.Fatal("the board learned of the comment while its network was down")
		}
	})
	dewi.waitJS(t, "the comment on the board", commentShown)
	shots := newShots(t)
	dewi.scrollTo(t, "csat-board")
	shots.take(t, dewi, "csat-alerts-caught-up-desktop")
	dewi.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	dewi.scrollTo(t, "csat-board")
	shots.take(t, dewi, "csat-alerts-caught-up-phone")
	dewi.checkConsole(t)
}

// alertsSayJS holds when the board's low-rating alerts hold every text.
func alertsSayJS(texts ...string) string {
	conds := make([]string, len(texts))
	for i, x := range texts {
		conds[i] = fmt.Sprintf(`l.textContent.includes(%q)`, x)
	}
	return `(l => l !== null && ` + strings.Join(conds, ` && `) + `)(document.getElementById('csat-alerts'))`
}

// TestBrowserPrivacyViewOpensTheTicketWithTheFocus: an admin follows a
// ticket's link in the record of who viewed what (the board tab's
// personal data screen) by keyboard: the ticket opens on the tickets tab
// with the focus in it.
func TestBrowserPrivacyViewOpensTheTicketWithTheFocus(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	api := apptest.NewClient(t, base)
	tn := api.Complaint(map[string]string{"name": "Rina", "phone": "081311119999", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := ticketIDs(t, api, tn)[tn]
	if r := api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil); r.Status != http.StatusOK { // a view
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}

	root := newBrowser(t, browser)
	adm := newTab(t, root)
	adm.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	adm.openBoard(t)
	link := fmt.Sprintf(`#privacy-views a[data-view-ticket="%d"]`, id)
	adm.waitJS(t, "the view listed", fmt.Sprintf(`!!document.querySelector(%q)`, link))
	adm.pressEnter(t, "follow the ticket's link", link)
	adm.waitJS(t, "the ticket shown on the tickets tab, the focus in it", fmt.Sprintf(`document.getElementById('board-view').hidden
		&& document.getElementById('t-tn').textContent === %q
		&& document.getElementById('ticket-detail').contains(document.activeElement) && document.activeElement.getClientRects().length > 0`, tn))
	adm.checkConsole(t)
}
