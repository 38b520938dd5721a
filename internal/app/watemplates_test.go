package app_test

import (
	"net/http"
	"strconv"
	"testing"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
)

type waTemplate struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Purpose  string   `json:"purpose"`
	Params   []string `json:"params"`
	Active   bool     `json:"active"`
}

// WhatsApp templates on the WhatsApp adapter's admin screen: seeded from
// the three settings; a bad one refused field by field; a second active
// notification template in one language refused on "active"; changes
// audited; admins only.
func TestAdminWhatsAppTemplates(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.WhatsApp = config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: "http://127.0.0.1:9", APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		Templates: []config.WhatsAppTemplate{{Name: "tindak_lanjut", Language: "id", Params: []string{"nama"}},
			{Name: "kabar_tiket", Language: "id", Params: []string{"nomor", "tautan"}}},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
	cfg.Notify.WhatsAppTemplate = "kabar_tiket"
	cfg.CSAT.WhatsAppTemplate = config.WhatsAppTemplate{Name: "penilaian_layanan", Language: "id"}
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	var list struct {
		Templates []waTemplate `json:"templates"`
		Purposes  []string     `json:"purposes"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/whatsapp-templates", nil).JSON(t, &list)
	seeded := map[string]waTemplate{}
	for _, tp := range list.Templates {
		seeded[tp.Purpose+":"+tp.Name] = tp
	}
	if len(list.Templates) != 4 || len(list.Purposes) != 3 || !seeded["reply:tindak_lanjut"].Active || !seeded["reply:kabar_tiket"].Active ||
		!seeded["notify:kabar_tiket"].Active || len(seeded["notify:kabar_tiket"].Params) != 2 ||
		!seeded["csat:penilaian_layanan"].Active || len(seeded["csat:penilaian_layanan"].Params) != 1 {
		t.Fatalf("seeded %+v", list)
	}

	var refused struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	res := admin.Do(http.MethodPost, "/api/v1/admin/whatsapp-templates", map[string]any{"name": "Kabar Baru", "language": "x", "purpose": "promo"})
	res.JSON(t, &refused)
	if res.Status != http.StatusUnprocessableEntity || refused.Error.Fields["name"] == "" || refused.Error.Fields["language"] == "" || refused.Error.Fields["purpose"] == "" {
		t.Fatalf("bad template: %d %s", res.Status, res.Body)
	}
	refused.Error.Fields = nil
	res = admin.Do(http.MethodPost, "/api/v1/admin/whatsapp-templates", map[string]any{"name": "kabar_baru", "language": "id", "purpose": "notify",
		"params": []string{"nomor", "tautan"}, "active": true})
	res.JSON(t, &refused)
	if res.Status != http.StatusUnprocessableEntity || refused.Error.Fields["active"] == "" || len(refused.Error.Fields) != 1 {
		t.Fatalf("second active notification template: %d %s", res.Status, res.Body)
	}

	res = admin.Do(http.MethodPost, "/api/v1/admin/whatsapp-templates", map[string]any{"name": "balas_baru", "language": "id", "purpose": "reply", "params": []string{"nama", "tanggal"}})
	var saved struct {
		Template waTemplate `json:"template"`
	}
	res.JSON(t, &saved)
	if res.Status != http.StatusCreated || saved.Template.ID == 0 || !saved.Template.Active {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	if !audited(t, admin, "admin.post.whatsapp-templates", `"balas_baru"`) {
		t.Error("adding a template was not audited")
	}
	id := strconv.FormatInt(seeded["notify:kabar_tiket"].ID, 10)
	res = admin.Do(http.MethodPut, "/api/v1/admin/whatsapp-templates/"+id, map[string]any{"name": "kabar_tiket", "language": "id", "purpose": "notify",
		"params": []string{"nomor", "tautan"}, "active": false})
	if res.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", res.Status, res.Body)
	}
	// Only what changed, old and new.
	if !audited(t, admin, "admin.put.whatsapp-templates", `{"name":"kabar_tiket","changed":[{"field":"active","from":true,"to":false}]}`) {
		t.Error("deactivating a template was not audited as a change from active to not")
	}
	res = admin.Do(http.MethodPost, "/api/v1/admin/whatsapp-templates", map[string]any{"name": "kabar_baru", "language": "id", "purpose": "notify",
		"params": []string{"nomor", "tautan"}, "active": true})
	if res.Status != http.StatusCreated {
		t.Fatalf("notification template after the other was deactivated: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodPut, "/api/v1/admin/whatsapp-templates/999999", map[string]any{"name": "x", "language": "id", "purpose": "reply"}); res.Status != http.StatusNotFound {
		t.Errorf("unknown template: %d %s", res.Status, res.Body)
	}

	// Admins only.
	res = admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "sari@tanggap.test", "name": "Sari", "password": "rahasia-sari-1", "capacity": 5})
	if res.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	sari := apptest.NewClient(t, a.URL())
	sari.Login("sari@tanggap.test", "rahasia-sari-1")
	for _, c := range []struct{ method, path string }{{http.MethodGet, ""}, {http.MethodPost, ""}, {http.MethodPut, "/" + id}} {
		if res := sari.Do(c.method, "/api/v1/admin/whatsapp-templates"+c.path, map[string]any{"name": "x", "language": "id", "purpose": "reply"}); res.Status != http.StatusForbidden {
			t.Errorf("agent %s: %d", c.method, res.Status)
		}
	}
	if res := apptest.NewClient(t, a.URL()).Do(http.MethodGet, "/api/v1/admin/whatsapp-templates", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("templates without a session: %d", res.Status)
	}
}
