package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/ticket"
)

// TestWhatsAppTemplatesChosenOnScreen: the settings seed the templates;
// an admin then swaps the notification and survey templates and the
// agents' reply template on the WhatsApp templates screen's API. A
// citizen who wrote 30 hours ago is outside the window: the agent may send
// only the new reply template, and the solve's notification and survey
// go with the templates chosen on screen, never the seeded ones.
func TestWhatsAppTemplatesChosenOnScreen(t *testing.T) {
	graph := newSurveyGraph(t)
	cfg := seededTemplatesConfig(t, graph)
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	api.Login(apptest.AdminEmail, apptest.AdminPassword)

	var list struct {
		Templates []struct {
			ID      int64    `json:"id"`
			Name    string   `json:"name"`
			Purpose string   `json:"purpose"`
			Params  []string `json:"params"`
		} `json:"templates"`
	}
	api.Do(http.MethodGet, "/api/v1/admin/whatsapp-templates", nil).JSON(t, &list)
	if len(list.Templates) != 4 {
		t.Fatalf("seeded %+v", list.Templates)
	}
	for _, tp := range list.Templates { // every seeded template off
		res := api.Do(http.MethodPut, "/api/v1/admin/whatsapp-templates/"+strconv.FormatInt(tp.ID, 10),
			map[string]any{"name": tp.Name, "language": "id", "purpose": tp.Purpose, "params": tp.Params, "active": false})
		if res.Status != http.StatusOK {
			t.Fatalf("deactivate %s: %d %s", tp.Name, res.Status, res.Body)
		}
	}
	for _, add := range []map[string]any{
		{"name": "balas_baru", "language": "id", "purpose": "reply", "params": []string{"nama"}},
		{"name": "kabar_baru", "language": "id", "purpose": "notify", "params": []string{"nomor", "tautan"}},
		{"name": "survei_baru", "language": "id", "purpose": "csat", "params": []string{"nomor"}},
	} {
		if res := api.Do(http.MethodPost, "/api/v1/admin/whatsapp-templates", add); res.Status != http.StatusCreated {
			t.Fatalf("add %v: %d %s", add["name"], res.Status, res.Body)
		}
	}

	goOnline(t, api)
	apptest.NewClient(t, base).WhatsApp(apptest.WhatsAppText("6285799998888", "Budi", "wamid.in-1", time.Now().Add(-30*time.Hour), "Sertifikat belum terbit"))
	var d ticket.Detail
	checkFor(t, 20*time.Second, func() error {
		var l struct {
			Tickets []ticket.Summary `json:"tickets"`
		}
		api.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &l)
		for _, s := range l.Tickets {
			if s.Channel == "whatsapp" && s.AssigneeID != nil {
				api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(t, &d)
				return nil
			}
		}
		return fmt.Errorf("no assigned WhatsApp ticket")
	})
	if d.ReplyWindow == nil || d.ReplyWindow.Open || len(d.ReplyWindow.Templates) != 1 || d.ReplyWindow.Templates[0].Name != "balas_baru" {
		t.Fatalf("reply window %+v, want closed with balas_baru only", d.ReplyWindow)
	}
	reply := func(name string) int {
		return api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", d.ID),
			map[string]any{"template": map[string]any{"name": name, "language": "id", "params": []string{"Budi"}}}).Status
	}
	if st := reply("tindak_lanjut"); st != http.StatusUnprocessableEntity {
		t.Fatalf("a deactivated reply template: %d", st)
	}
	if st := reply("balas_baru"); st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("the reply template chosen on screen: %d", st)
	}
	setStatus := func(status string) {
		t.Helper()
		if res := api.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", d.ID), map[string]string{"status": status}); res.Status != 200 {
			t.Fatalf("%s: %d %s", status, res.Status, res.Body)
		}
	}
	setStatus("solved")

	want := map[string]bool{"balas_baru": true, "kabar_baru": true, "survei_baru": true}
	checkFor(t, 20*time.Second, func() error {
		got := map[string]bool{}
		for _, m := range graph.surveys("6285799998888", "template") {
			tpl := m["template"].(map[string]any)
			name := tpl["name"].(string)
			if !want[name] {
				t.Fatalf("sent template %q, not one chosen on screen: %v", name, m)
			}
			got[name] = true
			if name == "kabar_baru" {
				params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
				if len(params) != 2 || params[0].(map[string]any)["text"] != d.TrackingNumber {
					t.Fatalf("notification parameters %v, want the tracking number and the link", params)
				}
			}
		}
		if len(got) != len(want) {
			return fmt.Errorf("templates sent %v, want %v", got, want)
		}
		return nil
	})
}

// seededTemplatesConfig: WhatsApp on the Graph API stand-in, with the
// template settings that seed the templates screen (two reply templates,
// the notification and the survey template).
func seededTemplatesConfig(t *testing.T, graph *surveyGraph) config.Config {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.WhatsApp = config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: graph.srv.URL, APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		Templates: []config.WhatsAppTemplate{{Name: "tindak_lanjut", Language: "id", Params: []string{"nama"}},
			{Name: "kabar_tiket", Language: "id", Params: []string{"nomor", "tautan"}}},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
	cfg.Notify.WhatsAppTemplate = "kabar_tiket"
	cfg.CSAT.WhatsAppTemplate = config.WhatsAppTemplate{Name: "penilaian_layanan", Language: "id"}
	return cfg
}
