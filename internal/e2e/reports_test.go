package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// TestBrowserReports: a supervisor opens the reports under the queue
// board, picks ticket volume by channel, and the table, the server-drawn
// chart and the CSV download all show the three complaints the test sent
// through the form, on a laptop and on a phone screen.
func TestBrowserReports(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg := demoConfig(t)
	cfg.Reports.RefreshInterval = 200 * time.Millisecond
	base := apptest.Start(t, cfg).URL()
	citizen := apptest.NewClient(t, base)
	for i, name := range []string{"Rina", "Yusuf", "Sari"} {
		citizen.Complaint(map[string]string{"name": name, "phone": fmt.Sprintf("08131111%04d", i), "category": "lainnya",
			"description": "Kartu saya belum aktif sejak bulan lalu, mohon dibantu."})
	}
	// The complaints are ingested, then folded into the rollup: wait for
	// the report to count them, as the API tells it.
	api := apptest.NewClient(t, base)
	api.Login("dewi@tanggap.example", "demo-dewi-2026")
	testenv.CheckFor(t, asyncWait, 200*time.Millisecond, func() error {
		var out struct {
			Report struct {
				Total struct{ Values []*float64 }
			}
		}
		r := api.Do("GET", "/api/v1/reports/volume?group_by=channel", nil)
		if r.Status != 200 {
			return fmt.Errorf("status %d: %s", r.Status, r.Body)
		}
		r.JSON(t, &out)
		if v := out.Report.Total.Values; len(v) == 0 || v[0] == nil || *v[0] != 3 {
			return fmt.Errorf("volume total not 3 yet: %s", r.Body)
		}
		return nil
	})
	if r := api.Do("GET", "/api/v1/reports/volume?from=2026-13-01", nil); r.Status != 422 || !strings.Contains(string(r.Body), "from") {
		t.Errorf("a bad date: %d %s", r.Status, r.Body)
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	sup := newTab(t, root)
	sup.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sup.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	sup.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	sup.openBoard(t)
	sup.do(t, "the reports shown", chromedp.WaitVisible(chromedp.ID("reports-mount")))
	if got := sup.text(t, "#reports-title"); got != tx("reports.title") {
		t.Errorf("reports title = %q", got)
	}
	sup.waitJS(t, "the first report shown", `!!document.getElementById('reports-table')`)
	sup.waitJS(t, "volume by day", `!!document.querySelector('#reports-table caption') && document.querySelector('#reports-table caption').textContent === `+jsString(tx("reports.name.volume")))
	sup.selectValue(t, "#reports-group", "channel")
	sup.do(t, "show by channel", chromedp.Click(chromedp.ID("reports-show")))
	webform := tx("channel.webform")
	sup.waitJS(t, "the webform row", fmt.Sprintf(`[...document.querySelectorAll('#reports-table tbody tr')].some(r => r.querySelector('th').textContent === %s)`, jsString(webform)))
	row := func(label string) string {
		return sup.evalString(t, fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('#reports-table tbody tr')].find(r => r.querySelector('th').textContent === %s);
			return r ? [...r.querySelectorAll('td')].map(td => td.textContent).join('|') : 'none'; })()`, jsString(label)))
	}
	if got := row(webform); got != "3|0" {
		t.Errorf("table row %s = %q, want 3 this period and 0 before", webform, got)
	}
	if got := row(tx("reports.total")); got != "3|0" {
		t.Errorf("table total = %q, want 3|0", got)
	}
	if got := sup.evalString(t, `[...document.querySelectorAll('#reports-table thead th')].map(th => th.getAttribute('scope')).join(',')`); got != "col,col,col" {
		t.Errorf("table head scopes = %q", got)
	}
	// The chart: the SVG the page shows, its bar for the webform says 3.
	sup.waitJS(t, "the chart drawn", `(() => { const i = document.getElementById('reports-chart'); return i && i.complete && i.naturalWidth > 0; })()`)
	svg := sup.fetchText(t, `document.getElementById('reports-chart').src`)
	if want := webform + ", " + tx("reports.period_current"); !strings.Contains(svg, "<title>"+want) || !strings.Contains(svg, ": 3</title>") {
		t.Errorf("the chart has no bar %q of 3:\n%s", want, svg)
	}
	if strings.Contains(svg, "<script") || !strings.Contains(svg, `url(#hatch)`) {
		t.Errorf("the chart has a script or no hatched bars for the previous period")
	}
	// The CSV link: the same figures.
	csv := sup.fetchText(t, `document.getElementById('reports-csv').href`)
	if !strings.Contains(csv, "\nwebform,"+webform+",3,0\n") || !strings.Contains(csv, "\ntotal,,3,0\n") {
		t.Errorf("CSV does not agree with the table:\n%s", csv)
	}
	tickets := sup.fetchText(t, `document.getElementById('reports-export').href`)
	if lines := strings.Split(strings.TrimSpace(tickets), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "ticket_id,tracking_number,") {
		t.Errorf("per-ticket export has %d lines:\n%s", len(lines), tickets)
	}
	sup.scrollTo(t, "reports-mount")
	sup.waitJS(t, "the chart fits its frame on a laptop: no extra tab stop", `(f => f.classList.contains('reports-chart-frame') && !f.hasAttribute('tabindex'))(document.getElementById('reports-chart').parentElement)`)
	shots.take(t, sup, "15-reports-laptop")
	sup.scrollTo(t, "reports-table")
	shots.take(t, sup, "15-reports-laptop-table")
	sup.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sup.scrollTo(t, "reports-mount")
	if got := sup.evalString(t, `String(document.documentElement.scrollWidth <= window.innerWidth + 1)`); got != "true" {
		t.Errorf("the page scrolls sideways on a phone (%s)", sup.evalString(t, `String(document.documentElement.scrollWidth)`))
	}
	shots.take(t, sup, "15-reports-phone")
	// The chart keeps a width its text can be read at, and scrolls in its
	// own frame, which the keyboard can then reach.
	sup.waitJS(t, "the chart legible on a phone, scrolling in its frame", `(i => i.getBoundingClientRect().width >= 560
		&& i.parentElement.scrollWidth > i.parentElement.clientWidth && i.parentElement.getAttribute('tabindex') === '0')(document.getElementById('reports-chart'))`)
	shots.takeOf(t, sup, "15-reports-phone-chart", "#reports-mount figure")
	// The resolution report says how its median and p90 round each
	// resolution time; the volume report has no such figure to explain.
	if got := sup.evalString(t, `String(!!document.getElementById('reports-rounding'))`); got != "false" {
		t.Errorf("the volume report shows the rounding note of the resolution time")
	}
	sup.selectValue(t, "#reports-name", "resolution")
	sup.waitJS(t, "the resolution report", `!!document.querySelector('#reports-table caption') && document.querySelector('#reports-table caption').textContent === `+jsString(tx("reports.name.resolution")))
	if got := sup.text(t, "#reports-rounding"); got != tx("reports.rounding_note") {
		t.Errorf("resolution report's rounding note = %q, want %q", got, tx("reports.rounding_note"))
	}
	// The citizens' ratings have their screen too: per channel by default,
	// with the share satisfied named by the threshold in force.
	sup.selectValue(t, "#reports-name", "csat")
	sup.waitJS(t, "the ratings report", `!!document.querySelector('#reports-table caption') && document.querySelector('#reports-table caption').textContent === `+jsString(tx("reports.name.csat"))+`
		&& document.getElementById('reports-group').value === 'channel'`)
	if got := sup.evalString(t, `[...document.querySelectorAll('#reports-table thead th')].map(h => h.textContent).join('|')`); !strings.Contains(got, tx("csat.report.col_responses")) || !strings.Contains(got, tx("csat.report.col_satisfied_pct", "min", 4)) {
		t.Errorf("ratings report columns = %q", got)
	}
	if href := sup.attr(t, "#reports-csv", "href"); !strings.Contains(href, "/api/v1/reports/csat?") || !strings.Contains(href, "format=csv") {
		t.Errorf("ratings CSV link %q", href)
	}
	shots.take(t, sup, "reports-csat")
	sup.checkConsole(t)

}

// fetchText reads a same-origin URL (an expression) from the page, with
// the page's session.
func (tb *tab) fetchText(t *testing.T, urlExpr string) string {
	t.Helper()
	tb.do(t, "fetch "+urlExpr, chromedp.Evaluate[chromedp.Void](`(() => { window.__fetched = undefined;
		fetch(`+urlExpr+`, {credentials: 'same-origin'}).then(r => r.text()).then(x => { window.__fetched = x; }, e => { window.__fetched = 'error: ' + e; }); })()`))
	tb.waitJS(t, "the download", `typeof window.__fetched === 'string'`)
	return tb.evalString(t, `window.__fetched`)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }
