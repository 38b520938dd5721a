package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// newestAudit reads the newest audit line of action in lang.
func newestAudit(t *testing.T, admin *apptest.Client, action, lang string) (detail, summary string, fields []string) {
	t.Helper()
	var out apptest.AuditPage
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action="+action+"&lang="+lang, nil).JSON(t, &out)
	if len(out.Entries) == 0 || out.Entries[0].Action != action {
		t.Fatalf("no audit line %s", action)
	}
	e := out.Entries[0]
	for _, f := range e.Fields {
		if f.Changed && f.Value != f.From+" → "+f.To {
			t.Errorf("field %q reads %q, not its from %q and to %q", f.Label, f.Value, f.From, f.To)
		}
		fields = append(fields, f.Label+": "+f.Value)
	}
	return e.Detail, e.Summary, fields
}

// A changed setting's audit line keeps what changed, old and new, and
// only that: the queue's SLA target shortened reads "Target respons
// pertama (Tinggi): 30 menit → 15 menit", not the queue's whole setting;
// a year's holidays name the day renamed and the day added. A new queue
// still keeps what was sent.
func TestAuditKeepsBeforeAndAfter(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	queue := func(firstResponse int) {
		t.Helper()
		res := admin.Do(http.MethodPut, "/api/v1/admin/queues/insentif", map[string]any{"name": "Insentif", "time_zone": "Asia/Jakarta",
			"channels": []string{"livechat"}, "hours": map[string][]string{"mon": {"08:00-16:00"}},
			"sla": map[string]any{"high": map[string]int{"first_response_seconds": firstResponse, "resolution_seconds": 86400}}})
		if res.Status != http.StatusOK {
			t.Fatalf("save the queue: %d %s", res.Status, res.Body)
		}
	}
	queue(1800)
	detail, summary, _ := newestAudit(t, admin, "admin.put.queues", "id-ID")
	if !strings.Contains(detail, `"time_zone":"Asia/Jakarta"`) || strings.Contains(detail, `"changed"`) || summary != "Antrean disimpan: Insentif" {
		t.Errorf("a new queue's line = %q (%q), want what was sent", detail, summary)
	}

	queue(900)
	detail, summary, fields := newestAudit(t, admin, "admin.put.queues", "id-ID")
	if want := `PUT /api/v1/admin/queues/insentif {"name":"Insentif","changed":[{"field":"sla.high.first_response_seconds","from":1800,"to":900}]}`; detail != want {
		t.Errorf("stored line = %q, want %q", detail, want)
	}
	if summary != "Antrean diubah: Insentif" || strings.Join(fields, " | ") != "Target respons pertama (Tinggi): 30 menit → 15 menit" {
		t.Errorf("line reads %q: %q", summary, fields)
	}
	_, summary, fields = newestAudit(t, admin, "admin.put.queues", "en-US")
	if summary != "Queue changed: Insentif" || strings.Join(fields, " | ") != "First response target (High): 30 minutes → 15 minutes" {
		t.Errorf("English line reads %q: %q", summary, fields)
	}

	// Sent again as the form might (a day in capitals, an hour without its
	// leading zero), nothing changed: the save compares what is stored,
	// and a save that changed nothing writes no line.
	var lines apptest.AuditPage
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action=admin.put.queues", nil).JSON(t, &lines)
	res := admin.Do(http.MethodPut, "/api/v1/admin/queues/insentif", map[string]any{"name": "Insentif", "time_zone": "Asia/Jakarta",
		"channels": []string{"livechat"}, "hours": map[string][]string{"MON": {"8:00-16:00"}},
		"sla": map[string]any{"high": map[string]int{"first_response_seconds": 900, "resolution_seconds": 86400}}})
	if res.Status != http.StatusOK {
		t.Fatalf("save the queue again: %d %s", res.Status, res.Body)
	}
	var again apptest.AuditPage
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action=admin.put.queues", nil).JSON(t, &again)
	if len(again.Entries) != len(lines.Entries) {
		t.Errorf("the same queue saved again wrote a line: %q", again.Entries[0].Summary)
	}

	holidays := func(days ...map[string]string) {
		t.Helper()
		if res := admin.Do(http.MethodPut, "/api/v1/admin/holidays/2026", map[string]any{"holidays": days}); res.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", res.Status, res.Body)
		}
	}
	holidays(map[string]string{"day": "2026-08-17", "name": "HUT RI"})
	holidays(map[string]string{"day": "2026-08-17", "name": "Hari Kemerdekaan"}, map[string]string{"day": "2026-12-25", "name": "Natal"})
	detail, _, fields = newestAudit(t, admin, "admin.put.holidays", "id-ID")
	if strings.Contains(detail, `"kind":"national"`) || !strings.Contains(detail, `"from":"HUT RI","to":"Hari Kemerdekaan"`) {
		t.Errorf("holidays line = %q, want the rename and the new day only", detail)
	}
	want := []string{"Hari libur (2026-08-17, Nama): HUT RI → Hari Kemerdekaan", "Hari libur (2026-12-25, jenis): — → libur nasional",
		"Hari libur (2026-12-25, Nama): — → Natal"}
	if strings.Join(fields, " | ") != strings.Join(want, " | ") {
		t.Errorf("holidays read %q, want %q", fields, want)
	}
}

// Accounts, their queue settings, roles, canned replies and macros keep
// what changed, old and new, too; a step on an account (its password
// reset) names the account, the password never kept.
func TestAuditKeepsBeforeAndAfterOfAccountsAndReplies(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	must := func(res apptest.Response, what string) apptest.Response {
		t.Helper()
		if res.Status >= 300 {
			t.Fatalf("%s: %d %s", what, res.Status, res.Body)
		}
		return res
	}
	var acct struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	must(admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rina@tanggap.test", "name": "Rina",
		"password": "rahasia-rina-1", "capacity": 5}), "add an account").JSON(t, &acct)
	id := strconv.FormatInt(acct.Agent.ID, 10)
	must(admin.Do(http.MethodPut, "/api/v1/admin/agents/"+id, map[string]any{"name": "Rina Wati", "capacity": 3, "email": "rina@tanggap.test"}), "edit it")
	detail, summary, fields := newestAudit(t, admin, "admin.put.agents", "id-ID")
	if want := `PUT /api/v1/admin/agents/` + id + ` {"name":"Rina Wati","changed":[{"field":"capacity","from":5,"to":3},{"field":"name","from":"Rina","to":"Rina Wati"}]}`; detail != want {
		t.Errorf("account line = %q, want %q", detail, want)
	}
	if summary != "Akun diubah: Rina Wati" || strings.Join(fields, " | ") != "Kapasitas: 5 → 3 | Nama: Rina → Rina Wati" {
		t.Errorf("account line reads %q: %q", summary, fields)
	}
	must(admin.Do(http.MethodPost, "/api/v1/admin/agents/"+id+"/password", map[string]any{"password": "rahasia-baru-2"}), "reset the password")
	detail, summary, _ = newestAudit(t, admin, "admin.post.agents", "en-US")
	if strings.Contains(detail, "rahasia-baru-2") || summary != "Account password reset: Rina Wati" {
		t.Errorf("password line = %q (%q)", detail, summary)
	}

	must(admin.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "pengawas", "label": "Pengawas", "permissions": []string{"tickets.work"}}), "add a role")
	must(admin.Do(http.MethodPut, "/api/v1/admin/roles/pengawas", map[string]any{"label": "Pengawas", "permissions": []string{"tickets.work", "reports.view"}}), "change it")
	_, summary, fields = newestAudit(t, admin, "admin.put.roles", "id-ID")
	if want := "Izin: Menangani tiket antrean sendiri → Menangani tiket antrean sendiri, Papan antrean, laporan, dan ekspor"; summary != "Peran diubah: Pengawas" || strings.Join(fields, " | ") != want {
		t.Errorf("role line reads %q: %q", summary, fields)
	}

	// A ticket line names the accounts, read for the page.
	citizen := apptest.NewClient(t, a.URL())
	tn := citizen.Complaint(map[string]string{"name": "Siti", "phone": "081234567801", "category": "lainnya",
		"description": "Dana insentif belum masuk ke rekening saya sejak bulan lalu."})
	ticketID := admin.TicketID(tn, "scope=all")
	must(admin.Do(http.MethodPost, "/api/v1/tickets/"+strconv.FormatInt(ticketID, 10)+"/assign", map[string]any{"agent_id": acct.Agent.ID}), "assign the ticket")
	_, summary, fields = newestAudit(t, admin, "ticket.assign", "id-ID")
	if summary != "Tiket ditugaskan" || strings.Join(fields, " | ") != "Petugas: — → Rina Wati" {
		t.Errorf("assignment reads %q: %q", summary, fields)
	}

	var reply struct {
		ID int64 `json:"id"`
	}
	must(admin.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam", "shortcut": "salam", "lang": "id-ID",
		"body": "Halo", "shared": true}), "add a canned reply").JSON(t, &reply)
	cid := strconv.FormatInt(reply.ID, 10)
	must(admin.Do(http.MethodPut, "/api/v1/canned-responses/"+cid, map[string]any{"title": "Salam", "shortcut": "salam-pagi", "lang": "id-ID",
		"body": "Selamat pagi", "shared": true}), "change it")
	detail, summary, fields = newestAudit(t, admin, "settings.put.canned-responses", "id-ID")
	if strings.Contains(detail, `"lang"`) || summary != "Balasan siap pakai diubah: Salam" ||
		strings.Join(fields, " | ") != "Isi: Halo → Selamat pagi | Pintasan: salam → salam-pagi" {
		t.Errorf("canned line = %q, reads %q: %q", detail, summary, fields)
	}

	var macro struct {
		ID int64 `json:"id"`
	}
	must(admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tandai", "priority": "normal", "shared": true}), "add a macro").JSON(t, &macro)
	must(admin.Do(http.MethodPut, "/api/v1/macros/"+strconv.FormatInt(macro.ID, 10), map[string]any{"name": "Tandai", "priority": "urgent",
		"canned_id": reply.ID, "shared": true}), "change it")
	_, summary, fields = newestAudit(t, admin, "settings.put.macros", "en-US")
	if summary != "Macro changed: Tandai" || strings.Join(fields, " | ") != "Canned response: — → Salam | Priority: Normal → Urgent" {
		t.Errorf("macro line reads %q: %q", summary, fields)
	}

	// What was deleted is named, not "#4".
	must(admin.Do(http.MethodDelete, "/api/v1/macros/"+strconv.FormatInt(macro.ID, 10), nil), "delete the macro")
	must(admin.Do(http.MethodDelete, "/api/v1/canned-responses/"+cid, nil), "delete the canned reply")
	if _, summary, _ = newestAudit(t, admin, "settings.delete.macros", "id-ID"); summary != "Makro dihapus: Tandai" {
		t.Errorf("macro deletion reads %q", summary)
	}
	if _, summary, _ = newestAudit(t, admin, "settings.delete.canned-responses", "id-ID"); summary != "Balasan siap pakai dihapus: Salam" {
		t.Errorf("canned reply deletion reads %q", summary)
	}
}

// Not-ready reasons, complaint categories and wrap-up codes keep what
// changed, old and new, too.
func TestAuditKeepsBeforeAndAfterOfLists(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	created := func(res apptest.Response, what string) string { t.Helper(); return createdID(t, res, what) }
	check := func(action, lang, wantSummary, wantFields string) {
		t.Helper()
		_, summary, fields := newestAudit(t, admin, action, lang)
		if summary != wantSummary || strings.Join(fields, " | ") != wantFields {
			t.Errorf("%s reads %q: %q, want %q: %q", action, summary, fields, wantSummary, wantFields)
		}
	}
	id := created(admin.Do(http.MethodPost, "/api/v1/admin/not-ready-reasons", map[string]any{"code": "rapat_dinas", "label_id": "Rapat",
		"label_en": "Meeting", "limit_seconds": 900}), "a reason")
	created(admin.Do(http.MethodPut, "/api/v1/admin/not-ready-reasons/"+id, map[string]any{"code": "rapat_dinas", "label_id": "Rapat",
		"label_en": "Meeting", "limit_seconds": 1800}), "change it")
	check("admin.put.not-ready-reasons", "id-ID", "Alasan tidak siap diubah: Rapat", "Batas waktu: 15 menit → 30 menit")

	id = created(admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "bansos", "label_id": "Bansos",
		"label_en": "Social aid", "active": true}), "a category")
	created(admin.Do(http.MethodPut, "/api/v1/admin/complaint-categories/"+id, map[string]any{"code": "bansos", "label_id": "Bantuan sosial",
		"label_en": "Social aid", "active": true, "sensitive": true}), "change it")
	check("admin.put.complaint-categories", "en-US", "Complaint category changed: Social aid",
		"Label (Indonesian): Bansos → Bantuan sosial | Sensitive: no → yes")

	id = created(admin.Do(http.MethodPost, "/api/v1/admin/wrapup-codes", map[string]any{"code": "info", "label_id": "Informasi",
		"label_en": "Information"}), "a wrap-up code")
	created(admin.Do(http.MethodPut, "/api/v1/admin/wrapup-codes/"+id, map[string]any{"code": "info", "label_id": "Informasi",
		"label_en": "Information given"}), "change it")
	check("admin.put.wrapup-codes", "id-ID", "Kode penyelesaian diubah: Informasi", "Label (Inggris): Information → Information given")
}
