package api

import (
	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
)

// routes is the route table: every route on one line with who may call it.
func (s *Server) routes(app *fiber.App) {
	anyAgent := s.authed()
	supervisor := s.authed(domain.RoleSupervisor, domain.RoleAdmin)
	admin := s.authed(domain.RoleAdmin)
	logins := httpx.Limit(20, false)

	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)

	app.Post("/api/v1/auth/login", logins, s.handleLogin)
	app.Post("/api/v1/auth/logout", anyAgent, s.handleLogout)
	app.Get("/api/v1/auth/me", anyAgent, s.handleMe)
	if s.o.ConsoleSocket != nil {
		app.Get("/api/v1/ws", anyAgent, s.handleConsoleSocket) // same origin; see internal/consolews
	}

	app.Put("/api/v1/agents/me/presence", anyAgent, s.handleSetPresence)
	app.Get("/api/v1/agents", supervisor, s.handleListAgents)
	app.Post("/api/v1/agents", admin, s.handleCreateAgent)

	app.Get("/api/v1/tickets", anyAgent, s.handleListTickets)
	app.Get("/api/v1/tickets/:id<int>", anyAgent, s.handleGetTicket)
	app.Patch("/api/v1/tickets/:id<int>", anyAgent, s.handleUpdateTicket)
	app.Post("/api/v1/tickets/:id<int>/messages", anyAgent, s.handleReply)
	app.Post("/api/v1/tickets/:id<int>/typing", anyAgent, s.handleTyping)
	app.Post("/api/v1/tickets/:id<int>/read", anyAgent, s.handleRead)
	app.Get("/api/v1/attachments/:id<int>", anyAgent, s.handleAttachment)

	// search and views (issue 14): the search box, saved views and their live counts.
	if s.o.Search != nil {
		app.Get("/api/v1/search", anyAgent, s.handleSearch)
		app.Get("/api/v1/views", anyAgent, s.handleListViews)
		app.Get("/api/v1/views/counts", anyAgent, s.handleViewCounts)
		app.Post("/api/v1/views", anyAgent, s.handleCreateView) // shared: supervisors and admins (checked by the service)
		app.Put("/api/v1/views/:id<int>", anyAgent, s.handleUpdateView)
		app.Delete("/api/v1/views/:id<int>", anyAgent, s.handleDeleteView)
		app.Get("/api/v1/views/:id<int>/tickets", anyAgent, s.handleViewTickets)
	}

	for _, a := range s.o.Adapters {
		if ca, ok := a.(channels.ConsoleActions); ok {
			ca.ConsoleRoutes(adapterConsole{s: s, router: app}) // same checks as the routes above
		}
	}
	if s.o.Metrics != nil && s.o.SLA != nil {
		app.Get("/api/v1/tickets/:id<int>/routing", anyAgent, s.handleTicketRouting)
	}
	if s.o.Work != nil {
		app.Post("/api/v1/tickets/:id<int>/claim", anyAgent, s.handleClaim)
		app.Post("/api/v1/tickets/:id<int>/release", anyAgent, s.handleUnclaim)
		app.Post("/api/v1/tickets/:id<int>/transfer", anyAgent, s.handleTransfer)
		app.Put("/api/v1/tickets/:id<int>/priority", anyAgent, s.handleSetPriority)
		app.Post("/api/v1/tickets/:id<int>/assign", supervisor, s.handleAssign)
	}
	if s.o.Metrics != nil {
		app.Get("/api/v1/queues/metrics", supervisor, s.handleQueueMetrics)
	}
	if s.o.SLA != nil {
		app.Get("/api/v1/queues/sla", supervisor, s.handleSLAReport)
	}
	if s.o.Queues != nil {
		app.Get("/api/v1/transfer-targets", anyAgent, s.handleTransferTargets)
		app.Get("/api/v1/admin/queues", admin, s.handleListQueues)
		app.Put("/api/v1/admin/queues/:code", admin, s.handleSaveQueue)
		app.Delete("/api/v1/admin/queues/:code", admin, s.handleRemoveQueue)
		app.Get("/api/v1/admin/agents/:id<int>/routing", admin, s.handleAgentRouting)
		app.Put("/api/v1/admin/agents/:id<int>/routing", admin, s.handleSetAgentRouting)
		app.Get("/api/v1/admin/holidays/:year<int>", admin, s.handleHolidays)
		app.Put("/api/v1/admin/holidays/:year<int>", admin, s.handleSetHolidays)
	}

	for _, a := range s.o.Adapters {
		a.Mount(app)
	}
	if s.o.Pages != nil {
		s.o.Pages.Mount(app)
	}
	app.Use("/api", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
