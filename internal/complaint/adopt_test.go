package complaint_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/complaint"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// whatsAppTicket puts a citizen's WhatsApp message on the bus as the
// adapter would and returns its ticket's id and tracking number.
func (e *env) whatsAppTicket(phone, text string, at time.Time) (int64, string) {
	e.t.Helper()
	in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWhatsApp, ProviderMessageID: "wamid." + phone + at.Format("150405.000"),
		Sender: envelope.Sender{Phone: phone, WaID: phone}, Text: text, ReceivedAt: at}
	if err := e.app.Bus().PublishInbound(context.Background(), in); err != nil {
		e.t.Fatal(err)
	}
	var id int64
	var tn string
	testenv.CheckFor(e.t, wait, 50*time.Millisecond, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
				Channel        string `json:"channel"`
			} `json:"tickets"`
		}
		e.admin.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(e.t, &body)
		for _, tk := range body.Tickets {
			if tk.Channel == string(domain.ChannelWhatsApp) {
				id, tn = tk.ID, tk.TrackingNumber
				return nil
			}
		}
		return fmt.Errorf("WhatsApp ticket not stored yet")
	})
	return id, tn
}

// TestAdoptWhatsAppTicketAsComplaint: a complaint that came by WhatsApp
// enters the lifecycle when an agent treats it as one (kind and
// category): verification due VerifyDays working days from the ticket's
// received time, the citizen's status page shows its timeline by tracking
// number and phone; adopting it again, or with a bad kind, is refused.
func TestAdoptWhatsAppTicketAsComplaint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	received := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	id, tn := e.whatsAppTicket("+6281298765432", "Saya mau mengadu: insentif saya belum cair.", received)
	if r := e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil); r.Status != http.StatusNotFound {
		t.Fatalf("before: %d, want 404 (not a complaint)", r.Status)
	}
	if r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "keluhan"}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad kind: %d %s", r.Status, r.Body)
	}
	r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "pengaduan", "category": "insentif"})
	if r.Status != http.StatusCreated {
		t.Fatalf("adopt: %d %s", r.Status, r.Body)
	}
	var v complaint.View
	r.JSON(t, &v)
	if v.Stage != complaint.StageVerification || v.Kind != complaint.KindPengaduan || !v.ReceivedAt.Equal(received) {
		t.Fatalf("view %+v (received %s)", v, received)
	}
	cal := workCalendar(t, nil)
	if want := complaint.AddWorkingDays(cal, received, 3); !clock(v, "verification").Due.Equal(want) {
		t.Fatalf("verification due %v, want %v (3 working days from the ticket's received time)", clock(v, "verification").Due, want)
	}
	if r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "aspirasi"}); r.Status != http.StatusConflict {
		t.Fatalf("again: %d, want 409", r.Status)
	}
	// The citizen follows it by tracking number and phone.
	var tl complaint.Timeline
	res := e.pub.Do(http.MethodGet, "/api/v1/complaints/"+tn+"/timeline?contact="+url.QueryEscape("081298765432"), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("timeline: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &tl)
	if tl.Stage != complaint.StageVerification || len(tl.Steps) != 1 || tl.Steps[0].Step != "received" {
		t.Fatalf("timeline %+v", tl)
	}
	e.act(e.admin, id, "verify", nil, http.StatusOK)
}
