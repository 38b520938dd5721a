package routing

import (
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/mask"
)

// eventFacts are what a ticket event shows beyond ids, status, priority
// and channel. The statements that already take a ticket (lockTicket,
// pickWaiting, the decision statements, moveOpen) read them with it, so no
// event costs a read of its own.
type eventFacts struct {
	TrackingNumber     string
	Subject            string
	FirstResponseDueAt *time.Time
	ResolutionDueAt    *time.Time
}

// factCols are eventFacts' columns of tickets.
const factCols = `tracking_number, subject, first_response_due_at, resolution_due_at`

// ticketEvent is the payload of a ticket.* event for a ticket now in
// queueID with assigneeID (0: none).
func ticketEvent(id, queueID, assigneeID int64, status domain.TicketStatus, priority domain.Priority, channel string, f eventFacts, at time.Time) bus.Ticket {
	return bus.Ticket{
		Scope:          bus.Scope{TicketID: id, QueueID: queueID, AssigneeID: assigneeID},
		TrackingNumber: f.TrackingNumber, Status: status, Channel: channel, Priority: priority,
		Subject: mask.Preview(f.Subject), FirstResponseDue: utc(f.FirstResponseDueAt), ResolutionDue: utc(f.ResolutionDueAt),
		At: at,
	}
}

// event is the payload of a ticket.* event for a locked ticket row after a
// change to queueID and assigneeID.
func (t ticketRow) event(queueID, assigneeID int64, at time.Time) bus.Ticket {
	return ticketEvent(t.ID, queueID, assigneeID, t.Status, t.Priority, t.Channel, t.Facts, at)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// idOf is a nullable id, 0 for NULL.
func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
