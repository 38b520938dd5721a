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
// is not in the lifecycle: neither the console nor the citizen's status
// page asks for a lifecycle it does not have (no failed request, no red
// line in the browser's console). A petugas whose role lacks
// complaints.adopt is never offered the "treat as complaint" box. A supervisor, in English on
// a 390 px phone, is: keeping the ticket's (missing) category is refused
// with the reason; with a catalog category the lifecycle panel shows it in
// verification with its clock from the ticket's received time. The citizen follows it on the status
// page by tracking number and phone. The complaint-handling report counts
// it: table, chart and CSV agree; the table fits a 1366 px laptop without
// scrolling sideways, and the English report keeps a phone's width.
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

	// A supervisor (complaints.adopt) works on a phone in English; a
	// petugas whose role sees every ticket but may not treat one as a
	// complaint works on a laptop.
	en := textsIn(t, "en-US")
	account := func(email, role string) {
		res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": email, "name": role, "password": "rahasia-" + role + "-2026", "role": role})
		if res.Status != http.StatusCreated && res.Status != http.StatusOK {
			t.Fatalf("create %s: %d %s", email, res.Status, res.Body)
		}
	}
	if res := admin.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "petugas-lihat", "label": "Petugas (lihat semua)",
		"permissions": []string{"tickets.work", "tickets.all"}}); res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("create role: %d %s", res.Status, res.Body)
	}
	account("spv-adopsi@tanggap.test", "supervisor")
	account("lihat-adopsi@tanggap.test", "petugas-lihat")

	root := newBrowser(t, browser)
	shots := newShots(t)
	staff := newTab(t, root)
	spv := newTab(t, root)
	viewer := newTab(t, root)
	citizen := newTab(t, root)
	staff.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	viewer.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	spv.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))

	// The petugas without the permission opens the ticket: no box, ever
	// (watched from before the ticket opens until it is adopted).
	viewer.instrument(t)
	viewer.signIn(t, base+"/console?lang=id-ID", "lihat-adopsi@tanggap.test", "rahasia-petugas-lihat-2026")
	signedIn := viewer.pageNow(t) // the sign-in page's 401 for /auth/me is before it
	viewer.watch(t, "adopt-box", `!!document.getElementById('lc-adopt-box')`)
	viewer.do(t, "open the WhatsApp ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	viewer.waitJS(t, "the ticket read", fmt.Sprintf(`window.__e2e.requests.some(r => r.name.endsWith('/api/v1/tickets/%d'))`, id))
	viewer.settled(t)
	// The ticket's detail says it is not in the lifecycle: its panel is
	// never asked for (it would answer 404).
	if got := viewer.requestsSince(t, 0, fmt.Sprintf("/api/v1/tickets/%d/complaint", id)); len(got) != 0 {
		t.Errorf("the console asked for the lifecycle of a ticket not in it: %v", got)
	}

	// The citizen looks the WhatsApp conversation up: no timeline, and
	// none asked for.
	citizen.instrument(t)
	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "contact", clearField("contact"), chromedp.SendKeys(chromedp.ID("contact"), "081277788899"))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "the conversation shown", `!document.getElementById('result').hidden && document.querySelectorAll('#thread > li').length > 0`)
	citizen.settled(t)
	if !citizen.evalBool(t, `document.getElementById('timeline-box').hidden`) {
		t.Errorf("a timeline is shown for a conversation not in the lifecycle")
	}
	if got := citizen.requestsSince(t, 0, "/timeline"); len(got) != 0 {
		t.Errorf("the status page asked for the timeline of a conversation not in the lifecycle: %v", got)
	}
	if got := citizen.failedRequestsSince(t, 0); len(got) != 0 {
		t.Errorf("the status page's failed requests: %v", got)
	}

	// The supervisor, in English on a phone.
	spv.instrument(t)
	spv.signIn(t, base+fmt.Sprintf("/console?lang=en-US#ticket-%d", id), "spv-adopsi@tanggap.test", "rahasia-supervisor-2026")
	spv.waitJS(t, "the treat-as-complaint box", `!!document.getElementById('lc-adopt-box')`)
	if got := spv.requestsSince(t, 0, fmt.Sprintf("/api/v1/tickets/%d/complaint", id)); len(got) != 0 {
		t.Errorf("the box was offered after asking for a lifecycle the ticket does not have: %v", got)
	}
	if got := spv.text(t, "#lc-adopt-box summary"); got != en("lifecycle.adopt.title") {
		t.Errorf("summary in English %q, want %q", got, en("lifecycle.adopt.title"))
	}
	spv.waitJS(t, "details behind a button on a phone", `document.getElementById('details-btn').offsetParent !== null`)
	// Pressed by the element (the sticky reply box may lie over its
	// coordinates while the thread lays out).
	spv.do(t, "open the details", chromedp.Evaluate[chromedp.Void](`document.getElementById('details-btn').click()`))
	spv.waitJS(t, "the box laid out", `document.getElementById('lc-adopt-box').offsetParent !== null`)
	spv.scrollTo(t, "lc-adopt-box")
	spv.do(t, "open the box", chromedp.Click(`#lc-adopt-box summary`))
	spv.waitJS(t, "categories offered", `document.querySelectorAll('#lc-adopt-category option').length > 1`)
	spv.selectValue(t, "#lc-adopt-kind", "pengaduan")
	// The WhatsApp ticket has no category: keeping "the ticket's" is
	// refused with the reason, in English.
	spv.selectValue(t, "#lc-adopt-category", "")
	spv.do(t, "make it a complaint without a category", chromedp.Click(chromedp.ID("lc-adopt")))
	spv.waitJS(t, "the reason shown under the category", fmt.Sprintf(`(() => { const e = document.getElementById('lc-adopt-category-error');
		return !e.hidden && e.textContent.includes(%s) && document.getElementById('lc-adopt-category').getAttribute('aria-invalid') === 'true'; })()`,
		jsString(en("lifecycle.adopt.category_required"))))
	checkFits(t, spv, "the adopt box on a phone", 390)
	shots.take(t, spv, "adopt-01-phone-en-category-required")
	spv.selectValue(t, "#lc-adopt-category", "insentif")
	spv.do(t, "make it a complaint", chromedp.Click(chromedp.ID("lc-adopt")))
	spv.waitJS(t, "in verification", `document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === 'verification'`)
	if got := spv.text(t, "#lc-kind-shown"); got != en("lifecycle.kind.pengaduan") {
		t.Errorf("kind shown %q", got)
	}
	spv.waitJS(t, "verification clock", `!!document.querySelector('#lc-clocks [data-clock="verification"]')`)
	spv.scrollTo(t, "lifecycle-mount")
	checkFits(t, spv, "the lifecycle panel on a phone", 390)
	shots.take(t, spv, "adopt-02-phone-en-in-lifecycle")

	// The petugas was never offered the box (watched from before the
	// ticket opened until now, its complaint read answered meanwhile).
	if at := viewer.shownAt(t, "adopt-box"); at != 0 {
		t.Errorf("the treat-as-complaint box was shown to a role without complaints.adopt")
	}
	if hidden := viewer.evalString(t, `String(document.getElementById('lifecycle-mount').hidden)`); hidden != "true" {
		t.Errorf("the petugas's lifecycle panel shows for a ticket not in the lifecycle")
	}

	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)

	// The citizen follows it by tracking number and phone.
	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "contact", clearField("contact"), chromedp.SendKeys(chromedp.ID("contact"), "081277788899"))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "timeline shown", `!document.getElementById('timeline-box').hidden && document.querySelectorAll('#timeline li').length > 0`)
	if got := citizen.text(t, "#timeline"); !strings.Contains(got, tx("lifecycle.step.received")) {
		t.Errorf("timeline %q", got)
	}
	shots.take(t, citizen, "adopt-04-citizen-timeline")
	if got := citizen.requestsSince(t, 0, "/timeline"); len(got) != 0 {
		t.Errorf("the timeline came in a request of its own: %v", got)
	}
	if got := viewer.failedRequestsSince(t, signedIn); len(got) != 0 {
		t.Errorf("the console's failed requests: %v", got)
	}
	viewer.checkConsole(t)
	citizen.checkConsole(t)

	// The complaint-handling report on the reports screen.
	staff.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	staff.openBoard(t)
	staff.do(t, "the reports shown", chromedp.WaitVisible(chromedp.ID("reports-mount")))
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
	staff.scrollTo(t, "reports-mount")
	checkFits(t, staff, "the report on a laptop", 1366)
	if w := staff.evalString(t, `(() => { const s = document.getElementById('reports-table').closest('.board-scroll'); return s.scrollWidth + ' ' + s.clientWidth; })()`); !fitsIn(w) {
		t.Errorf("the complaint report table scrolls sideways on a laptop (scroll width, width: %s)", w)
	}
	shots.take(t, staff, "adopt-03-complaint-report")

	// The same report in English on the supervisor's phone: the page keeps
	// its width (the table scrolls inside its own region).
	spv.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	spv.openBoard(t)
	spv.do(t, "the reports shown", chromedp.WaitVisible(chromedp.ID("reports-mount")))
	spv.waitJS(t, "the report list", `!!document.querySelector('#reports-name option[value="complaints"]')`)
	spv.selectValue(t, "#reports-name", "complaints")
	spv.waitJS(t, "the complaint table in English", `!!document.querySelector('#reports-table caption') && document.querySelector('#reports-table caption').textContent === `+jsString(en("reports.name.complaints")))
	if got := spv.evalString(t, `[...document.querySelectorAll('#reports-table thead th')].map(th => th.textContent).join('|')`); !strings.Contains(got, en("lifecycle.report.received")) {
		t.Errorf("English report head %q", got)
	}
	spv.scrollTo(t, "reports-mount")
	checkFits(t, spv, "the report on a phone", 390)
	shots.take(t, spv, "adopt-05-phone-en-complaint-report")
	// The English heads are longer: on a laptop the table still fits.
	spv.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	spv.waitJS(t, "laid out for a laptop", `document.documentElement.clientWidth === 1366`)
	if w := spv.evalString(t, `(() => { const s = document.getElementById('reports-table').closest('.board-scroll'); return s.scrollWidth + ' ' + s.clientWidth; })()`); !fitsIn(w) {
		t.Errorf("the English complaint report scrolls sideways on a laptop (scroll width, width: %s)", w)
	}
	spv.scrollTo(t, "reports-table")
	shots.take(t, spv, "adopt-06-laptop-en-complaint-report")
}

// checkFits fails when the page is wider than the screen (a sideways
// scroll of the whole page).
func checkFits(t *testing.T, tb *tab, what string, width int) {
	t.Helper()
	if w := tb.evalString(t, `String(document.documentElement.scrollWidth)`); mustAtoi(t, w) > int64(width) {
		t.Errorf("%s: the page is %s px wide on a %d px screen", what, w, width)
	}
}

// fitsIn reads "scrollWidth clientWidth" and reports whether nothing
// overflows.
func fitsIn(pair string) bool {
	var sw, cw int
	if _, err := fmt.Sscanf(pair, "%d %d", &sw, &cw); err != nil {
		return false
	}
	return sw <= cw
}
