package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// TestTicketSaysWhetherItHasAComplaintLifecycle: the ticket's detail says
// whether it is in the complaint lifecycle, and the citizen's lookup
// carries its timeline, so neither the console nor the status page asks
// for a lifecycle a ticket does not have. A form complaint is in it from
// the start (before the scheduler links it); a WhatsApp conversation is
// not (no timeline on its lookup) until it is treated as a complaint.
func TestTicketSaysWhetherItHasAComplaintLifecycle(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	citizen := apptest.NewClient(t, a.URL())

	ticketOf := func(match func(channel, tn string) bool) (int64, string) {
		t.Helper()
		var id int64
		var tn string
		testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
			var out struct {
				Tickets []struct {
					ID             int64  `json:"id"`
					TrackingNumber string `json:"tracking_number"`
					Channel        string `json:"channel"`
				} `json:"tickets"`
			}
			admin.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &out)
			for _, tk := range out.Tickets {
				if match(tk.Channel, tk.TrackingNumber) {
					id, tn = tk.ID, tk.TrackingNumber
					return nil
				}
			}
			return fmt.Errorf("ticket not stored yet")
		})
		return id, tn
	}
	lifecycle := func(id int64) any {
		t.Helper()
		var d map[string]any
		res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("ticket %d: %d %s", id, res.Status, res.Body)
		}
		res.JSON(t, &d)
		return d["lifecycle"]
	}
	type timeline struct {
		Stage string `json:"stage"`
		Steps []struct {
			Step string `json:"step"`
		} `json:"steps"`
	}
	lookup := func(tn, contact string) (present bool, tl *timeline) {
		t.Helper()
		res := citizen.Do(http.MethodGet, "/api/v1/complaints/"+url.PathEscape(tn)+"?contact="+url.QueryEscape(contact), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("lookup %s: %d %s", tn, res.Status, res.Body)
		}
		var raw map[string]json.RawMessage
		res.JSON(t, &raw)
		v, ok := raw["timeline"]
		if !ok || string(v) == "null" {
			return ok, nil
		}
		tl = &timeline{}
		if err := json.Unmarshal(v, tl); err != nil {
			t.Fatal(err)
		}
		return true, tl
	}

	// A form complaint.
	const formPhone = "081355554444"
	formTN := citizen.Complaint(map[string]string{"name": "Dewi", "phone": formPhone, "category": "lainnya",
		"description": "Sertifikat pelatihan saya belum terbit."})
	formID, _ := ticketOf(func(_, tn string) bool { return tn == formTN })
	if got := lifecycle(formID); got != true {
		t.Errorf("form complaint: lifecycle = %v, want true", got)
	}
	if _, tl := lookup(formTN, formPhone); tl == nil || tl.Stage != "verification" || len(tl.Steps) == 0 || tl.Steps[0].Step != "received" {
		t.Errorf("form complaint: lookup timeline %+v, want verification from received", tl)
	}

	// A WhatsApp conversation.
	const waPhone = "+6281366667777"
	in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWhatsApp, ProviderMessageID: "wamid.flag-1",
		Sender: envelope.Sender{Phone: waPhone, WaID: waPhone}, Text: "Halo, saya mau tanya jadwal pelatihan.",
		ReceivedAt: time.Now().UTC().Add(-time.Hour)}
	if err := a.Bus().PublishInbound(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	waID, waTN := ticketOf(func(ch, _ string) bool { return ch == string(domain.ChannelWhatsApp) })
	if got := lifecycle(waID); got != false {
		t.Errorf("WhatsApp ticket: lifecycle = %v, want false", got)
	}
	if present, tl := lookup(waTN, "081366667777"); !present || tl != nil {
		t.Errorf("WhatsApp ticket: lookup timeline present=%v %+v, want null", present, tl)
	}
	if r := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", waID), nil); r.Status != http.StatusNotFound {
		t.Errorf("WhatsApp ticket: complaint %d, want 404 (the detail said there is none)", r.Status)
	}

	// Treated as a complaint, it is in the lifecycle.
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", waID), map[string]string{"kind": "pengaduan", "category": "insentif"}); r.Status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", r.Status, r.Body)
	}
	if got := lifecycle(waID); got != true {
		t.Errorf("adopted WhatsApp ticket: lifecycle = %v, want true", got)
	}
	if _, tl := lookup(waTN, "081366667777"); tl == nil || tl.Stage != "verification" {
		t.Errorf("adopted WhatsApp ticket: lookup timeline %+v, want verification", tl)
	}
}
