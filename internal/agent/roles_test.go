package agent_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/testenv"
)

// The seeded built-in roles are exactly the defaults of internal/permission.
func TestBuiltInRolesMatchDefaults(t *testing.T) {
	s := newService(t)
	rs, err := s.Roles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rs {
		if !r.BuiltIn {
			continue
		}
		seen++
		if want := permission.Defaults(r.Name).List(); !slices.Equal(r.Permissions, want) {
			t.Errorf("%s: seeded %v, defaults %v", r.Name, r.Permissions, want)
		}
	}
	if seen != 3 {
		t.Fatalf("built-in roles: %d", seen)
	}
}

func TestCustomRole(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	r, err := s.CreateRole(ctx, agent.RoleInput{Name: "verifikator", Label: " Verifikator ",
		Permissions: []permission.P{permission.TicketsWork, permission.ReportsView}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Label != "Verifikator" || r.BuiltIn || !slices.Equal(r.Permissions, []permission.P{permission.TicketsWork, permission.ReportsView}) {
		t.Fatalf("created %+v", r)
	}
	if _, err := s.CreateRole(ctx, agent.RoleInput{Name: "verifikator", Label: "Lagi"}); !errors.Is(err, agent.ErrRoleExists) {
		t.Fatalf("duplicate: %v", err)
	}
	var ve *apperr.ValidationError
	if _, err := s.CreateRole(ctx, agent.RoleInput{Name: "X y", Label: "", Permissions: []permission.P{"nuke.all"}}); !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("invalid input: %v", err)
	}
	// What is wrong with a code is said: missing, or not of the form.
	if ve.Fields["name"].Key != "roles.name_format" || ve.Fields["label"].Key != "validation.required" {
		t.Errorf("a malformed code and an empty name: %+v, want roles.name_format and validation.required", ve.Fields)
	}
	if _, err := s.CreateRole(ctx, agent.RoleInput{Label: "Tanpa kode"}); !errors.As(err, &ve) || ve.Fields["name"].Key != "validation.required" {
		t.Errorf("an empty code: %v, want validation.required", err)
	}

	a, err := s.Create(ctx, agent.NewAgent{Email: "v@example.go.id", Name: "Vera", Password: "kata-sandi-vera", Role: "verifikator"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Can(permission.ReportsView) || a.SeesAll() || a.Can(permission.AdminRoles) {
		t.Fatalf("permissions %v", a.Perms.List())
	}
	// An edit counts from the next read of the account.
	if _, err := s.UpdateRole(ctx, agent.RoleInput{Name: "verifikator", Label: "Verifikator", Permissions: []permission.P{permission.TicketsWork, permission.TicketsAll}}); err != nil {
		t.Fatal(err)
	}
	a, err = s.Get(ctx, a.ID)
	if err != nil || !a.SeesAll() || a.Can(permission.ReportsView) {
		t.Fatalf("after edit: %v %v", err, a.Perms.List())
	}
	if err := s.DeleteRole(ctx, "verifikator"); !errors.Is(err, agent.ErrRoleInUse) {
		t.Fatalf("delete in use: %v", err)
	}
	if _, err := s.Create(ctx, agent.NewAgent{Email: "k@example.go.id", Name: "K", Password: "kata-sandi-kkkk", Role: "king"}); !errors.As(err, &ve) {
		t.Fatalf("unknown role: %v", err)
	}
	role := domain.RoleAgent
	if _, err := s.Edit(ctx, a.ID, agent.AccountEdit{Role: &role}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRole(ctx, "verifikator"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRole(ctx, "verifikator"); !errors.Is(err, agent.ErrRoleNotFound) {
		t.Fatalf("delete again: %v", err)
	}
}

func TestBuiltInRolesGuarded(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	for _, r := range domain.Roles {
		if err := s.DeleteRole(ctx, r); !errors.Is(err, agent.ErrRoleBuiltIn) {
			t.Errorf("delete %s: %v", r, err)
		}
	}
	if _, err := s.UpdateRole(ctx, agent.RoleInput{Name: domain.RoleAdmin, Label: "Admin", Permissions: []permission.P{permission.AdminAgents}}); !errors.Is(err, agent.ErrRoleLockout) {
		t.Fatalf("admin without admin.roles: %v", err)
	}
}

// The database itself refuses an agent whose role is not defined (both
// dialects: SQLite's table definition was edited by the migration).
func TestAgentRoleForeignKey(t *testing.T) {
	d := testenv.DB(t)
	err := d.Exec(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, created_at, updated_at)
		VALUES ('x@example.go.id', 'X', 'h', 'king', 'offline', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error
	if !db.IsForeignKeyViolation(err) {
		t.Fatalf("unknown role stored: %v", err)
	}
	var ddl string
	if d.Dialect == db.SQLite {
		if err := d.Raw(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'agents'`).Scan(&ddl).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ddl, "CHECK (role IN") {
			t.Fatalf("agents still checks the three names: %s", ddl)
		}
	}
}

// The per-request account read joins roles by its primary key.
func TestAgentReadExplain(t *testing.T) {
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, `SELECT a.id, r.permissions FROM agents a LEFT JOIN roles r ON r.name = a.role WHERE a.id = ?`, 1)
	if d.Dialect == db.Postgres {
		if !strings.Contains(plan, "roles_pkey") {
			t.Fatalf("plan:\n%s", plan)
		}
	} else if !strings.Contains(plan, "sqlite_autoindex_roles_1") {
		t.Fatalf("plan:\n%s", plan)
	}
	plan = testenv.Plan(t, d, `SELECT count(*) FROM agents WHERE role = ?`, "agent")
	if !strings.Contains(plan, "agents_role_idx") {
		t.Fatalf("in use plan:\n%s", plan)
	}
}
