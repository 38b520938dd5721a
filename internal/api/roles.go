package api

import (
	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
	"tanggap/internal/permission"
)

// Roles (admin screen): named sets of permissions. Changes are audited by
// the /api/v1/admin middleware; an edit counts from each holder's next
// request (their permissions are read with the session).

type roleRequest struct {
	Name        domain.Role    `json:"name"`
	Label       string         `json:"label"`
	Permissions []permission.P `json:"permissions"`
}

func (s *Server) handleListRoles(c *fiber.Ctx) error {
	rs, err := s.o.Agents.Roles(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"roles": rs, "permissions": permission.All})
}

func (s *Server) handleCreateRole(c *fiber.Ctx) error {
	var req roleRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := beyondOwn(c, permission.Of(req.Permissions...), "permissions", "roles.beyond_own"); err != nil {
		return err
	}
	r, err := s.o.Agents.CreateRole(c.UserContext(), agent.RoleInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"role": r})
}

func (s *Server) handleUpdateRole(c *fiber.Ctx) error {
	var req roleRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.Name = domain.Role(c.Params("name"))
	if err := beyondOwn(c, permission.Of(req.Permissions...), "permissions", "roles.beyond_own"); err != nil {
		return err
	}
	// Nor does anyone change a role that holds more than theirs (they
	// could strip it of what they cannot give back).
	old, err := s.o.Agents.Role(c.UserContext(), req.Name)
	if err == nil {
		if err := beyondOwn(c, permission.Of(old.Permissions...), "permissions", "roles.beyond_own"); err != nil {
			return err
		}
	}
	r, err := s.o.Agents.UpdateRole(c.UserContext(), agent.RoleInput(req))
	if err != nil {
		return err
	}
	auditChanged(c, roleAudit(old), roleAudit(r))
	return c.JSON(fiber.Map{"role": r})
}

func (s *Server) handleDeleteRole(c *fiber.Ctx) error {
	if err := s.o.Agents.DeleteRole(c.UserContext(), domain.Role(c.Params("name"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// roleAudit is what a role's audit line compares: its label and its
// permissions.
func roleAudit(r agent.Role) map[string]any {
	return map[string]any{"label": r.Label, "permissions": r.Permissions}
}
