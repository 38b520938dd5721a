package app_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

type routingView struct {
	Routing struct {
		TicketID int64 `json:"ticket_id"`
		QueueID  int64 `json:"queue_id"`
		AgentID  int64 `json:"agent_id"`
		Position int   `json:"position"`
		Visible  *bool `json:"visible"`
		SLA      struct {
			Priority           string     `json:"priority"`
			FirstResponseDueAt *time.Time `json:"first_response_due_at"`
			FirstResponseState string     `json:"first_response_state"`
			Breached           []string   `json:"breached"`
		} `json:"sla"`
	} `json:"routing"`
}

// The demo seed loads at start; agents set presence, claim, release and
// transfer through the API; supervisors assign; admins manage queues,
// profiles and holidays; roles are enforced.
func TestRoutingThroughTheAPI(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Routing.SeedFile = filepath.Join("..", "..", "internal", "routing", "seed", "demo.yaml")
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	sari := apptest.NewClient(t, a.URL())
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	budi := apptest.NewClient(t, a.URL())
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	dewi := apptest.NewClient(t, a.URL())
	dewi.Login("dewi@tanggap.example", "demo-dewi-2026")

	// Nobody online: a complaint waits in the national queue with an SLA due time.
	tn := admin.Complaint(map[string]string{"name": "Rina", "phone": "081234567890", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak minggu lalu, mohon bantuan."})
	var list ticketList
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		list = ticketList{}
		admin.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == tn {
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", tn)
	})
	var id int64
	for _, tk := range list.Tickets {
		if tk.TrackingNumber == tn {
			id = tk.ID
		}
	}
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	var v routingView
	res := sari.Do(http.MethodGet, path+"/routing", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("routing view: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &v)
	if v.Routing.AgentID != 0 || v.Routing.Position != 1 || v.Routing.SLA.FirstResponseDueAt == nil || v.Routing.SLA.Priority != "normal" {
		t.Fatalf("waiting ticket %+v", v.Routing)
	}

	// Sari comes online: the waiting ticket is hers at once.
	if res := sari.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	sari.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	sari.Do(http.MethodGet, path+"/routing", nil).JSON(t, &v)
	if v.Routing.AgentID != me.Agent.ID {
		t.Fatalf("after coming online: assignee %d, want %d", v.Routing.AgentID, me.Agent.ID)
	}

	// Release: back to the queue (Budi is busy, so it waits); Budi claims it.
	if res := budi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	if res := sari.Do(http.MethodPost, path+"/release", map[string]string{"note": "bukan keahlian saya"}); res.Status != http.StatusOK {
		t.Fatalf("release: %d %s", res.Status, res.Body)
	}
	res = budi.Do(http.MethodPost, path+"/claim", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", res.Status, res.Body)
	}
	var budiMe struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	budi.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &budiMe)
	res.JSON(t, &v)
	if v.Routing.AgentID != budiMe.Agent.ID {
		t.Fatalf("claimed by %d, want Budi %d", v.Routing.AgentID, budiMe.Agent.ID)
	}
	var e apiError
	res = sari.Do(http.MethodPost, path+"/claim", nil)
	res.JSON(t, &e)
	if res.Status != http.StatusConflict || e.Error.Code != "conflict" {
		t.Fatalf("claiming a taken ticket: %d %s", res.Status, res.Body)
	}

	// Transfer to Sari with a note; the note is in the thread.
	res = budi.Do(http.MethodPost, path+"/transfer", map[string]any{"agent_id": me.Agent.ID, "note": "Mohon dicek ulang"})
	if res.Status != http.StatusOK {
		t.Fatalf("transfer: %d %s", res.Status, res.Body)
	}
	var d ticketDetail
	sari.Do(http.MethodGet, path, nil).JSON(t, &d)
	notes := 0
	for _, m := range d.Messages {
		if m.Direction == "note" {
			notes++
		}
	}
	if d.AssigneeID == nil || *d.AssigneeID != me.Agent.ID || notes != 2 {
		t.Fatalf("after transfer: assignee %v, %d notes", d.AssigneeID, notes)
	}

	// Agents cannot assign; a supervisor can. Priority changes show on the ticket.
	if res := sari.Do(http.MethodPost, path+"/assign", map[string]any{"agent_id": budiMe.Agent.ID}); res.Status != http.StatusForbidden {
		t.Fatalf("agent assigning: %d", res.Status)
	}
	if res := dewi.Do(http.MethodPost, path+"/assign", map[string]any{"agent_id": budiMe.Agent.ID}); res.Status != http.StatusOK {
		t.Fatalf("supervisor assign: %d %s", res.Status, res.Body)
	}
	res = budi.Do(http.MethodPut, path+"/priority", map[string]string{"priority": "urgent"})
	res.JSON(t, &v)
	if res.Status != http.StatusOK || v.Routing.SLA.Priority != "urgent" || v.Routing.AgentID != budiMe.Agent.ID {
		t.Fatalf("priority: %d %s", res.Status, res.Body)
	}
	if res := budi.Do(http.MethodPut, path+"/priority", map[string]string{"priority": "asap"}); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad priority: %d", res.Status)
	}

	// Supervisors read metrics and the SLA report; agents cannot.
	if res := sari.Do(http.MethodGet, "/api/v1/queues/metrics", nil); res.Status != http.StatusForbidden {
		t.Fatalf("agent reading metrics: %d", res.Status)
	}
	var metrics struct {
		Queues []struct {
			Queue string `json:"queue"`
		} `json:"queues"`
	}
	dewi.Do(http.MethodGet, "/api/v1/queues/metrics", nil).JSON(t, &metrics)
	if len(metrics.Queues) < 5 {
		t.Fatalf("metrics for %d queues, want the seeded ones", len(metrics.Queues))
	}
	if res := dewi.Do(http.MethodGet, "/api/v1/queues/sla?days=7", nil); res.Status != http.StatusOK {
		t.Fatalf("SLA report: %d %s", res.Status, res.Body)
	}

	// Admin API: a queue, an agent's profile, a year's holidays; errors name the problem.
	if res := dewi.Do(http.MethodPut, "/api/v1/admin/queues/sumut", map[string]any{"provinces": []string{"12"}}); res.Status != http.StatusForbidden {
		t.Fatalf("supervisor writing queues: %d", res.Status)
	}
	res = admin.Do(http.MethodPut, "/api/v1/admin/queues/sumut", map[string]any{"name": "Sumatera Utara", "provinces": []string{"12"},
		"hours": map[string][]string{"mon": {"08:00-16:00"}}, "time_zone": "WIB", "sla": map[string]any{"normal": map[string]int{"first_response_seconds": 3600}}})
	if res.Status != http.StatusOK {
		t.Fatalf("save queue: %d %s", res.Status, res.Body)
	}
	res = admin.Do(http.MethodPut, "/api/v1/admin/queues/sumut", map[string]any{"hours": map[string][]string{"mon": {"16:00-08:00"}}})
	res.JSON(t, &e)
	if res.Status != http.StatusUnprocessableEntity || e.Error.Fields["hours"] == "" {
		t.Fatalf("bad hours: %d %s", res.Status, res.Body)
	}
	res = admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d/routing", me.Agent.ID), map[string]any{
		"queues": []string{"umum", "sumut"}, "skills": map[string]int{"bahasa_batak": 4}, "channel_capacity": map[string]int{"whatsapp": 6}})
	var prof struct {
		Agent struct {
			Queues          []string       `json:"queues"`
			Skills          map[string]int `json:"skills"`
			ChannelCapacity map[string]int `json:"channel_capacity"`
		} `json:"agent"`
	}
	res.JSON(t, &prof)
	if res.Status != http.StatusOK || len(prof.Agent.Queues) != 2 || prof.Agent.Skills["bahasa_batak"] != 4 || prof.Agent.ChannelCapacity["whatsapp"] != 6 {
		t.Fatalf("agent profile: %d %s", res.Status, res.Body)
	}
	res = admin.Do(http.MethodPut, "/api/v1/admin/holidays/2027", map[string]any{"holidays": []map[string]string{{"day": "2027-01-01", "name": "Tahun Baru"}}})
	if res.Status != http.StatusOK {
		t.Fatalf("holidays: %d %s", res.Status, res.Body)
	}
	var hol struct {
		Holidays []struct {
			Day string `json:"day"`
		} `json:"holidays"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/holidays/2026", nil).JSON(t, &hol)
	if len(hol.Holidays) < 20 {
		t.Fatalf("seeded 2026 holidays: %d", len(hol.Holidays))
	}

	// Going offline returns the unstarted ticket; Sari (online) gets it.
	if res := budi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "offline"}); res.Status != http.StatusOK {
		t.Fatalf("offline: %d", res.Status)
	}
	sari.Do(http.MethodGet, path+"/routing", nil).JSON(t, &v)
	if v.Routing.AgentID != me.Agent.ID {
		t.Fatalf("after Budi left: assignee %d, want Sari %d", v.Routing.AgentID, me.Agent.ID)
	}
}

// A citizen's follow-up on an answered ticket starts the next-response
// clock (through the ingest path); the agent's answer stops it.
func TestNextResponseClockThroughIngest(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	res := admin.Do(http.MethodPut, "/api/v1/admin/queues/umum", map[string]any{"sla": map[string]any{
		"normal": map[string]int{"first_response_seconds": 3600, "next_response_seconds": 1800, "resolution_seconds": 86400}}})
	if res.Status != http.StatusOK {
		t.Fatalf("save queue: %d %s", res.Status, res.Body)
	}
	tn := admin.Complaint(map[string]string{"name": "Rina", "phone": "081234567890", "category": "lainnya",
		"description": "Status kepesertaan saya tidak berubah."})
	var id int64
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var list ticketList
		admin.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == tn {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", tn)
	})
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	type clock struct {
		Routing struct {
			SLA struct {
				NextResponseDueAt *time.Time `json:"next_response_due_at"`
				NextResponseState string     `json:"next_response_state"`
			} `json:"sla"`
		} `json:"routing"`
	}
	if res := admin.Do(http.MethodPost, path+"/messages", map[string]string{"body": "Baik, kami periksa."}); res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	citizen := apptest.NewClient(t, a.URL())
	if res := citizen.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact=081234567890", map[string]string{"body": "Sudah seminggu, mohon kabarnya."}); res.Status != http.StatusAccepted {
		t.Fatalf("follow-up: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var c clock
		admin.Do(http.MethodGet, path+"/routing", nil).JSON(t, &c)
		if c.Routing.SLA.NextResponseDueAt == nil || c.Routing.SLA.NextResponseState != "ok" {
			return fmt.Errorf("next-response clock not running: %+v", c.Routing.SLA)
		}
		return nil
	})
	if res := admin.Do(http.MethodPost, path+"/messages", map[string]string{"body": "Sudah kami perbaiki."}); res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	var c clock
	admin.Do(http.MethodGet, path+"/routing", nil).JSON(t, &c)
	if c.Routing.SLA.NextResponseDueAt != nil {
		t.Fatalf("answered in time, clock still running: %+v", c.Routing.SLA)
	}
}

// A routing action's answer says whether the one who took it may still
// see the ticket: Sari transferring her ticket to a queue she is not in
// loses it (the console closes it instead of reading it again only to be
// refused); claiming, or a supervisor's transfer, keeps it in sight.
func TestRoutingAnswerSaysWhetherTheTicketStaysInSight(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Routing.SeedFile = filepath.Join("..", "..", "internal", "routing", "seed", "demo.yaml")
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	sari := apptest.NewClient(t, a.URL())
	sari.Login("sari@tanggap.example", "demo-sari-2026")
	dewi := apptest.NewClient(t, a.URL())
	dewi.Login("dewi@tanggap.example", "demo-dewi-2026")

	visible := func(what string, res apptest.Response) bool {
		t.Helper()
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", what, res.Status, res.Body)
		}
		var v routingView
		res.JSON(t, &v)
		if v.Routing.Visible == nil {
			t.Fatalf("%s: no visible in %s", what, res.Body)
		}
		return *v.Routing.Visible
	}
	if res := sari.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	id := fileComplaint(t, admin, "Kartu saya belum aktif sejak minggu lalu, mohon bantuan.")
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	if !visible("Sari claims", sari.Do(http.MethodPost, path+"/claim", nil)) {
		t.Fatal("claimed, and not in sight")
	}
	if visible("Sari transfers to insentif", sari.Do(http.MethodPost, path+"/transfer", map[string]any{"queue": "insentif"})) {
		t.Fatal("transferred to a queue she is not in, and still in sight")
	}
	if res := sari.Do(http.MethodGet, path, nil); res.Status != http.StatusForbidden {
		t.Fatalf("Sari reading it after: %d", res.Status)
	}
	if !visible("Dewi transfers to umum", dewi.Do(http.MethodPost, path+"/transfer", map[string]any{"queue": "umum"})) {
		t.Fatal("a supervisor lost sight of a ticket")
	}
}
