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

// CloseForLifecycle closes a ticket whose complaint lifecycle ended
// (internal/complaint: closed after its follow-up, not within the
// program's authority, archived). No agent acts: the audit line has no
// agent. A ticket already closed stays as it is.
func (s *Service) CloseForLifecycle(ctx context.Context, ticketID int64, detail string) error {
	var freedAgent int64
	changed, err := s.lifecycleStatus(ctx, ticketID, domain.StatusClosed, detail, func(tx *gorm.DB, t Summary) (bool, error) {
		if t.Status == domain.StatusClosed {
			return false, nil
		}
		if t.AssigneeID != nil && t.Status.Active() {
			if err := s.loads.Release(ctx, tx, t.ID); err != nil {
				return false, err
			}
			freedAgent = *t.AssigneeID
		}
		return true, nil
	})
	if err != nil || !changed {
		return err
	}
	if freedAgent != 0 {
		if _, err := s.loads.AssignWaiting(ctx, freedAgent); err != nil {
			s.log.Warn("assign waiting after lifecycle close", "agent_id", freedAgent, "err", err)
		}
	}
	return nil
}

// ReopenForLifecycle opens again a solved ticket whose complaint went
// back to work (internal/complaint: the citizen disagreed with the
// published follow-up), so it is worked, and counted, as open. No agent
// acts: the audit line has no agent. A ticket not solved stays as it is.
func (s *Service) ReopenForLifecycle(ctx context.Context, ticketID int64, detail string) error {
	_, err := s.lifecycleStatus(ctx, ticketID, domain.StatusOpen, detail, func(tx *gorm.DB, t Summary) (bool, error) {
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
	return err
}

// lifecycleStatus moves a ticket to status on its complaint's behalf, in
// one transaction: under the ticket's lock, ready says whether the move
// applies and does what goes with it (an agent's load); then the status,
// its SLA clocks and an audit line without an agent; the ticket's event
// follows a move. It reports whether the ticket moved.
func (s *Service) lifecycleStatus(ctx context.Context, ticketID int64, to domain.TicketStatus, detail string,
	ready func(tx *gorm.DB, t Summary) (bool, error)) (bool, error) {
	now := time.Now().UTC()
	changed := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err := s.store.lockTicket(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if ok, err := ready(tx, t); err != nil || !ok {
			return err
		}
		if err := s.store.setStatus(ctx, tx, t.ID, to, now); err != nil {
			return err
		}
		if err := s.clocks.StatusChanged(ctx, tx, t.ID, t.Status, to, now); err != nil {
			return err
		}
		if err := tx.WithContext(ctx).Exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (NULL, ?, ?, ?, ?)`,
			"ticket.status", t.ID, string(t.Status)+" -> "+string(to)+": "+detail, now).Error; err != nil {
			return fmt.Errorf("ticket: audit: %w", err)
		}
		changed = true
		return nil
	})
	if err != nil || !changed {
		return false, err
	}
	if fresh, err := s.store.summary(ctx, ticketID); err == nil {
		s.emit(ctx, bus.TicketUpdated(fresh.event(time.Now().UTC())))
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
