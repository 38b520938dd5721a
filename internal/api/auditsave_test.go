package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// auditLines reads the audit lines of action in lang, newest first, as
// "summary | label: value | …".
func auditLines(t *testing.T, admin *apptest.Client, action, lang string) []string {
	t.Helper()
	var page apptest.AuditPage
	res := admin.Do(http.MethodGet, "/api/v1/admin/audit?action="+action+"&lang="+lang, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("audit: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &page)
	out := make([]string, 0, len(page.Entries))
	for _, e := range page.Entries {
		parts := []string{e.Summary}
		for _, f := range e.Fields {
			parts = append(parts, f.Label+": "+f.Value)
		}
		out = append(out, strings.Join(parts, " | "))
	}
	return out
}

func must(t *testing.T, res apptest.Response, what string) apptest.Response {
	t.Helper()
	if res.Status >= 300 {
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	}
	return res
}

// Saving an account on the admin screen sends the account and then its
// queue settings (the capacity in both): the audit keeps one line for
// what changed, not a second "nothing changed" line, and a save that
// changed nothing leaves no line at all.
func TestAccountSaveAuditsOnlyWhatChanged(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var acct struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	must(t, admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rina@tanggap.test", "name": "Rina",
		"password": "rahasia-rina-1", "role": "agent", "capacity": 5}), "add an account").JSON(t, &acct)
	id := strconv.FormatInt(acct.Agent.ID, 10)
	// What the account form sends on save.
	// An edited account's form sends every channel's capacity: its own, or
	// null for the channel's default.
	defaults := map[string]any{"voice": nil, "whatsapp": nil, "livechat": nil, "webform": nil}
	save := func(name string, capacity int, skills map[string]int, caps ...map[string]any) {
		t.Helper()
		must(t, admin.Do(http.MethodPut, "/api/v1/admin/agents/"+id, map[string]any{"name": name, "email": "rina@tanggap.test",
			"role": "agent", "capacity": capacity}), "save the account")
		chans := defaults
		if len(caps) > 0 {
			chans = caps[0]
		}
		must(t, admin.Do(http.MethodPut, "/api/v1/admin/agents/"+id+"/routing", map[string]any{"queues": []string{},
			"skills": skills, "capacity": capacity, "channel_capacity": chans}), "save its queue settings")
	}
	save("Rina Wati", 3, map[string]int{})
	want := []string{"Akun diubah: Rina Wati | Kapasitas: 5 → 3 | Nama: Rina → Rina Wati"}
	if got := auditLines(t, admin, "admin.put.agents", "id-ID"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a rename the account's lines are\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	save("Rina Wati", 3, map[string]int{})
	if got := auditLines(t, admin, "admin.put.agents", "id-ID"); len(got) != 1 {
		t.Errorf("a save that changed nothing wrote a line: %q", got)
	}
	save("Rina Wati", 3, map[string]int{"kartu": 3})
	got := auditLines(t, admin, "admin.put.agents", "id-ID")
	if len(got) != 2 || !strings.HasPrefix(got[0], "Pengaturan antrean akun diubah: Rina Wati | ") || strings.Contains(got[0], "tidak ada yang berubah") {
		t.Errorf("a skill added: the account's lines are %q, want one more, for the queue settings", got)
	}
	// An own capacity on WhatsApp, then given back to the default.
	save("Rina Wati", 3, map[string]int{"kartu": 3}, map[string]any{"whatsapp": 4, "voice": nil})
	save("Rina Wati", 3, map[string]int{"kartu": 3})
	got = auditLines(t, admin, "admin.put.agents", "id-ID")
	want = []string{"Pengaturan antrean akun diubah: Rina Wati | Kapasitas per kanal (WhatsApp): 4 → —",
		"Pengaturan antrean akun diubah: Rina Wati | Kapasitas per kanal (WhatsApp): — → 4"}
	if len(got) != 4 || strings.Join(got[:2], "\n") != strings.Join(want, "\n") {
		t.Errorf("WhatsApp's own capacity set and given back: the account's lines are\n%s\nwant two more, newest first\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A complaint category's line names it by its label in the reader's
// language, and the other language's label is among the fields.
func TestCategoryAuditNamedInReadersLanguage(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var cat struct {
		Category struct {
			ID int64 `json:"id"`
		} `json:"category"`
	}
	must(t, admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "bansos", "label_id": "Bansos",
		"label_en": "Social aid", "position": 3, "sensitive": false, "active": true}), "add a category").JSON(t, &cat)
	const action = "admin.post.complaint-categories"
	if got := auditLines(t, admin, action, "id-ID")[0]; !strings.HasPrefix(got, "Kategori pengaduan ditambahkan: Bansos | ") ||
		!strings.Contains(got, "Label (Inggris): Social aid") {
		t.Errorf("the new category reads %q in Indonesian", got)
	}
	if got := auditLines(t, admin, action, "en-US")[0]; !strings.HasPrefix(got, "Complaint category added: Social aid | ") ||
		!strings.Contains(got, "Label (Indonesian): Bansos") || strings.Contains(got, "Label (English)") {
		t.Errorf("the new category reads %q in English", got)
	}
	must(t, admin.Do(http.MethodPut, "/api/v1/admin/complaint-categories/"+strconv.FormatInt(cat.Category.ID, 10), map[string]any{"code": "bansos",
		"label_id": "Bansos", "label_en": "Social aid", "position": 3, "sensitive": true, "active": true}), "change it")
	if got, want := auditLines(t, admin, "admin.put.complaint-categories", "id-ID")[0], "Kategori pengaduan diubah: Bansos | Sensitif: tidak → ya"; got != want {
		t.Errorf("the change reads %q in Indonesian, want %q", got, want)
	}
	if got, want := auditLines(t, admin, "admin.put.complaint-categories", "en-US")[0], "Complaint category changed: Social aid | Sensitive: no → yes"; got != want {
		t.Errorf("the change reads %q in English, want %q", got, want)
	}
}

// The business hours as the admin typed them: a problem names its line
// (from 1) and what is wrong, in the admin's language; hours that read
// are saved as the API keeps them.
func TestQueueHoursTextNamesTheLine(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	tests := []struct {
		name, lang, text, want string
	}{
		{"a shift ending before it starts", "id-ID", "sen 08:00-12:00\nsel 17:00-08:00", "Baris 2: sif 17:00-08:00 tidak berakhir setelah mulai."},
		{"a day not known, blank lines counted", "en-US", "mon 08:00-12:00\n\nfunday 08:00-12:00",
			`Line 3: "funday" is not a day. Write one of: mon, tue, wed, thu, fri, sat, sun.`},
		{"a day in the other language's words", "id-ID", "mon 08:00-12:00\ntue 08:00-12:00\nwed 8-12",
			`Baris 3: sif "8-12" tidak ditulis jj:mm-jj:mm (misalnya 08:00-12:00).`},
		{"overlapping shifts", "en-US", "mon 08:00-12:00 11:00-13:00", "Line 1: the shift 11:00-13:00 overlaps another shift of the same day."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := admin.Do(http.MethodPut, "/api/v1/admin/queues/sulsel?lang="+tc.lang, map[string]any{"name": "Sulawesi Selatan", "hours_text": tc.text})
			var body struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d %s, want 422", res.Status, res.Body)
			}
			res.JSON(t, &body)
			if got := body.Error.Fields["hours"]; got != tc.want {
				t.Errorf("fields.hours = %q, want %q", got, tc.want)
			}
		})
	}
	res := must(t, admin.Do(http.MethodPut, "/api/v1/admin/queues/sulsel?lang=id-ID", map[string]any{"name": "Sulawesi Selatan",
		"time_zone": "Asia/Makassar", "hours_text": "sen 08:00-12:00 13:00-16:00\nJUM 08.00-11.00\n"}), "hours that read")
	var saved struct {
		Queue struct {
			Hours map[string][]string `json:"hours"`
		} `json:"queue"`
	}
	res.JSON(t, &saved)
	if got := saved.Queue.Hours; len(got) != 2 || strings.Join(got["mon"], " ") != "08:00-12:00 13:00-16:00" || strings.Join(got["fri"], " ") != "08:00-11:00" {
		t.Errorf("saved hours = %v", got)
	}
}
