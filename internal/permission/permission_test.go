package permission_test

import (
	"slices"
	"strings"
	"testing"

	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// The built-in roles keep what they could do before roles were sets:
// agents work their queues, supervisors see every queue and supervise,
// admins may everything.
func TestDefaults(t *testing.T) {
	agent, sup, admin := permission.Defaults(domain.RoleAgent), permission.Defaults(domain.RoleSupervisor), permission.Defaults(domain.RoleAdmin)
	if !slices.Equal(agent.List(), []permission.P{permission.TicketsWork}) {
		t.Errorf("agent = %v", agent.List())
	}
	for _, p := range []permission.P{permission.TicketsAll, permission.TicketsAssign, permission.WallboardView, permission.ReportsView, permission.ContactsMerge} {
		if !sup.Has(p) {
			t.Errorf("supervisor lacks %s", p)
		}
	}
	for _, p := range []permission.P{permission.QueuesAll, permission.AdminAgents, permission.AdminRoles, permission.AuditView, permission.PrivacyManage, permission.AdminQueues} {
		if sup.Has(p) {
			t.Errorf("supervisor has %s", p)
		}
	}
	if !slices.Equal(admin.List(), permission.All) {
		t.Errorf("admin = %v", admin.List())
	}
	if permission.Defaults("verifikator").Has(permission.TicketsWork) || !permission.Defaults("verifikator").Loaded() {
		t.Error("an unknown role may something")
	}
	for _, s := range []permission.Set{agent, sup, admin} {
		if !s.Has(permission.Session) {
			t.Error("a set without the session")
		}
	}
	if (permission.Set{}).Loaded() {
		t.Error("the zero set is loaded")
	}
}

func TestParseString(t *testing.T) {
	s := permission.Parse("reports.view,tickets.work  nuke.all tickets.work")
	if got := s.String(); got != "tickets.work reports.view" {
		t.Fatalf("String = %q", got)
	}
	if !strings.Contains(permission.SupervisingSQL, "'% tickets.all %'") {
		t.Fatal(permission.SupervisingSQL)
	}
}

// Parse reads text from the database (an admin's role); whatever it holds,
// the set it yields only has known permissions and survives a round trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "tickets.work", "tickets.work reports.view", ",,,", "admin.roles\x00", "tickets.work,tickets.all admin.agents"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := permission.Parse(text)
		for _, p := range s.List() {
			if !permission.Known(p) {
				t.Fatalf("unknown %q from %q", p, text)
			}
		}
		if again := permission.Parse(s.String()); again != s {
			t.Fatalf("round trip of %q: %v != %v", text, again.List(), s.List())
		}
	})
}
