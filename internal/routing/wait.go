package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
)

// ErrTicketNotFound: no ticket with that id.
var ErrTicketNotFound = errors.New("routing: ticket not found")

// WaitEstimate is where a ticket stands, in the terms a channel tells a
// citizen and the console tells an agent: both read it from EstimateWait,
// so they are told the same thing.
type WaitEstimate struct {
	QueueID int64
	// AgentID is the assigned agent; 0 while the ticket waits.
	AgentID int64
	// Position is 1 for the next ticket an agent of the queue gets (most
	// urgent, then oldest first); 0 when assigned or no longer waiting.
	Position int
	// Estimated is the expected time until an agent takes the ticket:
	// the tickets ahead, shared among the queue's online agents, times the
	// queue's recent handle time; while the queue is Closed, the time until
	// it opens comes first. 0 when assigned.
	Estimated time.Duration
	// AgentsOnline counts the queue's members who are online now.
	AgentsOnline int
	// Open reports whether the queue is within its business hours now
	// (holidays are closed).
	Open bool
	// OpensAt is when the queue's business hours start again (zero while
	// Open).
	OpensAt time.Time
	// Closed: outside business hours with no member online, nobody takes
	// the ticket before OpensAt. A channel says "closed, opens at ...",
	// never a position and minutes.
	Closed bool
}

// Handle time assumed for a queue that has not solved enough tickets yet.
const defaultHandleTime = 5 * time.Minute

// recentSolved is how many of a queue's latest solved tickets give its
// handle time.
const recentSolved = 50

// EstimateWait reports a ticket's place in its queue and how long it may
// wait, on the queue's calendar.
func (r *Router) EstimateWait(ctx context.Context, ticketID int64) (WaitEstimate, error) {
	tx := r.db.WithContext(ctx)
	var t []struct {
		QueueID    *int64
		AssigneeID *int64
		Status     domain.TicketStatus
		Priority   domain.Priority
		CreatedAt  time.Time
	}
	if err := tx.Raw(`SELECT queue_id, assignee_id, status, priority, created_at FROM tickets WHERE id = ?`, ticketID).Scan(&t).Error; err != nil {
		return WaitEstimate{}, fmt.Errorf("%w: ticket: %w", ErrStore, err)
	}
	if len(t) == 0 {
		return WaitEstimate{}, fmt.Errorf("ticket %d: %w", ticketID, ErrTicketNotFound)
	}
	row := t[0]
	var w WaitEstimate
	if row.QueueID != nil {
		w.QueueID = *row.QueueID
	}
	if row.AssigneeID != nil {
		w.AgentID = *row.AssigneeID
	}
	now := time.Now()
	cal, err := r.calendarOf(ctx, &w.QueueID)
	if err != nil {
		return WaitEstimate{}, err
	}
	w.Open = cal.Open(now)
	if !w.Open {
		w.OpensAt = cal.NextOpen(now)
	}
	if err := tx.Raw(`SELECT COUNT(*) FROM queue_members m JOIN agents a ON a.id = m.agent_id
WHERE m.queue_id = ? AND a.presence = `+domain.SQLPresenceOnline, w.QueueID).Scan(&w.AgentsOnline).Error; err != nil {
		return WaitEstimate{}, fmt.Errorf("%w: agents online: %w", ErrStore, err)
	}
	w.Closed = !w.Open && w.AgentsOnline == 0
	if w.AgentID != 0 || w.QueueID == 0 || !row.Status.Active() {
		return w, nil
	}
	// Tickets ahead: same queue, unassigned, waiting, and either more
	// urgent, or as urgent and older (ties by id), the order AssignWaiting
	// hands them out in.
	var ahead int64
	if err := tx.Raw(`SELECT COUNT(*) FROM tickets t, tickets me
WHERE me.id = ? AND t.queue_id = me.queue_id AND t.assignee_id IS NULL
  AND t.status IN `+domain.ActiveStatusesSQL+` AND t.id <> me.id
  AND (`+priorityRank("t")+` < `+priorityRank("me")+`
    OR (`+priorityRank("t")+` = `+priorityRank("me")+`
      AND (t.created_at < me.created_at OR (t.created_at = me.created_at AND t.id < me.id))))`,
		ticketID).Scan(&ahead).Error; err != nil {
		return WaitEstimate{}, fmt.Errorf("%w: position: %w", ErrStore, err)
	}
	w.Position = int(ahead) + 1
	handle, err := handleTime(tx, w.QueueID)
	if err != nil {
		return WaitEstimate{}, err
	}
	w.Estimated = time.Duration(w.Position) * handle / time.Duration(max(w.AgentsOnline, 1))
	if w.Closed && !w.OpensAt.IsZero() {
		w.Estimated += w.OpensAt.Sub(now)
	}
	return w, nil
}

// IsOpen reports whether the queue is within its business hours at the
// given time (holidays are closed). A queue without business hours is
// always open.
func (r *Router) IsOpen(ctx context.Context, queueCode string, at time.Time) (bool, error) {
	id, err := r.lookupQueue(ctx, r.db.DB, queueCode)
	if err != nil {
		return false, err
	}
	return r.openByID(ctx, id, at)
}

// openByID is IsOpen for a queue id, on the queue's business-hours
// calendar (holidays included). A queue without hours is always open.
func (r *Router) openByID(ctx context.Context, queueID int64, at time.Time) (bool, error) {
	cal, err := r.calendarOf(ctx, &queueID)
	if err != nil {
		return false, err
	}
	return cal.Open(at), nil
}

// priorityRank is the SQL rank of a ticket's priority, most urgent first.
func priorityRank(alias string) string { return domain.PriorityRankSQL(alias + ".priority") }

// handleTime is the mean time from creation to solution of the queue's
// latest solved tickets, or defaultHandleTime when there are too few.
func handleTime(tx *gorm.DB, queueID int64) (time.Duration, error) {
	var rows []struct {
		CreatedAt time.Time
		SolvedAt  time.Time
	}
	if err := tx.Raw(`SELECT created_at, solved_at FROM tickets
WHERE queue_id = ? AND solved_at IS NOT NULL ORDER BY solved_at DESC LIMIT ?`, queueID, recentSolved).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("%w: handle time: %w", ErrStore, err)
	}
	if len(rows) < 5 {
		return defaultHandleTime, nil
	}
	var sum time.Duration
	for _, r := range rows {
		sum += r.SolvedAt.Sub(r.CreatedAt)
	}
	return sum / time.Duration(len(rows)), nil
}
