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

	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)

	app.Post("/api/v1/auth/login", s.loginLimit(), httpx.Rendered, s.handleLogin) // per address (failures) and per account (auth.SignIn)
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

	// search and views: the search box, saved views and their live counts.
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
	// Notes and canned replies: internal notes, @mentions and
	// notifications; canned replies and macros.
	if s.o.Notes != nil {
		app.Post("/api/v1/tickets/:id<int>/notes", anyAgent, s.handleAddNote)
		app.Get("/api/v1/tickets/:id<int>/mentionable", anyAgent, s.handleMentionable)
		app.Get("/api/v1/notifications", anyAgent, s.handleNotifications)
		app.Post("/api/v1/notifications/read", anyAgent, s.handleReadNotifications)
	}
	if s.o.Canned != nil {
		app.Get("/api/v1/canned-responses", anyAgent, s.handleListCanned)
		app.Post("/api/v1/canned-responses", anyAgent, s.handleCreateCanned) // shared ones: supervisors of the queue, admins (in the service)
		app.Get("/api/v1/canned-responses/:cid<int>", anyAgent, s.handleGetCanned)
		app.Put("/api/v1/canned-responses/:cid<int>", anyAgent, s.handleUpdateCanned)
		app.Delete("/api/v1/canned-responses/:cid<int>", anyAgent, s.handleDeleteCanned)
		app.Post("/api/v1/canned-responses/:cid<int>/use", anyAgent, s.handleUseCanned)
		app.Get("/api/v1/macros", anyAgent, s.handleListMacros)
		app.Post("/api/v1/macros", anyAgent, s.handleSaveMacro)
		app.Put("/api/v1/macros/:mid<int>", anyAgent, s.handleSaveMacro)
		app.Delete("/api/v1/macros/:mid<int>", anyAgent, s.handleDeleteMacro)
		app.Post("/api/v1/tickets/:id<int>/macros/:mid<int>", anyAgent, s.handleApplyMacro)
	}

	// tags: tags, wrap-up codes, bulk actions, printable transcript.
	if s.o.Tags != nil {
		app.Get("/api/v1/tags", anyAgent, s.handleListTags)
		app.Post("/api/v1/tags", supervisor, s.handleCreateTag)
		app.Delete("/api/v1/tags/:id<int>", supervisor, s.handleRemoveTag)
		app.Get("/api/v1/tickets/:id<int>/tags", anyAgent, s.handleTicketTags)
		app.Put("/api/v1/tickets/:id<int>/tags", anyAgent, s.handleSetTicketTags)
		app.Get("/api/v1/tickets/:id<int>/wrapup", anyAgent, s.handleTicketWrapup)
		app.Put("/api/v1/tickets/:id<int>/wrapup", anyAgent, s.handleSetTicketWrapup)
		app.Get("/api/v1/tickets/:id<int>/transcript", anyAgent, s.handleTranscript)
		app.Get("/api/v1/admin/wrapup-codes", supervisor, s.handleListWrapupCodes)
		app.Post("/api/v1/admin/wrapup-codes", supervisor, s.handleCreateWrapupCode)
		app.Put("/api/v1/admin/wrapup-codes/:id<int>", supervisor, s.handleUpdateWrapupCode)
		app.Delete("/api/v1/admin/wrapup-codes/:id<int>", supervisor, s.handleRetireWrapupCode)
		app.Put("/api/v1/admin/wrapup-rules/:id<int>", supervisor, s.handleSetWrapupRule) // :id is the queue's id
	}
	if s.o.Bulk != nil {
		app.Post("/api/v1/tickets/bulk", anyAgent, s.handleBulk)
	}

	// The citizen's whole history: contact panel, notes, merge/split, duplicates.
	if s.o.Contacts != nil {
		app.Get("/api/v1/contacts/:id<int>", anyAgent, s.handleContactPanel)
		app.Post("/api/v1/contacts/:id<int>/notes", anyAgent, s.handleContactNote)
		app.Get("/api/v1/contacts/:id<int>/duplicates", supervisor, s.handleContactDuplicates)
		app.Post("/api/v1/contacts/:id<int>/merge", supervisor, s.handleContactMerge)
		app.Post("/api/v1/contacts/:id<int>/split", supervisor, s.handleContactSplit)
		app.Post("/api/v1/contacts/merges/:id<int>/undo", supervisor, s.handleMergeUndo)
	}

	for _, a := range s.o.Adapters {
		a.Mount(app)
	}
	// launcher: GET /launcher/menu.json.
	if s.o.Launcher != nil {
		s.o.Launcher.Mount(app)
	}
	if s.o.Pages != nil {
		s.o.Pages.Mount(app)
	}
	app.Use("/api", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
