package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"tanggap/internal/apptest"
)

// An admin edits a role on instance A (PUT /api/v1/admin/roles/{name}),
// dropping two of its permissions, while a holder's console socket is
// open on instance B: B greets that socket again with the narrowed
// rights (role.updated crossed NATS), and the holder's next API call is
// refused what the role lost.
func TestRoleEditReachesOpenSocketsOnEveryInstance(t *testing.T) {
	a, b, cfg := apptest.StartTwo(t)

	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	wide := []string{"tickets.work", "reports.view", "queues.all"}
	if res := admin.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "pengawas", "label": "Pengawas", "permissions": wide}); res.Status != http.StatusCreated {
		t.Fatalf("create role: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "vera@tanggap.test", "name": "Vera",
		"password": "rahasia-vera-1", "role": "pengawas", "queues": []string{cfg.DefaultQueue}}); res.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	vera := apptest.NewClient(t, b.URL())
	vera.Login("vera@tanggap.test", "rahasia-vera-1")
	if res := vera.Do(http.MethodGet, "/api/v1/queues/metrics", nil); res.Status != http.StatusOK {
		t.Fatalf("reports before the edit: %d", res.Status)
	}
	ws, _ := openPushSocket(t, b.URL(), http.Header{"Authorization": {"Bearer " + vera.Token}})
	perms := func(f map[string]json.RawMessage) []string {
		var ps []string
		_ = json.Unmarshal(f["permissions"], &ps)
		return ps
	}
	if f := ws.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) }); !slices.Contains(perms(f), "queues.all") {
		t.Fatalf("first hello %v", perms(f))
	}

	if res := admin.Do(http.MethodPut, "/api/v1/admin/roles/pengawas", map[string]any{"label": "Pengawas", "permissions": []string{"tickets.work"}}); res.Status != http.StatusOK {
		t.Fatalf("edit role: %d %s", res.Status, res.Body)
	}
	f := ws.wait("hello with the narrowed rights", func(f map[string]json.RawMessage) bool {
		return frameIs("hello", f) && !slices.Contains(perms(f), "queues.all")
	})
	if got := perms(f); !slices.Equal(got, []string{"tickets.work"}) {
		t.Errorf("rights after the edit: %v", got)
	}
	if res := vera.Do(http.MethodGet, "/api/v1/queues/metrics", nil); res.Status != http.StatusForbidden {
		t.Errorf("reports after the edit: %d, want 403", res.Status)
	}
	if res := vera.Do(http.MethodGet, "/api/v1/tickets", nil); res.Status != http.StatusOK {
		t.Errorf("tickets after the edit: %d, want 200", res.Status)
	}
}
