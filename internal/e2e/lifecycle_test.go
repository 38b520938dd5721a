package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/hours"
	"tanggap/internal/testenv"
)

// TestBrowserComplaintLifecycle walks complaints through every path of the
// public-service lifecycle in a browser, on a calendar with a national
// holiday and a cuti bersama day just after tomorrow:
//   - the citizen files an "aspirasi" on /pengaduan; the verifier sees its
//     verification clock due three working days later, the holidays
//     skipped; verifies, disposes to a unit; the unit answers; a
//     supervisor publishes; the citizen reads the timeline on the status
//     page; the closing day passes (the clock is advanced, not slept) and
//     it closes;
//   - ask to complete: the clock pauses, the citizen adds information on
//     the status page, verification resumes;
//   - not our authority (the agency named to the citizen) and archive;
//   - an anonymous complaint: no identity asked, a PIN shown once, followed
//     up on the status page with tracking number and PIN;
//   - a confidential complaint (a sensitive category, confidential by
//     default): an agent sees no identity; a supervisor's reveal needs a
//     reason and is audited.
func TestBrowserComplaintLifecycle(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	cfg, a, admin := startLifecycleApp(t)
	base := a.URL()

	// A national holiday and a cuti bersama day on the next two weekdays
	// after tomorrow: never the day the complaint below is received on,
	// even when the test runs across midnight (received at 00:00 of a
	// holiday Monday, three working days end less than five days later).
	wib, _ := hours.LoadZone("WIB")
	var holidays []string
	for d := time.Now().In(wib).AddDate(0, 0, 1); len(holidays) < 2; {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			holidays = append(holidays, d.Format(time.DateOnly))
		}
	}
	for i, d := range holidays {
		kind := []string{"national", "joint_leave"}[i]
		res := admin.Do(http.MethodGet, "/api/v1/admin/holidays/"+d[:4], nil)
		var cur struct {
			Holidays []map[string]string `json:"holidays"`
		}
		res.JSON(t, &cur)
		days := append(cur.Holidays, map[string]string{"day": d, "name": "Libur " + d, "kind": kind})
		if r := admin.Do(http.MethodPut, "/api/v1/admin/holidays/"+d[:4], map[string]any{"holidays": days}); r.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", r.Status, r.Body)
		}
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)
	staff := newTab(t, root)
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	staff.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))

	// --- the citizen files an aspirasi -------------------------------------
	file := func(step string, fill func()) (tn, pin string) {
		t.Helper()
		citizen.do(t, step, chromedp.Navigate(base+"/pengaduan?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("complaint-form")))
		citizen.waitJS(t, "categories loaded", `document.querySelectorAll('#category option').length > 1`)
		fill()
		citizen.do(t, "send", chromedp.Click(chromedp.ID("submit-btn")))
		citizen.waitJSFor(t, "tracking number", asyncWait, `/^\d{4}-\d{4}-\d{4}-\d{4}$/.test(document.getElementById('tracking-number').textContent.trim())`)
		tn = citizen.text(t, "#tracking-number")
		if !citizen.evalBool(t, `document.getElementById('pin-box').hidden`) {
			pin = citizen.text(t, "#pin-number")
		}
		return tn, pin
	}
	tnMain, pin := file("open the form", func() {
		citizen.selectValue(t, "#kind", "aspirasi")
		citizen.do(t, "fill the form",
			chromedp.SendKeys(chromedp.ID("name"), "Budi Santoso"),
			chromedp.SendKeys(chromedp.ID("phone"), "081234500001"),
			chromedp.SendKeys(chromedp.ID("description"), "Mohon jadwal pelatihan daring ditambah pada malam hari."))
		citizen.selectValue(t, "#category", "pelatihan")
	})
	if pin != "" {
		t.Fatalf("a complaint with a name got a PIN %q", pin)
	}
	ids := ticketIDs(t, admin, tnMain)
	id := ids[tnMain]

	// --- the verifier sees the clock on working days ------------------------
	staff.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	openTicket := func(id int64) {
		t.Helper()
		staff.do(t, "open ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
		staff.waitJS(t, "lifecycle panel", fmt.Sprintf(`document.getElementById('lc-stage') && document.querySelector('#lc-form, #lc-steps') && location.hash === '#ticket-%d'`, id))
	}
	openTicket(id)
	staff.waitJS(t, "verification stage", fmt.Sprintf(`document.getElementById('lc-stage').dataset.stage === 'verification' && document.getElementById('lc-kind-shown').textContent === %q`, tx("lifecycle.kind.aspirasi")))
	received := ticketReceived(t, admin, id)
	cal := workCalendar(t, holidays)
	wantDue := complaint.AddWorkingDays(cal, received, 3)
	gotDue, err := time.Parse(time.RFC3339Nano, staff.attr(t, `#lc-clocks [data-clock="verification"]`, "data-due"))
	if err != nil || !gotDue.Equal(wantDue) {
		t.Fatalf("verification due shown %v (%v), want %v: 3 working days with %v off", gotDue, err, wantDue, holidays)
	}
	if wantDue.Sub(received) < 5*24*time.Hour {
		t.Fatalf("due %v is too early for a holiday calendar", wantDue)
	}
	staff.do(t, "show the panel", chromedp.Evaluate[chromedp.Void](`document.getElementById('lifecycle-mount').scrollIntoView()`))
	shots.take(t, staff, "lifecycle-01-verification")

	act := func(action string, fields map[string]string, wantStage string) {
		t.Helper()
		staff.waitJS(t, "action "+action+" offered", fmt.Sprintf(`document.querySelector('#lc-action option[value=%q]')`, action))
		staff.selectValue(t, "#lc-action", action)
		for f, v := range fields {
			staff.do(t, "fill "+f, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
				`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); })()`, "lc-"+f, v)))
		}
		// The submit marks the panel busy at once; the action's answer is
		// awaited before the next step, or a stage unchanged by the action
		// (set_kind) would let the next action overtake it.
		staff.do(t, action, chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
		staff.waitJS(t, action+" answered, stage "+wantStage, fmt.Sprintf(`document.getElementById('lifecycle-mount').getAttribute('aria-busy') !== 'true' && document.getElementById('lc-stage') && document.getElementById('lc-stage').dataset.stage === %q`, wantStage))
		if k, ok := fields["kind"]; ok {
			staff.waitJS(t, "kind "+k, fmt.Sprintf(`document.getElementById('lc-kind-shown').textContent === %q`, tx("lifecycle.kind."+k)))
		}
	}
	// Two actions sent back to back, the second before the first answered:
	// whichever answer comes last, the panel ends on the complaint as
	// stored (both applied), never on the first action's older view.
	staff.selectValue(t, "#lc-action", "set_kind")
	staff.selectValue(t, "#lc-kind", "pengaduan")
	staff.do(t, "set_kind", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
	staff.selectValue(t, "#lc-action", "verify")
	staff.do(t, "verify at once", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-form').requestSubmit()`))
	staff.waitJS(t, "both answered, verified as a pengaduan", fmt.Sprintf(`document.getElementById('lifecycle-mount').getAttribute('aria-busy') !== 'true' && document.getElementById('lc-stage').dataset.stage === 'verified' && document.getElementById('lc-kind-shown').textContent === %q`, tx("lifecycle.kind.pengaduan")))
	act("set_kind", map[string]string{"kind": "pengaduan"}, "verified")
	act("dispose", map[string]string{"unit": "unit-insentif", "instructions": "Mohon ditinjau jadwal kelas malam."}, "disposed")
	staff.waitJS(t, "follow-up clock", `document.querySelector('#lc-clocks [data-clock="follow_up"]')`)
	act("answer", map[string]string{"answer": "Kelas malam dibuka mulai bulan depan."}, "answered")
	act("publish", nil, "followed_up")
	shots.take(t, staff, "lifecycle-02-followed-up")

	// --- the citizen reads the timeline -------------------------------------
	lookup := func(tn, contact, pin string) {
		t.Helper()
		citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn), chromedp.WaitVisible(chromedp.ID("lookup-form")))
		if contact != "" {
			citizen.do(t, "contact", clearField("contact"), chromedp.SendKeys(chromedp.ID("contact"), contact))
		}
		if pin != "" {
			citizen.do(t, "pin", chromedp.SendKeys(chromedp.ID("pin"), pin))
		}
		citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
		citizen.waitJS(t, "timeline shown", `!document.getElementById('timeline-box').hidden && document.querySelectorAll('#timeline li').length > 0`)
	}
	lookup(tnMain, "081234500001", "")
	timeline := citizen.text(t, "#timeline")
	for _, step := range []string{"received", "verified", "disposed", "published"} {
		if !strings.Contains(timeline, tx("lifecycle.step."+step)) {
			t.Errorf("timeline %q lacks %q", timeline, tx("lifecycle.step."+step))
		}
	}
	if !strings.Contains(timeline, "Kelas malam dibuka") {
		t.Errorf("timeline does not show the published answer: %q", timeline)
	}
	citizen.waitJS(t, "disagree offered", `!document.getElementById('disagree-form').hidden`)
	shots.take(t, citizen, "lifecycle-03-status-timeline")

	// --- the closing day comes (the clock advanced, nothing slept) ----------
	var v complaint.View
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil).JSON(t, &v)
	closeDue := clockDue(t, v, "auto_close")
	if want := complaint.AddWorkingDays(cal, *v.PublishedAt, 10); !closeDue.Equal(want) {
		t.Fatalf("auto-close due %v, want %v", closeDue, want)
	}
	if r, err := a.Complaints().Tick(context.Background(), closeDue.Add(-time.Minute)); err != nil || r.Closed != 0 {
		t.Fatalf("tick before the closing day: %+v %v", r, err)
	}
	if r, err := a.Complaints().Tick(context.Background(), closeDue.Add(time.Minute)); err != nil || r.Closed != 1 {
		t.Fatalf("tick at the closing day: %+v %v", r, err)
	}
	lookup(tnMain, "081234500001", "")
	citizen.waitJS(t, "closed", fmt.Sprintf(`document.getElementById('tl-stage').textContent.indexOf(%q) >= 0 && !document.getElementById('closed-note').hidden`, tx("lifecycle.stage.closed")))

	// --- ask to complete, the citizen completes -----------------------------
	tnAsk, _ := file("second complaint", func() {
		citizen.do(t, "fill", chromedp.SendKeys(chromedp.ID("name"), "Sari"), chromedp.SendKeys(chromedp.ID("phone"), "081234500002"),
			chromedp.SendKeys(chromedp.ID("description"), "Saldo pelatihan saya berkurang."))
		citizen.selectValue(t, "#category", "pelatihan")
	})
	tnNA, _ := file("third complaint", func() {
		citizen.do(t, "fill", chromedp.SendKeys(chromedp.ID("name"), "Andi"), chromedp.SendKeys(chromedp.ID("phone"), "081234500003"),
			chromedp.SendKeys(chromedp.ID("description"), "Jalan di desa saya rusak."))
		citizen.selectValue(t, "#category", "lainnya")
	})
	tnArc, _ := file("fourth complaint", func() {
		citizen.do(t, "fill", chromedp.SendKeys(chromedp.ID("name"), "Iklan"), chromedp.SendKeys(chromedp.ID("phone"), "081234500004"),
			chromedp.SendKeys(chromedp.ID("description"), "Beli pulsa murah di sini."))
		citizen.selectValue(t, "#category", "lainnya")
	})
	ids = ticketIDs(t, admin, tnAsk, tnNA, tnArc)
	openTicket(ids[tnAsk])
	act("ask_complete", map[string]string{"missing": "Mohon sebutkan tanggal saldo berkurang."}, "incomplete")
	staff.waitJS(t, "paused clock", fmt.Sprintf(`document.querySelector('#lc-clocks [data-clock="verification"]').textContent.indexOf(%q) >= 0`,
		strings.SplitN(tx("lifecycle.clock.paused", "n", "X"), "(", 2)[0]))
	lookup(tnAsk, "081234500002", "")
	citizen.waitJS(t, "asked to complete", `!document.getElementById('tl-incomplete').hidden`)
	citizen.do(t, "complete", chromedp.SendKeys(chromedp.ID("followup-body"), "Tanggal 3 bulan ini."), chromedp.Click(chromedp.ID("followup-btn")))
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, func() error {
		if _, err := a.Complaints().Tick(context.Background(), time.Now()); err != nil {
			return err
		}
		var v complaint.View
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", ids[tnAsk]), nil).JSON(t, &v)
		if v.Stage != complaint.StageVerification || !v.CompletedByCitizen {
			return fmt.Errorf("stage %s", v.Stage)
		}
		return nil
	})
	lookup(tnAsk, "081234500002", "")
	if tl := citizen.text(t, "#timeline"); !strings.Contains(tl, tx("lifecycle.step.completed")) {
		t.Errorf("timeline after completing: %q", tl)
	}

	// --- not our authority; archive -----------------------------------------
	openTicket(ids[tnNA])
	act("not_authority", map[string]string{"agency": "Dinas Pekerjaan Umum kabupaten"}, "not_authority")
	openTicket(ids[tnArc])
	act("archive", map[string]string{"reason": "spam"}, "archived")
	lookup(tnNA, "081234500003", "")
	if tl := citizen.text(t, "#timeline"); !strings.Contains(tl, "Dinas Pekerjaan Umum kabupaten") {
		t.Errorf("the agency is not told to the citizen: %q", tl)
	}

	// --- anonymous, followed up with its PIN --------------------------------
	tnAnon, pinAnon := file("anonymous complaint", func() {
		citizen.do(t, "anonymous", chromedp.Click(chromedp.ID("anonymous")))
		citizen.waitJS(t, "no identity asked", `document.getElementById('contact-fields').hidden`)
		citizen.do(t, "fill", chromedp.SendKeys(chromedp.ID("description"), "Ada pungutan di lokasi pelatihan."))
		citizen.selectValue(t, "#category", "pelatihan")
	})
	if len(pinAnon) != 9 {
		t.Fatalf("anonymous PIN shown %q", pinAnon)
	}
	shots.take(t, citizen, "lifecycle-04-anonymous-pin")
	// The PIN is shown once: the copy button takes it along with the number.
	if got := citizen.text(t, "#copy-tn"); got != tx("complaint.copy_with_pin") {
		t.Errorf("copy button beside a PIN reads %q", got)
	}
	citizen.do(t, "copy the number and the PIN", chromedp.Evaluate[chromedp.Void](
		`Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {writeText: (s) => { window.__copied = s; return Promise.resolve(); }}})`),
		chromedp.Click(chromedp.ID("copy-tn")))
	citizen.waitJS(t, "both copied, and said so", fmt.Sprintf(`window.__copied === %q && document.body.innerText.indexOf(%q) >= 0`,
		tx("complaint.tracking_number")+": "+tnAnon+"\n"+tx("lifecycle.form.pin_title")+": "+pinAnon, tx("complaint.copied_with_pin")))
	lookup(tnAnon, "", pinAnon)
	citizen.do(t, "follow up with the PIN", chromedp.SendKeys(chromedp.ID("followup-body"), "Lokasinya di Bandung."), chromedp.Click(chromedp.ID("followup-btn")))
	citizen.waitJSFor(t, "the follow-up in the thread", asyncWait, `document.getElementById('thread').textContent.indexOf('Lokasinya di Bandung.') >= 0`)
	shots.take(t, citizen, "lifecycle-05-anonymous-followup")

	// --- confidential: hidden from an agent, revealed with a reason ---------
	tnConf, pinConf := file("confidential complaint", func() {
		citizen.do(t, "fill", chromedp.SendKeys(chromedp.ID("name"), "Rahasia Warga"), chromedp.SendKeys(chromedp.ID("phone"), "081234500009"),
			chromedp.SendKeys(chromedp.ID("description"), "Insentif saya dipotong oknum."))
		citizen.selectValue(t, "#category", "insentif")
		citizen.waitJS(t, "confidential by default", `document.getElementById('confidential').checked && !document.getElementById('sensitive-hint').hidden`)
	})
	if pinConf == "" {
		t.Fatal("a confidential complaint got no PIN")
	}
	// Its confirmation says to keep the PIN, not the phone it cannot be
	// found with; the status page then asks for the PIN.
	if got := citizen.text(t, "#success-body"); got != tx("complaint.success_body_pin") {
		t.Errorf("confirmation of a confidential complaint = %q", got)
	}
	citizen.do(t, "to the status page", chromedp.Navigate(base+citizen.attr(t, "#status-link", "href")))
	citizen.waitJS(t, "the PIN asked for", `document.activeElement && document.activeElement.id === 'pin' && document.getElementById('contact').value === ''`)
	ids = ticketIDs(t, admin, tnConf)
	if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "agen@tanggap.test", "name": "Agen Satu", "password": "rahasia-agen-123", "role": "agent"}); r.Status >= 300 {
		t.Fatalf("create agent: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/assign", ids[tnConf]), map[string]any{"agent_id": agentID(t, admin, "agen@tanggap.test")}); r.Status >= 300 {
		t.Logf("assign to the agent: %d %s (the agent reads it through the queue instead)", r.Status, r.Body)
	}
	agentTab := newTab(t, root)
	agentTab.do(t, "laptop", chromedp.EmulateViewport(1366, 800))
	agentTab.signIn(t, base+"/console?lang=id-ID", "agen@tanggap.test", "rahasia-agen-123")
	agentTab.do(t, "open", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, ids[tnConf])))
	agentTab.waitJS(t, "confidential badge", `document.getElementById('lc-confidential')`)
	if body := agentTab.evalString(t, `document.body.innerText`); strings.Contains(body, "Rahasia Warga") || strings.Contains(body, "4500009") {
		t.Fatal("the agent's console shows the confidential identity")
	}
	if agentTab.evalBool(t, `!!document.getElementById('lc-reveal')`) {
		t.Fatal("an agent without the permission is offered the reveal")
	}
	shots.take(t, agentTab, "lifecycle-06-confidential-agent")
	openTicket(ids[tnConf])
	staff.waitJS(t, "reveal offered", `document.getElementById('lc-reveal')`)
	if body := staff.evalString(t, `document.body.innerText`); strings.Contains(body, "Rahasia Warga") {
		t.Fatal("the supervisor's screen shows the identity before a reveal")
	}
	staff.do(t, "reveal", chromedp.SendKeys(chromedp.ID("lc-reveal-reason"), "Pemeriksaan oknum oleh inspektorat"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-reveal-form').requestSubmit()`))
	staff.waitJS(t, "identity revealed", `document.getElementById('lc-reveal-out').textContent.indexOf('Rahasia Warga') >= 0`)
	staff.do(t, "show the panel", chromedp.Evaluate[chromedp.Void](`document.getElementById('lc-reveal-form').scrollIntoView()`))
	shots.take(t, staff, "lifecycle-07-revealed")
	d, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var audit []struct {
		AgentID int64
		Detail  string
	}
	d.Raw(`SELECT agent_id, detail FROM audit_log WHERE action = 'complaint.identity_revealed' AND ticket_id = ?`, ids[tnConf]).Scan(&audit)
	if len(audit) != 1 || audit[0].AgentID == 0 || !strings.Contains(audit[0].Detail, "inspektorat") || strings.Contains(audit[0].Detail, "Rahasia Warga") {
		t.Fatalf("reveal audit = %+v", audit)
	}
	citizen.checkConsole(t)
	staff.checkConsole(t)
	agentTab.checkConsole(t)
}

func (tb *tab) evalBool(t *testing.T, expr string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return b
}

func ticketReceived(t *testing.T, c *apptest.Client, id int64) time.Time {
	t.Helper()
	var v complaint.View
	c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil).JSON(t, &v)
	return v.ReceivedAt
}

func clockDue(t *testing.T, v complaint.View, name string) time.Time {
	t.Helper()
	for _, c := range v.Clocks {
		if c.Name == name && c.Due != nil {
			return *c.Due
		}
	}
	t.Fatalf("no %s clock in %+v", name, v.Clocks)
	return time.Time{}
}

func workCalendar(t *testing.T, holidays []string) *hours.Calendar {
	t.Helper()
	var w hours.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []hours.Interval{{Start: 0, End: 1440}}
	}
	cal, err := hours.New("WIB", w, holidays)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func agentID(t *testing.T, c *apptest.Client, email string) int64 {
	t.Helper()
	var list []struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	res := c.Do(http.MethodGet, "/api/v1/agents", nil)
	if err := tryJSON(res.Body, &list); err != nil {
		var wrapped struct {
			Agents []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"agents"`
		}
		res.JSON(t, &wrapped)
		list = wrapped.Agents
	}
	for _, a := range list {
		if a.Email == email {
			return a.ID
		}
	}
	t.Fatalf("no agent %s", email)
	return 0
}

func tryJSON(b []byte, v any) error { return json.Unmarshal(b, v) }

// startLifecycleApp starts an app with one work unit (Divisi Insentif) and
// "insentif" as a sensitive category, and signs its admin in.
func startLifecycleApp(t *testing.T) (config.Config, *app.App, *apptest.Client) {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.Complaint.Units = []config.ComplaintUnit{{Code: "unit-insentif", Name: "Divisi Insentif"}}
	cfg.Complaint.SensitiveCategories = []string{"insentif"}
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	return cfg, a, admin
}
