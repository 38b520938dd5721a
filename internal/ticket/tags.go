package ticket

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
)

// What internal/tags (tags, wrap-up codes, bulk actions, transcripts)
// needs from the ticket service: the same scope rule and row lock as the
// ticket's own changes, and the one audit log.

// SolveGuard may refuse to end a ticket: it is asked inside the status
// change's transaction, with the ticket locked, before a ticket moves to
// solved (or to closed from an active status). Every path that changes a
// status through SetStatus (the PATCH route, bulk actions, macros) meets
// it. internal/tags implements it with the queues' wrap-up rule.
type SolveGuard interface {
	BeforeSolve(ctx context.Context, tx *gorm.DB, t Summary) error
}

// EndGuard may refuse to solve or close a ticket whose own process has
// not ended: a complaint in the lifecycle (internal/complaint) is ended by
// its stages, which close its ticket themselves (CloseForLifecycle), and
// not by an agent's status change. It is asked inside the status change's
// transaction, with the ticket locked, for every move to solved or closed
// (from any status), so the PATCH route, bulk actions and macros all meet
// it.
type EndGuard interface {
	BeforeEnd(ctx context.Context, tx *gorm.DB, t Summary, to domain.TicketStatus) error
}

// ends reports whether moving from one status to another finishes the
// ticket's work (what a SolveGuard is asked about).
func ends(from, to domain.TicketStatus) bool {
	return to == domain.StatusSolved || (to == domain.StatusClosed && from.Active())
}

// LockVisible reads a ticket inside tx, holding its row lock for the rest
// of tx, if viewer may work it (ErrForbidden otherwise, ErrNotFound when
// there is no such ticket).
func (s *Service) LockVisible(ctx context.Context, tx *gorm.DB, viewer agent.Agent, ticketID int64) (Summary, error) {
	return s.lockVisible(ctx, tx, viewer, ticketID)
}

// Audit records an agent's change or view of a ticket inside tx.
func (s *Service) Audit(ctx context.Context, tx *gorm.DB, agentID int64, action string, ticketID int64, detail string, at time.Time) error {
	return s.store.audit(ctx, tx, agentID, action, ticketID, detail, at)
}

// AuditView records, in its own transaction, that an agent read a ticket
// in a way worth keeping (a printed transcript).
func (s *Service) AuditView(ctx context.Context, viewer agent.Agent, action string, ticketID int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		return s.store.audit(ctx, tx, viewer.ID, action, ticketID, "", time.Now().UTC())
	})
}
