package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// Nobody hands out or takes over more than their role holds: an account
// manager ("Manage accounts" without the rest) cannot make anyone an
// admin, themselves included, nor change, reset, deactivate or route an
// admin's account; a role editor cannot put a permission they lack in a
// role. What their role covers still works.
func TestNobodyGrantsBeyondTheirOwnRole(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	adm := apptest.NewClient(t, a.URL())
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	expect := func(r apptest.Response, status int, code string) {
		t.Helper()
		if r.Status != status || !strings.Contains(string(r.Body), code) {
			t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
		}
	}
	idOf := func(r apptest.Response) int64 {
		t.Helper()
		var out struct {
			Agent struct{ ID int64 } `json:"agent"`
		}
		r.JSON(t, &out)
		return out.Agent.ID
	}
	expect(adm.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "hr", "label": "HR",
		"permissions": []string{"tickets.work", "admin.agents"}}), http.StatusCreated, "admin.agents")
	expect(adm.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "penata_peran", "label": "Penata peran",
		"permissions": []string{"tickets.work", "admin.roles"}}), http.StatusCreated, "admin.roles")
	hanaID := idOf(adm.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "hana@tanggap.test", "name": "Hana",
		"password": "hana-rahasia-2027", "role": "hr"}))
	adm.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "reza@tanggap.test", "name": "Reza",
		"password": "reza-rahasia-2027", "role": "penata_peran"})
	adminID := idOf(adm.Do(http.MethodGet, "/api/v1/auth/me", nil))

	hana := apptest.NewClient(t, a.URL())
	hana.Login("hana@tanggap.test", "hana-rahasia-2027")
	// Giving a role beyond hers: to herself, to someone else, to a new account.
	expect(hana.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d", hanaID), map[string]any{"role": "admin"}),
		http.StatusUnprocessableEntity, `"role"`)
	expect(hana.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "sup@tanggap.test", "name": "Sup",
		"password": "sup-rahasia-2027", "role": "supervisor"}), http.StatusUnprocessableEntity, `"role"`)
	// Taking over an account beyond hers.
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d", adminID), map[string]any{"email": "hana2@tanggap.test"}},
		{http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/password", adminID), map[string]any{"password": "diambil-alih-2027"}},
		{http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/deactivate", adminID), nil},
		{http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/reactivate", adminID), nil},
		{http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d/routing", adminID), map[string]any{"capacity": 0}},
	} {
		expect(hana.Do(r.method, r.path, r.body), http.StatusUnprocessableEntity, `"agent"`)
	}
	expect(hana.Do(http.MethodGet, "/api/v1/auth/me", nil), http.StatusOK, `"role":"hr"`)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword) // the password is still the admin's
	// Within her role: agents.
	agentID := idOf(hana.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "agus@tanggap.test", "name": "Agus",
		"password": "agus-rahasia-2027"}))
	expect(hana.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d", agentID), map[string]any{"name": "Agus Salim", "role": "agent"}),
		http.StatusOK, "Agus Salim")
	expect(hana.Do(http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/password", agentID), map[string]any{"password": "agus-baru-20277"}),
		http.StatusOK, "")

	reza := apptest.NewClient(t, a.URL())
	reza.Login("reza@tanggap.test", "reza-rahasia-2027")
	expect(reza.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "raja", "label": "Raja",
		"permissions": []string{"tickets.work", "privacy.manage"}}), http.StatusUnprocessableEntity, `"permissions"`)
	expect(reza.Do(http.MethodPut, "/api/v1/admin/roles/penata_peran", map[string]any{"label": "Penata peran",
		"permissions": []string{"tickets.work", "admin.roles", "admin.agents"}}), http.StatusUnprocessableEntity, `"permissions"`)
	// Nor strip a role holding more than his own.
	expect(reza.Do(http.MethodPut, "/api/v1/admin/roles/supervisor", map[string]any{"label": "Supervisor",
		"permissions": []string{"tickets.work"}}), http.StatusUnprocessableEntity, `"permissions"`)
	expect(reza.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "pekerja", "label": "Pekerja",
		"permissions": []string{"tickets.work"}}), http.StatusCreated, "pekerja")
	expect(reza.Do(http.MethodPut, "/api/v1/admin/roles/pekerja", map[string]any{"label": "Pekerja lapangan",
		"permissions": []string{"tickets.work"}}), http.StatusOK, "Pekerja lapangan")
}

// An account edit the account service refuses changes nothing: the
// capacity sent with a malformed email stays as it was.
func TestRefusedAccountEditKeepsCapacity(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	adm := apptest.NewClient(t, a.URL())
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	var created struct {
		Agent struct {
			ID       int64 `json:"id"`
			Capacity int   `json:"capacity"`
		} `json:"agent"`
	}
	adm.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "sari@tanggap.test", "name": "Sari",
		"password": "sari-rahasia-2027", "capacity": 10}).JSON(t, &created)
	path := fmt.Sprintf("/api/v1/admin/agents/%d", created.Agent.ID)
	if r := adm.Do(http.MethodPut, path, map[string]any{"email": "bukan-email", "capacity": 2}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("edit with a bad email: %d %s", r.Status, r.Body)
	}
	capacity := func() int {
		t.Helper()
		var out struct {
			Agents []struct {
				ID       int64 `json:"id"`
				Capacity int   `json:"capacity"`
			} `json:"agents"`
		}
		adm.Do(http.MethodGet, "/api/v1/admin/agents", nil).JSON(t, &out)
		for _, ag := range out.Agents {
			if ag.ID == created.Agent.ID {
				return ag.Capacity
			}
		}
		t.Fatal("the agent is not listed")
		return 0
	}
	if got := capacity(); got != 10 {
		t.Fatalf("capacity after the refused edit: %d, want 10", got)
	}
	if r := adm.Do(http.MethodPut, path, map[string]any{"capacity": 1001}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "capacity") {
		t.Fatalf("capacity 1001: %d %s", r.Status, r.Body)
	}
	if r := adm.Do(http.MethodPut, path, map[string]any{"name": "Sari Dewi", "capacity": 4}); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"capacity":4`) {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if got := capacity(); got != 4 {
		t.Fatalf("capacity after the edit: %d, want 4", got)
	}
}

// A new account naming a queue that does not exist is refused whole: it
// is not created without that queue.
func TestAccountWithUnknownQueueIsNotCreated(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	adm := apptest.NewClient(t, a.URL())
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	body := map[string]any{"email": "nina@tanggap.test", "name": "Nina", "password": "nina-rahasia-2027",
		"queues": []string{"umum", "tidak-ada"}}
	if r := adm.Do(http.MethodPost, "/api/v1/agents", body); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), `"queues"`) || !strings.Contains(string(r.Body), "tidak-ada") {
		t.Fatalf("unknown queue: %d %s", r.Status, r.Body)
	}
	body["queues"] = []string{"umum", "umum"}
	if r := adm.Do(http.MethodPost, "/api/v1/agents", body); r.Status != http.StatusCreated {
		t.Fatalf("the same email once the queues are right (listed twice): %d %s", r.Status, r.Body)
	}
}
