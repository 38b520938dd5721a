package routing

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/sla"
	"tanggap/internal/ticket"
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
// SLA clocks (ticket.FileTickets: one statement per batch on PostgreSQL).
func fileTickets(tx *gorm.DB, fs []filing, now time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	rows := make([]ticket.Filed, len(fs))
	for i, f := range fs {
		rows[i] = ticket.Filed{ID: f.id, QueueID: f.QueueID, Priority: f.Priority, FirstResponseDue: f.FirstResponseDue, ResolutionDue: f.ResolutionDue}
	}
	if err := ticket.FileTickets(tx, rows, now); err != nil {
		return fmt.Errorf("%w: file tickets: %w", ErrStore, err)
	}
	return nil
}
