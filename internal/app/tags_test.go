package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

// fileIn submits a complaint of a category and waits for its ticket.
func fileIn(t *testing.T, admin *apptest.Client, category, description string) (int64, string) {
	t.Helper()
	tn := admin.Complaint(map[string]string{"name": "Rina", "phone": "081234567890", "category": category, "description": description})
	var id int64
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var list ticketList
		admin.Do(http.MethodGet, "/api/v1/tickets?status=all", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == tn {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", tn)
	})
	return id, tn
}

// fileOutside files a ticket and moves it to the Jawa Timur queue, of
// which Sari is no member: outside her scope.
func fileOutside(t *testing.T, admin *apptest.Client) int64 {
	t.Helper()
	id, _ := fileIn(t, admin, "lainnya", "Insentif bulan lalu belum masuk.")
	res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", id), map[string]any{"queue": "jatim"})
	if res.Status != http.StatusOK {
		t.Fatalf("transfer to jatim: %d %s", res.Status, res.Body)
	}
	return id
}

func queueID(t *testing.T, admin *apptest.Client, code string) int64 {
	t.Helper()
	var out struct {
		Queues []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"queues"`
	}
	admin.Do(http.MethodGet, "/api/v1/transfer-targets", nil).JSON(t, &out)
	for _, q := range out.Queues {
		if q.Code == code {
			return q.ID
		}
	}
	t.Fatalf("no queue %s", code)
	return 0
}

func expect(t *testing.T, what string, res apptest.Response, status int, code string) apiError {
	t.Helper()
	var e apiError
	if res.Status != status {
		t.Fatalf("%s: %d %s, want %d %s", what, res.Status, res.Body, status, code)
	}
	if code != "" {
		res.JSON(t, &e)
		if e.Error.Code != code || e.Error.Message == "" {
			t.Fatalf("%s: %s, want code %s with a message", what, res.Body, code)
		}
	}
	return e
}

func ticketStatus(t *testing.T, c *apptest.Client, id int64) string {
	t.Helper()
	var d struct {
		Status string   `json:"status"`
		Tags   []string `json:"tags"`
	}
	c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
	return d.Status
}

func tagsOf(t *testing.T, c *apptest.Client, id int64) []string {
	t.Helper()
	var d struct {
		Tags []string `json:"tags"`
	}
	res := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/tags", id), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("tags of %d: %d %s", id, res.Status, res.Body)
	}
	res.JSON(t, &d)
	return d.Tags
}

// Tags from the managed list (free ones for supervisors), pushed to the
// consoles that see the ticket, shown in the list and the ticket.
func TestTagsThroughTheAPI(t *testing.T) {
	url, admin := demoApp(t, nil)
	sari, _ := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	mine, _ := fileIn(t, admin, "lainnya", "Kartu saya belum aktif, mohon dicek.")
	other := fileOutside(t, admin)
	sock, _ := openPushSocket(t, url, http.Header{"Authorization": {"Bearer " + sari.Token}})

	expect(t, "an agent manages the list", sari.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "x"}), http.StatusForbidden, "forbidden")
	res := admin.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "  Bansos "})
	expect(t, "admin adds a tag", res, http.StatusCreated, "")
	expect(t, "markup is no tag", admin.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "<b>"}), http.StatusUnprocessableEntity, "validation")

	path := fmt.Sprintf("/api/v1/tickets/%d/tags", mine)
	sari.Lang = "id-ID"
	e := expect(t, "an agent makes up a tag", sari.Do(http.MethodPut, path, map[string]any{"tags": []string{"bansos", "Verifikasi ulang"}}),
		http.StatusUnprocessableEntity, "validation")
	if !strings.Contains(e.Error.Fields["tags"], "verifikasi ulang") || !strings.Contains(e.Error.Fields["tags"], "belum ada di daftar") {
		t.Errorf("unknown tag explained as %q", e.Error.Fields["tags"])
	}
	if got := tagsOf(t, admin, mine); len(got) != 0 {
		t.Fatalf("a refused set left tags %v", got)
	}
	res = sari.Do(http.MethodPut, path, map[string]any{"tags": []string{"BANSOS", "bansos"}})
	expect(t, "an agent tags from the list", res, http.StatusOK, "")
	if got := tagsOf(t, sari, mine); fmt.Sprint(got) != "[bansos]" {
		t.Fatalf("tags %v, want [bansos]", got)
	}
	sock.wait("ticket.tagged", func(f map[string]json.RawMessage) bool {
		return string(f["event"]) == `"ticket.tagged"` && strings.Contains(string(f["data"]), `"tags":["bansos"]`) &&
			strings.Contains(string(f["data"]), fmt.Sprintf(`"ticket_id":%d`, mine))
	})
	expect(t, "admin makes a free tag", admin.Do(http.MethodPut, path, map[string]any{"tags": []string{"bansos", "Verifikasi  ulang"}}), http.StatusOK, "")
	var list struct {
		Tags []struct {
			Name    string `json:"name"`
			Managed bool   `json:"managed"`
		} `json:"tags"`
		MayCreate bool `json:"may_create"`
	}
	sari.Do(http.MethodGet, "/api/v1/tags", nil).JSON(t, &list)
	if fmt.Sprint(list.Tags) != "[{bansos true} {verifikasi ulang false}]" || list.MayCreate {
		t.Errorf("tag list for an agent %+v", list)
	}
	var tickets struct {
		Tags map[string][]string `json:"tags"`
	}
	sari.Do(http.MethodGet, "/api/v1/tickets?scope=queue", nil).JSON(t, &tickets)
	if got := tickets.Tags[fmt.Sprint(mine)]; fmt.Sprint(got) != "[bansos verifikasi ulang]" {
		t.Errorf("list carries tags %v for ticket %d", tickets.Tags, mine)
	}
	if got := tagsOf(t, sari, mine); fmt.Sprint(got) != "[bansos verifikasi ulang]" {
		t.Errorf("ticket tags %v", got)
	}
	// Out of scope: refused, untouched.
	expect(t, "a ticket of another queue", sari.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/tags", other), map[string]any{"tags": []string{"bansos"}}),
		http.StatusForbidden, "forbidden")
	if got := tagsOf(t, admin, other); len(got) != 0 {
		t.Fatalf("out-of-scope ticket got tags %v", got)
	}
	expect(t, "too many tags", admin.Do(http.MethodPut, path, map[string]any{"tags": strings.Split("a b c d e f g h i j k l m n o p q r s t u", " ")}),
		http.StatusUnprocessableEntity, "validation")
	expect(t, "clearing", sari.Do(http.MethodPut, path, map[string]any{"tags": []string{}}), http.StatusOK, "")
	if got := tagsOf(t, sari, mine); len(got) != 0 {
		t.Fatalf("cleared tags %v", got)
	}
}

// A queue that requires a wrap-up code refuses the solve, with a clear
// error in the agent's language, until one is chosen; bulk actions meet
// the same rule and never reach a ticket outside the agent's scope.
func TestWrapupRequiredAndBulk(t *testing.T) {
	var cfg *config.Config
	url, admin := demoApp(t, func(c *config.Config) { cfg = c })
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	a, _ := fileIn(t, admin, "lainnya", "Kartu saya belum aktif, mohon dicek.")
	b, _ := fileIn(t, admin, "lainnya", "Data saya salah.")
	other := fileOutside(t, admin)
	umum := queueID(t, admin, "umum")
	// Form complaints used as any ticket: their lifecycle ended, so only
	// the wrap-up rule holds their status.
	apptest.Ended(t, *cfg, admin, a)
	apptest.Ended(t, *cfg, admin, b)

	codes := "/api/v1/admin/wrapup-codes"
	expect(t, "an agent manages codes", sari.Do(http.MethodPost, codes, map[string]any{"code": "x", "label_id": "x", "label_en": "x"}), http.StatusForbidden, "forbidden")
	expect(t, "a queue code", admin.Do(http.MethodPost, codes, map[string]any{"queue_id": umum, "code": "Informasi", "label_id": "Informasi diberikan", "label_en": "Information given"}),
		http.StatusCreated, "")
	expect(t, "an all-queues code", admin.Do(http.MethodPost, codes, map[string]any{"code": "salah_sambung", "label_id": "Salah sambung", "label_en": "Wrong number"}),
		http.StatusCreated, "")
	expect(t, "the same code twice", admin.Do(http.MethodPost, codes, map[string]any{"queue_id": umum, "code": "informasi", "label_id": "x", "label_en": "x"}),
		http.StatusConflict, "conflict")
	expect(t, "a bad code", admin.Do(http.MethodPost, codes, map[string]any{"code": "a b", "label_id": "", "label_en": "x"}), http.StatusUnprocessableEntity, "validation")
	expect(t, "an unknown queue", admin.Do(http.MethodPost, codes, map[string]any{"queue_id": 99999, "code": "z", "label_id": "z", "label_en": "z"}),
		http.StatusUnprocessableEntity, "validation")
	expect(t, "rule for an unknown queue", admin.Do(http.MethodPut, "/api/v1/admin/wrapup-rules/99999", map[string]any{"required": true}), http.StatusNotFound, "not_found")
	expect(t, "umum requires a code", admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/wrapup-rules/%d", umum), map[string]any{"required": true}), http.StatusOK, "")

	pa := fmt.Sprintf("/api/v1/tickets/%d", a)
	sari.Lang = "id-ID"
	e := expect(t, "solve without a code", sari.Do(http.MethodPatch, pa, map[string]string{"status": "solved"}), http.StatusConflict, "wrapup_required")
	if !strings.Contains(e.Error.Message, "kode penyelesaian") {
		t.Errorf("Indonesian refusal %q", e.Error.Message)
	}
	sari.Lang = "en-US"
	e = expect(t, "close without a code", sari.Do(http.MethodPatch, pa, map[string]string{"status": "closed"}), http.StatusConflict, "wrapup_required")
	if !strings.Contains(e.Error.Message, "wrap-up code") {
		t.Errorf("English refusal %q", e.Error.Message)
	}
	if st := ticketStatus(t, admin, a); st == "solved" || st == "closed" {
		t.Fatalf("refused solve left status %s", st)
	}
	var w struct {
		Wrapup struct {
			Required bool `json:"required"`
			Chosen   *struct {
				Code  string `json:"code"`
				Label string `json:"label"`
			} `json:"chosen"`
			Codes []struct {
				Code  string `json:"code"`
				Label string `json:"label"`
			} `json:"codes"`
		} `json:"wrapup"`
	}
	sari.Do(http.MethodGet, pa+"/wrapup", nil).JSON(t, &w)
	if !w.Wrapup.Required || w.Wrapup.Chosen != nil || len(w.Wrapup.Codes) != 2 || w.Wrapup.Codes[0].Label != "Information given" {
		t.Fatalf("wrap-up state %+v", w.Wrapup)
	}
	expect(t, "a code of no queue", sari.Do(http.MethodPut, pa+"/wrapup", map[string]string{"code": "nope"}), http.StatusUnprocessableEntity, "validation")
	expect(t, "wrap-up outside the scope", sari.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/wrapup", other), map[string]string{"code": "salah_sambung"}),
		http.StatusForbidden, "forbidden")
	sock, _ := openPushSocket(t, url, http.Header{"Authorization": {"Bearer " + sari.Token}})
	expect(t, "choose a code", sari.Do(http.MethodPut, pa+"/wrapup", map[string]string{"code": "informasi"}), http.StatusOK, "")
	sock.wait("ticket.wrapup", func(f map[string]json.RawMessage) bool {
		return string(f["event"]) == `"ticket.wrapup"` && strings.Contains(string(f["data"]), `"code":"informasi"`)
	})
	expect(t, "solve with a code", sari.Do(http.MethodPatch, pa, map[string]string{"status": "solved"}), http.StatusOK, "")

	// Bulk: per-ticket results; the ticket outside the scope and the
	// unknown one are reported and never touched.
	type results struct {
		Results []struct {
			ID     int64  `json:"id"`
			OK     bool   `json:"ok"`
			Status int    `json:"status"`
			Code   string `json:"code"`
		} `json:"results"`
		Done   int `json:"done"`
		Failed int `json:"failed"`
	}
	outcome := func(res apptest.Response) map[int64]string {
		t.Helper()
		if res.Status != http.StatusOK {
			t.Fatalf("bulk: %d %s", res.Status, res.Body)
		}
		var r results
		res.JSON(t, &r)
		out := map[int64]string{}
		for _, x := range r.Results {
			out[x.ID] = x.Code
			if x.OK {
				out[x.ID] = "ok"
			}
		}
		return out
	}
	statusBefore := ticketStatus(t, admin, other)
	got := outcome(sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b, other, 99999999, b}, "action": "status", "status": "pending"}))
	if fmt.Sprint(got) != fmt.Sprint(map[int64]string{b: "ok", other: "forbidden", 99999999: "not_found"}) {
		t.Fatalf("bulk status results %v", got)
	}
	if st := ticketStatus(t, admin, b); st != "pending" {
		t.Errorf("bulk left b %s", st)
	}
	if st := ticketStatus(t, admin, other); st != statusBefore {
		t.Fatalf("bulk changed a ticket outside the scope: %s -> %s", statusBefore, st)
	}
	got = outcome(sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b, a}, "action": "status", "status": "closed"}))
	if got[b] != "wrapup_required" || got[a] != "ok" {
		t.Fatalf("bulk close results %v", got)
	}
	expect(t, "bulk tag", admin.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "bansos"}), http.StatusCreated, "")
	got = outcome(sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b, other}, "action": "tags", "tags": []string{"bansos"}}))
	if got[b] != "ok" || got[other] != "forbidden" {
		t.Fatalf("bulk tags results %v", got)
	}
	if tg := tagsOf(t, admin, other); len(tg) != 0 {
		t.Fatalf("bulk tagged a ticket outside the scope: %v", tg)
	}
	got = outcome(sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b, other}, "action": "priority", "priority": "high"}))
	if got[b] != "ok" || got[other] != "forbidden" {
		t.Fatalf("bulk priority results %v", got)
	}
	// A supervisor assigns b to Sari (an agent transfers only her own
	// tickets); the unknown ticket is reported.
	got = outcome(admin.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b, 99999999}, "action": "assign", "agent_id": sariID}))
	if got[b] != "ok" || got[99999999] != "not_found" {
		t.Fatalf("supervisor's bulk assign results %v", got)
	}
	got = outcome(sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{other, b}, "action": "transfer", "queue": "jabar", "note": "mohon dicek"}))
	if got[b] != "ok" || got[other] != "forbidden" {
		t.Fatalf("bulk transfer results %v", got)
	}
	var moved ticketList
	admin.Do(http.MethodGet, "/api/v1/tickets?status=all", nil).JSON(t, &moved)
	for _, tk := range moved.Tickets {
		if tk.ID == other && tk.Queue != "Jawa Timur" {
			t.Fatalf("bulk transfer moved a ticket outside the scope to %q", tk.Queue)
		}
		if tk.ID == b && tk.Queue != "Jawa Barat" {
			t.Errorf("bulk transfer left b in %q", tk.Queue)
		}
	}
	expect(t, "bulk assign is for supervisors", sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b}, "action": "assign", "agent_id": 1}),
		http.StatusForbidden, "forbidden")
	expect(t, "bulk without tickets", sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{}, "action": "status", "status": "open"}),
		http.StatusUnprocessableEntity, "validation")
	expect(t, "unknown bulk action", sari.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b}, "action": "delete"}),
		http.StatusUnprocessableEntity, "validation")
}

// The transcript is the public thread only, masked for agents.
func TestTranscript(t *testing.T) {
	url, admin := demoApp(t, nil)
	sari, _ := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	id, tn := fileIn(t, admin, "lainnya", "Kartu saya belum aktif <script>alert(1)</script>")
	other := fileOutside(t, admin)
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	expect(t, "reply", sari.Do(http.MethodPost, path+"/messages", map[string]string{"body": "Terima kasih, kami periksa."}), http.StatusCreated, "")
	expect(t, "note by transfer", admin.Do(http.MethodPost, path+"/transfer", map[string]any{"queue": "jabar", "note": "catatan-internal-xyz"}), http.StatusOK, "")

	sari.Lang = "id-ID"
	res := sari.Do(http.MethodGet, path+"/transcript", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("transcript: %d %s", res.Status, res.Body)
	}
	page := string(res.Body)
	for _, want := range []string{tn, "Kartu saya belum aktif &lt;script&gt;", "Terima kasih, kami periksa.", "Transkrip tiket", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	for _, never := range []string{"catatan-internal-xyz", "<script>", "6281234567890", "081234567890"} {
		if strings.Contains(page, never) {
			t.Errorf("agent's transcript shows %q", never)
		}
	}
	admin.Lang = "en-US"
	res = admin.Do(http.MethodGet, path+"/transcript", nil)
	if !strings.Contains(string(res.Body), "&#43;6281234567890") || !strings.Contains(string(res.Body), "Transcript of ticket") {
		t.Errorf("admin's English transcript: %s", res.Body)
	}
	expect(t, "transcript outside the scope", sari.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/transcript", other), nil), http.StatusForbidden, "forbidden")
}

// A macro's tags are checked against the tag list when it is saved
// (TAGS_FREE=supervisor, the default): an agent's macro with tags not on
// the list is refused with a 422 naming each of them, in her language,
// on create and on update; a supervisor's (admin's) new tags join the
// list as free tags, as tagging a ticket with them would, so an agent may
// then use them.
func TestMacroTagsCheckedAtSave(t *testing.T) {
	url, admin := demoApp(t, nil)
	sari, _ := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	expect(t, "admin adds a tag", admin.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "bansos"}), http.StatusCreated, "")
	draft := map[string]any{"name": "Tunda", "status": "pending", "tags": []string{"bansos", "Tidak  Ada", "juga-baru"}}
	for lang, want := range map[string]string{"id-ID": "Belum ada di daftar tag", "en-US": "Not on the tag list"} {
		sari.Lang = lang
		e := expect(t, "an agent's macro with tags off the list ("+lang+")", sari.Do(http.MethodPost, "/api/v1/macros", draft), http.StatusUnprocessableEntity, "validation")
		if got := e.Error.Fields["tags"]; !strings.Contains(got, want) || !strings.Contains(got, `"tidak ada", "juga-baru"`) || strings.Contains(got, "bansos") {
			t.Errorf("%s: tags refused as %q", lang, got)
		}
	}
	var m struct {
		ID   int64    `json:"id"`
		Tags []string `json:"tags"`
	}
	res := sari.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tunda", "status": "pending", "tags": []string{" Bansos "}})
	expect(t, "an agent's macro with a tag of the list", res, http.StatusCreated, "")
	res.JSON(t, &m)
	if fmt.Sprint(m.Tags) != "[bansos]" {
		t.Errorf("macro tags %v, want [bansos]", m.Tags)
	}
	path := fmt.Sprintf("/api/v1/macros/%d", m.ID)
	expect(t, "an update with tags off the list", sari.Do(http.MethodPut, path, draft), http.StatusUnprocessableEntity, "validation")

	res = admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Verifikasi", "shared": true, "status": "pending", "tags": []string{"Perlu Verifikasi"}})
	expect(t, "a supervisor's macro with a new tag", res, http.StatusCreated, "")
	var list struct {
		Tags []struct {
			Name    string `json:"name"`
			Managed bool   `json:"managed"`
		} `json:"tags"`
	}
	sari.Do(http.MethodGet, "/api/v1/tags", nil).JSON(t, &list)
	if fmt.Sprint(list.Tags) != "[{bansos true} {perlu verifikasi false}]" {
		t.Errorf("tag list after the supervisor's macro: %+v", list.Tags)
	}
	res = sari.Do(http.MethodPut, path, map[string]any{"name": "Tunda", "status": "pending", "tags": []string{"bansos", "perlu verifikasi"}})
	expect(t, "an agent's update with the supervisor's new tag", res, http.StatusOK, "")
	res.JSON(t, &m)
	if fmt.Sprint(m.Tags) != "[bansos perlu verifikasi]" {
		t.Errorf("macro tags %v after the update", m.Tags)
	}
}
