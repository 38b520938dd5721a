package routing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// RemovedQueue is what RemoveQueue did with a queue.
type RemovedQueue struct {
	Code string `json:"code"`
	// Moved counts the open tickets moved to the move_to queue.
	Moved int `json:"moved"`
	// Archived: the queue still holds (solved or closed) tickets, so its
	// row stays for reports, hidden from routing; false: it was deleted.
	Archived bool `json:"archived"`
}

// RemoveQueue takes a queue out of routing. It refuses (ErrQueueInUse,
// an ErrConflict) while something still points at the queue: it is the
// default queue or a category's queue in the configuration, a live queue
// overflows into it, or it has open (new, open, pending) tickets and
// moveTo is empty. moveTo, when given, must be another live queue
// (ErrInvalid); an unknown or archived code is ErrUnknownQueue.
//
// In one transaction the open tickets move to moveTo (assigned ones keep
// their agent and load), each with an audit row naming by; then the queue
// is deleted when no ticket refers to it any more (memberships and SLA
// policies go with it), else archived: its members are removed, its SLA
// policies and solved or closed tickets stay for reports (one more audit
// row records the removal). After commit the moved waiting tickets are
// offered in their new queue.
//
//	SELECT id FROM queues WHERE code = ? AND archived_at IS NULL FOR NO KEY UPDATE
//	SELECT code FROM queues WHERE overflow_queue_id = ? AND archived_at IS NULL
//	SELECT COUNT(*) FROM tickets WHERE queue_id = ? AND status IN ('new', 'open', 'pending')
//	UPDATE tickets SET queue_id = ?, updated_at = ? WHERE queue_id = ? AND status IN (…)
//	  RETURNING id, assignee_id, status, priority, channel, tracking_number, subject, first_response_due_at, resolution_due_at
//	INSERT INTO audit_log (agent_id, ticket_id, action, detail, created_at) VALUES (?, ?, 'queue.remove', ?, ?), …
//	SELECT COUNT(*) FROM tickets WHERE queue_id = ?
//	DELETE FROM queues WHERE id = ?; DELETE FROM queue_waiting_counts WHERE queue_id = ?
//	-- or, when tickets remain:
//	UPDATE queues SET archived_at = ?, updated_at = ? WHERE id = ?; DELETE FROM queue_members WHERE queue_id = ?
func (a *Admin) RemoveQueue(ctx context.Context, by Actor, code, moveTo string) (RemovedQueue, error) {
	code, moveTo = strings.TrimSpace(code), strings.TrimSpace(moveTo)
	out := RemovedQueue{Code: code}
	var (
		moved        []movedTicket
		target, gone int64 // the queue moved to, the queue removed
	)
	now := time.Now().UTC()
	err := retryTx(ctx, a.db, func(tx *gorm.DB) error {
		out, moved, target = RemovedQueue{Code: code}, nil, 0
		id, err := lockQueue(tx, a.db.Dialect, code)
		if err != nil {
			return err
		}
		gone = id
		if err := a.pointedAt(tx, id, code); err != nil {
			return err
		}
		if moveTo != "" {
			if moveTo == code {
				return fmt.Errorf("%w: move_to must name another queue than %q", ErrInvalid, code)
			}
			target, err = findQueue(tx, moveTo)
			if errors.Is(err, ErrUnknownQueue) {
				return fmt.Errorf("%w: move_to queue %q does not exist or was removed", ErrInvalid, moveTo)
			}
			if err != nil {
				return err
			}
		}
		open, err := ticketsInQueue(tx, id, true)
		if err != nil {
			return err
		}
		if open > 0 && target == 0 {
			return fmt.Errorf("%w: queue %q has %d open tickets (new, open or pending); give move_to to move them to another queue",
				ErrQueueInUse, code, open)
		}
		if open > 0 {
			if moved, err = moveOpen(tx, id, target, now); err != nil {
				return err
			}
			ids := make([]int64, len(moved))
			for i, t := range moved {
				ids[i] = t.ID
			}
			if err := auditMany(tx, by.ID, "queue.remove", ids, fmt.Sprintf("queue %s removed -> queue %s", code, moveTo), now); err != nil {
				return err
			}
		}
		out.Moved = len(moved)
		left, err := ticketsInQueue(tx, id, false)
		if err != nil {
			return err
		}
		out.Archived = left > 0
		what := "deleted"
		if out.Archived {
			what = "archived"
			err = archiveQueue(tx, id, now)
		} else {
			err = deleteQueue(tx, id)
		}
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("queue %s removed (%s)", code, what)
		if out.Moved > 0 {
			detail += fmt.Sprintf(", %d open tickets moved to queue %s", out.Moved, moveTo)
		}
		return audit(tx, by.ID, "queue.remove", 0, detail, now)
	})
	if err != nil {
		return RemovedQueue{}, err
	}
	a.settings.changed()
	a.log.Info("queue removed", "queue", code, "moved", out.Moved, "move_to", moveTo, "archived", out.Archived)
	// Assigned tickets stay with their agent; waiting ones are offered in
	// their new queue at once, as after a transfer.
	for _, t := range moved {
		ev := ticketEvent(t.ID, target, idOf(t.AssigneeID), t.Status, t.Priority, t.Channel, t.Facts, now)
		ev.PreviousQueueID = gone // its members hear the ticket leave
		bus.EmitIn(ctx, a.events, bus.TicketUpdated(ev))
		if t.AssigneeID != nil {
			continue
		}
		if _, err := a.work.Offer(ctx, t.ID, 0); err != nil {
			a.log.Warn("offer ticket of a removed queue", "ticket_id", t.ID, "queue", moveTo, "err", err)
		}
	}
	return out, nil
}

// pointedAt refuses the removal of a queue the configuration or another
// live queue's overflow points at.
func (a *Admin) pointedAt(tx *gorm.DB, id int64, code string) error {
	if code == a.settings.def {
		return fmt.Errorf("%w: queue %q is the default queue (DEFAULT_QUEUE); configure another default first", ErrQueueInUse, code)
	}
	var cats []string
	for cat, q := range a.settings.categories {
		if q == code {
			cats = append(cats, cat)
		}
	}
	if len(cats) > 0 {
		sort.Strings(cats)
		return fmt.Errorf("%w: queue %q takes the categories %s (CATEGORY_QUEUES); map them to another queue first",
			ErrQueueInUse, code, strings.Join(cats, ", "))
	}
	from, err := overflowingInto(tx, id)
	if err != nil {
		return err
	}
	if len(from) > 0 {
		return fmt.Errorf("%w: queues %s overflow into queue %q; change their overflow queue first",
			ErrQueueInUse, strings.Join(from, ", "), code)
	}
	return nil
}

// movedTicket is an open ticket moved out of a removed queue.
type movedTicket struct {
	ID         int64
	AssigneeID *int64
	Status     domain.TicketStatus
	Priority   domain.Priority
	Channel    string
	Facts      eventFacts `gorm:"embedded"` // for its event
}

// moveOpen files every open ticket of a queue in another one. Assignees
// and loads are untouched: an assigned ticket stays with its agent.
func moveOpen(tx *gorm.DB, from, to int64, now time.Time) ([]movedTicket, error) {
	var moved []movedTicket
	if err := ticket.MoveActive(tx, from, to, now, `id, assignee_id, status, priority, channel, `+factCols).Scan(&moved).Error; err != nil {
		return nil, fmt.Errorf("%w: move open tickets: %w", ErrStore, err)
	}
	sort.Slice(moved, func(i, j int) bool { return moved[i].ID < moved[j].ID })
	return moved, nil
}

// auditMany records one routing action on many tickets (0: none) by one
// agent (0: none).
//
//	INSERT INTO audit_log (agent_id, ticket_id, action, detail, created_at) VALUES (?, ?, ?, ?, ?), …
func auditMany(tx *gorm.DB, agentID int64, action string, ticketIDs []int64, detail string, now time.Time) error {
	return db.Chunks(len(ticketIDs), 5, func(lo, hi int) error {
		args := make([]any, 0, 5*(hi-lo))
		for _, id := range ticketIDs[lo:hi] {
			args = append(args, nullID(agentID), nullID(id), action, detail, now)
		}
		q := `INSERT INTO audit_log (agent_id, ticket_id, action, detail, created_at) VALUES ` + db.Tuples(hi-lo, 5)
		if err := tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("%w: audit: %w", ErrStore, err)
		}
		return nil
	})
}
