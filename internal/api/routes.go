package api

import (
	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
	"tanggap/internal/permission"
)

// routes is the route table: every route on one line with the permission
// it needs (internal/permission; permission.Session: any signed-in account).
func (s *Server) routes(app *fiber.App) {
	// Routes not yet given their permission (see authed); each is named by
	// TestEveryRouteNamesItsPermission.
	anyAgent := s.authed()
	supervisor := s.authed(domain.RoleSupervisor, domain.RoleAdmin)
	admin := s.authed(domain.RoleAdmin)
	_, _, _ = anyAgent, supervisor, admin

	// Every change under /api/v1/admin is audited (admin screens); this
	// wraps the admin routes below, whoever registers them.
	app.Use("/api/v1/admin", s.auditAdmin)
	// Every provider webhook's outcome is counted for the admins'
	// channel health (webhooks.go), whichever adapter mounts it.
	if s.o.Webhooks != nil {
		app.Use("/webhooks/", s.watchWebhooks)
	}

	app.Get("/healthz", s.handleHealthz)
	app.Get("/readyz", s.handleReadyz)
	// readiness split (issue 17): the gateway (/readyz) and the core (/readyz/core)
	app.Get("/readyz/core", s.handleReadyzCore)

	app.Post("/api/v1/auth/login", s.handleLogin) // limited per address and per account in auth.SignInFrom (shared by instances)
	app.Post("/api/v1/auth/logout", s.need(permission.Session), s.handleLogout)
	app.Get("/api/v1/auth/me", s.need(permission.Session), s.handleMe)
	if s.o.ConsoleSocket != nil {
		app.Get("/api/v1/ws", s.need(permission.Session), s.handleConsoleSocket) // same origin; see internal/consolews
	}

	app.Put("/api/v1/agents/me/presence", s.need(permission.Session), s.handleSetPresence)
	app.Get("/api/v1/agents", s.need(permission.AgentsView), s.handleListAgents)
	app.Post("/api/v1/agents", s.need(permission.AdminAgents), s.auditSettings, s.handleCreateAgent)

	app.Get("/api/v1/tickets", s.needAlong(permission.TicketsWork, s.inboxAlong()), s.handleListTickets) // the page read with the session
	app.Get("/api/v1/tickets/:id<int>", s.need(permission.TicketsWork), s.handleGetTicket)
	app.Patch("/api/v1/tickets/:id<int>", s.need(permission.TicketsWork), s.handleUpdateTicket)
	app.Post("/api/v1/tickets/:id<int>/messages", s.need(permission.TicketsWork), s.handleReply)
	app.Post("/api/v1/tickets/:id<int>/typing", s.need(permission.TicketsWork), s.handleTyping)
	app.Post("/api/v1/tickets/:id<int>/read", s.need(permission.TicketsWork), s.handleRead)
	app.Get("/api/v1/attachments/:id<int>", s.need(permission.TicketsWork), s.handleAttachment)

	// search and views: the search box, saved views and their live counts.
	if s.o.Search != nil {
		app.Get("/api/v1/search", s.need(permission.TicketsWork), s.handleSearch)
		app.Get("/api/v1/views", s.need(permission.TicketsWork), s.handleListViews)
		app.Get("/api/v1/views/counts", s.need(permission.TicketsWork), s.handleViewCounts)
		app.Post("/api/v1/views", s.need(permission.TicketsWork), s.handleCreateView) // shared: supervisors and admins (checked by the service)
		app.Put("/api/v1/views/:id<int>", s.need(permission.TicketsWork), s.handleUpdateView)
		app.Delete("/api/v1/views/:id<int>", s.need(permission.TicketsWork), s.handleDeleteView)
		app.Get("/api/v1/views/:id<int>/tickets", s.need(permission.TicketsWork), s.handleViewTickets)
	}

	for _, a := range s.o.Adapters {
		if ca, ok := a.(channels.ConsoleActions); ok {
			ca.ConsoleRoutes(adapterConsole{s: s, router: app}) // same checks as the routes above
		}
	}
	if s.o.Metrics != nil && s.o.SLA != nil {
		app.Get("/api/v1/tickets/:id<int>/routing", s.need(permission.TicketsWork), s.handleTicketRouting)
	}
	if s.o.Work != nil {
		app.Post("/api/v1/tickets/:id<int>/claim", s.need(permission.TicketsWork), s.handleClaim)
		app.Post("/api/v1/tickets/:id<int>/release", s.need(permission.TicketsWork), s.handleUnclaim)
		app.Post("/api/v1/tickets/:id<int>/transfer", s.need(permission.TicketsWork), s.handleTransfer)
		app.Put("/api/v1/tickets/:id<int>/priority", s.need(permission.TicketsWork), s.handleSetPriority)
		app.Post("/api/v1/tickets/:id<int>/assign", s.need(permission.TicketsAssign), s.handleAssign)
	}
	if s.o.Metrics != nil {
		app.Get("/api/v1/queues/metrics", s.need(permission.ReportsView), s.handleQueueMetrics)
	}
	if s.o.SLA != nil {
		app.Get("/api/v1/queues/sla", s.need(permission.ReportsView), s.handleSLAReport)
	}
	if s.o.Queues != nil {
		app.Get("/api/v1/transfer-targets", s.need(permission.TicketsWork), s.handleTransferTargets)
		app.Get("/api/v1/admin/queues", s.need(permission.AdminQueues), s.handleListQueues)
		app.Put("/api/v1/admin/queues/:code", s.need(permission.AdminQueues), s.handleSaveQueue)
		app.Delete("/api/v1/admin/queues/:code", s.need(permission.AdminQueues), s.handleRemoveQueue)
		app.Get("/api/v1/admin/agents/:id<int>/routing", s.need(permission.AdminAgents), s.handleAgentRouting)
		app.Put("/api/v1/admin/agents/:id<int>/routing", s.need(permission.AdminAgents), s.handleSetAgentRouting)
		app.Get("/api/v1/admin/holidays/:year<int>", s.need(permission.AdminQueues), s.handleHolidays)
		app.Put("/api/v1/admin/holidays/:year<int>", s.need(permission.AdminQueues), s.handleSetHolidays)
	}
	// Notes and canned replies: internal notes, @mentions and
	// notifications; canned replies and macros.
	if s.o.Notes != nil {
		app.Post("/api/v1/tickets/:id<int>/notes", s.need(permission.TicketsWork), s.handleAddNote)
		app.Get("/api/v1/tickets/:id<int>/mentionable", s.need(permission.TicketsWork), s.handleMentionable)
		app.Get("/api/v1/notifications", s.need(permission.Session), s.handleNotifications)
		app.Post("/api/v1/notifications/read", s.need(permission.Session), s.handleReadNotifications)
	}
	if s.o.Canned != nil {
		app.Get("/api/v1/canned-responses", s.need(permission.TicketsWork), s.handleListCanned)
		app.Post("/api/v1/canned-responses", s.need(permission.TicketsWork), s.auditSettings, s.handleCreateCanned) // shared ones: supervisors of the queue, admins (in the service)
		app.Get("/api/v1/canned-responses/:cid<int>", s.need(permission.TicketsWork), s.handleGetCanned)
		app.Put("/api/v1/canned-responses/:cid<int>", s.need(permission.TicketsWork), s.auditSettings, s.handleUpdateCanned)
		app.Delete("/api/v1/canned-responses/:cid<int>", s.need(permission.TicketsWork), s.auditSettings, s.handleDeleteCanned)
		app.Post("/api/v1/canned-responses/:cid<int>/use", s.need(permission.TicketsWork), s.handleUseCanned)
		app.Get("/api/v1/macros", s.need(permission.TicketsWork), s.handleListMacros)
		app.Post("/api/v1/macros", s.need(permission.TicketsWork), s.auditSettings, s.handleSaveMacro)
		app.Put("/api/v1/macros/:mid<int>", s.need(permission.TicketsWork), s.auditSettings, s.handleSaveMacro)
		app.Delete("/api/v1/macros/:mid<int>", s.need(permission.TicketsWork), s.auditSettings, s.handleDeleteMacro)
		app.Post("/api/v1/tickets/:id<int>/macros/:mid<int>", s.need(permission.TicketsWork), s.handleApplyMacro)
	}

	// tags: tags, wrap-up codes, bulk actions, printable transcript.
	if s.o.Tags != nil {
		app.Get("/api/v1/tags", s.need(permission.TicketsWork), s.handleListTags)
		app.Post("/api/v1/tags", s.need(permission.TagsManage), s.auditSettings, s.handleCreateTag)
		app.Delete("/api/v1/tags/:id<int>", s.need(permission.TagsManage), s.auditSettings, s.handleRemoveTag)
		app.Get("/api/v1/tickets/:id<int>/tags", s.need(permission.TicketsWork), s.handleTicketTags)
		app.Put("/api/v1/tickets/:id<int>/tags", s.need(permission.TicketsWork), s.handleSetTicketTags)
		app.Get("/api/v1/tickets/:id<int>/wrapup", s.need(permission.TicketsWork), s.handleTicketWrapup)
		app.Put("/api/v1/tickets/:id<int>/wrapup", s.need(permission.TicketsWork), s.handleSetTicketWrapup)
		app.Get("/api/v1/tickets/:id<int>/transcript", s.need(permission.TicketsWork), s.handleTranscript)
		app.Get("/api/v1/admin/wrapup-codes", s.need(permission.TagsManage), s.handleListWrapupCodes)
		app.Post("/api/v1/admin/wrapup-codes", s.need(permission.TagsManage), s.handleCreateWrapupCode)
		app.Put("/api/v1/admin/wrapup-codes/:id<int>", s.need(permission.TagsManage), s.handleUpdateWrapupCode)
		app.Delete("/api/v1/admin/wrapup-codes/:id<int>", s.need(permission.TagsManage), s.handleRetireWrapupCode)
		app.Put("/api/v1/admin/wrapup-rules/:id<int>", s.need(permission.TagsManage), s.handleSetWrapupRule) // :id is the queue's id
	}
	// notify: the citizen notifications of a ticket; the providers' status
	// callbacks (signed, checked by notifyhttp).
	if s.o.Notify != nil {
		app.Get("/api/v1/tickets/:id<int>/notifications", s.need(permission.TicketsWork), s.handleTicketNotifications)
	}
	if s.o.NotifyHooks != nil {
		s.o.NotifyHooks.Mount(app)
	}
	if s.o.Bulk != nil {
		app.Post("/api/v1/tickets/bulk", s.need(permission.TicketsWork), s.handleBulk)
	}

	// The citizen's whole history: contact panel, notes, merge/split, duplicates.
	if s.o.Contacts != nil {
		app.Get("/api/v1/contacts/:id<int>", s.need(permission.TicketsWork), s.handleContactPanel)
		app.Post("/api/v1/contacts/:id<int>/notes", s.need(permission.TicketsWork), s.handleContactNote)
		app.Get("/api/v1/contacts/:id<int>/duplicates", s.need(permission.ContactsMerge), s.handleContactDuplicates)
		app.Post("/api/v1/contacts/:id<int>/merge", s.need(permission.ContactsMerge), s.handleContactMerge)
		app.Post("/api/v1/contacts/:id<int>/split", s.need(permission.ContactsMerge), s.handleContactSplit)
		app.Post("/api/v1/contacts/merges/:id<int>/undo", s.need(permission.ContactsMerge), s.handleMergeUndo)
	}

	// Personal-data protection (UU 27/2022): view audit, data-subject
	// requests, retention purge (privacy.go).
	if p := s.o.Privacy; p != nil {
		if p.Views != nil {
			app.Get("/api/v1/admin/view-audit", s.need(permission.AuditView), s.handleViewAudit)
		}
		if p.Subjects != nil {
			app.Get("/api/v1/admin/subjects/:id<int>", s.need(permission.PrivacyManage), s.handleSubject)
			app.Get("/api/v1/admin/subjects/:id<int>/export", s.need(permission.PrivacyManage), s.handleSubjectExport)
			app.Post("/api/v1/admin/subjects/:id<int>/restrict", s.need(permission.PrivacyManage), s.handleSubjectRestrict)
			app.Delete("/api/v1/admin/subjects/:id<int>/restrict", s.need(permission.PrivacyManage), s.handleSubjectLift)
			app.Post("/api/v1/admin/subjects/:id<int>/erase", s.need(permission.PrivacyManage), s.handleSubjectErase)
		}
		if p.Retention != nil {
			app.Post("/api/v1/admin/retention/run", s.need(permission.PrivacyManage), s.handleRetentionRun)
		}
		if p.Refused != nil {
			app.Get("/api/v1/admin/refused", s.need(permission.AuditView), s.handleRefusedItems)         // items channels could not read
			app.Get("/api/v1/admin/refused/:id<int>", s.need(permission.AuditView), s.handleRefusedItem) // one whole: recorded in the view audit
		}
	}
	if s.o.Webhooks != nil {
		app.Get("/api/v1/admin/webhooks", s.need(permission.AuditView), s.handleWebhookHealth) // deliveries refused and accepted, per channel
	}

	// csat: the satisfaction report, low-rating alerts, a ticket's ratings,
	// the agent's own figures, and the citizen's survey link (public).
	if s.o.CSAT != nil {
		app.Get("/api/v1/reports/csat", s.need(permission.ReportsView), s.handleCSATReport)
		app.Get("/api/v1/csat/alerts", s.need(permission.ReportsView), s.handleCSATAlerts)
		app.Get("/api/v1/tickets/:id<int>/csat", s.need(permission.TicketsWork), s.handleTicketCSAT)
		app.Get("/api/v1/agents/me/csat", s.need(permission.Session), s.handleMyCSAT)
		app.Get("/api/v1/public/csat/:token", httpx.Limit(60, true), s.handlePublicSurvey)
		app.Post("/api/v1/public/csat/:token", httpx.Limit(30, false), s.handlePublicRate)
	}

	// Complaint lifecycle (issue 18): stages and clocks, audited reveal of a
	// confidential identity, escalations, the complaint-handling report
	// (a fixed name, registered before any generic /reports/:name).
	if s.o.Complaints != nil {
		app.Get("/api/v1/tickets/:id<int>/complaint", s.need(permission.TicketsWork), s.handleComplaint)
		app.Post("/api/v1/tickets/:id<int>/complaint/:action", s.need(permission.TicketsWork), s.handleComplaintAction)  // per action rules in the service
		app.Post("/api/v1/tickets/:id<int>/complaint", s.need(permission.ComplaintsAdopt), s.handleComplaintAdopt)       // treat a ticket of any channel as a complaint
		app.Post("/api/v1/tickets/:id<int>/complaint-identity", s.need(permission.TicketsWork), s.handleComplaintReveal) // reveal roles checked (and audited) by the service
		app.Get("/api/v1/complaints/escalated", s.need(permission.Complaints), s.handleComplaintsEscalated)
		app.Get("/api/v1/reports/complaints", s.need(permission.ReportsView), s.handleComplaintReport)
	}

	// reports: historical reports, per-ticket export, monthly report.
	// /reports/:name stays the last api route: fixed report names
	// (/reports/csat, /reports/complaints) register before it.
	if s.o.Reports != nil {
		app.Get("/api/v1/reports/monthly/:month", s.need(permission.ReportsView), s.handleMonthlyReport)
		app.Get("/api/v1/reports/:name", s.need(permission.ReportsView), s.handleReport)
	}

	// Wallboard and admin screens: the live board, supervisor actions,
	// not-ready reasons, accounts and the audit log.
	if s.o.Wallboard != nil {
		app.Get("/api/v1/wallboard", s.need(permission.WallboardView), s.handleWallboard)
		app.Put("/api/v1/wallboard/agents/:id<int>/presence", s.need(permission.WallboardManage), s.handleSetAgentState)
		app.Post("/api/v1/wallboard/agents/:id<int>/move", s.need(permission.WallboardManage), s.handleMoveTickets)
		app.Get("/api/v1/not-ready-reasons", s.need(permission.Session), s.handleNotReadyReasons)
		app.Put("/api/v1/agents/me/state", s.need(permission.Session), s.handleSetMyState)
		app.Get("/api/v1/admin/not-ready-reasons", s.need(permission.AdminQueues), s.handleAdminReasons)
		app.Post("/api/v1/admin/not-ready-reasons", s.need(permission.AdminQueues), s.handleAdminSaveReason)
		app.Put("/api/v1/admin/not-ready-reasons/:id<int>", s.need(permission.AdminQueues), s.handleAdminSaveReason)
	}
	app.Get("/api/v1/admin/agents", s.need(permission.AdminAgents), s.handleAdminAgents)
	app.Put("/api/v1/admin/agents/:id<int>", s.need(permission.AdminAgents), s.handleAdminEditAgent)
	app.Post("/api/v1/admin/agents/:id<int>/deactivate", s.need(permission.AdminAgents), s.handleAdminDeactivate)
	app.Post("/api/v1/admin/agents/:id<int>/reactivate", s.need(permission.AdminAgents), s.handleAdminReactivate)
	app.Post("/api/v1/admin/agents/:id<int>/password", s.need(permission.AdminAgents), s.handleAdminPassword)
	// Roles: named sets of permissions (roles.go).
	app.Get("/api/v1/admin/roles", s.need(permission.AdminAgents), s.handleListRoles) // the account form lists them too
	app.Post("/api/v1/admin/roles", s.need(permission.AdminRoles), s.handleCreateRole)
	app.Put("/api/v1/admin/roles/:name", s.need(permission.AdminRoles), s.handleUpdateRole)
	app.Delete("/api/v1/admin/roles/:name", s.need(permission.AdminRoles), s.handleDeleteRole)
	if s.o.Audit != nil {
		app.Get("/api/v1/admin/audit", s.need(permission.AuditView), s.handleAudit)
	}

	// Admin screens: complaint categories (categories.go).
	if s.o.Categories != nil {
		app.Get("/api/v1/admin/complaint-categories", s.need(permission.AdminQueues), s.handleAdminCategories)
		app.Post("/api/v1/admin/complaint-categories", s.need(permission.AdminQueues), s.handleAdminSaveCategory)
		app.Put("/api/v1/admin/complaint-categories/:id<int>", s.need(permission.AdminQueues), s.handleAdminSaveCategory)
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
