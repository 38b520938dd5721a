package api_test

import (
	"sort"
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
