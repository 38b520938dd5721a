package routing

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/sla"
)

// startClock computes the due times of a ticket entering a queue.
func (r *Router) startClock(q *queueConf, priority domain.Priority, now time.Time) sla.Clock {
	if q == nil {
		return sla.Clock{}
	}
	p, ok := q.policies[priority]
	if !ok {
		return sla.Clock{}
	}
	return sla.Start(q.cal, p, now)
}

// filing is a stored ticket's Filing, for fileTickets.
type filing struct {
	id int64
	Filing
}

// filing files a ticket in queue q (qid) with a priority, its SLA clock
// starting now.
func (r *Router) filing(q *queueConf, qid int64, priority domain.Priority, now time.Time) Filing {
	c := r.startClock(q, priority, now)
	return Filing{QueueID: qid, Priority: priority, FirstResponseDue: c.FirstResponseDue, ResolutionDue: c.ResolutionDue}
}

// fileTickets puts new tickets in their queues with their priorities and
// SLA clocks. On PostgreSQL a whole batch is one statement (a batch of
// new tickets is routed in the ingest transaction, and a statement per
// ticket would be a round trip per ticket):
//
//	UPDATE tickets AS t SET queue_id = v.q, priority = v.p, first_response_due_at = v.f,
//	  resolution_due_at = v.r, updated_at = ?
//	FROM (VALUES (?::bigint, ?::bigint, ?::text, ?::timestamptz, ?::timestamptz), …) AS v(id, q, p, f, r)
//	WHERE t.id = v.id
//
// SQLite runs in the process, so one UPDATE per ticket costs no round trip.
func fileTickets(tx *gorm.DB, fs []filing, now time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	if !db.IsPostgres(tx) {
		for _, f := range fs {
			if err := tx.Exec(`UPDATE tickets SET queue_id = ?, priority = ?, first_response_due_at = ?, resolution_due_at = ?, updated_at = ?
WHERE id = ?`, f.QueueID, f.Priority, db.NullTime(f.FirstResponseDue), db.NullTime(f.ResolutionDue), now, f.id).Error; err != nil {
				return fmt.Errorf("%w: file ticket: %w", ErrStore, err)
			}
		}
		return nil
	}
	const cols = 5
	return db.Chunks(len(fs), cols, func(lo, hi int) error {
		args := make([]any, 0, 1+(hi-lo)*cols)
		args = append(args, now)
		var vals strings.Builder
		for i, f := range fs[lo:hi] {
			if i > 0 {
				vals.WriteString(", ")
			}
			vals.WriteString("(?::bigint, ?::bigint, ?::text, ?::timestamptz, ?::timestamptz)")
			args = append(args, f.id, f.QueueID, f.Priority, db.NullTime(f.FirstResponseDue), db.NullTime(f.ResolutionDue))
		}
		if err := tx.Exec(`UPDATE tickets AS t SET queue_id = v.q, priority = v.p, first_response_due_at = v.f,
  resolution_due_at = v.r, updated_at = ?
FROM (VALUES `+vals.String()+`) AS v(id, q, p, f, r)
WHERE t.id = v.id`, args...).Error; err != nil {
			return fmt.Errorf("%w: file tickets: %w", ErrStore, err)
		}
		return nil
	})
}
