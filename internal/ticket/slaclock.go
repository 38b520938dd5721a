package ticket

import (
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
)

// The writes of the SLA clocks (routing.Clocks) to tickets, run inside
// the caller's transaction. Each is conditional on the clock state the
// caller read, so two instances never both apply one change; each returns
// gorm's result, so the caller reads RowsAffected (0: another instance
// did it) and names the step in its error.

// PauseSLA pauses a ticket's SLA clock at the given time, unless paused.
//
//	UPDATE tickets SET sla_paused_at = ? WHERE id = ? AND sla_paused_at IS NULL
func PauseSLA(tx *gorm.DB, ticketID int64, at time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET sla_paused_at = ? WHERE id = ? AND sla_paused_at IS NULL`, at.UTC(), ticketID)
}

// ResumeSLA sets a paused ticket's moved due times and ends the pause, if
// the pause is still the one read.
//
//	UPDATE tickets SET first_response_due_at = ?, next_response_due_at = ?, resolution_due_at = ?, sla_paused_at = NULL
//	WHERE id = ? AND sla_paused_at = ?
func ResumeSLA(tx *gorm.DB, ticketID int64, paused time.Time, first, next, res *time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET first_response_due_at = ?, next_response_due_at = ?, resolution_due_at = ?, sla_paused_at = NULL
WHERE id = ? AND sla_paused_at = ?`, first, next, res, ticketID, paused)
}

// StartNextResponse starts a ticket's next-response clock unless one runs.
//
//	UPDATE tickets SET next_response_due_at = ? WHERE id = ? AND next_response_due_at IS NULL
func StartNextResponse(tx *gorm.DB, ticketID int64, due time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET next_response_due_at = ? WHERE id = ? AND next_response_due_at IS NULL`, due, ticketID)
}

// StopNextResponse stops a ticket's next-response clock if it is not yet due.
//
//	UPDATE tickets SET next_response_due_at = NULL WHERE id = ? AND next_response_due_at > ?
func StopNextResponse(tx *gorm.DB, ticketID int64, at time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET next_response_due_at = NULL WHERE id = ? AND next_response_due_at > ?`, ticketID, at.UTC())
}

// BreachNextResponse records a next-response breach, escalates the
// priority and stops the clock, if the clock still has this due time.
//
//	UPDATE tickets SET sla_breached = ?, priority = ?, next_response_due_at = NULL WHERE id = ? AND next_response_due_at = ?
func BreachNextResponse(tx *gorm.DB, ticketID int64, breached string, priority domain.Priority, due time.Time) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET sla_breached = ?, priority = ?, next_response_due_at = NULL WHERE id = ? AND next_response_due_at = ?`,
		breached, priority, ticketID, due)
}

// RecordBreach records a breach and escalates the priority, if the
// breached list is still the one read.
//
//	UPDATE tickets SET sla_breached = ?, priority = ? WHERE id = ? AND sla_breached = ?
func RecordBreach(tx *gorm.DB, ticketID int64, breached, was string, priority domain.Priority) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET sla_breached = ?, priority = ? WHERE id = ? AND sla_breached = ?`, breached, priority, ticketID, was)
}

// RecordWarning records an SLA warning, if the warned list is still the
// one read.
//
//	UPDATE tickets SET sla_warned = ? WHERE id = ? AND sla_warned = ?
func RecordWarning(tx *gorm.DB, ticketID int64, warned, was string) *gorm.DB {
	return tx.Exec(`UPDATE tickets SET sla_warned = ? WHERE id = ? AND sla_warned = ?`, warned, ticketID, was)
}
