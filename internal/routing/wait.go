package routing

import (
	"context"
	"errors"
	"time"
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
func (m *Metrics) EstimateWait(ctx context.Context, ticketID int64) (WaitEstimate, error) {
	tx := m.db.WithContext(ctx)
	row, err := waitTicket(tx, ticketID)
	if err != nil {
		return WaitEstimate{}, err
	}
	var w WaitEstimate
	if row.QueueID != nil {
		w.QueueID = *row.QueueID
	}
	if row.AssigneeID != nil {
		w.AgentID = *row.AssigneeID
	}
	now := time.Now()
	cal, err := m.queues.calendarOf(ctx, &w.QueueID)
	if err != nil {
		return WaitEstimate{}, err
	}
	w.Open = cal.Open(now)
	if !w.Open {
		w.OpensAt = cal.NextOpen(now)
	}
	if w.AgentsOnline, err = onlineMembers(tx, w.QueueID); err != nil {
		return WaitEstimate{}, err
	}
	w.Closed = !w.Open && w.AgentsOnline == 0
	if w.AgentID != 0 || w.QueueID == 0 || !row.Status.Active() {
		return w, nil
	}
	// Tickets ahead: same queue, unassigned, waiting, and either more
	// urgent, or as urgent and older (ties by id), the order AssignWaiting
	// hands them out in.
	ahead, err := ticketsAhead(tx, ticketID)
	if err != nil {
		return WaitEstimate{}, err
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
