package ticket

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/tracking"
)

// LifecycleMove is a ticket's move on its complaint's behalf, made inside
// the complaint's own transaction so that the stage and the ticket's status
// commit together or not at all. Committed sends what follows the commit.
type LifecycleMove struct {
	s          *Service
	ticketID   int64
	moved      bool
	freedAgent int64 // an agent whose load the move freed
}

// Committed sends what follows a committed move: the ticket's event, and
// a waiting ticket to the agent it freed. Call it only after the
// transaction the move was made in committed.
func (m LifecycleMove) Committed(ctx context.Context) {
	if !m.moved {
		return
	}
	if fresh, err := m.s.store.summary(ctx, m.ticketID); err == nil {
		m.s.emit(ctx, bus.TicketUpdated(fresh.event(time.Now().UTC())))
	}
	if m.freedAgent != 0 {
		if _, err := m.s.loads.AssignWaiting(ctx, m.freedAgent); err != nil {
			m.s.log.Warn("assign waiting after lifecycle close", "agent_id", m.freedAgent, "err", err)
		}
	}
}

// CloseForLifecycle closes a ticket whose complaint lifecycle ended
// (internal/complaint: closed after its follow-up, not within the
// program's authority, archived), in a transaction of its own. No agent
// acts: the audit line has no agent. A ticket already closed stays as it is.
func (s *Service) CloseForLifecycle(ctx context.Context, ticketID int64, detail string) error {
	return s.ownTx(ctx, func(tx *gorm.DB) (LifecycleMove, error) { return s.CloseForLifecycleIn(ctx, tx, ticketID, detail) })
}

// CloseForLifecycleIn is CloseForLifecycle inside the caller's transaction.
func (s *Service) CloseForLifecycleIn(ctx context.Context, tx *gorm.DB, ticketID int64, detail string) (LifecycleMove, error) {
	m := LifecycleMove{s: s, ticketID: ticketID}
	var err error
	m.moved, err = s.lifecycleStatus(ctx, tx, ticketID, domain.StatusClosed, detail, func(t Summary) (bool, error) {
		if t.Status == domain.StatusClosed {
			return false, nil
		}
		if t.AssigneeID != nil && t.Status.Active() {
			if err := s.loads.Release(ctx, tx, t.ID); err != nil {
				return false, err
			}
			m.freedAgent = *t.AssigneeID
		}
		return true, nil
	})
	return m, err
}

// ReopenForLifecycleIn opens again, inside the caller's transaction, a
// solved ticket whose complaint went back to work (internal/complaint: the
// citizen disagreed with the published follow-up), so it is worked, and
// counted, as open. No agent acts: the audit line has no agent. A ticket
// not solved stays as it is.
func (s *Service) ReopenForLifecycleIn(ctx context.Context, tx *gorm.DB, ticketID int64, detail string) (LifecycleMove, error) {
	m := LifecycleMove{s: s, ticketID: ticketID}
	var err error
	m.moved, err = s.lifecycleStatus(ctx, tx, ticketID, domain.StatusOpen, detail, func(t Summary) (bool, error) {
		if t.Status != domain.StatusSolved {
			return false, nil
		}
		re := Reopened{ID: t.ID, Category: t.Category, Channel: t.Channel}
		if t.QueueID != nil {
			re.QueueID = *t.QueueID
		}
		if t.AssigneeID != nil {
			re.AssigneeID = *t.AssigneeID
		}
		return true, s.loads.Reopen(ctx, tx, re)
	})
	return m, err
}

// ownTx makes a lifecycle move in a transaction of its own and sends what
// follows once it committed.
func (s *Service) ownTx(ctx context.Context, move func(tx *gorm.DB) (LifecycleMove, error)) error {
	var m LifecycleMove
	if err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		m, err = move(tx)
		return err
	}); err != nil {
		return err
	}
	m.Committed(ctx)
	return nil
}

// lifecycleStatus moves a ticket to status on its complaint's behalf in
// tx: under the ticket's lock, ready says whether the move applies and
// does what goes with it (an agent's load); then the status, its SLA
// clocks and an audit line without an agent. It reports whether the
// ticket moved; the event is the caller's, after the commit.
func (s *Service) lifecycleStatus(ctx context.Context, tx *gorm.DB, ticketID int64, to domain.TicketStatus, detail string,
	ready func(t Summary) (bool, error)) (bool, error) {
	now := time.Now().UTC()
	t, err := s.store.lockTicket(ctx, tx, ticketID)
	if err != nil {
		return false, err
	}
	if ok, err := ready(t); err != nil || !ok {
		return false, err
	}
	if err := s.store.setStatus(ctx, tx, t.ID, to, now); err != nil {
		return false, err
	}
	if err := s.clocks.StatusChanged(ctx, tx, t.ID, t.Status, to, now); err != nil {
		return false, err
	}
	if err := tx.WithContext(ctx).Exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (NULL, ?, ?, ?, ?)`,
		"ticket.status", t.ID, string(t.Status)+" -> "+string(to)+": "+detail, now).Error; err != nil {
		return false, fmt.Errorf("ticket: audit: %w", err)
	}
	return true, nil
}

// PublicByTracking is the citizen's view of a ticket (with its public
// thread) by tracking number alone. Only for callers that already checked
// the citizen another way (internal/complaint checks a PIN).
func (s *Service) PublicByTracking(ctx context.Context, trackingNumber string) (Public, error) {
	tn, err := tracking.Normalize(trackingNumber)
	if err != nil {
		return Public{}, ErrNotFound
	}
	var rows []struct {
		ID             int64
		TrackingNumber string
		Status         domain.TicketStatus
		Category       string
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, tracking_number, status, category, created_at, updated_at
		FROM tickets WHERE tracking_number = ?`, tn).Scan(&rows).Error; err != nil {
		return Public{}, fmt.Errorf("ticket: public by tracking: %w", err)
	}
	if len(rows) == 0 {
		return Public{}, ErrNotFound
	}
	r := rows[0]
	p := Public{TicketID: r.ID, TrackingNumber: r.TrackingNumber, Status: r.Status, Category: r.Category, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if p.Messages, err = s.store.publicMessages(ctx, p.TicketID); err != nil {
		return Public{}, err
	}
	return p, nil
}
