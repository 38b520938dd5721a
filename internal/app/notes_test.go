package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"tanggap/internal/apptest"
)

// The notes and canned-reply routes through the whole app: a note with a
// mention reaches the mentioned agent's push socket and list, and no
// console of an agent outside the ticket's scope; canned replies keep
// their scope over HTTP; a macro answers what it applied.
func TestNotesAndCannedOverHTTP(t *testing.T) {
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	mk := func(email, name string, queues []string) *apptest.Client {
		res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": email, "name": name,
			"password": "rahasia-" + name + "-1", "queues": queues, "capacity": 5})
		if res.Status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", name, res.Status, res.Body)
		}
		c := apptest.NewClient(t, a.URL())
		c.Login(email, "rahasia-"+name+"-1")
		return c
	}
	budi := mk("budi@tanggap.test", "Budi", []string{cfg.DefaultQueue})
	sari := mk("sari@tanggap.test", "Sari", []string{cfg.DefaultQueue})
	joko := mk("joko@tanggap.test", "Joko", []string{})

	sariWS, _ := openPushSocket(t, a.URL(), http.Header{"Authorization": {"Bearer " + sari.Token}})
	jokoWS, _ := openPushSocket(t, a.URL(), http.Header{"Authorization": {"Bearer " + joko.Token}})
	sariWS.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) })
	jokoWS.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) })

	citizen := apptest.NewClient(t, a.URL())
	tn := citizen.Complaint(map[string]string{"name": "Siti Aminah", "phone": "081234567890", "category": "insentif",
		"description": "Insentif bulan Oktober belum masuk ke rekening saya."})
	id := budi.TicketID(tn, "scope=queue")
	path := "/api/v1/tickets/" + strconv.FormatInt(id, 10)

	// Refusals name the mention.
	res := budi.Do(http.MethodPost, path+"/notes", map[string]string{"body": "@joko tolong bantu"})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("mention outside the scope: %d %s", res.Status, res.Body)
	}
	var refused struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	res.JSON(t, &refused)
	if refused.Error.Fields["body"] != "Joko tidak dapat melihat tiket ini. Alihkan tiketnya lebih dulu atau sebut rekan lain." {
		t.Fatalf("refusal = %s", res.Body)
	}
	if res := joko.Do(http.MethodPost, path+"/notes", map[string]string{"body": "halo"}); res.Status != http.StatusForbidden {
		t.Fatalf("joko's note: %d", res.Status)
	}
	var ment struct {
		Agents []struct{ Handle string } `json:"agents"`
	}
	budi.Do(http.MethodGet, path+"/mentionable", nil).JSON(t, &ment)
	if len(ment.Agents) != 2 { // sari and the admin
		t.Fatalf("mentionable = %+v", ment)
	}

	res = budi.Do(http.MethodPost, path+"/notes", map[string]string{"body": "@sari mohon cek rekening warga ini"})
	if res.Status != http.StatusCreated {
		t.Fatalf("note: %d %s", res.Status, res.Body)
	}
	f := sariWS.wait("the mention", func(f map[string]json.RawMessage) bool {
		return frameIs("event", f) && string(f["event"]) == `"notification.created"`
	})
	var ev struct {
		RecipientID    int64  `json:"recipient_id"`
		TrackingNumber string `json:"tracking_number"`
		ActorName      string `json:"actor_name"`
	}
	if err := json.Unmarshal(f["data"], &ev); err != nil || ev.TrackingNumber != tn || ev.ActorName != "Budi" {
		t.Fatalf("event = %s (%v)", f["data"], err)
	}
	// The note's message.created reached sari (same queue) and must not
	// reach joko; by then joko would have had the notification too.
	sariWS.wait("the note in the thread", func(f map[string]json.RawMessage) bool {
		return frameIs("event", f) && string(f["event"]) == `"message.created"`
	})
	jokoWS.mu.Lock()
	for _, f := range jokoWS.frames {
		if frameIs("event", f) {
			t.Errorf("joko received %s", f["event"])
		}
	}
	jokoWS.mu.Unlock()

	var page struct {
		Unread        int `json:"unread"`
		Notifications []struct {
			ID int64 `json:"id"`
		} `json:"notifications"`
	}
	sari.Do(http.MethodGet, "/api/v1/notifications", nil).JSON(t, &page)
	if page.Unread != 1 || len(page.Notifications) != 1 {
		t.Fatalf("sari's notifications: %+v", page)
	}
	joko.Do(http.MethodGet, "/api/v1/notifications", nil).JSON(t, &page)
	if page.Unread != 0 || len(page.Notifications) != 0 {
		t.Fatalf("joko's notifications: %+v", page)
	}
	if res := sari.Do(http.MethodPost, "/api/v1/notifications/read", map[string]any{"all": true}); res.Status != http.StatusOK || string(res.Body) != `{"unread":0}` {
		t.Fatalf("mark read: %d %s", res.Status, res.Body)
	}

	// The thread shows the note as an agent's note.
	var detail struct {
		Messages []struct {
			Direction string            `json:"direction"`
			Body      string            `json:"body"`
			Fields    map[string]string `json:"fields"`
		} `json:"messages"`
	}
	sari.Do(http.MethodGet, path, nil).JSON(t, &detail)
	last := detail.Messages[len(detail.Messages)-1]
	if last.Direction != "note" || last.Body != "@sari mohon cek rekening warga ini" || last.Fields["note_kind"] != "agent" {
		t.Fatalf("last message = %+v", last)
	}

	// Canned replies over HTTP.
	if res := budi.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "x", "body": "y", "shared": true}); res.Status != http.StatusForbidden {
		t.Fatalf("an agent shares a reply: %d %s", res.Status, res.Body)
	}
	res = budi.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam", "shortcut": "salam",
		"body": "Halo {{citizen_name}}, tiket {{tracking_number}} sedang kami periksa. {{agent_name}}"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var cr struct {
		ID int64 `json:"id"`
	}
	res.JSON(t, &cr)
	cpath := "/api/v1/canned-responses/" + strconv.FormatInt(cr.ID, 10)
	if res := sari.Do(http.MethodGet, cpath, nil); res.Status != http.StatusNotFound {
		t.Fatalf("sari reads budi's reply: %d", res.Status)
	}
	var used struct {
		Body string `json:"body"`
	}
	res = budi.Do(http.MethodPost, cpath+"/use", map[string]int64{"ticket_id": id})
	res.JSON(t, &used)
	if used.Body != "Halo Siti Aminah, tiket "+tn+" sedang kami periksa. Budi" {
		t.Fatalf("use: %d %s", res.Status, res.Body)
	}
	if res := joko.Do(http.MethodPost, cpath+"/use", map[string]int64{"ticket_id": id}); res.Status != http.StatusNotFound {
		t.Fatalf("joko uses budi's reply: %d", res.Status)
	}

	// A macro replies, sets status and priority and adds a tag from the
	// managed list, through the tags service.
	if res := admin.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "perlu-cek"}); res.Status != http.StatusCreated {
		t.Fatalf("tag: %d %s", res.Status, res.Body)
	}
	res = budi.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Balas dan tunda", "canned_id": cr.ID, "status": "pending",
		"priority": "high", "tags": []string{"perlu-cek"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("macro: %d %s", res.Status, res.Body)
	}
	var m struct {
		ID int64 `json:"id"`
	}
	res.JSON(t, &m)
	res = budi.Do(http.MethodPost, path+"/macros/"+strconv.FormatInt(m.ID, 10), nil)
	var applied struct {
		Steps []string `json:"steps"`
	}
	res.JSON(t, &applied)
	if res.Status != http.StatusOK || len(applied.Steps) != 4 {
		t.Fatalf("apply: %d %s", res.Status, res.Body)
	}
	var tagged struct {
		Tags []string `json:"tags"`
	}
	budi.Do(http.MethodGet, path+"/tags", nil).JSON(t, &tagged)
	if len(tagged.Tags) != 1 || tagged.Tags[0] != "perlu-cek" {
		t.Fatalf("tags after the macro: %+v", tagged)
	}
	var sum struct {
		Status   string `json:"status"`
		Priority string `json:"priority"`
	}
	budi.Do(http.MethodGet, path, nil).JSON(t, &sum)
	if sum.Status != "pending" || sum.Priority != "high" {
		t.Fatalf("after the macro: %+v", sum)
	}
}
