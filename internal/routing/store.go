package routing

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// The statements of the assignment engine: agents' overall and per-channel
// loads and round-robin turns. Its writes to tickets (assignee, queue) are
// internal/ticket's functions, run in the engine's transaction.

// setQueue files tickets in a queue.
//
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id IN (?, …)
func setQueue(tx *gorm.DB, queueID int64, ticketIDs []int64, now time.Time) error {
	if err := ticket.SetQueue(tx, queueID, ticketIDs, now).Error; err != nil {
		return fmt.Errorf("%w: set queue: %w", ErrStore, err)
	}
	return nil
}

// Presence rules for raising an agent's load.
const (
	// onlyOnline: automatic assignment goes to online agents only.
	onlyOnline = "presence = " + domain.SQLPresenceOnline
	// notOffline: an agent claiming or receiving a transfer must be
	// working (online, busy or away), not logged off.
	notOffline = "presence <> " + domain.SQLPresenceOffline
	// anyPresence: a supervisor may assign anyone whose account is
	// active, capacity permitting (checked again under the row lock, so a
	// deactivation committed meanwhile wins).
	anyPresence = "deactivated_at IS NULL"
)

// raiseLoad takes one unit of an agent's overall capacity. False: the
// agent's presence does not allow it or the agent is full (the
// invariant's first half).
//
//	UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
//	WHERE id = ? AND presence = 'online' AND active_load < capacity
func raiseLoad(tx *gorm.DB, agentID int64, now time.Time) (bool, error) {
	return raiseLoadIf(tx, agentID, onlyOnline, now)
}

func raiseLoadIf(tx *gorm.DB, agentID int64, presence string, now time.Time) (bool, error) {
	res := tx.Exec(`UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
WHERE id = ? AND `+presence+` AND active_load < capacity`, now, agentID)
	if res.Error != nil {
		return false, fmt.Errorf("%w: raise load: %w", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// raiseLoadLeft is raiseLoad for an online agent, also telling how much
// room is left after it.
//
//	UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
//	WHERE id = ? AND presence = 'online' AND active_load < capacity
//	RETURNING capacity - active_load
func raiseLoadLeft(tx *gorm.DB, agentID int64, now time.Time) (bool, int, error) {
	var left []int
	if err := tx.Raw(`UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
WHERE id = ? AND presence = `+domain.SQLPresenceOnline+` AND active_load < capacity
RETURNING capacity - active_load`, now, agentID).Scan(&left).Error; err != nil {
		return false, 0, fmt.Errorf("%w: raise load: %w", ErrStore, err)
	}
	if len(left) == 0 {
		return false, 0, nil
	}
	return true, left[0], nil
}

// reclaim takes one unit of capacity for a ticket coming back to its agent,
// whatever the agent's presence.
//
//	UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity
func reclaim(tx *gorm.DB, agentID int64) (bool, error) {
	res := tx.Exec(`UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity`, agentID)
	if res.Error != nil {
		return false, fmt.Errorf("%w: reclaim load: %w", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// lowerLoad gives one unit back, never below zero.
//
//	UPDATE agents SET active_load = active_load - 1 WHERE id = ? AND active_load > 0
func lowerLoad(tx *gorm.DB, agentID int64) error {
	if err := tx.Exec(`UPDATE agents SET active_load = active_load - 1 WHERE id = ? AND active_load > 0`, agentID).Error; err != nil {
		return fmt.Errorf("%w: lower load: %w", ErrStore, err)
	}
	return nil
}

// claimTicket sets the assignee of an unassigned ticket. False: another
// agent has it (the invariant's second half).
//
//	UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
//	WHERE id = ? AND assignee_id IS NULL
func claimTicket(tx *gorm.DB, ticketID, agentID, queueID int64, now time.Time) (bool, error) {
	res := ticket.ClaimUnassigned(tx, ticketID, agentID, queueID, now)
	if res.Error != nil {
		return false, fmt.Errorf("%w: claim ticket: %w", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// unassign clears a ticket's assignee if it is still that agent.
//
//	UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?
func unassign(tx *gorm.DB, ticketID, agentID int64, now time.Time) error {
	if err := ticket.Unassign(tx, ticketID, agentID, now).Error; err != nil {
		return fmt.Errorf("%w: unassign: %w", ErrStore, err)
	}
	return nil
}

// release lowers the load of a ticket's assignee, overall and on the
// ticket's channel, never below zero. The agent row is updated first, the
// order every assignment takes them in.
//
//	UPDATE agents SET active_load = active_load - 1
//	WHERE id = (SELECT assignee_id FROM tickets WHERE id = ?) AND active_load > 0
//	UPDATE agent_channel_loads SET active_load = active_load - 1
//	WHERE agent_id = (SELECT assignee_id FROM tickets WHERE id = ?)
//	  AND channel = (SELECT channel FROM tickets WHERE id = ?) AND active_load > 0
func release(tx *gorm.DB, ticketID int64) error {
	err := tx.Exec(`UPDATE agents SET active_load = active_load - 1
WHERE id = (SELECT assignee_id FROM tickets WHERE id = ?) AND active_load > 0`, ticketID).Error
	if err != nil {
		return fmt.Errorf("%w: release: %w", ErrStore, err)
	}
	err = tx.Exec(`UPDATE agent_channel_loads SET active_load = active_load - 1
WHERE agent_id = (SELECT assignee_id FROM tickets WHERE id = ?)
  AND channel = (SELECT channel FROM tickets WHERE id = ?) AND active_load > 0`, ticketID, ticketID).Error
	if err != nil {
		return fmt.Errorf("%w: release channel: %w", ErrStore, err)
	}
	return nil
}

// raiseChannel takes one unit of an agent's capacity on a channel: the
// agent's own, or the channel's default defCap where the row holds none
// (NULL). The row is created on first use, following the default; when
// two transactions create it at once the loser's INSERT does nothing and
// it reports "full" — conservative, never over capacity.
//
//	UPDATE agent_channel_loads SET active_load = active_load + 1
//	WHERE agent_id = ? AND channel = ? AND active_load < COALESCE(capacity, ?)
//	INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load)
//	VALUES (?, ?, NULL, 1) ON CONFLICT (agent_id, channel) DO NOTHING
func raiseChannel(tx *gorm.DB, agentID int64, channel string, defCap int) (bool, error) {
	res := tx.Exec(`UPDATE agent_channel_loads SET active_load = active_load + 1
WHERE agent_id = ? AND channel = ? AND active_load < COALESCE(capacity, ?)`, agentID, channel, defCap)
	if res.Error != nil {
		return false, fmt.Errorf("%w: raise channel load: %w", ErrStore, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	if defCap < 1 {
		return false, nil
	}
	res = tx.Exec(`INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load)
VALUES (?, ?, NULL, 1) ON CONFLICT (agent_id, channel) DO NOTHING`, agentID, channel)
	if res.Error != nil {
		return false, fmt.Errorf("%w: channel load row: %w", ErrStore, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// lowerChannel gives one unit of channel load back, never below zero.
//
//	UPDATE agent_channel_loads SET active_load = active_load - 1
//	WHERE agent_id = ? AND channel = ? AND active_load > 0
func lowerChannel(tx *gorm.DB, agentID int64, channel string) error {
	if err := tx.Exec(`UPDATE agent_channel_loads SET active_load = active_load - 1
WHERE agent_id = ? AND channel = ? AND active_load > 0`, agentID, channel).Error; err != nil {
		return fmt.Errorf("%w: lower channel load: %w", ErrStore, err)
	}
	return nil
}

// takeTurn records that an agent got a ticket of a queue (round robin).
//
//	UPDATE queue_members SET last_assigned_at = ? WHERE queue_id = ? AND agent_id = ?
func takeTurn(tx *gorm.DB, queueID, agentID int64, now time.Time) error {
	if err := tx.Exec(`UPDATE queue_members SET last_assigned_at = ? WHERE queue_id = ? AND agent_id = ?`, now, queueID, agentID).Error; err != nil {
		return fmt.Errorf("%w: queue turn: %w", ErrStore, err)
	}
	return nil
}

// waitTrace is a just-assigned ticket's queue and the trace its waiting
// message kept (tracing on only).
type waitTrace struct {
	ID        int64
	QueueID   int64
	WaitTrace string
}

// waitTraces reads, by primary key, the kept traces of tickets just
// assigned (routing/trace.go).
//
//	SELECT id, queue_id, COALESCE(wait_trace, '') AS wait_trace FROM tickets WHERE id IN (…)
func waitTraces(tx *gorm.DB, ids []int64) ([]waitTrace, error) {
	var out []waitTrace
	if err := tx.Raw(sqlWaitTraces, ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("routing: wait traces: %w", err)
	}
	return out, nil
}

const sqlWaitTraces = `SELECT id, COALESCE(queue_id, 0) AS queue_id, COALESCE(wait_trace, '') AS wait_trace FROM tickets WHERE id IN ?`
