package routing

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"tanggap/internal/ticket"
)

// On PostgreSQL the conditional statements of one assignment travel as one
// statement of data-modifying CTEs, each later one running only when the
// earlier returned a row. The conditions are the same as the step-by-step
// path's, and each UPDATE still re-checks its WHERE on the latest row
// under the row lock; what changes is the number of round trips, which is
// what an assignment decision costs. Rows are still taken agent, channel
// load, ticket: each CTE reads the previous one's output.

// takeOneStatement is take's three statements in one on PostgreSQL.
//
//	WITH a AS (UPDATE agents SET active_load = active_load + 1 … WHERE … AND active_load < capacity RETURNING id),
//	     c AS (UPDATE agent_channel_loads SET active_load = active_load + 1
//	           WHERE … AND active_load < COALESCE(capacity, ?) AND EXISTS (SELECT 1 FROM a) RETURNING agent_id),
//	     k AS (UPDATE tickets SET assignee_id = ? … WHERE id = ? AND assignee_id IS NULL AND EXISTS (SELECT 1 FROM c) RETURNING id)
//	SELECT (SELECT COUNT(*) FROM a), (SELECT COUNT(*) FROM c), (SELECT COUNT(*) FROM k)
func takeOneStatement(tx *gorm.DB, agentID, ticketID, queueID int64, channel string, defCap int, presence string, now time.Time) (outcome, error) {
	var rows []struct{ A, C, K int }
	err := tx.Raw(`WITH a AS (
  UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
  WHERE id = ? AND `+presence+` AND active_load < capacity RETURNING id
), c AS (
  UPDATE agent_channel_loads SET active_load = active_load + 1
  WHERE agent_id = ? AND channel = ? AND active_load < COALESCE(capacity, ?) AND EXISTS (SELECT 1 FROM a) RETURNING agent_id
), k AS (
  `+ticket.ClaimAfterCTE+`
)
SELECT (SELECT COUNT(*) FROM a) AS a, (SELECT COUNT(*) FROM c) AS c, (SELECT COUNT(*) FROM k) AS k`,
		now, agentID, agentID, channel, defCap, agentID, queueID, now, ticketID).Scan(&rows).Error
	if err != nil {
		return agentFull, fmt.Errorf("%w: assign: %w", ErrStore, err)
	}
	if len(rows) != 1 {
		return agentFull, fmt.Errorf("%w: assign: %d result rows", ErrStore, len(rows))
	}
	switch r := rows[0]; {
	case r.A == 0:
		return agentFull, nil
	case r.C == 0:
		// No channel row yet (first ticket on this channel) or full: the
		// step-by-step path creates the row or refuses.
		ok, err := raiseChannel(tx, agentID, channel, defCap)
		if err != nil {
			return agentFull, err
		}
		if !ok {
			return channelFull, lowerLoad(tx, agentID)
		}
		return claimOrUndo(tx, agentID, ticketID, queueID, channel, now)
	case r.K == 0:
		if err := lowerChannel(tx, agentID, channel); err != nil {
			return agentFull, err
		}
		return ticketTaken, lowerLoad(tx, agentID)
	}
	return assigned, nil
}

// claimRaised finishes an assignment whose agent load is already raised
// (AssignWaiting step by step, SQLite): the channel load and the ticket. A
// refusal is reported, not undone: the caller rolls back.
func (r *Router) claimRaised(tx *gorm.DB, agentID int64, w waitingTicket, now time.Time) (outcome, error) {
	ch, err := raiseChannel(tx, agentID, w.Channel, r.settings.channelCap(w.Channel))
	if err != nil {
		return agentFull, err
	}
	if !ch {
		return channelFull, nil
	}
	claimed, err := claimTicket(tx, w.ID, agentID, w.QueueID, now)
	if err != nil {
		return agentFull, err
	}
	if !claimed {
		return ticketTaken, nil
	}
	return assigned, nil
}
