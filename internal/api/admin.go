package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/audit"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
	"tanggap/internal/wallboard"
)

// Admin screens' handlers: accounts (edit, deactivate with every session
// revoked and the open console closed, reactivate, reset password),
// not-ready reasons and the audit log. Every change under /api/v1/admin is
// recorded by auditAdmin, the settings elsewhere by auditSettings.

// auditAdmin records every successful change under /api/v1/admin: who
// (the signed-in admin or supervisor), what (method, path and the request
// body with passwords removed), when. It runs around the route's own
// handlers, so it sees the agent the session check found. The action is
// admin.<method>.<resource> (admin.put.queues).
func (s *Server) auditAdmin(c *fiber.Ctx) error { return s.auditChange(c, "admin.", "/api/v1/admin/") }

// auditSettings is auditAdmin for the settings kept outside /api/v1/admin
// because agents use them too (accounts created, the tag list, canned
// replies, macros): put on each such route after its permission, it
// records the change as settings.<method>.<resource>
// (settings.post.agents, settings.delete.macros).
func (s *Server) auditSettings(c *fiber.Ctx) error { return s.auditChange(c, "settings.", "/api/v1/") }

// accountAudit is what an account's audit line compares: its name,
// email, role and capacity (never its password).
func accountAudit(a agent.Agent) map[string]any {
	return map[string]any{"name": a.Name, "email": a.Email, "role": a.Role, "capacity": a.Capacity}
}

// auditAccountName names the account a step (deactivated, password reset,
// queue settings) is about in its audit line, as the account is named
// now: the line says "Akun dinonaktifkan: Dewi" even after a rename.
func (s *Server) auditAccountName(c *fiber.Ctx, id int64) {
	if a, err := s.o.Agents.Get(c.UserContext(), id); err == nil {
		c.Locals(localAuditName, a.Name)
	}
}

func (s *Server) auditChange(c *fiber.Ctx, kind, root string) error {
	err := c.Next()
	if s.o.Audit == nil || err != nil || c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return err
	}
	if st := c.Response().StatusCode(); st >= 300 {
		return err
	}
	a := current(c)
	if a.ID == 0 {
		return err
	}
	path := c.Path()
	rest := strings.TrimPrefix(path, root)
	resource, _, _ := strings.Cut(rest, "/")
	detail := c.Method() + " " + path
	var body map[string]any
	if ch, ok := c.Locals(localAuditChange).(auditBeforeAfter); ok {
		// What changed, old and new (auditchange.go), rather than what
		// was sent.
		b, changed, ok := auditChangeBody(ch.before, ch.after)
		if ok && !changed {
			// A save that changed nothing is no change: no line (the
			// account form saves the account and its queue settings
			// together, and most saves change one of the two).
			return err
		}
		if ok {
			detail += " " + b
		}
	} else {
		if len(c.Body()) > 0 && json.Unmarshal(c.Body(), &body) == nil {
			for k := range body {
				if strings.Contains(strings.ToLower(k), "password") {
					body[k] = "•••"
				}
			}
		}
		if name, ok := c.Locals(localAuditName).(string); ok && name != "" && body["name"] == nil {
			if body == nil {
				body = map[string]any{}
			}
			body["name"] = name
		}
		if body != nil {
			if b, mErr := json.Marshal(body); mErr == nil {
				detail += " " + string(b)
			}
		}
	}
	s.audit(c, kind+strings.ToLower(c.Method())+"."+resource, detail)
	return err
}

func (s *Server) handleAdminAgents(c *fiber.Ctx) error {
	list, err := s.o.Agents.Accounts(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agents": list})
}

func (s *Server) handleAdminEditAgent(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	var req struct {
		Email    *string      `json:"email"`
		Name     *string      `json:"name"`
		Role     *domain.Role `json:"role"`
		Capacity *int         `json:"capacity"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.mayManage(c, id); err != nil {
		return err
	}
	if req.Role != nil && id == current(c).ID && *req.Role != current(c).Role {
		// Nobody takes away their own administration of accounts and roles.
		r, err := s.o.Agents.Role(c.UserContext(), *req.Role)
		if err != nil && !errors.Is(err, agent.ErrRoleNotFound) {
			return err
		}
		if set := permission.Of(r.Permissions...); !set.Has(permission.AdminAgents) || !set.Has(permission.AdminRoles) {
			ve := &apperr.ValidationError{}
			ve.Add("role", "admin.own_role")
			return ve
		}
	}
	if req.Role != nil {
		if err := s.mayGrant(c, *req.Role); err != nil {
			return err
		}
	}
	if req.Capacity != nil && (s.o.Queues == nil || !routing.CapacityValid(*req.Capacity)) {
		ve := &apperr.ValidationError{}
		ve.Add("capacity", "validation.invalid")
		return ve
	}
	before, err := s.o.Agents.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	// The account first: an edit it refuses (an email taken or malformed)
	// changes nothing, the capacity included.
	a, err := s.o.Agents.Edit(c.UserContext(), id, agent.AccountEdit{Email: req.Email, Name: req.Name, Role: req.Role})
	if err != nil {
		return err
	}
	if req.Role != nil {
		// A new role takes effect on the open consoles at once, whatever
		// comes of the capacity below.
		if _, err := s.changePresence(c.UserContext(), id, a.Presence); err != nil {
			return err
		}
	}
	if req.Capacity != nil {
		// Routing owns the capacity: it hands waiting tickets out at once
		// when there is more room.
		if err := s.o.Queues.SetAgent(c.UserContext(), id, routing.AgentSettings{Capacity: req.Capacity}); err != nil {
			return err
		}
		a.Capacity = *req.Capacity
	}
	auditChanged(c, accountAudit(before), accountAudit(a))
	return c.JSON(fiber.Map{"agent": toAgentJSON(a)})
}

// handleAdminDeactivate: the account can no longer sign in, every session
// ends now, the agent goes offline, and every active ticket of theirs
// returns to its queue. The presence event makes every console gateway
// check that agent's sessions at once, so an open console is closed
// within moments, not at the next heartbeat.
func (s *Server) handleAdminDeactivate(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	if err := s.mayManage(c, id); err != nil {
		return err
	}
	s.auditAccountName(c, id)
	if id == current(c).ID {
		ve := &apperr.ValidationError{}
		ve.Add("agent", "admin.own_account")
		return ve
	}
	ctx := c.UserContext()
	if err := s.o.Agents.SetActive(ctx, id, false); err != nil {
		return err
	}
	n, err := s.o.Auth.RevokeAgent(ctx, id)
	if err != nil {
		return err
	}
	if err := s.o.Agents.SetNotReadyReason(ctx, id, ""); err != nil {
		return err
	}
	if s.o.Assigner != nil {
		// Whatever the routing settings keep with an agent gone offline,
		// nobody works a deactivated account's tickets: they go back, as
		// this admin's doing, before the account is set offline (whose
		// returns would be told as the agent's leaving).
		if err := s.o.Assigner.AccountDeactivated(ctx, id, current(c).ID); err != nil {
			return err
		}
	}
	if _, err := s.changePresence(ctx, id, domain.PresenceOffline); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"deactivated": true, "sessions_revoked": n})
}

func (s *Server) handleAdminReactivate(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	if err := s.mayManage(c, id); err != nil {
		return err
	}
	s.auditAccountName(c, id)
	if err := s.o.Agents.SetActive(c.UserContext(), id, true); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"deactivated": false})
}

// handleAdminPassword sets a new password and ends the agent's sessions.
func (s *Server) handleAdminPassword(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	if err := s.mayManage(c, id); err != nil {
		return err
	}
	s.auditAccountName(c, id)
	var req struct {
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.o.Agents.ResetPassword(c.UserContext(), id, req.Password); err != nil {
		return err
	}
	n := int64(0)
	if id != current(c).ID {
		if n, err = s.o.Auth.RevokeAgent(c.UserContext(), id); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"sessions_revoked": n})
}

func (s *Server) handleAdminReasons(c *fiber.Ctx) error {
	list, err := s.o.Wallboard.Reasons(c.UserContext(), true)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"reasons": list})
}

func (s *Server) handleAdminSaveReason(c *fiber.Ctx) error {
	var r wallboard.Reason
	if err := httpx.DecodeJSON(c, &r); err != nil {
		return err
	}
	r.ID = 0
	if p := c.Params("id"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return fiber.ErrNotFound
		}
		r.ID = id
	}
	var before *wallboard.Reason
	if r.ID != 0 {
		list, err := s.o.Wallboard.Reasons(c.UserContext(), true)
		if err != nil {
			return err
		}
		for i := range list {
			if list[i].ID == r.ID {
				before = &list[i]
			}
		}
	}
	saved, err := s.o.Wallboard.SaveReason(c.UserContext(), r)
	if errors.Is(err, wallboard.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if before != nil {
		auditChanged(c, before, saved)
	}
	status := fiber.StatusOK
	if r.ID == 0 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"reason": saved})
}

// handleAudit lists the audit log: ?agent_id=&action=&from=&to=&before_id=
// (from and to as dates, 2026-12-02, in WIB, or RFC 3339 times).
func (s *Server) handleAudit(c *fiber.Ctx) error {
	f := audit.Filter{Action: strings.TrimSpace(c.Query("action"))}
	ve := &apperr.ValidationError{}
	if v := c.Query("agent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			ve.Add("agent_id", "validation.invalid")
		}
		f.AgentID = id
	}
	if v := c.Query("before_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			ve.Add("before_id", "validation.invalid")
		}
		f.BeforeID = id
	}
	var err error
	if f.From, err = auditTime(c.Query("from"), false); err != nil {
		ve.Add("from", "validation.invalid")
	}
	if f.To, err = auditTime(c.Query("to"), true); err != nil {
		ve.Add("to", "validation.invalid")
	}
	if len(f.Action) > 100 {
		ve.Add("action", "validation.invalid")
	}
	if err := ve.Err(); err != nil {
		return err
	}
	f.Limit = 100
	list, err := s.o.Audit.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	// Settings changes in words, in the reader's language (the console
	// reloads to switch languages).
	lang := s.o.Lang(c)
	// The accounts the page names, read at once: one query, not one a line.
	names, err := s.namesFor(c.UserContext(), list)
	if err != nil {
		return err
	}
	out := make([]auditLine, len(list))
	for i, e := range list {
		out[i] = s.readable(c.UserContext(), lang, e, names)
	}
	// The action filter offers the actions in words (and filters by
	// their stored codes).
	return c.JSON(fiber.Map{"entries": out, "actions": s.auditActions(lang, c.App().GetRoutes(true))})
}

var wib = time.FixedZone("WIB", 7*3600)

// auditTime reads a filter bound: a date (its start, or for the end the
// start of the next day) in WIB, or an RFC 3339 time; "" is none.
func auditTime(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", v, wib); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	return time.Parse(time.RFC3339, v)
}
