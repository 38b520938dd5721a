package routing

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// upsertQueues declares queues; an existing code keeps its id and takes
// the configured name.
//
//	INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?), …
//	ON CONFLICT (code) DO UPDATE SET name = excluded.name
func upsertQueues(tx *gorm.DB, specs []QueueSpec, now time.Time) error {
	if len(specs) == 0 {
		return nil
	}
	rows := make([]string, len(specs))
	args := make([]any, 0, 3*len(specs))
	for i, s := range specs {
		rows[i] = "(?, ?, ?)"
		args = append(args, s.Code, s.Name, now)
	}
	q := `INSERT INTO queues (code, name, created_at) VALUES ` + strings.Join(rows, ", ") +
		` ON CONFLICT (code) DO UPDATE SET name = excluded.name`
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("%w: upsert queues: %v", ErrStore, err)
	}
	return nil
}

// loadQueues reads every queue's id by code.
//
//	SELECT id, code FROM queues
func loadQueues(tx *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		ID   int64
		Code string
	}
	if err := tx.Raw(`SELECT id, code FROM queues`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: load queues: %v", ErrStore, err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	return out, nil
}

// findQueue reads one queue id.
//
//	SELECT id FROM queues WHERE code = ?
func findQueue(tx *gorm.DB, code string) (int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT id FROM queues WHERE code = ?`, code).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("%w: find queue: %v", ErrStore, err)
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("queue %q: %w", code, ErrUnknownQueue)
	}
	return ids[0], nil
}

// setQueue files tickets in a queue.
//
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id IN (?, …)
func setQueue(tx *gorm.DB, queueID int64, ticketIDs []int64, now time.Time) error {
	args := []any{queueID, now}
	for _, id := range ticketIDs {
		args = append(args, id)
	}
	q := `UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id IN (` + placeholders(len(ticketIDs)) + `)`
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("%w: set queue: %v", ErrStore, err)
	}
	return nil
}

// lockCandidates reads the online members of a queue that have room. On
// PostgreSQL the rows are locked in id order until commit, so two
// instances routing into the same queue wait for each other instead of
// locking agents in different orders and deadlocking. NO KEY UPDATE is the
// lock the load UPDATE takes anyway; unlike FOR UPDATE it does not wait
// for transactions that merely reference the agent (the foreign-key check
// of tickets.assignee_id). (SQLite runs one writing transaction at a
// time; there is nothing to lock.)
//
//	SELECT a.id, a.capacity, a.active_load, a.last_assigned_at
//	FROM agents a JOIN queue_members m ON m.agent_id = a.id
//	WHERE m.queue_id = ? AND a.presence = 'online' AND a.active_load < a.capacity
//	ORDER BY a.id FOR NO KEY UPDATE OF a
func lockCandidates(tx *gorm.DB, dialect db.Dialect, queueID int64) ([]candidate, error) {
	q := `SELECT a.id, a.capacity, a.active_load, a.last_assigned_at
FROM agents a JOIN queue_members m ON m.agent_id = a.id
WHERE m.queue_id = ? AND a.presence = 'online' AND a.active_load < a.capacity
ORDER BY a.id`
	if dialect == db.Postgres {
		q += ` FOR NO KEY UPDATE OF a`
	}
	var out []candidate
	if err := tx.Raw(q, queueID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: candidates: %v", ErrStore, err)
	}
	return out, nil
}

// raiseLoad takes one unit of an online agent's capacity. False: the agent
// is offline or full (the invariant's first half).
//
//	UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
//	WHERE id = ? AND presence = 'online' AND active_load < capacity
func raiseLoad(tx *gorm.DB, agentID int64, now time.Time) (bool, error) {
	res := tx.Exec(`UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
WHERE id = ? AND presence = 'online' AND active_load < capacity`, now, agentID)
	if res.Error != nil {
		return false, fmt.Errorf("%w: raise load: %v", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// reclaim takes one unit of capacity for a ticket coming back to its agent,
// whatever the agent's presence.
//
//	UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity
func reclaim(tx *gorm.DB, agentID int64) (bool, error) {
	res := tx.Exec(`UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity`, agentID)
	if res.Error != nil {
		return false, fmt.Errorf("%w: reclaim load: %v", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// lowerLoad gives one unit back, never below zero.
//
//	UPDATE agents SET active_load = active_load - 1 WHERE id = ? AND active_load > 0
func lowerLoad(tx *gorm.DB, agentID int64) error {
	if err := tx.Exec(`UPDATE agents SET active_load = active_load - 1 WHERE id = ? AND active_load > 0`, agentID).Error; err != nil {
		return fmt.Errorf("%w: lower load: %v", ErrStore, err)
	}
	return nil
}

// claimTicket sets the assignee of an unassigned ticket. False: another
// agent has it (the invariant's second half).
//
//	UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
//	WHERE id = ? AND assignee_id IS NULL
func claimTicket(tx *gorm.DB, ticketID, agentID, queueID int64, now time.Time) (bool, error) {
	res := tx.Exec(`UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
WHERE id = ? AND assignee_id IS NULL`, agentID, queueID, now, ticketID)
	if res.Error != nil {
		return false, fmt.Errorf("%w: claim ticket: %v", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// unassign clears a ticket's assignee if it is still that agent.
//
//	UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?
func unassign(tx *gorm.DB, ticketID, agentID int64, now time.Time) error {
	if err := tx.Exec(`UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?`, now, ticketID, agentID).Error; err != nil {
		return fmt.Errorf("%w: unassign: %v", ErrStore, err)
	}
	return nil
}

// release lowers the load of a ticket's assignee.
//
//	UPDATE agents SET active_load = active_load - 1
//	WHERE id = (SELECT assignee_id FROM tickets WHERE id = ?) AND active_load > 0
func release(tx *gorm.DB, ticketID int64) error {
	err := tx.Exec(`UPDATE agents SET active_load = active_load - 1
WHERE id = (SELECT assignee_id FROM tickets WHERE id = ?) AND active_load > 0`, ticketID).Error
	if err != nil {
		return fmt.Errorf("%w: release: %v", ErrStore, err)
	}
	return nil
}

// freeRoom is how many more tickets an agent can take now (0 when not
// online).
//
//	SELECT presence, capacity, active_load FROM agents WHERE id = ?
func freeRoom(tx *gorm.DB, agentID int64) (int, error) {
	var rows []struct {
		Presence   string
		Capacity   int
		ActiveLoad int
	}
	if err := tx.Raw(`SELECT presence, capacity, active_load FROM agents WHERE id = ?`, agentID).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("%w: agent room: %v", ErrStore, err)
	}
	if len(rows) == 0 {
		return 0, fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	a := rows[0]
	if a.Presence != "online" || a.ActiveLoad >= a.Capacity {
		return 0, nil
	}
	return a.Capacity - a.ActiveLoad, nil
}

// waitingTicket is an unassigned ticket in one of an agent's queues.
type waitingTicket struct {
	ID      int64
	QueueID int64
}

// waitingFor lists the waiting tickets an agent may take, most urgent then
// oldest first.
//
//	SELECT t.id, t.queue_id FROM tickets t
//	WHERE t.queue_id IN (SELECT queue_id FROM queue_members WHERE agent_id = ?)
//	  AND t.assignee_id IS NULL AND t.status IN ('new', 'open', 'pending')
//	ORDER BY CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
//	  t.created_at, t.id
//	LIMIT ?
func waitingFor(tx *gorm.DB, agentID int64, limit int) ([]waitingTicket, error) {
	var out []waitingTicket
	err := tx.Raw(`SELECT t.id, t.queue_id FROM tickets t
WHERE t.queue_id IN (SELECT queue_id FROM queue_members WHERE agent_id = ?)
  AND t.assignee_id IS NULL AND t.status IN ('new', 'open', 'pending')
ORDER BY `+priorityRank("t")+`, t.created_at, t.id
LIMIT ?`, agentID, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("%w: waiting tickets: %v", ErrStore, err)
	}
	return out, nil
}

// placeholders returns "?, ?, …" (n of them).
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
