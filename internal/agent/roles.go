package agent

// Roles are named sets of permissions (internal/permission), stored in the
// roles table. The three built-in roles cannot be deleted, and the admin
// role always keeps admin.roles (nobody locks every admin out of this
// screen). A role an agent holds cannot be deleted (also refused by the
// agents.role foreign key). An agent's permissions are read with the
// account on every request (agentCols): an edit counts from the next
// request on, and the role.updated event it emits makes every console
// gateway re-scope the open sockets of the role's holders at once.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// Role is a role as the admin screen shows it.
type Role struct {
	Name        domain.Role    `json:"name"`
	Label       string         `json:"label"`
	Permissions []permission.P `json:"permissions"`
	BuiltIn     bool           `json:"built_in"`
	Agents      int            `json:"agents"` // how many accounts hold it
	UpdatedAt   time.Time      `json:"updated_at"`
}

// RoleInput is what creating or editing a role takes.
type RoleInput struct {
	Name        domain.Role
	Label       string
	Permissions []permission.P
}

var roleName = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,31}$`)

func invalidRole() error {
	var ve apperr.ValidationError
	ve.Add("role", "validation.invalid")
	return ve.Err()
}

// RoleExists reports whether a role of that name is defined.
func (s *Service) RoleExists(ctx context.Context, name domain.Role) (bool, error) {
	var n int64
	if err := s.store.db.WithContext(ctx).Raw(`SELECT count(*) FROM roles WHERE name = ?`, name).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("agent: role exists: %w", err)
	}
	return n > 0, nil
}

// Roles lists every role, built-in ones first.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	var rows []struct {
		Name        domain.Role
		Label       string
		Permissions string
		BuiltIn     bool
		Agents      int
		UpdatedAt   time.Time
	}
	if err := s.store.db.WithContext(ctx).Raw(`SELECT r.name, r.label, r.permissions, r.built_in, r.updated_at,
		(SELECT count(*) FROM agents a WHERE a.role = r.name) AS agents
		FROM roles r ORDER BY r.built_in DESC, r.name`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("agent: roles: %w", err)
	}
	out := make([]Role, 0, len(rows))
	for _, r := range rows {
		out = append(out, Role{Name: r.Name, Label: r.Label, Permissions: permission.Parse(r.Permissions).List(),
			BuiltIn: r.BuiltIn, Agents: r.Agents, UpdatedAt: r.UpdatedAt})
	}
	return out, nil
}

// Role returns one role.
func (s *Service) Role(ctx context.Context, name domain.Role) (Role, error) {
	rs, err := s.Roles(ctx)
	if err != nil {
		return Role{}, err
	}
	for _, r := range rs {
		if r.Name == name {
			return r, nil
		}
	}
	return Role{}, ErrRoleNotFound
}

func checkRole(in *RoleInput, create bool) (permission.Set, error) {
	var ve apperr.ValidationError
	in.Label = strings.TrimSpace(in.Label)
	switch {
	case !create:
	case in.Name == "":
		ve.Add("name", "validation.required")
	case !roleName.MatchString(string(in.Name)):
		ve.Add("name", "roles.name_format")
	}
	if in.Label == "" {
		ve.Add("label", "validation.required")
	} else if utf8.RuneCountInString(in.Label) > 60 {
		ve.Add("label", "validation.invalid")
	}
	for _, p := range in.Permissions {
		if !permission.Known(p) {
			ve.Add("permissions", "validation.invalid")
		}
	}
	return permission.Of(in.Permissions...), ve.Err()
}

// CreateRole defines a new role.
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (Role, error) {
	in.Name = domain.Role(strings.ToLower(strings.TrimSpace(string(in.Name))))
	set, err := checkRole(&in, true)
	if err != nil {
		return Role{}, err
	}
	now := time.Now().UTC()
	if err := s.store.db.WithContext(ctx).Exec(`INSERT INTO roles (name, label, permissions, built_in, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, in.Name, in.Label, set.String(), false, now, now).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return Role{}, ErrRoleExists
		}
		return Role{}, fmt.Errorf("agent: create role: %w", err)
	}
	return s.Role(ctx, in.Name)
}

// UpdateRole changes a role's label and permissions (its name stays).
func (s *Service) UpdateRole(ctx context.Context, in RoleInput) (Role, error) {
	set, err := checkRole(&in, false)
	if err != nil {
		return Role{}, err
	}
	if in.Name == domain.RoleAdmin && !set.Has(permission.AdminRoles) {
		return Role{}, ErrRoleLockout
	}
	res := s.store.db.WithContext(ctx).Exec(`UPDATE roles SET label = ?, permissions = ?, updated_at = ? WHERE name = ?`,
		in.Label, set.String(), time.Now().UTC(), in.Name)
	if res.Error != nil {
		return Role{}, fmt.Errorf("agent: update role: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Role{}, ErrRoleNotFound
	}
	if s.events != nil {
		bus.EmitIn(ctx, s.events, bus.RoleUpdated{Role: in.Name, At: time.Now().UTC()})
	}
	return s.Role(ctx, in.Name)
}

// DeleteRole removes a custom role no agent holds.
func (s *Service) DeleteRole(ctx context.Context, name domain.Role) error {
	return s.store.db.Tx(ctx, func(tx *gorm.DB) error {
		var rows []struct{ BuiltIn bool }
		if err := tx.Raw(`SELECT built_in FROM roles WHERE name = ?`, name).Scan(&rows).Error; err != nil {
			return fmt.Errorf("agent: delete role: %w", err)
		}
		if len(rows) == 0 {
			return ErrRoleNotFound
		}
		if rows[0].BuiltIn || permission.BuiltIn(name) {
			return ErrRoleBuiltIn
		}
		var inUse int64
		if err := tx.Raw(`SELECT count(*) FROM agents WHERE role = ?`, name).Scan(&inUse).Error; err != nil {
			return fmt.Errorf("agent: delete role: %w", err)
		}
		if inUse > 0 {
			return ErrRoleInUse
		}
		// An agent given the role meanwhile: the foreign key refuses.
		if err := tx.Exec(`DELETE FROM roles WHERE name = ?`, name).Error; err != nil {
			if db.IsForeignKeyViolation(err) {
				return ErrRoleInUse
			}
			return fmt.Errorf("agent: delete role: %w", err)
		}
		return nil
	})
}
