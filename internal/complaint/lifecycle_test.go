package complaint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/bus"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/hours"
	"tanggap/internal/testenv"
)

const wait = 45 * time.Second

// env is one running contact center with a signed-in admin.
type env struct {
	t     *testing.T
	app   *app.App
	admin *apptest.Client
	pub   *apptest.Client
	cfg   config.Config
}

func newEnv(t *testing.T, holidays []string) *env {
	t.Helper()
	return newEnvWith(t, holidays, nil)
}

// newEnvWith is newEnv with the configuration adjusted by tune (nil: none).
func newEnvWith(t *testing.T, holidays []string, tune func(*config.Config)) *env {
	t.Helper()
	cfg := apptest.Config(t)
	if tune != nil {
		tune(&cfg)
	}
	cfg.Complaint.Units = append(cfg.Complaint.Units, config.ComplaintUnit{Code: "unit-insentif", Name: "Divisi Insentif"})
	cfg.Complaint.SensitiveCategories = []string{"insentif"}
	a := apptest.Start(t, cfg)
	e := &env{t: t, cfg: cfg, app: a, admin: apptest.NewClient(t, a.URL()), pub: apptest.NewClient(t, a.URL())}
	e.admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	byYear := map[string][]map[string]string{}
	for _, d := range holidays {
		byYear[d[:4]] = append(byYear[d[:4]], map[string]string{"day": d, "name": "Libur " + d, "kind": "joint_leave"})
	}
	for y, days := range byYear {
		if res := e.admin.Do(http.MethodPut, "/api/v1/admin/holidays/"+y, map[string]any{"holidays": days}); res.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", res.Status, res.Body)
		}
	}
	return e
}

// ticketID waits for the core to store the complaint with this number.
func (e *env) ticketID(tn string) int64 {
	e.t.Helper()
	var id int64
	testenv.CheckFor(e.t, wait, 50*time.Millisecond, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		e.admin.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(e.t, &body)
		for _, tk := range body.Tickets {
			if tk.TrackingNumber == tn {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", tn)
	})
	return id
}

func (e *env) view(id int64) complaint.View {
	e.t.Helper()
	res := e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil)
	if res.Status != http.StatusOK {
		e.t.Fatalf("complaint view: %d %s", res.Status, res.Body)
	}
	var v complaint.View
	res.JSON(e.t, &v)
	return v
}

func (e *env) act(c *apptest.Client, id int64, action string, body map[string]any, want int) complaint.View {
	e.t.Helper()
	res := c.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/%s", id, action), body)
	if res.Status != want {
		e.t.Fatalf("%s: %d %s (want %d)", action, res.Status, res.Body, want)
	}
	var v complaint.View
	if want == http.StatusOK {
		res.JSON(e.t, &v)
	}
	return v
}

func (e *env) tick(now time.Time) complaint.TickResult {
	e.t.Helper()
	r, err := e.app.Complaints().Tick(context.Background(), now)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func clock(v complaint.View, name string) complaint.Clock {
	for _, c := range v.Clocks {
		if c.Name == name {
			return c
		}
	}
	return complaint.Clock{}
}

// nextWorkdays are the next n weekdays after tomorrow in WIB. Not
// today's nor tomorrow's, so never the day a complaint filed next is
// received on, even when the test runs across midnight: received at
// 00:00 of a holiday Monday, three working days would end at Saturday
// 00:00, less than five calendar days after.
func nextWorkdays(n int) []string {
	wib, _ := hours.LoadZone("WIB")
	d := time.Now().In(wib).AddDate(0, 0, 1)
	var out []string
	for len(out) < n {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d.Format(time.DateOnly))
		}
	}
	return out
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

func TestLifecycleVerifyDisposeFollowUpAutoClose(t *testing.T) {
	t.Parallel()
	holidays := nextWorkdays(2) // a national holiday and a cuti bersama right in the way
	e := newEnv(t, holidays)
	tn := e.pub.Complaint(map[string]string{"name": "Budi", "phone": "081234567890", "category": "pelatihan",
		"description": "Video pelatihan tidak bisa diputar.", "kind": "aspirasi"})
	id := e.ticketID(tn)
	v := e.view(id)
	if v.Kind != complaint.KindAspirasi || v.Stage != complaint.StageVerification || v.Anonymous || v.Confidential {
		t.Fatalf("new complaint = %+v", v)
	}
	cal := workCalendar(t, holidays)
	want := complaint.AddWorkingDays(cal, v.ReceivedAt, 3)
	got := clock(v, "verification")
	if got.Due == nil || !got.Due.Equal(want) {
		t.Fatalf("verification due = %v, want %v (3 working days, holidays %v skipped)", got.Due, want, holidays)
	}
	if calendarDays := want.Sub(v.ReceivedAt).Hours() / 24; calendarDays < 5 {
		t.Fatalf("due %v is only %.1f calendar days after %v: the holidays were not skipped", want, calendarDays, v.ReceivedAt)
	}

	e.act(e.admin, id, "set_kind", map[string]any{"kind": "pengaduan"}, http.StatusOK)
	e.act(e.admin, id, "verify", nil, http.StatusOK)
	e.act(e.admin, id, "verify", nil, http.StatusConflict) // twice: the second finds it verified
	e.act(e.admin, id, "dispose", map[string]any{"unit": "nope", "note": "x"}, http.StatusUnprocessableEntity)
	v = e.act(e.admin, id, "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek pemutar video."}, http.StatusOK)
	if v.Stage != complaint.StageDisposed || v.Unit != "unit-insentif" || v.Kind != complaint.KindPengaduan {
		t.Fatalf("after dispose: %+v", v)
	}
	if c := clock(v, "follow_up"); c.Due == nil || c.DaysLeft < 4.9 || c.DaysLeft > 5 {
		t.Fatalf("follow-up clock = %+v, want 5 working days", c)
	}
	e.act(e.admin, id, "answer", map[string]any{"answer": "Sudah diperbaiki, silakan coba lagi."}, http.StatusOK)
	v = e.act(e.admin, id, "publish", nil, http.StatusOK)
	if v.Stage != complaint.StageFollowedUp || v.AnsweredInTime == nil || !*v.AnsweredInTime {
		t.Fatalf("after publish: %+v", v)
	}
	closeDue := clock(v, "auto_close").Due
	if closeDue == nil {
		t.Fatal("no auto-close clock")
	}
	// The citizen sees the steps in plain language.
	var tl struct {
		Stage string `json:"stage"`
		Steps []struct{ Step, Label string }
	}
	e.pub.Do(http.MethodGet, "/api/v1/complaints/"+tn+"/timeline?contact=081234567890", nil).JSON(t, &tl)
	if tl.Stage != "followed_up" || len(tl.Steps) < 4 || tl.Steps[0].Label == "" || strings.HasPrefix(tl.Steps[0].Label, "lifecycle.") {
		t.Fatalf("timeline = %+v", tl)
	}
	// A day before the closing day nothing happens; at it, the complaint
	// and its ticket close, once, however many ticks run.
	if r := e.tick(closeDue.Add(-time.Hour)); r.Closed != 0 {
		t.Fatalf("closed early: %+v", r)
	}
	if r := e.tick(closeDue.Add(time.Minute)); r.Closed != 1 {
		t.Fatalf("tick at the closing day: %+v", r)
	}
	if r := e.tick(closeDue.Add(2 * time.Minute)); r.Closed != 0 {
		t.Fatalf("second tick closed again: %+v", r)
	}
	if v = e.view(id); v.Stage != complaint.StageClosed {
		t.Fatalf("after auto-close: %s", v.Stage)
	}
	var tk struct{ Status string }
	e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &tk)
	if tk.Status != "closed" {
		t.Fatalf("ticket status %q, want closed", tk.Status)
	}
}

func TestLifecycleAskCompleteDisagreeNotAuthorityArchive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	phone := "081298765432"
	tns := []string{}
	for i := 0; i < 3; i++ {
		tns = append(tns, e.pub.Complaint(map[string]string{"name": "Sari", "phone": phone, "category": "pendaftaran",
			"description": fmt.Sprintf("Keluhan nomor %d tentang pendaftaran.", i)}))
	}
	ids := []int64{e.ticketID(tns[0]), e.ticketID(tns[1]), e.ticketID(tns[2])}

	// Ask to complete: the clock pauses, the citizen adds information on the
	// status page, the next tick resumes verification.
	e.act(e.admin, ids[0], "ask_complete", map[string]any{}, http.StatusUnprocessableEntity)
	v := e.act(e.admin, ids[0], "ask_complete", map[string]any{"note": "Mohon lampirkan nomor pendaftaran Anda."}, http.StatusOK)
	if v.Stage != complaint.StageIncomplete || !clock(v, "verification").Paused {
		t.Fatalf("after ask: %+v", v)
	}
	res := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tns[0]+"/messages?contact="+phone, map[string]string{"body": "Nomor pendaftaran saya 12345."})
	if res.Status != http.StatusAccepted {
		t.Fatalf("follow-up: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, wait, 50*time.Millisecond, func() error {
		e.tick(time.Now())
		if v := e.view(ids[0]); v.Stage != complaint.StageVerification || !v.CompletedByCitizen {
			return fmt.Errorf("stage %s", v.Stage)
		}
		return nil
	})

	// Disagreeing with a published follow-up returns it to the unit.
	e.act(e.admin, ids[0], "dispose", map[string]any{"unit": "unit-insentif", "note": "Tolong dibantu."}, http.StatusOK)
	e.act(e.admin, ids[0], "answer", map[string]any{"answer": "Akun sudah aktif."}, http.StatusOK)
	e.act(e.admin, ids[0], "publish", nil, http.StatusOK)
	res = e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tns[0]+"/disagree", map[string]string{"contact": phone, "reason": "Akun masih belum aktif."})
	if res.Status != http.StatusAccepted {
		t.Fatalf("disagree: %d %s", res.Status, res.Body)
	}
	if v := e.view(ids[0]); v.Stage != complaint.StageDisposed || v.ReopenCount != 1 {
		t.Fatalf("after disagree: %+v", v)
	}

	v = e.act(e.admin, ids[1], "not_authority", map[string]any{"agency": "BPJS Ketenagakerjaan"}, http.StatusOK)
	if v.Stage != complaint.StageNotAuthority || v.Agency != "BPJS Ketenagakerjaan" {
		t.Fatalf("not authority: %+v", v)
	}
	e.act(e.admin, ids[2], "archive", map[string]any{"reason": "lol"}, http.StatusUnprocessableEntity)
	if v = e.act(e.admin, ids[2], "archive", map[string]any{"reason": "duplicate"}, http.StatusOK); v.Stage != complaint.StageArchived {
		t.Fatalf("archive: %+v", v)
	}

	// The report's days are WIB days: those the three were received on,
	// not the day the test gets here (it may have run across midnight).
	wib, _ := hours.LoadZone("WIB")
	var days []string
	for _, id := range ids {
		days = append(days, e.view(id).ReceivedAt.In(wib).Format(time.DateOnly))
	}
	period := "from=" + slices.Min(days) + "&to=" + slices.Max(days)
	var rep complaint.Report
	e.admin.Do(http.MethodGet, "/api/v1/reports/complaints?"+period+"&group_by=unit", nil).JSON(t, &rep)
	if rep.Total.Received != 3 || rep.Total.Archived != 1 || rep.Total.NotAuthority != 1 || rep.Total.Reopened != 1 || rep.Total.CompletedByCitizen != 1 {
		t.Fatalf("report = %+v", rep.Total)
	}
	csv := e.admin.Do(http.MethodGet, "/api/v1/reports/complaints?"+period+"&group_by=kind&format=csv", nil)
	// A spreadsheet reads it as UTF-8 by its byte-order mark.
	if !strings.HasPrefix(string(csv.Body), "\ufeffkind,received,") || !strings.Contains(string(csv.Body), "pengaduan,3,") {
		t.Fatalf("csv = %s", csv.Body)
	}
}

func TestLifecycleAnonymousAndConfidential(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	// Anonymous: no identity needed; tracking number and PIN once.
	res := e.pub.Do(http.MethodPost, "/api/v1/complaints", map[string]any{"anonymous": true, "category": "pelatihan",
		"description": "Ada pungutan liar di tempat pelatihan.", "phone": "081211112222"})
	if res.Status != http.StatusCreated {
		t.Fatalf("anonymous: %d %s", res.Status, res.Body)
	}
	var anon struct{ TrackingNumber, PIN string }
	res.JSON(t, &struct {
		TN  *string `json:"tracking_number"`
		PIN *string `json:"pin"`
	}{&anon.TrackingNumber, &anon.PIN})
	if anon.PIN == "" {
		t.Fatalf("no PIN: %s", res.Body)
	}
	aid := e.ticketID(anon.TrackingNumber)
	var detail struct {
		Contact struct{ Name, Phone, Email string }
	}
	e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", aid), nil).JSON(t, &detail)
	if detail.Contact.Name != "" || detail.Contact.Phone != "" || detail.Contact.Email != "" {
		t.Fatalf("anonymous ticket carries an identity: %+v", detail.Contact)
	}
	if r := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+anon.TrackingNumber+"/pin", map[string]string{"pin": "00000000"}); r.Status != http.StatusNotFound {
		t.Fatalf("wrong PIN: %d", r.Status)
	}
	if r := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+anon.TrackingNumber+"/pin", map[string]string{"pin": anon.PIN}); r.Status != http.StatusOK {
		t.Fatalf("PIN status: %d %s", r.Status, r.Body)
	}
	e.act(e.admin, aid, "ask_complete", map[string]any{"note": "Di kota mana?"}, http.StatusOK)
	if r := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+anon.TrackingNumber+"/pin/messages", map[string]string{"pin": anon.PIN, "body": "Di Bandung."}); r.Status != http.StatusAccepted {
		t.Fatalf("PIN follow-up: %d %s", r.Status, r.Body)
	}
	testenv.CheckFor(t, wait, 50*time.Millisecond, func() error {
		e.tick(time.Now())
		if v := e.view(aid); v.Stage != complaint.StageVerification {
			return fmt.Errorf("stage %s", v.Stage)
		}
		return nil
	})

	// Confidential by default in a sensitive category.
	res = e.pub.Do(http.MethodPost, "/api/v1/complaints", map[string]any{"name": "Rahasia Orang", "phone": "081233334444",
		"category": "insentif", "description": "Insentif saya dipotong petugas."})
	if res.Status != http.StatusCreated {
		t.Fatalf("confidential: %d %s", res.Status, res.Body)
	}
	var conf struct {
		TN  string `json:"tracking_number"`
		PIN string `json:"pin"`
	}
	res.JSON(t, &conf)
	cid := e.ticketID(conf.TN)
	e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", cid), nil).JSON(t, &detail)
	if detail.Contact.Name != "" || detail.Contact.Phone != "" || conf.PIN == "" {
		t.Fatalf("confidential ticket shows %+v (pin %q)", detail.Contact, conf.PIN)
	}
	if v := e.view(cid); !v.Confidential || !v.CanReveal {
		t.Fatalf("view = %+v", v)
	}
	if r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint-identity", cid), map[string]string{"reason": ""}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reveal without reason: %d", r.Status)
	}
	r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint-identity", cid), map[string]string{"reason": "Pemeriksaan internal atas petugas"})
	var who complaint.Identity
	r.JSON(t, &who)
	if who.Name != "Rahasia Orang" || who.Phone != "+6281233334444" {
		t.Fatalf("revealed %+v", who)
	}
	// The reveal is audited with its reason, never with the identity.
	d, err := db.Open(context.Background(), db.Config{URL: e.cfg.DatabaseURL, DataDir: e.cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var audit []struct{ Detail string }
	d.Raw(`SELECT detail FROM audit_log WHERE action = 'complaint.identity_revealed' AND ticket_id = ?`, cid).Scan(&audit)
	if len(audit) != 1 || !strings.Contains(audit[0].Detail, "Pemeriksaan internal") || strings.Contains(audit[0].Detail, "Rahasia Orang") {
		t.Fatalf("audit = %+v", audit)
	}
	// An agent without the permission sees no identity and cannot reveal it.
	res = e.admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "agen@tanggap.test", "name": "Agen", "password": "rahasia-agen-123", "role": "agent"})
	if res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	ag := apptest.NewClient(t, e.app.URL())
	ag.Login("agen@tanggap.test", "rahasia-agen-123")
	if r := ag.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint-identity", cid), map[string]string{"reason": "ingin tahu saja"}); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("agent reveal: %d %s", r.Status, r.Body)
	}
}

// TestLifecycleCeilingEvents: every change emits complaint.updated; the
// scheduler's warning and escalation at the ceiling each emit their event
// once, however often it ticks; and no event of a confidential complaint
// carries who complained.
func TestLifecycleCeilingEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.app.Bus()
	got := make(chan *nats.Msg, 64)
	sub, err := b.NC.ChanSubscribe(b.Names.Event(bus.EntityComplaint, "*"), got)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	identity := []string{"Rahasia Orang", "081233334444", "6281233334444", "rahasia@contoh.id"}
	res := e.pub.Do(http.MethodPost, "/api/v1/complaints", map[string]any{"name": identity[0], "phone": identity[1],
		"email": identity[3], "category": "insentif", "description": "Insentif saya dipotong petugas."})
	if res.Status != http.StatusCreated {
		t.Fatalf("confidential: %d %s", res.Status, res.Body)
	}
	var conf struct {
		TN string `json:"tracking_number"`
	}
	res.JSON(t, &conf)
	id := e.ticketID(conf.TN)
	if v := e.view(id); !v.Confidential {
		t.Fatalf("not confidential: %+v", v)
	}

	// next returns the next complaint event of this ticket.
	next := func() (string, map[string]any) {
		t.Helper()
		for {
			select {
			case m := <-got:
				for _, s := range identity {
					if strings.Contains(string(m.Data), s) {
						t.Fatalf("%s carries the identity %q: %s", m.Subject, s, m.Data)
					}
				}
				var body map[string]any
				if err := json.Unmarshal(m.Data, &body); err != nil {
					t.Fatal(err)
				}
				if body["ticket_id"] != float64(id) {
					continue
				}
				name, _ := b.Names.EventName(m.Subject)
				return name, body
			case <-time.After(wait):
				t.Fatal("no complaint event")
			}
		}
	}
	v := e.act(e.admin, id, "verify", nil, http.StatusOK)
	if name, body := next(); name != "complaint.updated" || body["stage"] != "verified" || body["step"] != "verified" || body["tracking_number"] != conf.TN {
		t.Fatalf("after verify: %s %v", name, body)
	}
	ceiling := clock(v, "ceiling").Due
	if ceiling == nil {
		t.Fatalf("no ceiling clock: %+v", v.Clocks)
	}

	// A day before the ceiling: the warning, once.
	if r := e.tick(ceiling.Add(-24 * time.Hour)); r.Warned != 1 || r.Escalated != 0 {
		t.Fatalf("tick before the ceiling: %+v", r)
	}
	if name, body := next(); name != "complaint.warning" || body["ceiling_at"] != ceiling.UTC().Format(time.RFC3339Nano) {
		t.Fatalf("warning: %s %v (ceiling %v)", name, body, ceiling)
	}
	if name, body := next(); name != "complaint.updated" || body["step"] != "ceiling_warning" {
		t.Fatalf("after the warning: %s %v", name, body)
	}
	// At the ceiling, and late again: escalated once.
	for i, at := range []time.Time{ceiling.Add(time.Minute), ceiling.Add(time.Hour), ceiling.Add(72 * time.Hour)} {
		r := e.tick(at)
		if want := map[bool]int{true: 1, false: 0}[i == 0]; r.Escalated != want || r.Warned != 0 {
			t.Fatalf("tick %d at the ceiling: %+v", i, r)
		}
	}
	if name, body := next(); name != "complaint.escalated" || body["queue_id"] == float64(0) {
		t.Fatalf("escalation: %s %v", name, body)
	}
	if name, body := next(); name != "complaint.updated" || body["step"] != "escalated" {
		t.Fatalf("after the escalation: %s %v", name, body)
	}
	// Nothing more for this ticket: a marker change comes next.
	e.act(e.admin, id, "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon ditindaklanjuti."}, http.StatusOK)
	if name, body := next(); name != "complaint.updated" || body["step"] != "disposed" {
		t.Fatalf("after the escalation, before dispose: %s %v (a second escalation?)", name, body)
	}
	var list []complaint.View
	e.admin.Do(http.MethodGet, "/api/v1/complaints/escalated", nil).JSON(t, &list)
	found := false
	for _, c := range list {
		found = found || c.TicketID == id
	}
	if !found {
		t.Fatalf("escalated list lacks %d: %+v", id, list)
	}
}
