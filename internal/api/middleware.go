package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// SessionCookie carries the session token for the console pages.
const SessionCookie = "tanggap_session"

// need admits requests with a live session (Bearer header or cookie) whose
// role grants p (permission.Session: any signed-in account). It is the
// route table's one gate (routes.go). Cookie-authenticated writes must
// carry X-Requested-With: a cross-site form cannot set it, so a page
// elsewhere cannot act with the agent's cookie (CSRF), and no CORS is ever
// enabled.
func (s *Server) need(p permission.P) fiber.Handler { return s.gate(p, false) }

// authed is the gate of routes registered before the route table named
// permissions: no role is "any signed-in agent working tickets", the
// supervisor pair "sees every queue", admin "administers accounts" (the
// same people as before for the built-in roles). The route test names
// every route still behind it (TestEveryRouteNamesItsPermission).
func (s *Server) authed(roles ...domain.Role) fiber.Handler {
	p := permission.TicketsWork
	switch {
	case slices.Contains(roles, domain.RoleSupervisor):
		p = permission.TicketsAll
	case slices.Contains(roles, domain.RoleAdmin):
		p = permission.AdminAgents
	}
	return s.gate(p, true)
}

// routeProbe is what a gate answers the route test (a value only code of
// this package can place in a request's locals).
type routeProbe struct {
	perm   permission.P
	legacy bool
	found  bool
}

const localProbe = "route-probe"

// needAlong is need for a route whose main read goes to the database in
// the same round trip as the session's (auth.AuthenticateAlong; one on
// PostgreSQL): the handler finds its result in the locals (alongResult)
// when it was read for the scope of the agent signed in now.
func (s *Server) needAlong(p permission.P, with *along) fiber.Handler {
	return s.gateAlong(p, false, with)
}

// along is a route's read sent with the session's.
type along struct {
	// build makes the read for viewer and returns where its result lands.
	build func(c *fiber.Ctx, viewer agent.Agent) (db.Read, any, error)
	// same reports whether a result read for a is b's.
	same func(a, b agent.Agent) bool
}

const localAlong = "along"

// alongResult is the result of the route's along read, when the gate
// kept it (read for the scope of the agent signed in now).
func alongResult(c *fiber.Ctx) any { return c.Locals(localAlong) }

func (s *Server) gate(p permission.P, legacy bool) fiber.Handler { return s.gateAlong(p, legacy, nil) }

// gateAlong is never inlined: its closure stays one function, which the
// route test recognises among a route's handlers.
//
//go:noinline
func (s *Server) gateAlong(p permission.P, legacy bool, with *along) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if probe, ok := c.Locals(localProbe).(*routeProbe); ok {
			probe.perm, probe.legacy, probe.found = p, legacy, true
			return nil
		}
		token, fromCookie := bearer(c), false
		if token == "" {
			token, fromCookie = c.Cookies(SessionCookie), true
		}
		if token == "" {
			return auth.ErrUnauthenticated
		}
		if fromCookie && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && c.Get("X-Requested-With") == "" {
			return errForbiddenRole
		}
		var a agent.Agent
		var err error
		if with == nil {
			a, err = s.o.Auth.Authenticate(c.UserContext(), token)
		} else {
			var built agent.Agent
			var read bool
			var result any
			a, built, read, err = s.o.Auth.AuthenticateAlong(c.UserContext(), token, func(last agent.Agent) (db.Read, error) {
				r, res, err := with.build(c, last)
				result = res
				return r, err
			})
			if err == nil && read && with.same(built, a) {
				c.Locals(localAlong, result)
			}
		}
		if err != nil {
			return err
		}
		if !a.Can(p) {
			s.logAccess(c, a, errForbiddenRole)
			return errForbiddenRole
		}
		c.Locals(localAgent, a)
		c.Locals(localToken, token)
		// Any request of a signed-in console is a sign of life: presence
		// follows it (see agent.Sweeper).
		s.touch(c.UserContext(), a.ID)
		err = c.Next()
		s.logAccess(c, a, err)
		s.auditView(c, a, err) // privacy.go: the view audit
		return err
	}
}

// logAccess records every signed-in request: who (agent and role), what
// (method and path, the ticket or contact id included) and how it ended.
// The console's footer promises that every access is recorded; changes
// are also in the audit log, reads are here.
func (s *Server) logAccess(c *fiber.Ctx, a agent.Agent, err error) {
	if s.o.Log == nil {
		return
	}
	attrs := []any{"agent_id", a.ID, "role", string(a.Role), "method", c.Method(), "path", c.Path(), "request_id", requestID(c)}
	if err != nil {
		attrs = append(attrs, "refused", err.Error())
	} else {
		attrs = append(attrs, "status", c.Response().StatusCode())
	}
	s.o.Log.InfoContext(c.UserContext(), "access", attrs...) // with the trace id when traced
}

const (
	localAgent = "agent"
	localToken = "token"
)

func current(c *fiber.Ctx) agent.Agent {
	a, _ := c.Locals(localAgent).(agent.Agent)
	return a
}

func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
