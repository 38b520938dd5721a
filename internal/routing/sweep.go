package routing

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/domain"
)

// RunOpts sets the backstop loop's period.
type RunOpts struct {
	// Sweep is how often time-triggered work runs (overflow, away grace,
	// SLA warnings and breaches); 0 means 15s.
	Sweep time.Duration
}

// Run is the router's clock until ctx ends. Every instance may run it: each
// step is idempotent under the conditional statements. The queue metrics
// are published by Metrics.Run.
func (r *Router) Run(ctx context.Context, o RunOpts) error {
	if o.Sweep <= 0 {
		o.Sweep = 15 * time.Second
	}
	sweep := time.NewTicker(o.Sweep)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sweep.C:
			if err := r.Sweep(ctx, time.Now().UTC()); err != nil && ctx.Err() == nil {
				r.log.Warn("routing sweep", "err", err)
			}
		}
	}
}

// Sweep does the work time alone triggers: returns the tickets of agents
// away past the grace period, hands out tickets that crossed an overflow
// threshold (and any capacity a lost event left idle). The SLA clocks are
// checked by Clocks.Run.
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
		if _, err := r.assignWaiting(ctx, id, nil, false); err != nil {
			return err
		}
	}
	return nil
}
