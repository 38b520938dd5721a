package ticket

import (
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// The writes of the assignment engine (internal/routing) to tickets and
// messages, run inside its transactions: the engine decides, these
// statements write. The invariant they take part in (no ticket assigned
// to two agents: an assignee is only ever set on a ticket that has none)
// is described in internal/routing. Each returns gorm's result, so the
// caller reads RowsAffected of the conditional ones and names the step in
// its error.

// Filed is where a stored ticket was filed: its queue, priority and SLA
// due times (zero: no target).
type Filed struct {
	ID               int64
	QueueID          int64
	Priority         domain.Priority
	FirstResponseDue time.Time
	ResolutionDue    time.Time
}

// FileTickets puts tickets in their queues with their priorities and SLA
// due times. SQLite runs in the process, so one UPDATE per ticket costs no
// round trip; on PostgreSQL a batch is one statement (assignee_pg.go).
//
//	UPDATE tickets SET queue_id = ?, priority = ?, first_response_due_at = ?, resolution_due_at = ?, updated_at = ?
//	WHERE id = ?
func FileTickets(tx *gorm.DB, fs []Filed, now time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	if db.IsPostgres(tx) {
		return fileTicketsPG(tx, fs, now)
	}
	for _, f := range fs {
		if err := tx.Exec(`UPDATE tickets SET queue_id = ?, priority = ?, first_response_due_at = ?, resolution_due_at = ?, updated_at = ?
WHERE id = ?`, f.QueueID, f.Priority, db.NullTime(f.FirstResponseDue), db.NullTime(f.ResolutionDue), now, f.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// SetQueue files tickets in a queue.
//
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id IN (?, …)
func SetQueue(tx *gorm.DB, queueID int64, ticketIDs []int64, now time.Time) *gorm.DB {
	args := []any{queueID, now}
	for _, id := range ticketIDs {
		args = append(args, id)
	}
	return tx.Exec(`UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id IN (`+db.Placeholders(len(ticketIDs))+`)`, args...)
}

// ClaimUnassigned sets the assignee (and queue) of an unassigned ticket;
// no row affected: another agent has it.
//
//	UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
//	WHERE id = ? AND assignee_id IS NULL
func ClaimUnassigned(tx *gorm.DB, ticketID, agentID, queueID int64, now time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
WHERE id = ? AND assignee_id IS NULL`, agentID, queueID, now, ticketID)
}

// Unassign clears a ticket's assignee if it is still that agent; no row
// affected: it changed hands meanwhile.
//
//	UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?
func Unassign(tx *gorm.DB, ticketID, agentID int64, now time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?`, now, ticketID, agentID)
}

// UnassignToQueue is Unassign that also moves the ticket to a queue (a
// transfer away from its agent).
//
//	UPDATE tickets SET assignee_id = NULL, queue_id = ?, updated_at = ? WHERE id = ? AND assignee_id = ?
func UnassignToQueue(tx *gorm.DB, ticketID, agentID, queueID int64, now time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET assignee_id = NULL, queue_id = ?, updated_at = ? WHERE id = ? AND assignee_id = ?`, queueID, now, ticketID, agentID)
}

// MoveToQueue moves one ticket to a queue.
//
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id = ?
func MoveToQueue(tx *gorm.DB, ticketID, queueID int64, now time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id = ?`, queueID, now, ticketID)
}

// SetPriority changes a ticket's priority.
//
//	UPDATE tickets SET priority = ?, updated_at = ? WHERE id = ?
func SetPriority(tx *gorm.DB, ticketID int64, priority domain.Priority, now time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET priority = ?, updated_at = ? WHERE id = ?`, priority, now, ticketID)
}

// MoveActive moves a queue's open (new, open, pending) tickets to another
// queue; the caller scans the returning columns of each moved ticket.
//
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE queue_id = ? AND status IN ('new', 'open', 'pending')
//	RETURNING <returning>
func MoveActive(tx *gorm.DB, from, to int64, now time.Time, returning string) *gorm.DB {
	return tx.Raw(`UPDATE tickets SET queue_id = ?, updated_at = ? WHERE queue_id = ? AND status IN `+domain.ActiveStatusesSQL+`
RETURNING `+returning, to, now, from)
}

// InsertSystemNote writes a note in a ticket's thread on behalf of an
// agent (routing's record of a transfer or a return: fields say what
// happened, body carries the agent's own words). providerID must be unique
// on the channel.
//
//	INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields, created_at, updated_at)
//	VALUES (?, 'note', ?, ?, ?, ?, ?, ?, ?)
func InsertSystemNote(tx *gorm.DB, ticketID int64, channel, providerID string, agentID int64, body, fields string, now time.Time) *gorm.DB {
	return tx.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields, created_at, updated_at)
VALUES (?, `+domain.SQLDirectionNote+`, ?, ?, ?, ?, ?, ?, ?)`, ticketID, channel, providerID, agentID, body, fields, now, now)
}

// The assignment engine's one-statement paths on PostgreSQL write the
// agent's loads and the ticket in one statement of data-modifying CTEs:
// one round trip and one commit per decision, which is what the statement
// exists for (a statement per owner would bring the round trips back).
// Each owner writes the text of its own CTE: these are the ticket's, and
// internal/routing composes them with the load CTEs it owns. The contract
// with the surrounding statement is stated with each.

// AssignFromCTE is the ticket's step of routing's decision statements:
// given CTEs w (the locked ticket: id, queue_id) and c (agent_id: the
// agent whose loads were raised; no row: nothing to assign), the ticket
// gets the agent if it has none, in w's queue, at @now. It returns the
// ticket's id when it did.
const AssignFromCTE = `UPDATE tickets t SET assignee_id = c.agent_id, queue_id = w.queue_id, updated_at = @now
  FROM w, c WHERE t.id = w.id AND t.assignee_id IS NULL
  RETURNING t.id`

// ClaimAfterCTE is ClaimUnassigned as a CTE that runs only when a CTE c
// returned a row (the agent's loads were raised). Positional arguments:
// assignee, queue, updated_at, ticket id.
const ClaimAfterCTE = `UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
  WHERE id = ? AND assignee_id IS NULL AND EXISTS (SELECT 1 FROM c) RETURNING id`
