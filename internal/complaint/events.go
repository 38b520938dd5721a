package complaint

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/bus"
)

// Events publishes realtime events (bus.Bus). Events are hints for live
// screens: they are sent after the commit, and a lost one costs a reload.
type Events interface {
	Emit(ev bus.Event)
}

// sqlTicketScope is what an event needs of the ticket: one read by
// primary key. Never a contact: complaint events carry no identity.
const (
	sqlTicketScope = `SELECT tracking_number, COALESCE(queue_id, 0) AS queue_id, COALESCE(assignee_id, 0) AS assignee_id
	FROM tickets WHERE id = ?`
	// sqlStage is a complaint's stage (primary key).
	sqlStage = `SELECT stage FROM complaints WHERE ticket_id = ?`
)

type ticketScope struct {
	TrackingNumber string
	QueueID        int64
	AssigneeID     int64
}

// ticketScope reads a ticket's tracking number, queue and assignee.
//
//	tickets primary key
func (s *store) ticketScope(ctx context.Context, id int64) (ticketScope, error) {
	var rows []ticketScope
	if err := s.db.WithContext(ctx).Raw(sqlTicketScope, id).Scan(&rows).Error; err != nil {
		return ticketScope{}, fmt.Errorf("complaint: ticket scope: %w", err)
	}
	if len(rows) == 0 {
		return ticketScope{}, ErrNotFound
	}
	return rows[0], nil
}

// scopeOf is the event scope of a complaint's ticket; false (logged) when
// it cannot be read, and the event is skipped: screens that miss one
// reload.
func (s *Service) scopeOf(ctx context.Context, ticketID int64) (bus.Scope, string, bool) {
	ts, err := s.store.ticketScope(ctx, ticketID)
	if err != nil {
		s.log.Warn("complaint event scope", "ticket_id", ticketID, "err", err)
		return bus.Scope{}, "", false
	}
	return bus.Scope{TicketID: ticketID, QueueID: ts.QueueID, AssigneeID: ts.AssigneeID}, ts.TrackingNumber, true
}

// changed tells live screens that a complaint's lifecycle changed (after
// the commit): complaint.updated with the step written and the stage now.
func (s *Service) changed(ctx context.Context, ticketID int64, step string) {
	if s.o.Events == nil {
		return
	}
	sc, tn, ok := s.scopeOf(ctx, ticketID)
	if !ok {
		return
	}
	var stage []string
	if err := s.store.db.WithContext(ctx).Raw(sqlStage, ticketID).Scan(&stage).Error; err != nil || len(stage) == 0 {
		s.log.Warn("complaint event stage", "ticket_id", ticketID, "err", err)
		return
	}
	bus.EmitIn(ctx, s.o.Events, bus.ComplaintUpdated{Scope: sc, TrackingNumber: tn, Stage: stage[0], Step: step, At: s.now()})
}

// ceilingEvent tells supervisors of an escalation or a warning, then the
// ticket's lifecycle panels (complaint.updated).
func (s *Service) ceilingEvent(ctx context.Context, ticketID int64, escalated bool, ceiling, now time.Time) {
	if s.o.Events == nil {
		return
	}
	sc, tn, ok := s.scopeOf(ctx, ticketID)
	if !ok {
		return
	}
	ev := bus.ComplaintCeiling{Scope: sc, TrackingNumber: tn, CeilingAt: ceiling.UTC(), At: now}
	step := "ceiling_warning"
	if escalated {
		bus.EmitIn(ctx, s.o.Events, bus.ComplaintEscalated(ev))
		step = "escalated"
	} else {
		bus.EmitIn(ctx, s.o.Events, bus.ComplaintWarning(ev))
	}
	s.changed(ctx, ticketID, step)
}
