package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// TestBrowserAdoptComplaintAndReport: a complaint that came by WhatsApp
// is not in the lifecycle; in the console's ticket details an agent treats
// it as a complaint (kind and category), the lifecycle panel then shows it
// in verification with its clock from the ticket's received time, and the
// citizen follows it on the status page by tracking number and phone. The
// complaint-handling report on the reports screen counts it: table, chart
// and CSV agree.
func TestBrowserAdoptComplaintAndReport(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	_, a, admin := startLifecycleApp(t)
	base := a.URL()

	phone := "+6281277788899"
	in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWhatsApp, ProviderMessageID: "wamid.adopt-1",
		Sender: envelope.Sender{Phone: phone, WaID: phone, Name: "Budi"}, Text: "Saya mau mengadu, insentif saya belum cair dua bulan.",
		ReceivedAt: time.Now().UTC().Add(-time.Hour)}
	if err := a.Bus().PublishInbound(context.Background(), in); err != nil {
		t.Fatal(err)
	}
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

	root := newBrowser(t, browser)
	shots := newShots(t)
	staff := newTab(t, root)
	citizen := newTab(t, root)
	staff.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	staff.do(t, "open the WhatsApp ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	staff.waitJS(t, "the treat-as-complaint box", `!!document.getElementById('lc-adopt-box')`)
	if got := staff.text(t, "#lc-adopt-box summary"); got != tx("lifecycle.adopt.title") {
		t.Errorf("summary %q", got)
	}
	staff.do(t, "open the box", chromedp.Click(`#lc-adopt-box summary`))
	staff.waitJS(t, "categories offered", `document.querySelectorAll('#lc-adopt-category option').length > 1`)
	staff.selectValue(t, "#lc-adopt-kind", "pengaduan")
	staff.selectValue(t, "#lc-adopt-category", "insentif")
	staff.do(t, "show the panel", chromedp.ScrollIntoView(chromedp.ID("lifecycle-mount")))
	shots.take(t, staff, "adopt-01-whatsapp-ticket")
	staff.do(t, "make it a complaint", chromedp.Click(chromedp.ID("lc-adopt")))
	staff.waitJS(t, "in verification", `document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'verification'`)
	if got := staff.text(t, "#lc-kind"); got != tx("lifecycle.kind.pengaduan") {
		t.Errorf("kind shown %q", got)
	}
	staff.waitJS(t, "verification clock", `!!document.querySelector('#lc-clocks [data-clock="verification"]')`)
	staff.do(t, "show the panel", chromedp.ScrollIntoView(chromedp.ID("lifecycle-mount")))
	shots.take(t, staff, "adopt-02-in-lifecycle")

	// The citizen follows it by tracking number and phone.
	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "contact", clearField("contact"), chromedp.SendKeys(chromedp.ID("contact"), "081277788899"))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "timeline shown", `!document.getElementById('timeline-box').hidden && document.querySelectorAll('#timeline li').length > 0`)
	if got := citizen.text(t, "#timeline"); !strings.Contains(got, tx("lifecycle.step.received")) {
		t.Errorf("timeline %q", got)
	}
	shots.take(t, citizen, "adopt-03-citizen-timeline")

	// The complaint-handling report on the reports screen.
	staff.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	staff.do(t, "open the board", chromedp.Click(chromedp.ID("tab-board")), chromedp.WaitVisible(chromedp.ID("reports-mount")))
	staff.waitJS(t, "the report list", `!!document.querySelector('#reports-name option[value="complaints"]')`)
	staff.selectValue(t, "#reports-name", "complaints")
	staff.waitJS(t, "the complaint table", `!!document.querySelector('#reports-table caption') && document.querySelector('#reports-table caption').textContent === `+jsString(tx("reports.name.complaints")))
	row := func(label string) string {
		return staff.evalString(t, fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('#reports-table tbody tr')].find(r => r.querySelector('th').textContent === %s);
			return r ? [...r.querySelectorAll('td')].map(td => td.textContent).join('|') : 'none'; })()`, jsString(label)))
	}
	if got := row(tx("lifecycle.kind.pengaduan")); !strings.HasPrefix(got, "1|") {
		t.Errorf("pengaduan row = %q, want 1 received", got)
	}
	if got := row(tx("lifecycle.report.total")); !strings.HasPrefix(got, "1|") {
		t.Errorf("total row = %q", got)
	}
	staff.waitJS(t, "the chart drawn", `(() => { const i = document.getElementById('reports-chart'); return i && i.complete && i.naturalWidth > 0; })()`)
	svg := staff.fetchText(t, `document.getElementById('reports-chart').src`)
	if !strings.Contains(svg, "<title>"+tx("lifecycle.kind.pengaduan")) || !strings.Contains(svg, ": 1</title>") || strings.Contains(svg, "<script") {
		t.Errorf("the chart has no bar of 1 for pengaduan:\n%s", svg)
	}
	csv := staff.fetchText(t, `document.getElementById('reports-csv').href`)
	if !strings.Contains(csv, "\npengaduan,1,") || !strings.Contains(csv, "\ntotal,1,") {
		t.Errorf("CSV does not agree with the table:\n%s", csv)
	}
	staff.do(t, "scroll to the reports", chromedp.ScrollIntoView(chromedp.ID("reports-mount")))
	shots.take(t, staff, "adopt-04-complaint-report")
}
