package routing

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// Lock order. Every transaction that locks several agents or tickets on
// PostgreSQL takes them in one global order, so two core instances (and
// the agents' own requests) wait for each other and never deadlock:
//
//  1. tickets, by id ascending (ticket.LockInOrder for several; a
//     one-ticket operation locks its ticket first: lockTicket, Offer);
//  2. then agents, by id ascending (LockAgents for a batch; lockAgents for
//     a transfer's two agents; the liveness and presence UPDATEs of
//     several agents lock them in an id-ordered SELECT first and write
//     in a statement of their own: agent/store.go's lockThenWrite);
//  3. then an agent's channel loads, after the agent.
//
// The one exception never waits: AssignWaiting starts from its agent and
// only ever skips a locked ticket (SKIP LOCKED). A transaction the database
// still picks as a deadlock victim or fails for serialization is run again
// a bounded number of times (retryTx, the ingest batch, SetPresence).

// LockAgents locks, in id order until commit, every agent a batch's
// routing may change: the members of the given queues (RouteNew's
// candidates) and the given agents (the assignees a reopened ticket goes
// back to, Reactivate). The intake calls it once per batch, after its
// tickets and before RouteNew and Reactivate, whose own locks then only
// meet rows the transaction holds already: without it, Reactivate's
// reclaim took an assignee after RouteNew had locked members in id order,
// and two instances deadlocked on each other's agents. SQLite runs one
// writing transaction at a time: nothing to lock.
//
// Every member is locked, whatever their presence: locking only the
// online ones with room (lockMembers' set) left an agent who came online
// in between to RouteNew's lock, out of order, and under presence churn
// that deadlocked again (17 deadlocks and a failed drain in one run of
// TestTwoInstancesUnderAgentChurn, against 0-3 retried ones this way;
// none in 32 runs since the liveness writes lock before they write).
// The cost: offline members are locked too, for the batch.
//
//	SELECT id FROM agents
//	WHERE id IN (SELECT agent_id FROM queue_members WHERE queue_id IN (…)) OR id IN (…)
//	ORDER BY id FOR NO KEY UPDATE
func (r *Router) LockAgents(ctx context.Context, tx *gorm.DB, queueIDs, agentIDs []int64) error {
	if r.db.Dialect != db.Postgres {
		return nil
	}
	queueIDs = sortedIDs(queueIDs)
	agentIDs = sortedIDs(agentIDs)
	if len(queueIDs) == 0 && len(agentIDs) == 0 {
		return nil
	}
	var (
		where []string
		args  []any
	)
	if len(queueIDs) > 0 {
		where = append(where, `id IN (SELECT agent_id FROM queue_members WHERE queue_id IN (`+db.Placeholders(len(queueIDs))+`))`)
		for _, id := range queueIDs {
			args = append(args, id)
		}
	}
	if len(agentIDs) > 0 {
		where = append(where, `id IN (`+db.Placeholders(len(agentIDs))+`)`)
		for _, id := range agentIDs {
			args = append(args, id)
		}
	}
	q := `SELECT id FROM agents WHERE ` + where[0]
	if len(where) > 1 {
		q += ` OR ` + where[1]
	}
	var got []int64
	if err := tx.WithContext(ctx).Raw(q+` ORDER BY id FOR NO KEY UPDATE`, args...).Scan(&got).Error; err != nil {
		return fmt.Errorf("%w: lock agents: %w", ErrStore, err)
	}
	return nil
}

// sortedIDs is ids sorted, without zeros and repeats.
func sortedIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
