package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// TestDeactivatedAccountKeepsNoTickets: an agent's started ticket, which
// the default routing settings leave with an agent gone offline, goes
// back to its queue when the account is deactivated; and no supervisor
// can assign a ticket to the deactivated account.
func TestDeactivatedAccountKeepsNoTickets(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var created struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "andi@tanggap.test", "name": "Andi",
		"password": "rahasia-andi-1", "capacity": 3, "queues": []string{"umum"}}).JSON(t, &created)
	andiID := created.Agent.ID
	andi := apptest.NewClient(t, a.URL())
	andi.Login("andi@tanggap.test", "rahasia-andi-1")
	if r := andi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	id := fileComplaint(t, admin, "Insentif bulan lalu belum masuk.")
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if who := assigneeOf(t, admin, id); who != andiID {
			return fmt.Errorf("ticket %d assigned to %d, want Andi (%d)", id, who, andiID)
		}
		return nil
	})
	if r := andi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Baik Bu, kami cek."}); r.Status/100 != 2 {
		t.Fatalf("Andi replies: %d %s", r.Status, r.Body)
	}

	// A second ticket, not started: the one the default settings return
	// when an agent goes offline.
	unstarted := fileComplaint(t, admin, "Jadwal pelatihan saya tidak muncul.")
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if who := assigneeOf(t, admin, unstarted); who != andiID {
			return fmt.Errorf("ticket %d assigned to %d, want Andi (%d)", unstarted, who, andiID)
		}
		return nil
	})

	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/deactivate", andiID), nil); r.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	// Back in the queue (the admin, the one other member, is offline).
	for _, tk := range []int64{id, unstarted} {
		if who := assigneeOf(t, admin, tk); who != 0 {
			t.Fatalf("after the deactivation ticket %d is with %d, want back in its queue", tk, who)
		}
	}
	// Both returns are the admin's doing, for the deactivation; none is
	// told as Andi's, for going offline.
	var log struct {
		Entries []struct {
			Action    string `json:"action"`
			Detail    string `json:"detail"`
			AgentName string `json:"agent_name"`
			TicketID  *int64 `json:"ticket_id"`
		} `json:"entries"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action=ticket.returned", nil).JSON(t, &log)
	returned := map[int64]bool{}
	for _, e := range log.Entries {
		if e.Action != "ticket.returned" || e.TicketID == nil {
			continue
		}
		if e.Detail != "account deactivated" || e.AgentName == "Andi" {
			t.Errorf("ticket %d returned by %q for %q, want the admin for the deactivation", *e.TicketID, e.AgentName, e.Detail)
		}
		returned[*e.TicketID] = true
	}
	if !returned[id] || !returned[unstarted] {
		t.Errorf("returns audited %v, want tickets %d and %d", returned, id, unstarted)
	}
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/assign", id), map[string]any{"agent_id": andiID}); r.Status != http.StatusNotFound {
		t.Fatalf("assign to the deactivated account: %d %s, want 404", r.Status, r.Body)
	}
	if who := assigneeOf(t, admin, id); who != 0 {
		t.Fatalf("the ticket went to %d", who)
	}
}
