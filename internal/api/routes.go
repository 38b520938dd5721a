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

	// Every change under /api/v1/admin is audited (admin screens); this
	// wraps the admin routes below, whoever registers them.
	app.Use("/api/v1/admin", s.auditAdmin)

	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)
	// readiness split (issue 17): the gateway (/readyz) and the core (/readyz/core)
	app.Get("/readyz/core", s.handleReadyzCore)

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
	// notify: the citizen notifications of a ticket; the providers' status
	// callbacks (signed, checked by notifyhttp).
	if s.o.Notify != nil {
		app.Get("/api/v1/tickets/:id<int>/notifications", anyAgent, s.handleTicketNotifications)
	}
	if s.o.NotifyHooks != nil {
		s.o.NotifyHooks.Mount(app)
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

	// Personal-data protection (UU 27/2022): view audit, data-subject
	// requests, retention purge (privacy.go).
	if p := s.o.Privacy; p != nil {
		if p.Views != nil {
			app.Get("/api/v1/admin/view-audit", admin, s.handleViewAudit)
		}
		if p.Subjects != nil {
			app.Get("/api/v1/admin/subjects/:id<int>", admin, s.handleSubject)
			app.Get("/api/v1/admin/subjects/:id<int>/export", admin, s.handleSubjectExport)
			app.Post("/api/v1/admin/subjects/:id<int>/restrict", admin, s.handleSubjectRestrict)
			app.Delete("/api/v1/admin/subjects/:id<int>/restrict", admin, s.handleSubjectLift)
			app.Post("/api/v1/admin/subjects/:id<int>/erase", admin, s.handleSubjectErase)
		}
		if p.Retention != nil {
			app.Post("/api/v1/admin/retention/run", admin, s.handleRetentionRun)
		}
	}

	// csat: the satisfaction report, low-rating alerts, a ticket's ratings,
	// the agent's own figures, and the citizen's survey link (public).
	if s.o.CSAT != nil {
		app.Get("/api/v1/reports/csat", supervisor, s.handleCSATReport)
		app.Get("/api/v1/csat/alerts", supervisor, s.handleCSATAlerts)
		app.Get("/api/v1/tickets/:id<int>/csat", anyAgent, s.handleTicketCSAT)
		app.Get("/api/v1/agents/me/csat", anyAgent, s.handleMyCSAT)
		app.Get("/api/v1/public/csat/:token", httpx.Limit(60, true), s.handlePublicSurvey)
		app.Post("/api/v1/public/csat/:token", httpx.Limit(30, false), s.handlePublicRate)
	}

	// Complaint lifecycle (issue 18): stages and clocks, audited reveal of a
	// confidential identity, escalations, the complaint-handling report
	// (a fixed name, registered before any generic /reports/:name).
	if s.o.Complaints != nil {
		app.Get("/api/v1/tickets/:id<int>/complaint", anyAgent, s.handleComplaint)
		app.Post("/api/v1/tickets/:id<int>/complaint/:action", anyAgent, s.handleComplaintAction)  // per action rules in the service
		app.Post("/api/v1/tickets/:id<int>/complaint", anyAgent, s.handleComplaintAdopt)           // treat a ticket of any channel as a complaint
		app.Post("/api/v1/tickets/:id<int>/complaint-identity", anyAgent, s.handleComplaintReveal) // reveal roles checked (and audited) by the service
		app.Get("/api/v1/complaints/escalated", supervisor, s.handleComplaintsEscalated)
		app.Get("/api/v1/reports/complaints", supervisor, s.handleComplaintReport)
	}

	// reports: historical reports, per-ticket export, monthly report.
	// /reports/:name stays the last api route: fixed report names
	// (/reports/csat, /reports/complaints) register before it.
	if s.o.Reports != nil {
		app.Get("/api/v1/reports/monthly/:month", supervisor, s.handleMonthlyReport)
		app.Get("/api/v1/reports/:name", supervisor, s.handleReport)
	}

	// Wallboard and admin screens: the live board, supervisor actions,
	// not-ready reasons, accounts and the audit log.
	if s.o.Wallboard != nil {
		app.Get("/api/v1/wallboard", supervisor, s.handleWallboard)
		app.Put("/api/v1/wallboard/agents/:id<int>/presence", supervisor, s.handleSetAgentState)
		app.Post("/api/v1/wallboard/agents/:id<int>/move", supervisor, s.handleMoveTickets)
		app.Get("/api/v1/not-ready-reasons", anyAgent, s.handleNotReadyReasons)
		app.Put("/api/v1/agents/me/state", anyAgent, s.handleSetMyState)
		app.Get("/api/v1/admin/not-ready-reasons", admin, s.handleAdminReasons)
		app.Post("/api/v1/admin/not-ready-reasons", admin, s.handleAdminSaveReason)
		app.Put("/api/v1/admin/not-ready-reasons/:id<int>", admin, s.handleAdminSaveReason)
	}
	app.Get("/api/v1/admin/agents", admin, s.handleAdminAgents)
	app.Put("/api/v1/admin/agents/:id<int>", admin, s.handleAdminEditAgent)
	app.Post("/api/v1/admin/agents/:id<int>/deactivate", admin, s.handleAdminDeactivate)
	app.Post("/api/v1/admin/agents/:id<int>/reactivate", admin, s.handleAdminReactivate)
	app.Post("/api/v1/admin/agents/:id<int>/password", admin, s.handleAdminPassword)
	if s.o.Audit != nil {
		app.Get("/api/v1/admin/audit", admin, s.handleAudit)
	}

	// Admin screens: complaint categories (admin2.go).
	if s.o.Categories != nil {
		app.Get("/api/v1/admin/complaint-categories", admin, s.handleAdminCategories)
		app.Post("/api/v1/admin/complaint-categories", admin, s.handleAdminSaveCategory)
		app.Put("/api/v1/admin/complaint-categories/:id<int>", admin, s.handleAdminSaveCategory)
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
