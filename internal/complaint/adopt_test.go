package complaint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
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

// TestAdoptNeedsPermissionAndOfferedCategory: treating a ticket as a
// complaint needs complaints.adopt (the built-in supervisor and admin
// roles have it, agents do not: 403), and the category must be one the
// catalog offers: none, an unknown code and a category no longer offered
// are each refused with 422 and a reason on the category field, and
// nothing enters the lifecycle until a valid one is given.
func TestAdoptNeedsPermissionAndOfferedCategory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	id, _ := e.whatsAppTicket("+6281211112222", "Mau mengadu soal pelatihan yang batal.", time.Now().UTC().Add(-time.Hour))

	var roles struct {
		Roles []struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
		} `json:"roles"`
	}
	e.admin.Do(http.MethodGet, "/api/v1/admin/roles", nil).JSON(t, &roles)
	granted := map[string]bool{}
	for _, r := range roles.Roles {
		granted[r.Name] = slices.Contains(r.Permissions, "complaints.adopt")
	}
	if !granted["supervisor"] || !granted["admin"] || granted["agent"] {
		t.Fatalf("complaints.adopt granted to %v, want supervisor and admin, not agent", granted)
	}

	account := func(email, role string) *apptest.Client {
		res := e.admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": email, "name": role, "password": "rahasia-" + role + "-123", "role": role})
		if res.Status != http.StatusCreated && res.Status != http.StatusOK {
			t.Fatalf("create %s: %d %s", role, res.Status, res.Body)
		}
		c := apptest.NewClient(t, e.app.URL())
		c.Login(email, "rahasia-"+role+"-123")
		return c
	}
	agentC, sup := account("agen-adopsi@tanggap.test", "agent"), account("spv-adopsi@tanggap.test", "supervisor")
	adopt := func(c *apptest.Client, body map[string]string) (int, string, string) {
		r := c.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), body)
		var out struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(r.Body, &out)
		return r.Status, out.Error.Code, out.Error.Fields["category"]
	}
	if st, code, _ := adopt(agentC, map[string]string{"kind": "pengaduan", "category": "pelatihan"}); st != http.StatusForbidden || code != "forbidden" {
		t.Fatalf("agent without complaints.adopt: %d %s, want 403 forbidden", st, code)
	}

	// Retire one category on the admin screen.
	var cats struct {
		Categories []map[string]any `json:"categories"`
	}
	e.admin.Do(http.MethodGet, "/api/v1/admin/complaint-categories", nil).JSON(t, &cats)
	for _, c := range cats.Categories {
		if c["code"] == "lainnya" {
			c["active"] = false
			if r := e.admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/complaint-categories/%v", c["id"]), c); r.Status != http.StatusOK {
				t.Fatalf("retire lainnya: %d %s", r.Status, r.Body)
			}
		}
	}
	for _, c := range []struct {
		name, category, says string
	}{
		{"no category (the WhatsApp ticket has none)", "", "belum berkategori"},
		{"a code the catalog does not know", "keluhan-umum", "tidak ada dalam daftar"},
		{"a category no longer offered", "lainnya", "tidak ditawarkan lagi"},
	} {
		st, code, why := adopt(sup, map[string]string{"kind": "pengaduan", "category": c.category})
		if st != http.StatusUnprocessableEntity || code != "validation" || !strings.Contains(why, c.says) {
			t.Errorf("%s: %d %s %q, want 422 saying %q", c.name, st, code, why, c.says)
		}
	}
	if r := e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil); r.Status != http.StatusNotFound {
		t.Fatalf("refused adoptions left a complaint: %d", r.Status)
	}
	if st, code, why := adopt(sup, map[string]string{"kind": "pengaduan", "category": "pelatihan"}); st != http.StatusCreated {
		t.Fatalf("supervisor with an offered category: %d %s %s", st, code, why)
	}
	if v := e.view(id); v.Stage != complaint.StageVerification {
		t.Fatalf("view %+v", v)
	}
	var stored string
	e.openDB().Raw(`SELECT category FROM complaints WHERE ticket_id = ?`, id).Scan(&stored)
	if stored != "pelatihan" {
		t.Fatalf("stored category %q", stored)
	}
}

// TestAdoptOnlyATicketStillWorked: a solved ticket is reopened before it
// is treated as a complaint (its lifecycle would otherwise start on a
// ticket that already told the citizen "Selesai"), a closed one never is;
// each refusal says what to do.
func TestAdoptOnlyATicketStillWorked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	id, _ := e.whatsAppTicket("+6281233334444", "Mau mengadu soal insentif yang belum cair.", time.Now().UTC().Add(-time.Hour))
	adopt := func() (int, apiError) {
		r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), map[string]string{"kind": "pengaduan", "category": "pelatihan"})
		var out apiError
		_ = json.Unmarshal(r.Body, &out)
		return r.Status, out
	}
	status := func(s string) {
		t.Helper()
		if r := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": s}); r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", s, r.Status, r.Body)
		}
	}
	status("solved")
	if st, body := adopt(); st != http.StatusConflict || body.Error.Code != "ticket_inactive" || !strings.Contains(body.Error.Message, "Buka kembali") {
		t.Fatalf("adopt a solved ticket: %d %+v", st, body)
	}
	if r := e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", id), nil); r.Status != http.StatusNotFound {
		t.Fatalf("a refused adoption left a complaint: %d", r.Status)
	}
	status("open")
	if st, body := adopt(); st != http.StatusCreated {
		t.Fatalf("adopt the reopened ticket: %d %+v", st, body)
	}

	e = newEnv(t, nil) // whatsAppTicket finds the one WhatsApp ticket there is
	closed, _ := e.whatsAppTicket("+6281255556666", "Pelatihan saya dibatalkan sepihak.", time.Now().UTC().Add(-time.Hour))
	if r := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", closed), map[string]string{"status": "closed"}); r.Status != http.StatusOK {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	r := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint", closed), map[string]string{"kind": "pengaduan", "category": "pelatihan"})
	var out apiError
	_ = json.Unmarshal(r.Body, &out)
	if r.Status != http.StatusConflict || out.Error.Code != "ticket_inactive" || !strings.Contains(out.Error.Message, "ditutup") {
		t.Fatalf("adopt a closed ticket: %d %s", r.Status, r.Body)
	}
}
