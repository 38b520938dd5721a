package api_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"tanggap/internal/api"
	"tanggap/internal/apptest"
	"tanggap/internal/locale"
)

func catalog(t *testing.T) *locale.Catalog {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// A settings line of the audit log reads as words in both languages, with
// what was sent as labelled values; lines that are not settings changes
// are left as stored.
func TestAuditLineInWords(t *testing.T) {
	cat := catalog(t)
	tests := []struct {
		name, lang, action, detail string
		summary                    string
		fields                     [][2]string
	}{
		{"a queue saved (added or changed: one PUT), named by its body", "id-ID", "admin.put.queues",
			`PUT /api/v1/admin/queues/insentif {"channels":["livechat","whatsapp"],"strategy":"least_busy","hours":{"tue":["08:00-12:00","13:00-17:00"],"mon":["08:00-17:00"]},"name":"Insentif","overflow_queue":"","sla":{"high":{"first_response_seconds":900}},"time_zone":"Asia/Jakarta"}`,
			"Antrean disimpan: Insentif", [][2]string{
				{"Kanal", "Obrolan langsung, WhatsApp"},
				{"Strategi", "Paling longgar"},
				{"Jam layanan", "Senin: 08:00-17:00; Selasa: 08:00-12:00, 13:00-17:00"},
				{"Antrean limpahan", "—"},
				{"Target SLA", "Tinggi: respons pertama: 15 menit"},
				{"Zona waktu", "Asia/Jakarta"},
			}},
		{"the same in English", "en-US", "admin.put.queues",
			`PUT /api/v1/admin/queues/insentif {"name":"Insentif","time_zone":"Asia/Jakarta"}`,
			"Queue saved: Insentif", [][2]string{{"Time zone", "Asia/Jakarta"}}},
		{"an account's password reset stays masked", "id-ID", "admin.post.agents",
			`POST /api/v1/admin/agents/7/password {"password":"•••"}`,
			"Kata sandi akun diatur ulang: #7", [][2]string{{"Kata sandi", "•••"}}},
		{"an account created on the settings route", "en-US", "settings.post.agents",
			`POST /api/v1/agents {"capacity":3,"email":"dewi@tanggap.example","name":"Dewi","password":"•••","role":"agent"}`,
			"Account added: Dewi", [][2]string{{"Capacity", "3"}, {"Email", "dewi@tanggap.example"}, {"Password", "•••"}, {"Role", "Agent"}}},
		{"a deactivation without a body", "id-ID", "admin.post.agents", `POST /api/v1/admin/agents/7/deactivate`,
			"Akun dinonaktifkan: #7", nil},
		{"a restriction lifted", "en-US", "admin.delete.subjects", `DELETE /api/v1/admin/subjects/12/restrict`,
			"Restriction of a citizen's personal data lifted: #12", nil},
		{"the retention run", "id-ID", "admin.post.retention", `POST /api/v1/admin/retention/run`,
			"Penghapusan data lama dijalankan", nil},
		{"a year's holidays", "id-ID", "admin.put.holidays",
			`PUT /api/v1/admin/holidays/2026 {"holidays":[{"day":"2026-08-17","kind":"national","name":"Hari Kemerdekaan"}]}`,
			"Hari libur diubah: 2026", [][2]string{{"Hari libur", "(tanggal: 2026-08-17; jenis: libur nasional; Nama: Hari Kemerdekaan)"}}},
		{"a queue whose code is a step's word is a queue saved", "en-US", "admin.put.queues",
			`PUT /api/v1/admin/queues/run {"time_zone":"Asia/Jakarta"}`, "Queue saved: run", [][2]string{{"Time zone", "Asia/Jakarta"}}},
		{"a queue coded erase deleted", "en-US", "admin.delete.queues", `DELETE /api/v1/admin/queues/erase`, "Queue deleted: erase", nil},
		{"a tag deleted", "en-US", "settings.delete.tags", `DELETE /api/v1/tags/4`, "Tag deleted: #4", nil},
		{"a shared canned reply, yes in words", "id-ID", "settings.post.canned-responses",
			`POST /api/v1/canned-responses {"body":"Terima kasih.","shared":true,"title":"Salam"}`,
			"Balasan siap pakai ditambahkan: Salam", [][2]string{{"Isi", "Terima kasih."}, {"Dipakai bersama", "ya"}}},
		{"a canned reply's language and shortcut in words", "en-US", "settings.post.canned-responses",
			`POST /api/v1/canned-responses {"body":"Halo","lang":"id-ID","shortcut":"salam","title":"Salam"}`,
			"Canned response added: Salam", [][2]string{{"Text", "Halo"}, {"Language", "Indonesian"}, {"Shortcut", "salam"}}},
		{"a macro's canned reply by its id", "id-ID", "settings.post.macros",
			`POST /api/v1/macros {"canned_id":12,"name":"Tandai","priority":"high","transfer_agent_id":3}`,
			"Makro ditambahkan: Tandai", [][2]string{{"Balasan siap pakai", "#12"}, {"Prioritas", "Tinggi"}, {"Alihkan ke petugas", "#3"}}},
		{"a body cut at 2,000 bytes: the words without the values", "id-ID", "admin.put.ivr-menu",
			`PUT /api/v1/admin/ivr-menu {"menu":{"root":"selam`, "Menu telepon (IVR) diubah", nil},
		{"a queue changed: only what changed, old → new, targets in time words", "id-ID", "admin.put.queues",
			`PUT /api/v1/admin/queues/insentif {"name":"Insentif","changed":[{"field":"sla.high.first_response_seconds","from":1800,"to":900},{"field":"overflow_after_seconds","from":5400,"to":60},{"field":"hours.sat","from":null,"to":["08:00-12:00"]},{"field":"channels","from":["livechat"],"to":["livechat","whatsapp"]}]}`,
			"Antrean diubah: Insentif", [][2]string{
				{"Target respons pertama (Tinggi)", "30 menit → 15 menit"},
				{"Dilimpahkan setelah", "1 jam 30 menit → 1 menit"},
				{"Jam layanan (Sabtu)", "— → 08:00-12:00"},
				{"Kanal", "Obrolan langsung → Obrolan langsung, WhatsApp"},
			}},
		{"the same in English", "en-US", "admin.put.queues",
			`PUT /api/v1/admin/queues/insentif {"name":"Insentif","changed":[{"field":"sla.urgent.resolution_seconds","from":172800,"to":0},{"field":"overflow_after_seconds","from":3600,"to":60}]}`,
			"Queue changed: Insentif", [][2]string{{"Resolution target (Urgent)", "2 days → —"}, {"Overflow after", "1 hour → 1 minute"}}},
		{"an older line of a save that changed nothing says so", "id-ID", "admin.put.queues",
			`PUT /api/v1/admin/queues/insentif {"name":"Insentif","changed":[]}`, "Antrean diubah: Insentif (tidak ada yang berubah)", nil},
		{"a category named by its label in the reader's language", "en-US", "admin.put.complaint-categories",
			`PUT /api/v1/admin/complaint-categories/6 {"label_id":"Bantuan sosial","label_en":"Social aid","changed":[{"field":"active","from":true,"to":false}]}`,
			"Complaint category changed: Social aid", [][2]string{{"Active", "yes → no"}}},
		{"the same in Indonesian", "id-ID", "admin.put.complaint-categories",
			`PUT /api/v1/admin/complaint-categories/6 {"label_id":"Bantuan sosial","label_en":"Social aid","changed":[{"field":"active","from":true,"to":false}]}`,
			"Kategori pengaduan diubah: Bantuan sosial", [][2]string{{"Aktif", "ya → tidak"}}},
		{"an older category line without its English label", "en-US", "admin.put.complaint-categories",
			`PUT /api/v1/admin/complaint-categories/6 {"label_id":"Bantuan sosial","changed":[{"field":"active","from":true,"to":false}]}`,
			"Complaint category changed: Bantuan sosial", [][2]string{{"Active", "yes → no"}}},
		{"a new category in English: the Indonesian label kept among the fields", "en-US", "admin.post.complaint-categories",
			`POST /api/v1/admin/complaint-categories {"code":"bansos","label_en":"Social aid","label_id":"Bansos"}`,
			"Complaint category added: Social aid", [][2]string{{"Code", "bansos"}, {"Label (Indonesian)", "Bansos"}}},
		{"an action without words is left as stored", "id-ID", "ticket.unknown", "pending", "", nil},
		{"a ticket's status change in words", "id-ID", "ticket.status", "open -> pending", "Status tiket diubah",
			[][2]string{{"Status", "Dikerjakan → Menunggu warga"}}},
		{"the automatic closing says why", "en-US", "ticket.status", "solved -> closed: no reply in 7 days", "Ticket status changed",
			[][2]string{{"Status", "Solved → Closed"}, {"Detail", "no reply in 7 days"}}},
		{"a priority in words", "id-ID", "ticket.priority", "normal -> urgent", "Prioritas tiket diubah", [][2]string{{"Prioritas", "Normal → Mendesak"}}},
		{"a reply", "en-US", "ticket.reply", "message 12", "Reply sent to the citizen", nil},
		{"a ticket returned when its agent left", "id-ID", "ticket.returned", "agent left", "Tiket dikembalikan ke antrean",
			[][2]string{{"Alasan", "petugas sudah luring"}}},
		{"a release to the queue", "id-ID", "ticket.transfer", "release: agent 3 -> queue", "Tiket dilepas ke antreannya",
			[][2]string{{"Petugas", "#3 → antreannya"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			summary, fields := api.ReadableAudit(cat, tc.lang, tc.action, tc.detail)
			if summary != tc.summary {
				t.Errorf("summary = %q, want %q", summary, tc.summary)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("fields = %q, want %q", fields, tc.fields)
			}
		})
	}
}

// Every route whose changes are audited as settings (auditSettings, and
// every change under /api/v1/admin) has its line in words, in both
// languages: a new audited resource without words fails here.
func TestEveryAuditedRouteReadsAsWords(t *testing.T) {
	cat := catalog(t)
	a := apptest.Start(t, apptest.Config(t))
	param := regexp.MustCompile(`:[a-z]+(<int>)?`)
	n := map[string]int{}
	for _, r := range a.Routes() {
		prefix := api.AuditedBy(r)
		if prefix == "" {
			continue
		}
		n[prefix]++
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			if strings.HasSuffix(p, "<int>") {
				return "7"
			}
			return "contoh"
		})
		root := map[string]string{"admin.": "/api/v1/admin/", "settings.": "/api/v1/"}[prefix]
		resource, _, _ := strings.Cut(strings.TrimPrefix(path, root), "/")
		action := prefix + strings.ToLower(r.Method) + "." + resource
		for _, lang := range locale.Languages() {
			summary, _ := api.ReadableAudit(cat, lang, action, r.Method+" "+path+` {"name":"Contoh"}`)
			if summary == "" || strings.Contains(summary, "audit.") || strings.Contains(summary, "/") {
				t.Errorf("%s %s in %s reads %q", r.Method, r.Path, lang, summary)
			}
		}
	}
	if n["admin."] < 20 || n["settings."] < 9 {
		t.Errorf("audited routes found: %v", n)
	}
}

// Accounts a line names by id read by their names, read for the page; an
// account no more reads as its id with a word.
func TestAuditLineNamesAccounts(t *testing.T) {
	cat := catalog(t)
	names := map[int64]string{3: "Dewi", 5: "Rina"}
	tests := []struct {
		name, lang, action, detail string
		summary                    string
		fields                     [][2]string
	}{
		{"an assignment", "id-ID", "ticket.assign", "agent 3 -> agent 5", "Tiket ditugaskan", [][2]string{{"Petugas", "Dewi → Rina"}}},
		{"to an account since erased", "en-US", "ticket.assign", "agent 0 -> agent 9", "Ticket assigned", [][2]string{{"Agent", "— → #9 (account erased)"}}},
		{"an old deactivation, by id", "id-ID", "admin.post.agents", "POST /api/v1/admin/agents/5/deactivate", "Akun dinonaktifkan: Rina", nil},
		{"an erased account's deactivation", "id-ID", "admin.post.agents", "POST /api/v1/admin/agents/9/deactivate", "Akun dinonaktifkan: #9 (akun sudah dihapus)", nil},
		{"a supervisor's move to a colleague", "id-ID", "wallboard.move", `agent 5 → agent 3 queue "": moved [7], refused []`,
			"Tiket petugas dipindahkan supervisor: Rina", [][2]string{{"Dipindahkan ke", "Dewi"}, {"Tiket dipindahkan", "1 tiket (#7)"}, {"Tiket ditolak", "—"}}},
		{"a supervisor's move to a queue names the queue", "en-US", "wallboard.move", `agent 5 → agent 0 queue "umum": moved [7 8], refused [9]`,
			"Agent's tickets moved by a supervisor: Rina", [][2]string{{"Moved to", "the umum queue"}, {"Tickets moved", "2 tickets (#7, #8)"}, {"Tickets refused", "1 ticket (#9)"}}},
		{"a line that kept the name names it as it was", "en-US", "admin.post.agents", `POST /api/v1/admin/agents/5/deactivate {"name":"Rina Lama"}`,
			"Account deactivated: Rina Lama", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			summary, fields := api.ReadableAuditNamed(cat, tc.lang, tc.action, tc.detail, names)
			if summary != tc.summary || !slices.Equal(fields, tc.fields) {
				t.Errorf("reads %q %q, want %q %q", summary, fields, tc.summary, tc.fields)
			}
		})
	}
}

// The action filter offers every audited settings route's action and the
// ticket lines' in words, in both languages, each by its stored code.
func TestAuditActionsInWords(t *testing.T) {
	cat := catalog(t)
	a := apptest.Start(t, apptest.Config(t))
	for _, lang := range locale.Languages() {
		list := api.AuditActions(cat, lang, a.Routes())
		labels := map[string]string{}
		for _, x := range list {
			if x.Label == "" || strings.Contains(x.Label, "audit.") || strings.Contains(x.Label, "/api") {
				t.Errorf("%s: %s reads %q", lang, x.Code, x.Label)
			}
			if _, dup := labels[x.Code]; dup {
				t.Errorf("%s: %s offered twice", lang, x.Code)
			}
			labels[x.Code] = x.Label
		}
		for _, code := range []string{"admin.put.queues", "admin.post.agents", "settings.put.canned-responses", "ticket.status"} {
			if labels[code] == "" {
				t.Errorf("%s: %s not offered (%v)", lang, code, labels)
			}
		}
		if lang == "id-ID" && (labels["admin.put.queues"] != "Antrean disimpan" || labels["ticket.status"] != "Status tiket diubah" ||
			labels["admin.post.agents"] != "Akun dinonaktifkan / Akun diaktifkan kembali / Kata sandi akun diatur ulang") {
			t.Errorf("labels: %q, %q, %q", labels["admin.put.queues"], labels["ticket.status"], labels["admin.post.agents"])
		}
		// Two actions never read alike: a queue deleted on the admin
		// screen is not the removal routing records (deleted or archived,
		// its open tickets moved).
		by := map[string]string{}
		for code, label := range labels {
			if other, dup := by[label]; dup {
				t.Errorf("%s: %s and %s both read %q", lang, other, code, label)
			}
			by[label] = code
		}
		// The board's words: "kode penyelesaian" and "tag".
		if lang == "id-ID" {
			for code, want := range map[string]string{"ticket.wrapup": "Kode penyelesaian dipilih", "ticket.tags": "Tag tiket diubah",
				"settings.post.tags": "Tag ditambahkan", "admin.put.wrapup-codes": "Kode penyelesaian diubah"} {
				if labels[code] != want {
					t.Errorf("%s reads %q, want %q", code, labels[code], want)
				}
			}
		}
	}
}
