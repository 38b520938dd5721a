package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// slaShown is the queue form's SLA as the admin sees it, priority by
// priority, first response / resolution / next response / warning:
// "urgent 15 minutes / 8 hours / - / 5 minutes", "-" for an empty target.
const slaShown = `['low', 'normal', 'high', 'urgent'].map((p) => p + ' ' + ['first', 'resolution', 'next', 'warn'].map((x) => {
	const id = 'aq-sla-' + p + '-' + x;
	const n = document.getElementById(id).value;
	return n ? n + ' ' + document.getElementById(id + '-unit').value : '-';
}).join(' / ')).join('; ')`

// cutOff lists the SLA's controls that go past the screen's edge, or
// whose words do not fit them: a unit's longest option is measured in
// the drop-down's font, beside its padding and arrow.
const cutOff = `(() => {
	const ctx = document.createElement('canvas').getContext('2d');
	const squeezed = (e) => {
		if (e.tagName !== 'SELECT') { return e.scrollWidth > e.clientWidth + 1; }
		const cs = getComputedStyle(e);
		ctx.font = cs.font;
		const words = Math.max(...[...e.options].map((o) => ctx.measureText(o.textContent).width));
		return words + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20 > e.clientWidth;
	};
	return [...document.querySelectorAll('#aq-sla input, #aq-sla select, #aq-sla label')]
		.filter((e) => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth || r.width < 40 || squeezed(e); })
		.map((e) => e.id || e.htmlFor).join(', ');
})()`

// TestBrowserAdminSLAInUnits: a queue's SLA targets (first response,
// resolution, next response and the warning's lead) are set in minutes,
// hours and days, one row per priority, and the API keeps seconds. The
// targets count the queue's open time only, and the form says so where the
// admin types: each unit is one of service time ("hari layanan (24 jam)"),
// and a line above the targets says what a day is on this queue (about
// 3.3 of umum's working days, open 43.5 hours a week; a calendar day on a
// queue open around the clock), following the hours as they are typed.
// After a save the focus is on the saved queue's edit button. The demo
// queue's targets are shown in the largest unit that holds each
// whole; every number and unit is named by its priority and target for a
// screen reader; a target typed and its unit chosen by keyboard is saved
// in seconds and, after a reload, comes back in the same units. A target
// that is not a whole number of 0 or more, one over 365 days, or a
// warning not shorter than its row's longest target is refused beside the
// SLA, the field at fault focused, and nothing is saved; the API refuses
// a target over 365 days too.
func TestBrowserAdminSLAInUnits(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	// A target no whole minute holds, set through the API.
	if r := adminAPI.Do(http.MethodPut, "/api/v1/admin/queues/detik", map[string]any{"name": "Detik",
		"sla": map[string]any{"low": map[string]int{"first_response_seconds": 90, "resolution_seconds": 7200}}}); r.Status != http.StatusOK {
		t.Fatalf("queue detik: %d %s", r.Status, r.Body)
	}
	adm := openAdminBoard(t, root, base)
	adm.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	adm.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "queue list", `!!document.querySelector('#admin-queues tr[data-queue="umum"]')`)

	// The demo queue (seconds in the seed file) in minutes, hours, days.
	adm.do(t, "edit umum", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="umum"] button`)))
	adm.waitJS(t, "umum's form", `document.getElementById('aq-code').value === 'umum'`)
	if got, want := adm.evalString(t, slaShown),
		"low 8 hours / 5 days / - / -; normal 4 hours / 3 days / - / -; high 1 hours / 1 days / - / -; urgent 15 minutes / 8 hours / - / 5 minutes"; got != want {
		t.Errorf("umum's SLA shown as %q, want %q", got, want)
	}
	if got := adm.text(t, `#aq-sla-urgent-first-unit option:checked`); got != tx("admin.unit_minutes") || got != "menit layanan" {
		t.Errorf("urgent first response unit reads %q, want %q", got, tx("admin.unit_minutes"))
	}
	// Every unit is one of service time; a day says it is 24 hours of it.
	if got, want := adm.evalString(t, `[...document.querySelectorAll('#aq-sla-low-resolution-unit option')].map((o) => o.textContent).join(' | ')`),
		"hari layanan (24 jam) | jam layanan | menit layanan"; got != want {
		t.Errorf("the units offered read %q, want %q", got, want)
	}
	// What a day is on umum (mon–thu 8 h, fri 7.5 h, sat 4 h: 43.5 hours
	// over 6 days), on screen above the targets and in the SLA group's
	// description.
	umumDay := tx("admin.sla_day_here", "hours", "43,5", "days", "3,3")
	if got := adm.evalString(t, `(e => e && !e.hidden && e.getClientRects().length ? e.textContent : '')(document.getElementById('aq-sla-day'))`); got != umumDay ||
		!strings.Contains(got, "1 hari layanan di sini sekitar 3,3 hari kerja") {
		t.Errorf("umum's day of SLA time reads %q, want %q", got, umumDay)
	}
	if got := adm.evalString(t, `document.getElementById('aq-sla').getAttribute('aria-describedby')`); !strings.HasPrefix(got, "aq-sla-day ") {
		t.Errorf("the SLA group is described by %q, want the day's line first", got)
	}
	if got := adm.text(t, "#aq-sla-hint"); !strings.Contains(got, "1 hari layanan = 24 jam buka, bukan 1 hari kalender") {
		t.Errorf("the SLA help reads %q", got)
	}
	// Each number and unit is named by priority and target.
	var want []string
	for _, p := range []string{"low", "normal", "high", "urgent"} {
		for _, target := range []string{"admin.sla_first_response", "admin.sla_resolution", "admin.sla_next_response", "admin.sla_warn_before"} {
			naming := []any{"priority", tx("priority." + p), "target", strings.ToLower(tx(target))}
			want = append(want, "spinbutton: "+tx("admin.sla_amount_name", naming...), "combobox: "+tx("admin.sla_unit_name", naming...))
		}
	}
	if got := strings.Join(adm.axControls(t), "\n"); !strings.Contains(got, strings.Join(want, "\n")) {
		t.Errorf("the SLA's controls as a screen reader hears them:\n%s\nwant, in order:\n%s", got, strings.Join(want, "\n"))
	}
	for _, name := range []string{"Mendesak, respons pertama, jumlah", "Mendesak, respons berikutnya, jumlah", "Mendesak, peringatan sebelum batas, satuan waktu layanan"} {
		if got := adm.axControls(t); !slices.Contains(got, "spinbutton: "+name) && !slices.Contains(got, "combobox: "+name) {
			t.Errorf("no control named %q", name)
		}
	}

	// Saved as it is, umum keeps every target: urgent's warning 5 minutes
	// ahead (the seed's warn_before_seconds) included.
	adm.pressEnter(t, "save umum by keyboard", `#admin-queue-form button[type=submit]`)
	adm.waitJS(t, "umum saved", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q`, tx("admin.queue_saved", "name", "Umum (nasional)")))
	adm.waitJS(t, "the focus on umum's edit button", focusedJS(`#admin-queues tr[data-queue="umum"] button[data-act=queue]`))
	var umum struct {
		Queues []struct {
			Code string                    `json:"code"`
			SLA  map[string]map[string]int `json:"sla"`
		} `json:"queues"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(t, &umum)
	for _, q := range umum.Queues {
		if q.Code == "umum" {
			if got := fmt.Sprint(q.SLA["urgent"]); got != "map[first_response_seconds:900 next_response_seconds:0 resolution_seconds:28800 warn_before_seconds:300]" {
				t.Errorf("umum's urgent SLA after a save from the form = %s", got)
			}
		}
	}

	// Seconds are offered only where a target needs them, so that it is
	// not rounded.
	adm.do(t, "edit detik", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="detik"] button`)))
	adm.waitJS(t, "detik's form", `document.getElementById('aq-code').value === 'detik'`)
	if got, want := adm.evalString(t, slaShown), "low 90 seconds / 2 hours / - / -; normal - / - / - / -; high - / - / - / -; urgent - / - / - / -"; got != want {
		t.Errorf("detik's SLA shown as %q, want %q", got, want)
	}
	if got := adm.evalString(t, `[...document.querySelectorAll('#aq-sla option[value=seconds]')].map((o) => o.parentNode.id).join(', ')`); got != "aq-sla-low-first-unit" {
		t.Errorf("seconds offered in %q, want only where a target needs them", got)
	}

	// The API refuses a target over 365 days (the INTEGER column would
	// have refused ten billion seconds with a 500).
	r := adminAPI.Do(http.MethodPut, "/api/v1/admin/queues/detik", map[string]any{"name": "Detik",
		"sla": map[string]any{"low": map[string]int64{"resolution_seconds": 10_000_000_000}}})
	var refused struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if r.Status == http.StatusUnprocessableEntity {
		r.JSON(t, &refused)
	}
	if want := tx("routing.invalid.sla_too_long", "priority", "low", "days", 365); refused.Error.Fields["sla"] != want {
		t.Errorf("ten billion seconds: %d %s, want 422 with fields.sla %q", r.Status, r.Body, want)
	}

	// A new queue. Refused first: a target that is no whole number of 0
	// or more or is over 365 days, and a warning not shorter than the
	// row's longest target, shown beside the SLA with the field at fault
	// focused.
	adm.do(t, "a new queue", chromedp.Click(chromedp.CSS(`#admin-queue-form button[data-act=queue]`)))
	adm.waitJS(t, "the empty form", `document.getElementById('aq-code').value === '' && document.getElementById('aq-sla-urgent-first').value === ''`)
	adm.do(t, "code and name", chromedp.SendKeys(chromedp.ID("aq-code"), "slauji"), chromedp.SendKeys(chromedp.ID("aq-name"), "Uji SLA"))
	// No hours: open around the clock, a day is a calendar day; hours
	// typed change what a day is at once, and hours with nothing open in
	// them say nothing.
	dayLine := `(e => e.hidden ? '(hidden)' : e.textContent)(document.getElementById('aq-sla-day'))`
	if got, want := adm.evalString(t, dayLine), tx("admin.sla_day_always"); got != want {
		t.Errorf("a queue without hours: the day reads %q, want %q", got, want)
	}
	adm.do(t, "weekday hours", chromedp.SendKeys(chromedp.ID("aq-hours"), "sen 08:00-16:00\nsel 08:00-16:00\nrab 08:00-16:00\nkam 08:00-16:00\njum 08.00-16.00"))
	adm.waitJS(t, "a day is 3 working days", fmt.Sprintf(`%s === %q`, dayLine, tx("admin.sla_day_here", "hours", "40", "days", "3")))
	adm.do(t, "hours that open nothing", clearField("aq-hours"), chromedp.SendKeys(chromedp.ID("aq-hours"), "sen 17:00-08:00"))
	adm.waitJS(t, "no line", dayLine+` === '(hidden)'`)
	adm.do(t, "no hours again", clearField("aq-hours"), chromedp.SendKeys(chromedp.ID("aq-hours"), " "))
	adm.waitJS(t, "a calendar day", fmt.Sprintf(`%s === %q`, dayLine, tx("admin.sla_day_always")))
	type typed struct{ p, target, n, unit string }
	for _, c := range []struct {
		name  string
		set   []typed // the last one is at fault
		key   string
		extra []any
	}{
		{"a negative number", []typed{{"urgent", "first", "-5", "minutes"}}, "admin.sla_invalid", nil},
		{"a fraction", []typed{{"normal", "resolution", "1.5", "hours"}}, "admin.sla_invalid", nil},
		{"no number at all", []typed{{"high", "first", "1e", "minutes"}}, "admin.sla_invalid", nil},
		{"a next response a minute over 365 days", []typed{{"urgent", "next", "525601", "minutes"}}, "admin.sla_too_long", []any{"days", 365}},
		{"a warning of 366 days", []typed{{"low", "resolution", "365", "days"}, {"low", "warn", "366", "days"}}, "admin.sla_too_long", []any{"days", 365}},
		{"a warning as long as the longest target", []typed{{"normal", "first", "15", "minutes"}, {"normal", "next", "1", "hours"},
			{"normal", "warn", "60", "minutes"}}, "admin.sla_warn_too_long", nil},
		{"a warning with no target", []typed{{"high", "warn", "5", "minutes"}}, "admin.sla_warn_too_long", nil},
	} {
		adm.do(t, c.name, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#aq-sla input').forEach((i) => { i.value = ''; })`))
		for _, x := range c.set {
			adm.setSLA(t, x.p, x.target, x.n, x.unit)
		}
		adm.do(t, c.name+": save", chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
		bad := c.set[len(c.set)-1]
		targetKey := map[string]string{"first": "admin.sla_first_response", "resolution": "admin.sla_resolution",
			"next": "admin.sla_next_response", "warn": "admin.sla_warn_before"}[bad.target]
		msg := tx(c.key, append([]any{"priority", tx("priority." + bad.p), "target", strings.ToLower(tx(targetKey))}, c.extra...)...)
		adm.waitJS(t, c.name+" refused beside the SLA, its field focused", fmt.Sprintf(`document.getElementById('aq-sla-error').textContent === %q
			&& !document.getElementById('aq-sla-error').hidden
			&& document.activeElement && document.activeElement.id === %q
			&& document.activeElement.getAttribute('aria-invalid') === 'true'
			&& document.getElementById('admin-live').classList.contains('form-status-error')`, msg, "aq-sla-"+bad.p+"-"+bad.target))
		if c.name == "a negative number" {
			shots.take(t, adm, "admin-sla-refused")
		}
		if c.name == "a warning as long as the longest target" {
			shots.take(t, adm, "admin-sla-refused-warning")
		}
	}
	var qs struct {
		Queues []struct {
			Code string                    `json:"code"`
			SLA  map[string]map[string]int `json:"sla"`
		} `json:"queues"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(t, &qs)
	for _, q := range qs.Queues {
		if q.Code == "slauji" {
			t.Fatalf("a refused SLA was saved: %+v", q)
		}
	}

	// By keyboard: urgent's first response in minutes (the unit an empty
	// first response offers), its resolution in hours (the one an empty
	// resolution offers), normal's resolution changed to days with the
	// arrow keys.
	adm.do(t, "clear the targets", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#aq-sla input').forEach((i) => { i.value = ''; })`))
	focused := func(id string) {
		t.Helper()
		if got := adm.evalString(t, `document.activeElement ? document.activeElement.id : ''`); got != id {
			t.Fatalf("focus on %q, want %q", got, id)
		}
	}
	adm.do(t, "urgent by keyboard", chromedp.Focus(chromedp.ID("aq-sla-urgent-first")), chromedp.SendKeys(chromedp.ID("aq-sla-urgent-first"), "15"),
		chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-urgent-first-unit")
	adm.do(t, "to urgent's resolution", chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-urgent-resolution")
	adm.do(t, "8 hours", chromedp.KeyEvent("8"))
	// Urgent's next response and warning follow, 30 and 10 minutes.
	adm.do(t, "to urgent's next response", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-urgent-next")
	adm.do(t, "30 minutes", chromedp.KeyEvent("3"), chromedp.KeyEvent("0"), chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-urgent-next-unit")
	adm.do(t, "to urgent's warning", chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-urgent-warn")
	adm.do(t, "10 minutes", chromedp.KeyEvent("1"), chromedp.KeyEvent("0"))
	adm.do(t, "normal by keyboard", chromedp.Focus(chromedp.ID("aq-sla-normal-first")), chromedp.KeyEvent("2"), chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-normal-first-unit")
	adm.selectValue(t, "#aq-sla-normal-first-unit", "hours")
	adm.do(t, "normal's resolution", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("3"), chromedp.KeyEvent(kb.Tab))
	focused("aq-sla-normal-resolution-unit")
	adm.do(t, "days, by arrow key", chromedp.KeyEvent(kb.ArrowUp))
	adm.waitJS(t, "days chosen", `document.getElementById('aq-sla-normal-resolution-unit').value === 'days'`)
	// Normal's next response in hours, its warning a day ahead (shorter
	// than its 3-day resolution, longer than its other targets).
	adm.setSLA(t, "normal", "next", "4", "hours")
	adm.setSLA(t, "normal", "warn", "1", "days")
	// High: a resolution target only, 90 minutes (not a whole number of
	// hours); low: none.
	adm.do(t, "high's resolution", chromedp.SendKeys(chromedp.ID("aq-sla-high-resolution"), "90"))
	adm.selectValue(t, "#aq-sla-high-resolution-unit", "minutes")
	wantShown := "low - / - / - / -; normal 2 hours / 3 days / 4 hours / 1 days; high - / 90 minutes / - / -; urgent 15 minutes / 8 hours / 30 minutes / 10 minutes"
	if got := adm.evalString(t, slaShown); got != wantShown {
		t.Fatalf("typed SLA reads %q, want %q", got, wantShown)
	}
	if got := adm.evalString(t, cutOff); got != "" {
		t.Errorf("SLA controls cut off or squeezed at 1366 px: %s", got)
	}
	adm.scrollTo(t, "aq-sla")
	shots.take(t, adm, "admin-sla-1366")
	adm.scrollTo(t, "aq-sla-high-first")
	shots.take(t, adm, "admin-sla-1366-urgent")
	adm.do(t, "save", chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "saved", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q`, tx("admin.queue_saved", "name", "Uji SLA")))
	adm.waitJS(t, "the focus on the new queue's edit button", focusedJS(`#admin-queues tr[data-queue="slauji"] button[data-act=queue]`))

	// The API keeps seconds; low, with no target, is left out.
	adminAPI.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(t, &qs)
	stored := ""
	for _, q := range qs.Queues {
		if q.Code == "slauji" {
			stored = fmt.Sprint(q.SLA)
		}
	}
	if want := "map[high:map[first_response_seconds:0 next_response_seconds:0 resolution_seconds:5400 warn_before_seconds:0] " +
		"normal:map[first_response_seconds:7200 next_response_seconds:14400 resolution_seconds:259200 warn_before_seconds:86400] " +
		"urgent:map[first_response_seconds:900 next_response_seconds:1800 resolution_seconds:28800 warn_before_seconds:600]]"; stored != want {
		t.Errorf("stored SLA = %s\nwant %s", stored, want)
	}

	// After a reload, the same units.
	adm.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("console-view")))
	adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	adm.openBoard(t)
	adm.do(t, "queues section again", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "slauji listed", `!!document.querySelector('#admin-queues tr[data-queue="slauji"]')`)
	adm.do(t, "edit slauji", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="slauji"] button`)))
	adm.waitJS(t, "slauji's form", `document.getElementById('aq-code').value === 'slauji'`)
	if got := adm.evalString(t, slaShown); got != wantShown {
		t.Errorf("after a reload the SLA reads %q, want %q", got, wantShown)
	}

	// On a phone every target is on screen, nothing wider than the page.
	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "phone width", `window.innerWidth === 390`)
	if got := adm.evalString(t, `String(document.documentElement.scrollWidth)`); mustAtoi(t, got) > 390 {
		t.Errorf("the page is %s px wide on a 390 px phone", got)
	}
	if got := adm.evalString(t, cutOff); got != "" {
		t.Errorf("SLA controls cut off or squeezed at 390 px: %s", got)
	}
	shots.takeOf(t, adm, "admin-sla-390", "#admin-queue-form")
	adm.checkConsole(t)

	// In English too: the units' words, the names a screen reader hears,
	// and a phone's width.
	txEN := textsIn(t, "en-US")
	en := newTab(t, root)
	en.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	en.signIn(t, base+"/console?lang=en-US", apptest.AdminEmail, apptest.AdminPassword)
	en.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	en.openBoard(t)
	en.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	en.waitJS(t, "slauji listed", `!!document.querySelector('#admin-queues tr[data-queue="slauji"]')`)
	en.do(t, "edit slauji", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="slauji"] button`)))
	en.waitJS(t, "slauji's form", `document.getElementById('aq-code').value === 'slauji'`)
	if got, want := en.text(t, `#aq-sla-normal-resolution-unit option:checked`), txEN("admin.unit_days"); got != want || want != "service days (24 h)" {
		t.Errorf("normal's resolution unit reads %q, want %q", got, want)
	}
	if got, want := en.text(t, "#aq-sla-day"), txEN("admin.sla_day_always"); got != want || want != "This queue is open around the clock: 1 service day = 1 calendar day." {
		t.Errorf("slauji's day in English reads %q, want %q", got, want)
	}
	if got, name := en.axControls(t), "Urgent, first response, amount"; !slices.Contains(got, "spinbutton: "+name) {
		t.Errorf("no number input named %q in English: %q", name, got)
	}
	if got, name := en.axControls(t), "Urgent, first response, unit of service time"; !slices.Contains(got, "combobox: "+name) {
		t.Errorf("no unit named %q in English: %q", name, got)
	}
	if got := en.evalString(t, `String(document.documentElement.scrollWidth)`); mustAtoi(t, got) > 390 {
		t.Errorf("the English page is %s px wide on a 390 px phone", got)
	}
	if got := en.evalString(t, cutOff); got != "" {
		t.Errorf("SLA controls cut off or squeezed at 390 px in English: %s", got)
	}
	shots.takeOf(t, en, "admin-sla-390-en", "#admin-queue-form")
	en.checkConsole(t)
}

// axControls lists the page's number inputs and drop-downs as the
// browser's accessibility tree has them, in order: "role: name".
func (tb *tab) axControls(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, n := range tb.axNodes(t, "read the accessibility tree") {
		if r := axText(n.Role); !n.Ignored && (r == "spinbutton" || r == "combobox") {
			out = append(out, r+": "+axText(n.Name))
		}
	}
	return out
}

// setSLA types n into a queue form's SLA target (target "first",
// "resolution", "next" or "warn" of priority p) and picks its unit.
func (tb *tab) setSLA(t *testing.T, p, target, n, unit string) {
	t.Helper()
	id := "aq-sla-" + p + "-" + target
	tb.do(t, "SLA "+p+" "+target, clearField(id), chromedp.SendKeys(chromedp.ID(id), n))
	tb.selectValue(t, "#"+id+"-unit", unit)
}

// TestBrowserAdminQueueKeepsItsZone: a queue stored with a zone alias
// (WITA, which the API takes) or with another IANA name shows that zone in
// its form, and saving the form unchanged keeps it: the select once matched
// no option, sent "", and moved an eastern queue to WIB.
func TestBrowserAdminQueueKeepsItsZone(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t) // its eastern desk, timur, is on WITA
	root := newBrowser(t, browser)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	zoneOf := func(code string) string {
		t.Helper()
		var qs struct {
			Queues []struct {
				Code     string `json:"code"`
				TimeZone string `json:"time_zone"`
			} `json:"queues"`
		}
		adminAPI.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(t, &qs)
		for _, q := range qs.Queues {
			if q.Code == code {
				return q.TimeZone
			}
		}
		t.Fatalf("queue %s not listed", code)
		return ""
	}
	if got := zoneOf("timur"); got != "WITA" {
		t.Fatalf("the seed's timur is on %q, want WITA as written", got)
	}
	if r := adminAPI.Do(http.MethodPut, "/api/v1/admin/queues/kalbar", map[string]any{"name": "Kalimantan Barat", "time_zone": "Asia/Pontianak",
		"hours": map[string]any{"mon": []string{"08:00-16:00"}}}); r.Status != http.StatusOK {
		t.Fatalf("queue kalbar: %d %s", r.Status, r.Body)
	}
	adm := openAdminBoard(t, root, base)
	adm.do(t, "a laptop", chromedp.EmulateViewport(1366, 800))
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	adm.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	for _, q := range []struct{ code, zone, shown, chosen string }{
		{"timur", "WITA", "WITA", "Asia/Makassar"},
		{"kalbar", "Asia/Pontianak", "Asia/Pontianak", "Asia/Pontianak"},
	} {
		row := fmt.Sprintf(`#admin-queues tr[data-queue=%q]`, q.code)
		adm.waitJS(t, q.code+" listed", fmt.Sprintf(`!!document.querySelector(%q)`, row))
		if got := adm.text(t, row+` td:nth-of-type(3)`); got != q.shown {
			t.Errorf("%s's zone in the list reads %q, want %q", q.code, got, q.shown)
		}
		adm.do(t, "edit "+q.code, chromedp.Click(chromedp.CSS(row+` button`)))
		adm.waitJS(t, q.code+"'s form", fmt.Sprintf(`document.getElementById('aq-code').value === %q && document.getElementById('aq-zone').value !== ''`, q.code))
		if got := adm.evalString(t, `document.getElementById('aq-zone').value`); got != q.chosen {
			t.Errorf("%s's form shows zone %q, want %q", q.code, got, q.chosen)
		}
		adm.do(t, "save "+q.code+" unchanged", chromedp.Click(chromedp.CSS(`#admin-queue-form button[type="submit"]`)))
		adm.waitJS(t, q.code+" saved", fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, row+` button`))
		if got := zoneOf(q.code); got != q.zone && got != q.chosen {
			t.Errorf("%s's zone after an unchanged save is %q, want %q", q.code, got, q.zone)
		}
	}
	adm.checkConsole(t)
}
