package routing

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/ticket"
)

// The statements Clocks runs: its reads here; its writes to tickets are
// internal/ticket's (slaclock.go), run in the same transaction.

// pauseClock pauses a ticket's SLA clock at the given time.
func pauseClock(tx *gorm.DB, ticketID int64, at time.Time) error {
	if err := ticket.PauseSLA(tx, ticketID, at).Error; err != nil {
		return fmt.Errorf("%w: pause SLA: %w", ErrStore, err)
	}
	return nil
}

// startNextResponse starts a ticket's next-response clock unless one runs.
func startNextResponse(tx *gorm.DB, ticketID int64, due time.Time) error {
	if err := ticket.StartNextResponse(tx, ticketID, due).Error; err != nil {
		return fmt.Errorf("%w: next-response clock: %w", ErrStore, err)
	}
	return nil
}

// stopNextResponse stops a ticket's next-response clock if it is not yet due.
func stopNextResponse(tx *gorm.DB, ticketID int64, at time.Time) error {
	if err := ticket.StopNextResponse(tx, ticketID, at).Error; err != nil {
		return fmt.Errorf("%w: stop next-response clock: %w", ErrStore, err)
	}
	return nil
}

// readClock reads a ticket's SLA clock (none: no such ticket); what names
// the read in an error.
func readClock(tx *gorm.DB, ticketID int64, what string) ([]clockRow, error) {
	var rows []clockRow
	if err := tx.Raw(`SELECT `+clockCols+` FROM tickets WHERE id = ?`, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrStore, what, err)
	}
	return rows, nil
}

// resumeClock sets a paused ticket's moved due times and ends the pause
// (a compare-and-set on the pause instant).
func resumeClock(tx *gorm.DB, ticketID int64, paused time.Time, first, next, res *time.Time) error {
	if err := ticket.ResumeSLA(tx, ticketID, paused, first, next, res).Error; err != nil {
		return fmt.Errorf("%w: resume SLA: %w", ErrStore, err)
	}
	return nil
}

// resumedClocks reads the paused clocks of tickets no longer pending.
func resumedClocks(tx *gorm.DB) ([]clockRow, error) {
	var resumed []clockRow
	if err := tx.Raw(`SELECT ` + clockCols + ` FROM tickets WHERE sla_paused_at IS NOT NULL AND status <> ` + domain.SQLStatusPending).Scan(&resumed).Error; err != nil {
		return nil, fmt.Errorf("%w: paused clocks: %w", ErrStore, err)
	}
	return resumed, nil
}

// dueClocks reads the running clocks due by the horizon whose breach is
// not announced yet.
func dueClocks(tx *gorm.DB, horizon time.Time) ([]clockRow, error) {
	var rows []clockRow
	if err := tx.Raw(`SELECT `+clockCols+` FROM tickets
WHERE status IN `+domain.ActiveStatusesSQL+` AND sla_paused_at IS NULL
  AND ((first_response_due_at <= ? AND sla_breached NOT LIKE '%first_response%'
      AND (first_response_at IS NULL OR first_response_at > first_response_due_at))
    OR (next_response_due_at <= ?)
    OR (resolution_due_at <= ? AND sla_breached NOT LIKE '%resolution%'))`, horizon, horizon, horizon).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: SLA clocks: %w", ErrStore, err)
	}
	return rows, nil
}

// queueSupervisors lists the supervising members of a queue.
func queueSupervisors(tx *gorm.DB, queueID int64) ([]int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT a.id FROM agents a JOIN queue_members m ON m.agent_id = a.id
WHERE m.queue_id = ? AND `+permission.SupervisingSQL+` ORDER BY a.id`, queueID).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("%w: queue supervisors: %w", ErrStore, err)
	}
	return ids, nil
}

// queueSLARow is one queue's line of the SLA report.
type queueSLARow struct {
	QueueID  int64
	Code     string
	Archived int
	N        int
	Within   int
}

// slaPerQueue counts, per queue, the tickets created since the given time
// that carry an SLA and those kept within it.
func slaPerQueue(tx *gorm.DB, since time.Time) ([]queueSLARow, error) {
	var rows []queueSLARow
	// Within: no breach announced, and no target met late between two
	// sweeps (a first response or a solve after its due time).
	if err := tx.Raw(`SELECT t.queue_id, q.code, CASE WHEN q.archived_at IS NULL THEN 0 ELSE 1 END AS archived,
  COUNT(*) AS n, SUM(CASE WHEN t.sla_breached = ''
  AND (t.first_response_at IS NULL OR t.first_response_due_at IS NULL OR t.first_response_at <= t.first_response_due_at)
  AND (t.solved_at IS NULL OR t.resolution_due_at IS NULL OR t.solved_at <= t.resolution_due_at) THEN 1 ELSE 0 END) AS within
FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.created_at >= ? AND (t.first_response_due_at IS NOT NULL OR t.resolution_due_at IS NOT NULL)
GROUP BY t.queue_id, q.code, q.archived_at ORDER BY t.queue_id`, since).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: SLA report: %w", ErrStore, err)
	}
	return rows, nil
}

// The announcements are compare-and-sets (the caller reads RowsAffected:
// 0 means another instance announced it).

// breachNextResponse records a next-response breach, escalates the
// priority and stops the clock, if the clock still has this due time.
func breachNextResponse(tx *gorm.DB, ticketID int64, breached string, priority domain.Priority, due time.Time) *gorm.DB {
	return ticket.BreachNextResponse(tx, ticketID, breached, priority, due)
}

// recordBreach records a breach and escalates the priority, if the
// breached list is still the one read.
func recordBreach(tx *gorm.DB, ticketID int64, breached, was string, priority domain.Priority) *gorm.DB {
	return ticket.RecordBreach(tx, ticketID, breached, was, priority)
}

// recordWarning records a warning, if the warned list is still the one read.
func recordWarning(tx *gorm.DB, ticketID int64, warned, was string) *gorm.DB {
	return ticket.RecordWarning(tx, ticketID, warned, was)
}
