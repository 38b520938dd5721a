package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserAdmin: an admin, in the console's admin screens, creates a
// queue with split-shift hours in WITA, sets a holiday and a cuti bersama
// day, adds an agent, and deactivates them (asked once more) while the new
// agent's console is open: that console is disconnected at once (told its
// session ended), the agent cannot sign in again, and the audit log lists
// each change, filtered by who and what. A not-ready reason with its own
// time limit is added on the way.
func TestBrowserAdmin(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents')`)
	live := func() string { return adm.evalString(t, `document.getElementById('admin-live').textContent`) }

	// --- a queue with split shifts in WITA, by keyboard-reachable fields ---
	adm.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "queue form", `!!document.getElementById('aq-code') && !!document.querySelector('#admin-queues tr[data-queue="umum"]')`)
	adm.do(t, "fill the queue", chromedp.SendKeys(chromedp.ID("aq-code"), "sulsel"),
		chromedp.SendKeys(chromedp.ID("aq-name"), "Sulawesi Selatan"),
		// Channels and the overflow queue are picked by name, not typed as codes.
		chromedp.Click(chromedp.CSS(`#aq-channels input[value="whatsapp"]`)),
		chromedp.Click(chromedp.CSS(`#aq-channels input[value="voice"]`)),
		// The categories by their labels.
		chromedp.Click(chromedp.CSS(`#aq-categories input[value="insentif"]`)),
		// The provinces by name, under a line saying which are ticked.
		chromedp.Click(chromedp.CSS(`#aq-provinces summary`)),
		chromedp.Click(chromedp.CSS(`#aq-provinces input[value="73"]`)),
		// Days in the admin's language, or as the API names them.
		chromedp.SendKeys(chromedp.ID("aq-hours"), "sen 08:00-12:00 13:00-16:00\nfri 08.00-11.00 14:00-16:00"))
	// SLA targets in minutes, hours and days (TestBrowserAdminSLAInUnits).
	adm.setSLA(t, "normal", "first", "1", "hours")
	adm.setSLA(t, "normal", "resolution", "2", "days")
	adm.setSLA(t, "urgent", "first", "15", "minutes")
	adm.setSLA(t, "urgent", "resolution", "8", "hours")
	adm.selectValue(t, "#aq-zone", "Asia/Makassar")
	if got := adm.evalString(t, `[...document.querySelectorAll('#aq-channels label')].map(l => l.textContent.trim()).join('|') + ' / ' + (document.querySelector('#aq-overflow option[value="umum"]').textContent === document.querySelector('#admin-queues tr[data-queue="umum"] th').textContent)`); got != tx("channel.whatsapp")+"|"+tx("channel.voice")+"|"+tx("channel.livechat")+"|"+tx("channel.webform")+" / true" {
		t.Errorf("channels and overflow offered as %q, want the channels' and the queue's names", got)
	}
	adm.selectValue(t, "#aq-overflow", "umum")
	if got, want := adm.text(t, "#aq-provinces summary"), tx("admin.chosen", "names", "Sulawesi Selatan (73)"); got != want {
		t.Errorf("the provinces' line = %q, want %q", got, want)
	}
	adm.do(t, "the channels in view", chromedp.ScrollIntoView(`#aq-channels`))
	shots.take(t, adm, "admin-queue-channels")
	adm.do(t, "save the queue", chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "queue listed", `!!document.querySelector('#admin-queues tr[data-queue="sulsel"]')`)
	if got := adm.evalString(t, `document.querySelector('#admin-queues tr[data-queue="sulsel"]').textContent`); !strings.Contains(got, "WITA") ||
		!strings.Contains(got, "sen 08:00-12:00 13:00-16:00") || !strings.Contains(got, "jum 08:00-11:00") {
		t.Errorf("sulsel row = %q, want WITA and the shifts under Indonesian day names", got)
	}
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)
	var qs struct {
		Queues []struct {
			Code       string              `json:"code"`
			Channels   []string            `json:"channels"`
			Provinces  []string            `json:"provinces"`
			Categories []string            `json:"categories"`
			Overflow   string              `json:"overflow_queue"`
			TimeZone   string              `json:"time_zone"`
			Hours      map[string][]string `json:"hours"`
			SLA        map[string]struct {
				FirstResponseSeconds int `json:"first_response_seconds"`
			} `json:"sla"`
		} `json:"queues"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(t, &qs)
	found := false
	for _, q := range qs.Queues {
		if q.Code == "sulsel" {
			found = true
			// "08.00" is read as 08:00.
			if q.TimeZone != "Asia/Makassar" || len(q.Hours["mon"]) != 2 || q.Hours["fri"][0] != "08:00-11:00" || q.Hours["fri"][1] != "14:00-16:00" ||
				q.SLA["urgent"].FirstResponseSeconds != 900 || q.SLA["normal"].FirstResponseSeconds != 3600 ||
				fmt.Sprint(q.Channels) != "[whatsapp voice]" || fmt.Sprint(q.Provinces) != "[73]" || fmt.Sprint(q.Categories) != "[insentif]" || q.Overflow != "umum" {
				t.Errorf("stored sulsel = %+v", q)
			}
		}
	}
	if !found {
		t.Fatal("queue sulsel not stored")
	}
	// A wrong shift is refused with the validator's words beside the form.
	adm.do(t, "edit sulsel", chromedp.Click(chromedp.CSS(`#admin-queues tr[data-queue="sulsel"] button`)))
	adm.waitJS(t, "edit form", `document.getElementById('aq-code').value === 'sulsel'`)
	adm.waitJS(t, "the queue's channels ticked, its overflow chosen", `[...document.querySelectorAll('#aq-channels input:checked')].map(b => b.value).join() === 'whatsapp,voice'
		&& document.getElementById('aq-overflow').value === 'umum'`)
	adm.do(t, "a broken shift", chromedp.Evaluate[chromedp.Void](`document.getElementById('aq-hours').value = 'mon 17:00-08:00'`),
		chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "refusal shown", `document.getElementById('admin-live').textContent !== ''`)
	if got := live(); got == tx("admin.queue_saved", "name", "Sulawesi Selatan") {
		t.Errorf("a shift ending before it starts was saved: %q", got)
	}
	// In the admin's language, beside the hours, naming the line and what
	// is wrong with it.
	if got, want := adm.text(t, "#aq-hours-error"), tx("routing.invalid.hours_order", "line", 1, "text", "17:00-08:00"); got != want {
		t.Errorf("the hours' refusal = %q, want %q", got, want)
	}
	shots.take(t, adm, "admin-queue")

	// --- holidays: a national day and a cuti bersama day --------------------
	adm.do(t, "holidays section", chromedp.Click(chromedp.ID("admin-nav-holidays")))
	adm.waitJS(t, "holiday form with this year's days", `!!document.getElementById('ah-days') && !!document.getElementById('ah-days').dataset.year`)
	// A line without its kind is refused by its number, not saved with a
	// word of its name taken for the kind.
	adm.do(t, "a day without its kind", chromedp.Evaluate[chromedp.Void](`document.getElementById('ah-year').value = '2027'; document.getElementById('ah-days').value = '2027-12-25 national Hari Raya Natal\n2027-01-01 Tahun Baru'`),
		chromedp.Click(chromedp.CSS(`#admin-holiday-form button[type=submit]`)))
	adm.waitJS(t, "the line refused beside the days, as an error", fmt.Sprintf(`document.getElementById('ah-days-error').textContent === %q
		&& document.getElementById('admin-live').classList.contains('form-status-error')`, tx("admin.lines_invalid", "lines", "2")))
	adm.do(t, "year and days", chromedp.Evaluate[chromedp.Void](`document.getElementById('ah-year').value = '2027'; document.getElementById('ah-days').value = ''`),
		chromedp.SendKeys(chromedp.ID("ah-days"), "2027-12-25 national Hari Raya Natal\n2027-12-24 cuti Cuti bersama Natal"),
		chromedp.Click(chromedp.CSS(`#admin-holiday-form button[type=submit]`)))
	adm.waitJS(t, "holidays saved", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q`, tx("admin.holidays_saved", "n", 2, "year", 2027)))
	var hs struct {
		Holidays []struct{ Day, Kind, Name string } `json:"holidays"`
	}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/holidays/2027", nil).JSON(t, &hs)
	if len(hs.Holidays) != 2 || fmt.Sprint(hs.Holidays) != "[{2027-12-24 joint_leave Cuti bersama Natal} {2027-12-25 national Hari Raya Natal}]" {
		t.Errorf("stored holidays = %v", hs.Holidays)
	}
	// Read back with the kind in the admin's words, as the hint names it.
	adm.waitJS(t, "the days read back in the admin's words", fmt.Sprintf(`document.getElementById('ah-days').value === %q`,
		"2027-12-24 cuti Cuti bersama Natal\n2027-12-25 "+tx("admin.holiday_national")+" Hari Raya Natal"))

	// --- add an agent ------------------------------------------------------------
	adm.do(t, "agents section", chromedp.Click(chromedp.ID("admin-nav-agents")))
	adm.waitJS(t, "agent form", `!!document.getElementById('aa-name')`)
	adm.do(t, "fill the agent", chromedp.SendKeys(chromedp.ID("aa-name"), "Andi Makassar"),
		chromedp.SendKeys(chromedp.ID("aa-email"), "andi@tanggap.example"),
		chromedp.SendKeys(chromedp.ID("aa-password"), "andi-rahasia-2027"),
		chromedp.Click(chromedp.CSS(`#aa-queues input[value="sulsel"]`)),
		chromedp.SendKeys(chromedp.ID("aa-cap-whatsapp"), "4"),
		chromedp.Click(chromedp.CSS(`#admin-agent-form button[type=submit]`)))
	adm.waitJS(t, "agent listed", `[...document.querySelectorAll('#admin-agents th')].some(th => th.textContent === 'Andi Makassar')`)
	andiID := adm.evalString(t, `[...document.querySelectorAll('#admin-agents tr[data-agent]')].find(tr => tr.textContent.includes('Andi Makassar')).dataset.agent`)
	type routingProfile struct {
		Agent struct {
			Queues          []string       `json:"queues"`
			ChannelCapacity map[string]int `json:"channel_capacity"`
			ChannelOwn      map[string]int `json:"channel_own"`
		} `json:"agent"`
	}
	var prof routingProfile
	adminAPI.Do(http.MethodGet, "/api/v1/admin/agents/"+andiID+"/routing", nil).JSON(t, &prof)
	if fmt.Sprint(prof.Agent.Queues) != "[sulsel]" || prof.Agent.ChannelCapacity["whatsapp"] != 4 || fmt.Sprint(prof.Agent.ChannelOwn) != "map[whatsapp:4]" {
		t.Errorf("Andi's routing = %+v, want the queue ticked and WhatsApp's capacity typed, his own", prof.Agent)
	}
	// Edited, the form shows them as they were given, each channel's
	// default beside it.
	adm.do(t, "edit Andi", chromedp.Click(chromedp.CSS(`#admin-agents tr[data-agent="`+andiID+`"] button[data-act=edit]`)))
	adm.waitJS(t, "Andi's queues and capacity shown", fmt.Sprintf(`[...document.querySelectorAll('#aa-queues input:checked')].map(b => b.value).join() === 'sulsel'
		&& document.getElementById('aa-cap-whatsapp').value === '4' && document.getElementById('aa-cap-voice').value === ''
		&& document.getElementById('aa-cap-whatsapp-default').textContent === %q
		&& document.getElementById('aa-cap-voice-default').textContent === %q
		&& document.getElementById('aa-cap-voice').getAttribute('aria-describedby') === 'aa-cap-voice-default'
		&& document.getElementById('aa-channels-hint').textContent === %q`,
		tx("admin.channel_default", "n", "3"), tx("admin.channel_default", "n", "1"), tx("admin.channel_capacity_hint_edit")))
	adm.do(t, "the agent form's queues in view", chromedp.ScrollIntoView(`#aa-queues`))
	shots.take(t, adm, "admin-agent-queues")
	adm.do(t, "the agent form's capacities in view", chromedp.ScrollIntoView(`#aa-channels`))
	shots.take(t, adm, "admin-agent-capacity")
	// A capacity that is no whole number is refused beside the capacities,
	// before anything is sent, its field marked and focused.
	adm.do(t, "a capacity of 2.5", clearField("aa-cap-voice"), chromedp.SendKeys(chromedp.ID("aa-cap-voice"), "2.5"),
		chromedp.Click(chromedp.ID("aa-save")))
	adm.waitJS(t, "refused beside the capacities", fmt.Sprintf(`document.getElementById('aa-channels-error').textContent === %q
		&& document.getElementById('aa-cap-voice').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'aa-cap-voice'`,
		tx("admin.capacity_whole", "channel", tx("channel.voice"))))
	// Emptied, WhatsApp goes back to its default.
	adm.do(t, "empty both capacities", clearField("aa-cap-voice"), clearField("aa-cap-whatsapp"), chromedp.Click(chromedp.ID("aa-save")))
	adm.waitJS(t, "saved", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q`, tx("admin.saved")))
	prof = routingProfile{}
	adminAPI.Do(http.MethodGet, "/api/v1/admin/agents/"+andiID+"/routing", nil).JSON(t, &prof)
	if len(prof.Agent.ChannelOwn) != 0 || prof.Agent.ChannelCapacity["whatsapp"] != 3 {
		t.Errorf("Andi's capacities after emptying = %+v, want none of his own and WhatsApp's default of 3", prof.Agent)
	}

	// Andi signs in; their console is open with the push socket.
	andi := newTab(t, root)
	andi.signIn(t, base+"/console?lang=id-ID", "andi@tanggap.example", "andi-rahasia-2027")
	andi.waitJS(t, "Andi's socket open", `document.documentElement.dataset.socket === 'open'`)

	// --- deactivate: Andi's console is closed at once -----------------------
	start := time.Now()
	adm.do(t, "deactivate Andi", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#admin-agents tr[data-agent="%s"] button[data-act=deactivate]`, andiID))))
	// Asked once more in the row (TestBrowserAdminDeactivateAsksFirst).
	adm.do(t, "yes, deactivate", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#admin-agents tr[data-agent="%s"] button[data-act=deactivate-yes]`, andiID))))
	andi.waitJSFor(t, "Andi's console signed out", 5*time.Second, `!document.getElementById('login-view').hidden`)
	t.Logf("deactivate → the open console disconnected: %v", time.Since(start).Round(time.Millisecond))
	adm.waitJS(t, "Andi shown deactivated", fmt.Sprintf(`document.querySelector('#admin-agents tr[data-agent="%s"]').textContent.includes(%q)`, andiID, "⊘ "+tx("admin.deactivated")))
	adm.waitJS(t, "deactivation said", fmt.Sprintf(`document.getElementById('admin-live').textContent === %q`, tx("admin.agent_deactivated", "name", "Andi Makassar")))
	shots.take(t, adm, "admin-agents")
	again := apptest.NewClient(t, base)
	if r := again.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "andi@tanggap.example", "password": "andi-rahasia-2027"}); r.Status != http.StatusUnauthorized {
		t.Errorf("a deactivated agent's login = %d, want 401", r.Status)
	}

	// --- a not-ready reason with its own time limit ---------------------------
	adm.do(t, "reasons section", chromedp.Click(chromedp.ID("admin-nav-reasons")))
	adm.waitJS(t, "reason form", `!!document.getElementById('ar-code') && !!document.querySelector('#admin-reasons tr[data-reason="sholat"]')`)
	adm.do(t, "fill the reason", chromedp.SendKeys(chromedp.ID("ar-code"), "coaching"),
		chromedp.SendKeys(chromedp.ID("ar-label-id"), "Pendampingan"),
		chromedp.SendKeys(chromedp.ID("ar-label-en"), "Coaching"),
		chromedp.SetValue(chromedp.ID("ar-limit-seconds"), "1800"),
		chromedp.Click(chromedp.CSS(`#admin-reason-form button[type=submit]`)))
	adm.waitJS(t, "the new reason listed", `!!document.querySelector('#admin-reasons tr[data-reason="coaching"]')`)
	if got := adm.evalString(t, `[...document.querySelectorAll('#admin-reasons tr[data-reason="coaching"] td')].slice(0, 3).map(td => td.textContent).join('|')`); got != "Pendampingan|Coaching|1800" {
		t.Errorf("the new reason's row = %q", got)
	}

	// --- the audit log, filtered by who and what ---------------------------------
	adm.do(t, "audit section", chromedp.Click(chromedp.ID("admin-nav-audit")))
	adm.waitJS(t, "audit lines", `document.querySelectorAll('#admin-audit tbody tr').length >= 4`)
	adm.waitJS(t, "account steps offered", `!!document.querySelector('#au-action option[value="admin.post.agents"]')`)
	adm.do(t, "filter: deactivations", chromedp.SetValue(chromedp.ID("au-action"), "admin.post.agents"),
		chromedp.Click(chromedp.CSS(`#admin-audit-form button[type=submit]`)))
	adm.waitJS(t, "one line", `document.querySelectorAll('#admin-audit tbody tr').length === 1`)
	if got := adm.evalString(t, `document.querySelector('#admin-audit tbody tr').textContent`); !strings.Contains(got, "/api/v1/admin/agents/"+andiID+"/deactivate") || !strings.Contains(got, "Administrator") {
		t.Errorf("the audit line = %q, want who and what", got)
	}
	for _, action := range []string{"admin.put.queues", "admin.put.holidays", "admin.post.not-ready-reasons", "settings.post.agents"} {
		var out struct {
			Entries []struct{ Action, Detail string } `json:"entries"`
		}
		adminAPI.Do(http.MethodGet, "/api/v1/admin/audit?action="+action, nil).JSON(t, &out)
		if len(out.Entries) == 0 {
			t.Errorf("no audit line for %s", action)
		}
		for _, e := range out.Entries {
			if strings.Contains(e.Detail, "rahasia") {
				t.Errorf("a password in the audit log: %s", e.Detail)
			}
		}
	}
	shots.take(t, adm, "admin-audit")

	// Past the first page: 101 more changes, then the older lines on demand.
	for i := range 101 {
		if r := adminAPI.Do(http.MethodPut, "/api/v1/admin/holidays/2031", map[string]any{"holidays": []map[string]string{
			{"day": "2031-01-01", "kind": "national", "name": fmt.Sprintf("Tahun Baru %d", i)}}}); r.Status != http.StatusOK {
			t.Fatalf("change %d: %d %s", i, r.Status, r.Body)
		}
	}
	adm.do(t, "every line", chromedp.Evaluate[chromedp.Void](`document.getElementById('au-action').value = ''`),
		chromedp.Click(chromedp.CSS(`#admin-audit-form button[type=submit]`)))
	adm.waitJS(t, "a full page, more offered", `document.querySelectorAll('#admin-audit tbody tr').length === 100 && !!document.getElementById('au-more')`)
	adm.do(t, "older lines", chromedp.Click(chromedp.ID("au-more")))
	adm.waitJS(t, "the older lines below", `document.querySelectorAll('#admin-audit tbody tr').length > 100
		&& document.querySelector('#admin-audit tbody tr:last-child').textContent.includes('/api/v1/admin/')`)

	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.do(t, "agents again", chromedp.Click(chromedp.ID("admin-nav-agents")))
	adm.waitJS(t, "agents drawn", `!!document.getElementById('admin-agents')`)
	if w := adm.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("page is %s px wide on a 390 px screen", w)
	}
	adm.scrollTo(t, "admin-agent-form")
	shots.take(t, adm, "admin-390")
	// The queue form's lists of names fit a phone too.
	adm.do(t, "queues again", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "queue form", `!!document.getElementById('aq-provinces')`)
	adm.do(t, "the provinces open", chromedp.Click(chromedp.CSS(`#aq-provinces summary`)), chromedp.ScrollIntoView(`#aq-channels`))
	if w := adm.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the queue form is %s px wide on a 390 px screen", w)
	}
	shots.take(t, adm, "admin-queue-390")
	adm.checkConsole(t)
}

// openAdminBoard signs the admin in on a laptop-sized tab and opens the
// board tab, where the admin screens are.
func openAdminBoard(t *testing.T, root context.Context, base string) *tab {
	t.Helper()
	adm := newTab(t, root)
	adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
	adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
	adm.openBoard(t)
	return adm
}

// TestBrowserAdminTablesOnPhone: the admin screens' tables (tableOf) keep
// their columns side by side on a laptop, and on a 390 px phone stack each
// row as a card, every cell under its column's name, so the actions of a
// row are on screen without scrolling sideways. The header row stays in
// the table for screen readers, only out of sight on the phone, and the
// accessibility tree is the same at both widths.
func TestBrowserAdminTablesOnPhone(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-agents') && !!document.getElementById('admin-nav-categories')`)

	// Every section below lists at least one row from the demo seed.
	for _, s := range []struct{ section, table string }{
		{"agents", "admin-agents"},
		{"queues", "admin-queues"},
		{"reasons", "admin-reasons"},
		{"categories", "admin-categories"},
		{"roles", "roles-table"}, // its own screen on the board, no section to open
	} {
		first := fmt.Sprintf(`document.querySelector('#%s tbody tr')`, s.table)
		// Each cell carries its column's name, taken from the header row;
		// the result lists the cells that do not (row:cell).
		labelled := fmt.Sprintf(`(() => {
			const heads = [...document.querySelectorAll('#%s thead th[scope=col]')].map((th) => th.textContent);
			const rows = [...document.querySelectorAll('#%s tbody tr')];
			const bad = rows.flatMap((r) => [...r.cells].filter((c, i) => c.dataset.label !== heads[i]).map((c) => r.rowIndex + ':' + c.cellIndex));
			return heads.length > 1 && rows.length > 0 ? bad.join(', ') : 'no header or no row';
		})()`, s.table, s.table)

		adm.do(t, "a laptop window for "+s.section, chromedp.EmulateViewport(1280, 900))
		if s.section != "roles" {
			adm.do(t, s.section+" section", chromedp.Click(chromedp.ID("admin-nav-"+s.section)))
		}
		adm.waitJS(t, s.section+" rows drawn", first+` !== null`)
		if got := adm.evalString(t, labelled); got != "" {
			t.Errorf("%s: cells not labelled with their column: %s", s.section, got)
		}
		// On a laptop: the header row is seen and a row is one line.
		if got := adm.evalString(t, fmt.Sprintf(`(() => {
			const head = document.querySelector('#%s thead').getBoundingClientRect();
			const tops = [...%s.cells].map((c) => Math.round(c.getBoundingClientRect().top));
			return head.height > 10 && tops.every((y) => y === tops[0]) ? 'table' : 'head ' + head.height + ' tops ' + tops.join(',');
		})()`, s.table, first)); got != "table" {
			t.Errorf("%s at 1280 px is not laid out as a table: %s", s.section, got)
		}
		// Scrolled in one step of the page's own: the section may be drawn
		// again between finding a node and scrolling it.
		scroll := fmt.Sprintf(`(() => { document.getElementById(%q).scrollIntoView(); return ''; })()`, s.table)
		adm.evalString(t, scroll)
		shots.take(t, adm, "admin-table-"+s.section+"-1280")
		laptopAX := adm.axTable(t, s.table)

		adm.do(t, "a phone for "+s.section, chromedp.EmulateViewport(390, 844))
		adm.waitJS(t, s.section+" at phone width", `window.innerWidth === 390`)
		if got := adm.evalString(t, `String(document.documentElement.scrollWidth)`); mustAtoi(t, got) > 390 {
			t.Errorf("%s: the page is %s px wide on a 390 px phone", s.section, got)
		}
		// The first row's actions (its last cell) and each of its buttons
		// are within the screen's width.
		if got := adm.evalString(t, fmt.Sprintf(`(() => {
			const row = %s;
			const inside = (e) => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; };
			const cell = row.cells[row.cells.length - 1];
			const out = [cell, ...cell.querySelectorAll('button')].filter((e) => !inside(e));
			return out.map((e) => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');
		})()`, first)); got != "" {
			t.Errorf("%s: the first row's actions go past the 390 px screen: %s", s.section, got)
		}
		// The header row is still in the table, out of sight.
		if got := adm.evalString(t, fmt.Sprintf(`(() => {
			const head = document.querySelector('#%s thead').getBoundingClientRect();
			return head.width <= 1 && head.height <= 1 ? '' : head.width + 'x' + head.height;
		})()`, s.table)); got != "" {
			t.Errorf("%s: the header row is shown on a phone (%s); each cell says its column instead", s.section, got)
		}
		adm.evalString(t, scroll)
		shots.take(t, adm, "admin-table-"+s.section+"-390")
		// A screen reader meets the same table: headers, row headers and
		// cells, none of them named twice by its label.
		if phoneAX := adm.axTable(t, s.table); strings.Join(phoneAX, "\n") != strings.Join(laptopAX, "\n") {
			t.Errorf("%s: a screen reader's view of the table differs on a phone:\n%s\nlaptop:\n%s", s.section, strings.Join(phoneAX, "\n"), strings.Join(laptopAX, "\n"))
		}
	}
	adm.checkConsole(t)
}

// axTable is the table with the given id as the browser's accessibility
// tree has it: its name, then "role: name" of each header and cell in order.
func (tb *tab) axTable(t *testing.T, id string) []string {
	t.Helper()
	caption := tb.evalString(t, fmt.Sprintf(`document.querySelector('#%s caption').textContent`, id))
	nodes := tb.axNodes(t, "read the accessibility tree of "+id)
	byID := make(map[accessibility.NodeID]*accessibility.Node, len(nodes))
	var table *accessibility.Node
	for _, n := range nodes {
		byID[n.NodeID] = n
		if axText(n.Role) == "table" && axText(n.Name) == caption {
			table = n
		}
	}
	if table == nil {
		t.Fatalf("no table named %q in the accessibility tree", caption)
	}
	out := []string{"table: " + caption}
	var walk func(n *accessibility.Node)
	walk = func(n *accessibility.Node) {
		switch r := axText(n.Role); r {
		case "columnheader", "rowheader", "cell":
			if !n.Ignored {
				out = append(out, r+": "+axText(n.Name))
			}
			return
		}
		for _, c := range n.ChildIDs {
			if cn := byID[c]; cn != nil {
				walk(cn)
			}
		}
	}
	walk(table)
	if len(out) < 3 {
		t.Fatalf("the accessibility tree has no headers or cells in %s: %q", id, out)
	}
	return out
}
