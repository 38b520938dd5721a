package routing

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// QueueMetrics is one queue's live state, published in bus.QueueMetrics.
type QueueMetrics = bus.QueueFigures

// Metrics computes every queue's metrics in two round trips. The waiting
// count is the sum of the queue's rows in queue_waiting_counts, which
// triggers on tickets keep (migration 0006): counting the waiting tickets
// themselves read every one of them (~95,000 rows for 100 queues under
// load, ~20 ms). The oldest wait is one probe of the waiting-ticket index
// (queue_id, created_at) per queue.
//
//	SELECT q.id, (SELECT SUM(n) FROM queue_waiting_counts c WHERE c.queue_id = q.id),
//	  (SELECT MIN(created_at) FROM tickets t WHERE t.queue_id = q.id AND <waiting>) FROM queues q
//	WHERE q.archived_at IS NULL
//	SELECT m.queue_id, SUM(online with room), SUM(busy or full), SUM(online) FROM queue_members m JOIN agents a … GROUP BY m.queue_id
func (r *Router) Metrics(ctx context.Context, now time.Time) ([]QueueMetrics, error) {
	conf, err := r.conf(ctx)
	if err != nil {
		return nil, err
	}
	tx := r.db.WithContext(ctx)
	var waiting []struct {
		QueueID int64
		N       int
		// Oldest is read as text: SQLite's aggregate loses the column's
		// declared type, and database/sql renders PostgreSQL's time as
		// RFC 3339.
		Oldest *string
	}
	if err := tx.Raw(`SELECT q.id AS queue_id,
  CAST(COALESCE((SELECT SUM(c.n) FROM queue_waiting_counts c WHERE c.queue_id = q.id), 0) AS BIGINT) AS n,
  (SELECT MIN(t.created_at) FROM tickets t
   WHERE t.queue_id = q.id AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `) AS oldest
FROM queues q WHERE q.archived_at IS NULL`).Scan(&waiting).Error; err != nil {
		return nil, fmt.Errorf("%w: waiting per queue: %w", ErrStore, err)
	}
	var agents []struct {
		QueueID   int64
		Available int
		Busy      int
		Online    int
	}
	if err := tx.Raw(`SELECT m.queue_id,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load < a.capacity THEN 1 ELSE 0 END) AS available,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceBusy + ` OR (a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load >= a.capacity) THEN 1 ELSE 0 END) AS busy,
  SUM(CASE WHEN a.presence = ` + domain.SQLPresenceOnline + ` THEN 1 ELSE 0 END) AS online
FROM queue_members m JOIN agents a ON a.id = m.agent_id GROUP BY m.queue_id`).Scan(&agents).Error; err != nil {
		return nil, fmt.Errorf("%w: agents per queue: %w", ErrStore, err)
	}
	out := make([]QueueMetrics, 0, len(conf.ordered))
	idx := make(map[int64]int, len(conf.ordered))
	for _, q := range conf.ordered {
		idx[q.ID] = len(out)
		m := QueueMetrics{QueueID: q.ID, Queue: q.Code, Name: q.Name, Open: q.cal.Open(now)}
		if q.OverflowQueue != 0 {
			m.OverflowAfterSeconds = int64(q.OverflowAfter / time.Second)
		}
		out = append(out, m)
	}
	for _, w := range waiting {
		if i, ok := idx[w.QueueID]; ok {
			out[i].Waiting = w.N
			if oldest, ok := dbTime(w.Oldest); w.Oldest != nil && ok {
				out[i].OldestWaitSeconds = int64(max(now.Sub(oldest), 0) / time.Second)
			}
		}
	}
	for _, a := range agents {
		if i, ok := idx[a.QueueID]; ok {
			out[i].AgentsAvailable, out[i].AgentsBusy, out[i].AgentsOnline = a.Available, a.Busy, a.Online
		}
	}
	return out, nil
}

// RunOpts sets the backstop loop's periods.
type RunOpts struct {
	// Sweep is how often time-triggered work runs (overflow, away grace,
	// SLA warnings and breaches); 0 means 15s.
	Sweep time.Duration
	// Metrics is how often queue metrics are published; 0 means 10s.
	Metrics time.Duration
}

// Run is the router's clock until ctx ends. Every instance may run it: each
// step is idempotent under the conditional statements.
func (r *Router) Run(ctx context.Context, o RunOpts) error {
	if o.Sweep <= 0 {
		o.Sweep = 15 * time.Second
	}
	if o.Metrics <= 0 {
		o.Metrics = 10 * time.Second
	}
	sweep := time.NewTicker(o.Sweep)
	defer sweep.Stop()
	metrics := time.NewTicker(o.Metrics)
	defer metrics.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sweep.C:
			if err := r.Sweep(ctx, time.Now().UTC()); err != nil && ctx.Err() == nil {
				r.log.Warn("routing sweep", "err", err)
			}
		case <-metrics.C:
			if err := r.foldWaitingCounts(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("fold waiting counts", "err", err)
			}
			m, err := r.Metrics(ctx, time.Now().UTC())
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("queue metrics", "err", err)
				}
				continue
			}
			r.events.Emit(bus.QueueMetrics{Queues: m, At: time.Now().UTC()})
		}
	}
}

// Sweep does the work time alone triggers: returns the tickets of agents
// away past the grace period, hands out tickets that crossed an overflow
// threshold (and any capacity a lost event left idle), and checks SLA
// clocks.
func (r *Router) Sweep(ctx context.Context, now time.Time) error {
	tx := r.db.WithContext(ctx)
	if r.awayGrace > 0 && r.returns != ReturnNone {
		var away []int64
		if err := tx.Raw(`SELECT id FROM agents WHERE presence = `+domain.SQLPresenceAway+` AND presence_changed_at <= ? AND active_load > 0`, now.Add(-r.awayGrace)).Scan(&away).Error; err != nil {
			return fmt.Errorf("%w: away agents: %w", ErrStore, err)
		}
		for _, id := range away {
			if _, err := r.ReturnTickets(ctx, id); err != nil {
				return err
			}
		}
	}
	// Online agents with room while tickets wait in a queue they may take
	// (their own, or one overflowing into theirs).
	var idle []int64
	if err := tx.Raw(`SELECT DISTINCT a.id FROM agents a JOIN queue_members m ON m.agent_id = a.id
WHERE a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load < a.capacity AND (
  EXISTS (SELECT 1 FROM tickets t WHERE t.queue_id = m.queue_id AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `)
  OR EXISTS (SELECT 1 FROM queues q JOIN tickets t ON t.queue_id = q.id
    WHERE q.overflow_queue_id = m.queue_id AND q.archived_at IS NULL AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `))
ORDER BY a.id`).Scan(&idle).Error; err != nil {
		return fmt.Errorf("%w: idle agents: %w", ErrStore, err)
	}
	for _, id := range idle {
		if _, err := r.AssignWaiting(ctx, id); err != nil {
			return err
		}
	}
	return r.CheckSLA(ctx, now)
}

// foldWaitingCounts moves, on PostgreSQL, the waiting-count rows of
// database connections that no longer exist into backend 0, so the table
// stays at about one row per queue and live connection. Only rows nobody
// writes any more are touched (a connection writes only its own rows).
//
//	WITH gone AS (DELETE FROM queue_waiting_counts
//	  WHERE backend <> 0 AND backend NOT IN (SELECT pid FROM pg_stat_activity) RETURNING queue_id, n)
//	INSERT INTO queue_waiting_counts … SELECT queue_id, 0, SUM(n) FROM gone GROUP BY queue_id
//	ON CONFLICT (queue_id, backend) DO UPDATE SET n = c.n + excluded.n
func (r *Router) foldWaitingCounts(ctx context.Context) error {
	if r.db.Dialect != db.Postgres {
		return nil
	}
	err := r.db.WithContext(ctx).Exec(`WITH gone AS (
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
