package routing

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// The statements Metrics and EstimateWait run.

// queueWaiting is one queue's waiting count and its oldest waiting ticket.
type queueWaiting struct {
	QueueID int64
	N       int
	// Oldest is read as text: SQLite's aggregate loses the column's
	// declared type, and database/sql renders PostgreSQL's time as
	// RFC 3339.
	Oldest *string
}

// waitingPerQueue reads every live queue's waiting count and oldest wait.
func waitingPerQueue(tx *gorm.DB) ([]queueWaiting, error) {
	var waiting []queueWaiting
	if err := tx.Raw(waitingPerQueueSQL).Scan(&waiting).Error; err != nil {
		return nil, fmt.Errorf("%w: waiting per queue: %w", ErrStore, err)
	}
	return waiting, nil
}

// waitingPerQueueSQL: the count from queue_waiting_counts' primary key, the
// oldest wait from the first entry of tickets_queue_waiting_idx, per queue.
const waitingPerQueueSQL = `SELECT q.id AS queue_id,
  CAST(COALESCE((SELECT SUM(c.n) FROM queue_waiting_counts c WHERE c.queue_id = q.id), 0) AS BIGINT) AS n,
  (SELECT MIN(t.created_at) FROM tickets t
   WHERE t.queue_id = q.id AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `) AS oldest
FROM queues q WHERE q.archived_at IS NULL`

// queueDueSoon is one queue's count of tickets whose SLA is at risk.
type queueDueSoon struct {
	QueueID int64
	N       int
}

// dueSoonPerQueue counts, per queue, the active tickets (SLA clock not
// paused) whose resolution or unmet first response falls due within
// ticket.SLADueSoon of now: the console's "SLA due soon" filter, counted
// (its predicates, ticket.SLARunningSQL and the two due rules).
func dueSoonPerQueue(tx *gorm.DB, now time.Time) ([]queueDueSoon, error) {
	var out []queueDueSoon
	soon := now.Add(ticket.SLADueSoon)
	if err := tx.Raw(dueSoonPerQueueSQL, now, soon, now, soon).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: SLA due soon per queue: %w", ErrStore, err)
	}
	return out, nil
}

// dueSoonPerQueueSQL reads the hour ahead of the two open-SLA indexes,
// one branch each (tickets_sla_open_idx on resolution_due_at,
// tickets_first_response_open_idx on first_response_due_at; UNION counts
// a ticket in both once), never the tickets already overdue: its cost
// follows the tickets falling due within the hour, not the backlog. One
// statement with OR let SQLite walk a queue index over every ticket.
const dueSoonPerQueueSQL = `SELECT s.queue_id, COUNT(*) AS n FROM (
  SELECT t.id, t.queue_id FROM tickets t WHERE ` + ticket.SLARunningSQL + ` AND ` + ticket.ResolutionDueSQL + `
  UNION
  SELECT t.id, t.queue_id FROM tickets t WHERE ` + ticket.SLARunningSQL + ` AND ` + ticket.FirstResponseDueSQL + `
) s GROUP BY s.queue_id`

// queueAgents counts one queue's members by what they can take.
type queueAgents struct {
	QueueID   int64
	Available int
	Busy      int
	Online    int
}

// agentsPerQueue counts every queue's members available, busy and online.
func agentsPerQueue(tx *gorm.DB) ([]queueAgents, error) {
	var agents []queueAgents
	if err := tx.Raw(agentsPerQueueSQL).Scan(&agents).Error; err != nil {
		return nil, fmt.Errorf("%w: agents per queue: %w", ErrStore, err)
	}
	return agents, nil
}

// agentsPerQueueSQL reads the members and agents tables whole: both grow
// with the staff, never with the tickets.
const agentsPerQueueSQL = `SELECT m.queue_id,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load < a.capacity THEN 1 ELSE 0 END) AS available,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceBusy + ` OR (a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load >= a.capacity) THEN 1 ELSE 0 END) AS busy,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceOnline + ` THEN 1 ELSE 0 END) AS online
FROM queue_members m JOIN agents a ON a.id = m.agent_id GROUP BY m.queue_id`

// foldWaitingCounts moves, on PostgreSQL, the waiting-count rows of
// database connections that no longer exist into backend 0, so the table
// stays at about one row per queue and live connection. Only rows nobody
// writes any more are touched (a connection writes only its own rows).
//
//	WITH gone AS (DELETE FROM queue_waiting_counts
//	  WHERE backend <> 0 AND backend NOT IN (SELECT pid FROM pg_stat_activity) RETURNING queue_id, n)
//	INSERT INTO queue_waiting_counts … SELECT queue_id, 0, SUM(n) FROM gone GROUP BY queue_id
//	ON CONFLICT (queue_id, backend) DO UPDATE SET n = c.n + excluded.n
func (m *Metrics) foldWaitingCounts(ctx context.Context) error {
	if m.db.Dialect != db.Postgres {
		return nil
	}
	err := m.db.WithContext(ctx).Exec(`WITH gone AS (
  DELETE FROM queue_waiting_counts
  WHERE backend <> 0 AND backend NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
  RETURNING queue_id, n
)
INSERT INTO queue_waiting_counts AS c (queue_id, backend, n)
SELECT queue_id, 0, SUM(n) FROM gone GROUP BY queue_id
ON CONFLICT (queue_id, backend) DO UPDATE SET n = c.n + excluded.n`).Error
	if err != nil {
		return fmt.Errorf("%w: fold waiting counts: %w", ErrStore, err)
	}
	return nil
}

// dbTime parses a timestamp an aggregate returned as text.
func dbTime(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if p, err := time.Parse(layout, *s); err == nil {
			return p, true
		}
	}
	return time.Time{}, false
}

// waitRow is what EstimateWaits reads of a ticket.
type waitRow struct {
	ID         int64
	QueueID    *int64
	AssigneeID *int64
	Status     domain.TicketStatus
}

// waitTickets reads the tickets EstimateWaits places (primary key).
func waitTickets(tx *gorm.DB, ids []int64) ([]waitRow, error) {
	var rows []waitRow
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		var part []waitRow
		if err := tx.Raw(`SELECT id, queue_id, assignee_id, status FROM tickets WHERE id IN (`+db.Placeholders(len(chunk))+`)`, args...).Scan(&part).Error; err != nil {
			return nil, fmt.Errorf("%w: tickets: %w", ErrStore, err)
		}
		rows = append(rows, part...)
	}
	return rows, nil
}

// onlineMembers counts the queue's members who are online (the
// queue_members primary key, then agents by id).
func onlineMembers(tx *gorm.DB, queueID int64) (int, error) {
	var n int
	if err := tx.Raw(onlineMembersSQL, queueID).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("%w: agents online: %w", ErrStore, err)
	}
	return n, nil
}

const onlineMembersSQL = `SELECT COUNT(*) FROM queue_members m JOIN agents a ON a.id = m.agent_id
WHERE m.queue_id = ? AND a.presence = ` + domain.SQLPresenceOnline

// lineTicket is one waiting ticket of a queue's line.
type lineTicket struct {
	ID        int64
	Priority  domain.Priority
	CreatedAt time.Time
}

// waitingLine reads every waiting ticket of a queue: the partial index of
// waiting tickets (queue_id, priority, created_at, id) holds every column
// read, so this reads the queue's waiting tickets and nothing else, however
// many tickets the table holds. The caller puts them in order.
func waitingLine(tx *gorm.DB, queueID int64) ([]lineTicket, error) {
	var out []lineTicket
	if err := tx.Raw(waitingLineSQL, queueID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: queue line: %w", ErrStore, err)
	}
	return out, nil
}

// The ORDER BY is the index's own (no sort): it makes SQLite's planner
// take this index over (queue_id, status), which would also read the
// queue's tickets being worked.
const waitingLineSQL = `SELECT id, priority, created_at FROM tickets
WHERE queue_id = ? AND assignee_id IS NULL AND status IN ` + domain.ActiveStatusesSQL + `
ORDER BY queue_id, priority, created_at, id`

// handleTime is the mean time from creation to solution of the queue's
// latest solved tickets, or defaultHandleTime when there are too few: a
// backward walk of the queue's solved tickets in tickets_queue_solved_idx
// (migration 0014), at most recentSolved entries.
func handleTime(tx *gorm.DB, queueID int64) (time.Duration, error) {
	var rows []struct {
		CreatedAt time.Time
		SolvedAt  time.Time
	}
	if err := tx.Raw(handleTimeSQL, queueID, recentSolved).Scan(&rows).Error; err != nil {
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

const handleTimeSQL = `SELECT created_at, solved_at FROM tickets
WHERE queue_id = ? AND solved_at IS NOT NULL ORDER BY solved_at DESC LIMIT ?`
