package complaint_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/locale"
)

// TestLifecycleRefusesTellingACitizenOnAChannelOff: a complaint that came
// by WhatsApp, on an installation that runs without WhatsApp now. The
// steps that send the citizen a message (asking to complete, not within
// authority, publishing the follow-up) are refused as any reply is (409
// channel_off, in the caller's language, naming WhatsApp, saying the step
// was not recorded and what would let it go on) before anything is
// recorded: the stage, the steps, the
// citizen's status page and the thread stay as they were. The other steps
// are taken, and the same follow-up is published once the installation
// runs WhatsApp again.
func TestLifecycleRefusesTellingACitizenOnAChannelOff(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Complaint.Units = []config.ComplaintUnit{{Code: "unit-insentif", Name: "Divisi Insentif"}}
	a, cfg := apptest.WithoutWhatsApp(t, cfg, func(before *app.App) {
		apptest.NewClient(t, before.URL()).WhatsApp(apptest.WhatsAppText("6281298765432", "Siti", "wamid.lc-off-1", time.Now(),
			"Saya mau mengadu: insentif saya belum cair."))
	})
	e := &env{t: t, cfg: cfg, app: a, admin: apptest.NewClient(t, a.URL()), pub: apptest.NewClient(t, a.URL())}
	e.admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := e.admin.TicketOn("whatsapp", "scope=all")
	res := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "pengaduan", "category": "insentif"})
	if res.Status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", res.Status, res.Body)
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	type ticketRead struct {
		TrackingNumber string `json:"tracking_number"`
		Messages       []struct {
			Direction string `json:"direction"`
		} `json:"messages"`
	}
	replies := func() int {
		t.Helper()
		var d ticketRead
		e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		n := 0
		for _, m := range d.Messages {
			if m.Direction == "out" {
				n++
			}
		}
		return n
	}
	var tk ticketRead
	e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &tk)
	timeline := func() complaint.Timeline {
		t.Helper()
		var tl complaint.Timeline
		res := e.pub.Do(http.MethodGet, "/api/v1/complaints/"+tk.TrackingNumber+"/timeline?contact="+url.QueryEscape("081298765432"), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("timeline: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &tl)
		return tl
	}
	refused := func(action string, body map[string]any) {
		t.Helper()
		before, shown, out := e.view(id), timeline(), replies()
		for _, lang := range locale.Languages() {
			e.admin.Lang = lang
			res := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/%s", id, action), body)
			var got struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			res.JSON(t, &got)
			if res.Status != http.StatusConflict || got.Error.Code != "channel_off" {
				t.Fatalf("%s, %s: %d %s, want 409 channel_off", action, lang, res.Status, res.Body)
			}
			if want := cat.T(lang, complaint.StepChannelOffKey("whatsapp")); got.Error.Message != want {
				t.Errorf("%s, %s: message %q, want %q", action, lang, got.Error.Message, want)
			}
		}
		e.admin.Lang = ""
		after, now := e.view(id), timeline()
		if after.Stage != before.Stage || len(after.Steps) != len(before.Steps) {
			t.Errorf("%s refused, yet recorded: stage %s, %d steps (before %s, %d)", action, after.Stage, len(after.Steps), before.Stage, len(before.Steps))
		}
		if now.Stage != shown.Stage || len(now.Steps) != len(shown.Steps) {
			t.Errorf("%s refused, yet the status page shows stage %s, %d steps (before %s, %d)", action, now.Stage, len(now.Steps), shown.Stage, len(shown.Steps))
		}
		if n := replies(); n != out {
			t.Errorf("%s refused, yet %d replies stored (before %d)", action, n, out)
		}
	}

	refused("ask_complete", map[string]any{"note": "Mohon kirim foto kartu."})
	refused("not_authority", map[string]any{"agency": "Dinas Sosial Kota"})
	// Steps that tell the citizen nothing are taken.
	e.act(e.admin, id, "verify", nil, http.StatusOK)
	e.act(e.admin, id, "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek."}, http.StatusOK)
	e.act(e.admin, id, "answer", map[string]any{"answer": "Insentif Anda sudah dicairkan."}, http.StatusOK)
	refused("publish", nil)

	// The same installation running WhatsApp again: the same follow-up is
	// published and goes to the citizen.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.WhatsApp = apptest.WhatsAppUnanswered()
	a = apptest.Start(t, cfg)
	e = &env{t: t, cfg: cfg, app: a, admin: apptest.NewClient(t, a.URL()), pub: apptest.NewClient(t, a.URL())}
	e.admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	out := replies()
	if v := e.act(e.admin, id, "publish", nil, http.StatusOK); v.Stage != complaint.StageFollowedUp {
		t.Fatalf("published on a channel that runs: stage %s", v.Stage)
	}
	if tl := timeline(); tl.Stage != complaint.StageFollowedUp {
		t.Errorf("the status page after publishing: stage %s", tl.Stage)
	}
	if n := replies(); n != out+1 {
		t.Errorf("the follow-up was not sent to the citizen: %d replies (before %d)", n, out)
	}
}
