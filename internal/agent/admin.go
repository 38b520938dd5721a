package agent

// Administration of accounts (the admin screens): edit, deactivate and
// reactivate, reset a password, and the not-ready reason of an away agent.
// A deactivated agent keeps their history but cannot sign in (byEmail
// skips them); the caller revokes their sessions (auth.RevokeAgent).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// Account is an agent as the admin screen lists it.
type Account struct {
	ID            int64           `json:"id"`
	Email         string          `json:"email"`
	Name          string          `json:"name"`
	Role          domain.Role     `json:"role"`
	Presence      domain.Presence `json:"presence"`
	Capacity      int             `json:"capacity"`
	ActiveLoad    int             `json:"active_load"`
	Deactivated   bool            `json:"deactivated"`
	DeactivatedAt *time.Time      `json:"deactivated_at,omitempty"`
}

// AccountEdit is what editing an account may change; nil fields stay.
// The capacity is routing's (routing.Admin.SetAgent), its only writer.
type AccountEdit struct {
	Email *string
	Name  *string
	Role  *domain.Role
}

// Accounts lists every agent, deactivated ones included.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	var rows []struct {
		ID            int64
		Email, Name   string
		Role          domain.Role
		Presence      domain.Presence
		Capacity      int
		ActiveLoad    int
		DeactivatedAt *time.Time
	}
	if err := s.store.db.WithContext(ctx).Raw(`SELECT id, email, name, role, presence, capacity, active_load, deactivated_at
		FROM agents ORDER BY name, id`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("agent: accounts: %w", err)
	}
	out := make([]Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, Account{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, Presence: r.Presence,
			Capacity: r.Capacity, ActiveLoad: r.ActiveLoad, Deactivated: r.DeactivatedAt != nil, DeactivatedAt: r.DeactivatedAt})
	}
	return out, nil
}

// Edit changes an account's email, name or role.
func (s *Service) Edit(ctx context.Context, id int64, e AccountEdit) (Agent, error) {
	var ve apperr.ValidationError
	sets, args := []string{}, []any{}
	if e.Email != nil {
		v := strings.ToLower(strings.TrimSpace(*e.Email))
		if v == "" || !strings.Contains(v, "@") {
			ve.Add("email", "validation.email_invalid")
		}
		sets, args = append(sets, "email = ?"), append(args, v)
	}
	if e.Name != nil {
		v := strings.TrimSpace(*e.Name)
		if v == "" {
			ve.Add("name", "validation.required")
		}
		sets, args = append(sets, "name = ?"), append(args, v)
	}
	if e.Role != nil {
		if ok, err := s.RoleExists(ctx, *e.Role); err != nil {
			return Agent{}, err
		} else if !ok {
			ve.Add("role", "validation.invalid")
		}
		sets, args = append(sets, "role = ?"), append(args, *e.Role)
	}
	if err := ve.Err(); err != nil {
		return Agent{}, err
	}
	if len(sets) > 0 {
		args = append(args, time.Now().UTC(), id)
		res := s.store.db.WithContext(ctx).Exec(`UPDATE agents SET `+strings.Join(sets, ", ")+`, updated_at = ? WHERE id = ?`, args...)
		if res.Error != nil {
			if db.IsUniqueViolation(res.Error) {
				return Agent{}, ErrEmailTaken
			}
			if db.IsForeignKeyViolation(res.Error) { // the role was deleted meanwhile
				return Agent{}, invalidRole()
			}
			return Agent{}, fmt.Errorf("agent: edit: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return Agent{}, ErrNotFound
		}
	}
	return s.Get(ctx, id)
}

// SetActive deactivates (false) or reactivates (true) an account. A
// deactivated account cannot sign in; its sessions are the caller's to
// revoke in the same breath.
func (s *Service) SetActive(ctx context.Context, id int64, active bool) error {
	now := time.Now().UTC()
	var at any
	if !active {
		at = now
	}
	res := s.store.db.WithContext(ctx).Exec(`UPDATE agents SET deactivated_at = ?, updated_at = ? WHERE id = ?`, at, now, id)
	if res.Error != nil {
		return fmt.Errorf("agent: set active: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// ResetPassword sets a new password.
func (s *Service) ResetPassword(ctx context.Context, id int64, password string) error {
	if len(password) < MinPasswordLen {
		ve := &apperr.ValidationError{}
		ve.Add("password", "validation.password_too_short", "min", MinPasswordLen)
		return ve
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return fmt.Errorf("agent: hash password: %w", err)
	}
	res := s.store.db.WithContext(ctx).Exec(`UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ?`, string(hash), time.Now().UTC(), id)
	if res.Error != nil {
		return fmt.Errorf("agent: reset password: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// SetNotReadyReason records why an agent is away (” clears it). The
// presence itself changes through SetPresence.
func (s *Service) SetNotReadyReason(ctx context.Context, id int64, reason string) error {
	res := s.store.db.WithContext(ctx).Exec(`UPDATE agents SET not_ready_reason = ? WHERE id = ?`, reason, id)
	if res.Error != nil {
		return fmt.Errorf("agent: not-ready reason: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
