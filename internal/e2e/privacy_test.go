package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserPrivacy: an admin finds who viewed a citizen's ticket,
// restricts the citizen's processing and sees it recorded, on a laptop and
// a phone, in Indonesian and English, by keyboard-reachable controls.
func TestBrowserPrivacy(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	api := apptest.NewClient(t, base)
	tn := api.Complaint(map[string]string{"name": "Rina", "phone": "081311112222", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	var ticketID, contactID int64
	checkFor(t, 20*time.Second, func() error {
		var list struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		api.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == tn {
				ticketID = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not listed yet", tn)
	})
	var detail struct {
		Contact struct{ ID int64 } `json:"contact"`
	}
	api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil).JSON(t, &detail) // a view
	contactID = detail.Contact.ID

	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := newTab(t, root)
	adm.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	// The tab is pressed once the tabs are drawn, by the element itself:
	// a mouse click at coordinates can land beside it while the banners
	// above it are still being laid out.
	adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	adm.do(t, "the board tab", chromedp.Evaluate[chromedp.Void](`document.getElementById('tab-board').click()`))
	adm.waitJS(t, "the privacy section with the view", fmt.Sprintf(`!document.getElementById('privacy-mount').hidden
		&& document.getElementById('privacy-title').textContent === %q
		&& document.getElementById('privacy-views').textContent.includes(%q)`, tx("privacy.title"), tx("privacy.view_ticket")))
	adm.do(t, "show the citizen",
		chromedp.SendKeys(chromedp.ID("privacy-contact"), fmt.Sprint(contactID)),
		chromedp.Click(chromedp.CSS("#privacy-subject-form button[type=submit]")))
	adm.waitJS(t, "not restricted", fmt.Sprintf(`document.getElementById('privacy-live').textContent === %q
		&& !document.getElementById('privacy-export').hidden`, tx("privacy.state_free", "id", contactID)))
	adm.do(t, "restrict",
		chromedp.SendKeys(chromedp.ID("privacy-reason"), "Permintaan warga lewat surat"),
		chromedp.Click(chromedp.CSS("#privacy-restrict-form button[type=submit]")))
	// What was done, then the state it left.
	adm.waitJS(t, "restricted and recorded", fmt.Sprintf(`document.getElementById('privacy-live').textContent === %q
		&& document.getElementById('privacy-requests').textContent.includes(%q)`,
		tx("privacy.restricted", "id", contactID)+" "+tx("privacy.state_restricted", "id", contactID), tx("privacy.kind_restrict")))
	if res := api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]string{"body": "Halo"}); res.Status != http.StatusLocked {
		t.Fatalf("reply to the frozen ticket: %d %s", res.Status, res.Body)
	}
	// Filtered by an email nobody has: told under the field.
	adm.do(t, "filter the views by an unknown email",
		chromedp.SendKeys(chromedp.ID("privacy-f-agent"), "tidak.ada@tanggap.example"),
		chromedp.Click(chromedp.CSS("#privacy-views-form button[type=submit]")))
	adm.waitJS(t, "no such account", fmt.Sprintf(`document.getElementById('privacy-f-agent-error').textContent === %q
		&& document.activeElement.id === 'privacy-f-agent'`, tx("privacy.agent_unknown")))
	// By the ticket's tracking number and the admin's email: the rows name
	// the account and the ticket as people know them.
	adm.do(t, "filter the views by ticket and account",
		chromedp.SetValue(chromedp.ID("privacy-f-agent"), apptest.AdminEmail),
		chromedp.SendKeys(chromedp.ID("privacy-f-ticket"), tn),
		chromedp.Click(chromedp.CSS("#privacy-views-form button[type=submit]")))
	adm.waitJS(t, "the views of the ticket", fmt.Sprintf(`document.getElementById('privacy-views-live').textContent.length > 0
		&& !document.getElementById('privacy-f-agent-error')?.textContent
		&& document.querySelectorAll('#privacy-views tr').length >= 1
		&& document.querySelector('#privacy-views a[data-view-ticket="%d"]')?.textContent === %q
		&& document.getElementById('privacy-views').textContent.includes(%q)`, ticketID, tn, apptest.AdminEmail))
	adm.scrollTo(t, "privacy-title")
	shots.take(t, adm, "80-console-privacy-laptop")
	adm.scrollTo(t, "privacy-views-form")
	shots.take(t, adm, "80-console-privacy-views-laptop")
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "it fits", `document.documentElement.scrollWidth <= 390`)
	shots.take(t, adm, "81-console-privacy-phone")
	adm.do(t, "lift", chromedp.Click(chromedp.ID("privacy-lift")))
	adm.waitJS(t, "lifted", fmt.Sprintf(`document.getElementById('privacy-live').textContent === %q`,
		tx("privacy.lifted", "id", contactID)+" "+tx("privacy.state_free", "id", contactID)))
	adm.checkConsole(t)

	// In English.
	en := newTab(t, root)
	en.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	en.signIn(t, base+"/console?lang=en-US", apptest.AdminEmail, apptest.AdminPassword)
	// The tab is pressed once the tabs are drawn, by the element itself:
	// a mouse click at coordinates can land beside it while the banners
	// above it are still being laid out.
	en.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	en.do(t, "the board tab", chromedp.Evaluate[chromedp.Void](`document.getElementById('tab-board').click()`))
	en.waitJS(t, "the English section", `!document.getElementById('privacy-mount').hidden
		&& document.getElementById('privacy-title').textContent === 'Personal data (PDP law)'`)
	en.checkConsole(t)
}
