package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/hours"
)

// TestBrowserDeadlineSameDayForStaffAndCitizen: a WhatsApp complaint
// received on a Saturday is treated as a complaint; its verification clock
// starts on Monday and ends at midnight (WIB). The officer's lifecycle
// panel and the citizen's status page, both in Jakarta, name the same
// moment the same way: the end of the day before ("…, 23.59"), never the
// midnight that a citizen takes for the next day.
func TestBrowserDeadlineSameDayForStaffAndCitizen(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	_, a, admin := startLifecycleApp(t)
	base := a.URL()

	// The last Saturday, 10:00 in Jakarta.
	wib, _ := hours.LoadZone("WIB")
	now := time.Now().In(wib)
	sat := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, wib)
	for sat.Weekday() != time.Saturday || !sat.Before(now) {
		sat = sat.AddDate(0, 0, -1)
	}
	const phone = "+6281277700011"
	in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWhatsApp, ProviderMessageID: "wamid.deadline-1",
		Sender: envelope.Sender{Phone: phone, WaID: phone, Name: "Rina"}, Text: "Saya mau mengadu, insentif saya belum cair.",
		ReceivedAt: sat.UTC()}
	if err := a.Bus().PublishInbound(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	id, tn := whatsAppTicketOf(t, admin)
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "pengaduan", "category": "insentif"}); r.Status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", r.Status, r.Body)
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	staff := newTab(t, root)
	citizen := newTab(t, root)
	for _, tb := range []*tab{staff, citizen} {
		tb.do(t, "in Jakarta's time", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Jakarta"})
			return chromedp.Void{}, err
		})
	}
	staff.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))

	staff.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), apptest.AdminEmail, apptest.AdminPassword)
	staff.waitJS(t, "the verification clock", `!!document.querySelector('#lc-clocks [data-clock="verification"]')`)
	due := staff.attr(t, `#lc-clocks [data-clock="verification"]`, "data-due")
	if d, err := time.Parse(time.RFC3339Nano, due); err != nil || d.In(wib).Hour() != 0 || d.In(wib).Minute() != 0 {
		t.Fatalf("verification due %q (%v): want midnight in Jakarta for a complaint received on a Saturday", due, err)
	}
	at := staff.evalString(t, fmt.Sprintf(`Tanggap.formatDeadline(%q)`, due))
	if !strings.Contains(at, "23.59") {
		t.Fatalf("the deadline reads %q, want the end of the day before (23.59)", at)
	}
	midnight := staff.evalString(t, fmt.Sprintf(`Tanggap.formatDate(%q)`, due))
	shown := staff.text(t, `#lc-clocks [data-clock="verification"]`)
	if !strings.Contains(shown, tx("lifecycle.clock.due", "at", at)) || strings.Contains(shown, midnight) {
		t.Errorf("the officer reads %q, want the due as %q (not %q)", shown, at, midnight)
	}
	// The 60-working-day ceiling also ends at a midnight: said the same way.
	ceilingDue := staff.attr(t, `#lc-clocks [data-clock="ceiling"]`, "data-due")
	if want := staff.evalString(t, fmt.Sprintf(`Tanggap.formatDeadline(%q)`, ceilingDue)); !strings.Contains(staff.text(t, `#lc-clocks [data-clock="ceiling"]`), want) {
		t.Errorf("the ceiling reads %q, want %q", staff.text(t, `#lc-clocks [data-clock="ceiling"]`), want)
	}
	staff.scrollTo(t, "lifecycle-mount")
	shots.take(t, staff, "deadline-01-officer")

	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "contact", clearField("contact"), chromedp.SendKeys(chromedp.ID("contact"), "081277700011"))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "the stage's target", `document.getElementById('tl-due').textContent !== ''`)
	if got, want := citizen.text(t, "#tl-due"), tx("lifecycle.status.due", "at", at); got != want {
		t.Errorf("the citizen reads %q, want %q: the day the officer names", got, want)
	}
	shots.take(t, citizen, "deadline-02-citizen")
	staff.checkConsole(t)
	citizen.checkConsole(t)
}

// whatsAppTicketOf waits for the core to store the (only) WhatsApp ticket
// and returns its id and tracking number.
func whatsAppTicketOf(t *testing.T, admin *apptest.Client) (int64, string) {
	t.Helper()
	var id int64
	var tn string
	checkFor(t, asyncWait, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
				Channel        string `json:"channel"`
			} `json:"tickets"`
		}
		admin.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			if tk.Channel == string(domain.ChannelWhatsApp) {
				id, tn = tk.ID, tk.TrackingNumber
				return nil
			}
		}
		return fmt.Errorf("WhatsApp ticket not stored yet")
	})
	return id, tn
}
