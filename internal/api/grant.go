package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// Nobody hands out, or takes over, more than their own role holds. An
// account manager without a permission can neither give a role that has
// it (to anyone, themselves included) nor edit, reset the password of,
// deactivate or reactivate an account whose role has it: with a new
// password that account would be theirs. A role editor cannot put it in
// a role either. Without this a role made for account upkeep ("Manage
// accounts" alone) could make its holder an admin.

// mayGrant refuses a role holding permissions the signed-in agent's role
// does not (field "role").
func (s *Server) mayGrant(c *fiber.Ctx, role domain.Role) error {
	r, err := s.o.Agents.Role(c.UserContext(), role)
	if errors.Is(err, agent.ErrRoleNotFound) {
		return nil // the account service refuses it as unknown
	}
	if err != nil {
		return err
	}
	return beyondOwn(c, permission.Of(r.Permissions...), "role", "admin.role_beyond_own")
}

// beyondOwn refuses set, as a validation error of field, when the
// signed-in agent's role lacks one of its permissions.
func beyondOwn(c *fiber.Ctx, set permission.Set, field, key string) error {
	if current(c).Permissions().Covers(set) {
		return nil
	}
	ve := &apperr.ValidationError{}
	ve.Add(field, key)
	return ve
}

// mayManage refuses to act on account id when its role holds permissions
// the signed-in agent's role does not (field "agent").
func (s *Server) mayManage(c *fiber.Ctx, id int64) error {
	a, err := s.o.Agents.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return beyondOwn(c, a.Permissions(), "agent", "admin.account_beyond_own")
}
