package api_test

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/api"
	"tanggap/internal/apptest"
	"tanggap/internal/permission"
)

// public routes: no session (sign-in, the citizen's pages and callbacks,
// provider webhooks mounted by the channels).
func public(path string) bool {
	return path == "/api/v1/auth/login" || strings.HasPrefix(path, "/api/v1/public/") ||
		path == "/api/v1/complaints" || strings.HasPrefix(path, "/api/v1/complaints/") // the citizen's complaint form and tracking
}

// Every /api/v1 route of the full app names its permission in the route
// table (s.need); a route behind the role-named middlewares (anyAgent,
// supervisor, admin) or behind none is listed here to be mapped.
func TestEveryRouteNamesItsPermission(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	var unmapped []string
	seen := map[permission.P]bool{}
	n := 0
	for _, r := range a.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" {
			continue
		}
		p, legacy, found := api.RoutePermission(r)
		if !found && public(r.Path) {
			continue
		}
		switch {
		case !found:
			unmapped = append(unmapped, r.Method+" "+r.Path+" (no gate)")
		case legacy:
			unmapped = append(unmapped, r.Method+" "+r.Path+" (role middleware: name its permission)")
		case p != permission.Session && !permission.Known(p):
			unmapped = append(unmapped, r.Method+" "+r.Path+" (unknown permission "+string(p)+")")
		default:
			seen[p] = true
			n++
		}
	}
	sort.Strings(unmapped)
	if len(unmapped) > 0 {
		t.Errorf("routes without a permission in the route table:\n  %s", strings.Join(unmapped, "\n  "))
	}
	if n < 50 {
		t.Errorf("only %d routes walked", n)
	}
	for _, p := range permission.All {
		if !seen[p] && p != permission.TicketsAll && p != permission.QueuesAll && p != permission.CannedShare && p != permission.IdentityReveal {
			t.Errorf("no route needs %s", p)
		}
	}
}

// Roles over the API: a custom role gates routes by its permissions, an
// edit counts from the holder's next request, and the guards hold (the
// admin role keeps admin.roles, an admin keeps their own administration,
// a held or built-in role stays).
func TestRolesAPI(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	adm := apptest.NewClient(t, a.URL())
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	expect := func(r apptest.Response, status int, code string) {
		t.Helper()
		if r.Status != status || !strings.Contains(string(r.Body), code) {
			t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
		}
	}
	expect(adm.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "verifikator", "label": "Verifikator", "permissions": []string{"tickets.work"}}), http.StatusCreated, `"built_in":false`)
	expect(adm.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "verifikator", "label": "Lagi"}), http.StatusConflict, "conflict")
	expect(adm.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "Bad Name", "label": "x", "permissions": []string{"nuke.all"}}), http.StatusUnprocessableEntity, "permissions")
	expect(adm.Do(http.MethodPut, "/api/v1/admin/roles/admin", map[string]any{"label": "Admin", "permissions": []string{"admin.agents"}}), http.StatusConflict, "role_lockout")
	expect(adm.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "vera@tanggap.test", "name": "Vera", "password": "vera-rahasia-2027", "role": "verifikator"}), http.StatusCreated, `"permissions":["tickets.work"]`)
	expect(adm.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "x@tanggap.test", "name": "X", "password": "x-rahasia-20277", "role": "raja"}), http.StatusUnprocessableEntity, "role")

	vera := apptest.NewClient(t, a.URL())
	vera.Login("vera@tanggap.test", "vera-rahasia-2027")
	expect(vera.Do(http.MethodGet, "/api/v1/auth/me", nil), http.StatusOK, `"role":"verifikator"`)
	expect(vera.Do(http.MethodGet, "/api/v1/tickets", nil), http.StatusOK, "")
	expect(vera.Do(http.MethodGet, "/api/v1/agents", nil), http.StatusForbidden, "forbidden")
	expect(adm.Do(http.MethodPut, "/api/v1/admin/roles/verifikator", map[string]any{"label": "Verifikator", "permissions": []string{"tickets.work", "agents.view"}}), http.StatusOK, "agents.view")
	expect(vera.Do(http.MethodGet, "/api/v1/agents", nil), http.StatusOK, "") // the same session, the next request

	expect(adm.Do(http.MethodDelete, "/api/v1/admin/roles/verifikator", nil), http.StatusConflict, "role_in_use")
	expect(adm.Do(http.MethodDelete, "/api/v1/admin/roles/agent", nil), http.StatusConflict, "role_built_in")
	expect(adm.Do(http.MethodDelete, "/api/v1/admin/roles/nobody", nil), http.StatusNotFound, "not_found")
	var me struct {
		Agent struct{ ID int64 } `json:"agent"`
	}
	adm.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	expect(adm.Do(http.MethodPut, "/api/v1/admin/agents/"+strconv.FormatInt(me.Agent.ID, 10), map[string]any{"role": "verifikator"}), http.StatusUnprocessableEntity, "role")
	expect(vera.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "mine", "label": "Mine"}), http.StatusForbidden, "forbidden")
}
