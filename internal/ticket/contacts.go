package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/contact"
	"tanggap/internal/db"
	"tanggap/internal/envelope"
)

// The contact panel reads a citizen's tickets here, and a merge or split
// of contacts moves tickets from one contact to another here: both touch
// the tickets table, which this package owns. internal/contact calls
// these methods through its contact.Tickets interface.

var _ contact.Tickets = (*Service)(nil)

// maxHistory bounds the tickets one panel read returns.
const maxHistory = 500

// ContactHistory returns the tickets of a contact that viewer may open,
// newest first, and how many others the contact has that viewer may not
// open (only the count: nothing else of them leaves this method).
//
//	SELECT t.id, t.tracking_number, … FROM tickets t
//	LEFT JOIN queues q ON q.id = t.queue_id LEFT JOIN agents a ON a.id = t.assignee_id
//	WHERE t.contact_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT ?
func (s *Service) ContactHistory(ctx context.Context, viewer agent.Agent, contactID int64) (contact.History, error) {
	var rows []contact.HistoryTicket
	err := s.db.WithContext(ctx).Raw(historySQL, contactID, maxHistory+1).Scan(&rows).Error
	if err != nil {
		return contact.History{}, fmt.Errorf("ticket: contact history: %w", err)
	}
	h := contact.History{Tickets: []contact.HistoryTicket{}}
	if len(rows) > maxHistory {
		rows, h.Truncated = rows[:maxHistory], true
	}
	for _, r := range rows {
		if visible(viewer, Summary{QueueID: r.QueueID, AssigneeID: r.AssigneeID}) {
			h.Tickets = append(h.Tickets, r)
		} else {
			h.Hidden++
		}
	}
	return h, nil
}

const historySQL = `SELECT t.id, t.tracking_number, t.status, t.priority, t.channel, t.category, t.subject,
	t.queue_id, COALESCE(q.name, '') AS queue, t.assignee_id, COALESCE(a.name, '') AS assignee_name,
	t.created_at, t.last_message_at, t.solved_at, t.reporter_phone, t.reporter_email
FROM tickets t
LEFT JOIN queues q ON q.id = t.queue_id
LEFT JOIN agents a ON a.id = t.assignee_id
WHERE t.contact_id = ?
ORDER BY t.created_at DESC, t.id DESC
LIMIT ?`

// HistorySQL is the panel's statement, for EXPLAIN tests.
const HistorySQL = historySQL

// MoveAllToContact moves every ticket of contact from to contact to inside
// tx and returns the ids moved, each with an audit_log row
// ("ticket.contact_moved", the reason given). One statement decides what
// moves, so a ticket opened for from by a transaction that committed
// before this one is moved too, and none is moved twice.
//
//	UPDATE tickets SET contact_id = ? WHERE contact_id = ? RETURNING id
func (s *Service) MoveAllToContact(ctx context.Context, tx *gorm.DB, from, to, agentID int64, reason string, now time.Time) ([]int64, error) {
	var ids []int64
	if err := db.Query(tx.WithContext(ctx), `UPDATE tickets SET contact_id = ? WHERE contact_id = ? RETURNING id`,
		[]any{to, from}, scanIDs(&ids)); err != nil {
		return nil, fmt.Errorf("ticket: move to contact: %w", err)
	}
	return ids, s.auditMoves(ctx, tx, ids, from, to, agentID, reason, now)
}

// MoveToContact moves the listed tickets from contact from to contact to
// inside tx (a split putting back what a merge moved) and returns the ids
// that were still on from and moved.
//
//	UPDATE tickets SET contact_id = ? WHERE contact_id = ? AND id IN (?, …) RETURNING id
func (s *Service) MoveToContact(ctx context.Context, tx *gorm.DB, ids []int64, from, to, agentID int64, reason string, now time.Time) ([]int64, error) {
	var moved []int64
	err := db.Chunks(len(ids), 2, func(lo, hi int) error {
		args := append([]any{to, from}, db.Anys(ids[lo:hi])...)
		return db.Query(tx.WithContext(ctx), `UPDATE tickets SET contact_id = ? WHERE contact_id = ? AND id IN (`+
			db.Placeholders(hi-lo)+`) RETURNING id`, args, scanIDs(&moved))
	})
	if err != nil {
		return nil, fmt.Errorf("ticket: move to contact: %w", err)
	}
	return moved, s.auditMoves(ctx, tx, moved, from, to, agentID, reason, now)
}

func (s *Service) auditMoves(ctx context.Context, tx *gorm.DB, ids []int64, from, to, agentID int64, reason string, now time.Time) error {
	for _, id := range ids {
		if err := s.store.audit(ctx, tx, agentID, "ticket.contact_moved", id,
			fmt.Sprintf("contact %d -> %d (%s)", from, to, reason), now); err != nil {
			return err
		}
	}
	return nil
}

// ContactsReportedWith lists contacts other than except that have a ticket
// reported with one of phones or emails (the addresses given when the
// ticket was opened), with the address that matched.
//
//	SELECT DISTINCT contact_id, reporter_phone FROM tickets WHERE reporter_phone IN (…) AND reporter_phone <> '' AND contact_id <> ?
//	SELECT DISTINCT contact_id, reporter_email FROM tickets WHERE reporter_email IN (…) AND reporter_email <> '' AND contact_id <> ?
func (s *Service) ContactsReportedWith(ctx context.Context, phones, emails []string, except int64) ([]contact.Reported, error) {
	var out []contact.Reported
	q := s.db.WithContext(ctx)
	for _, c := range []struct {
		col, kind string
		vals      []string
	}{{"reporter_phone", contact.KindPhone, phones}, {"reporter_email", contact.KindEmail, emails}} {
		if len(c.vals) == 0 {
			continue
		}
		var rows []struct {
			ContactID int64
			Value     string
		}
		if err := q.Raw(`SELECT DISTINCT contact_id, `+c.col+` AS value FROM tickets WHERE `+c.col+` IN ? AND `+c.col+` <> '' AND contact_id <> ? LIMIT 50`,
			c.vals, except).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("ticket: reported with: %w", err)
		}
		for _, r := range rows {
			out = append(out, contact.Reported{ContactID: r.ContactID, Kind: c.kind, Value: r.Value})
		}
	}
	return out, nil
}

func scanIDs(out *[]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		*out = append(*out, id)
		return nil
	}
}

// conversationTo points a reply at the addresses its conversation was
// opened with (the ticket's reporter phone and e-mail) when the ticket has
// them. A contact may hold several phones (one from the form, one from
// WhatsApp, more after a merge); the contact's first one is only the
// fallback, so a reply never goes to another number of the same citizen.
//
//	SELECT reporter_phone, reporter_email FROM tickets WHERE id = ?
func (s *Service) conversationTo(ctx context.Context, tx *gorm.DB, ticketID int64, to envelope.Sender) (envelope.Sender, error) {
	var rows []struct{ ReporterPhone, ReporterEmail string }
	if err := tx.WithContext(ctx).Raw(`SELECT reporter_phone, reporter_email FROM tickets WHERE id = ?`, ticketID).Scan(&rows).Error; err != nil {
		return to, fmt.Errorf("ticket: conversation address: %w", err)
	}
	if len(rows) == 1 {
		if rows[0].ReporterPhone != "" {
			to.Phone = rows[0].ReporterPhone
		}
		if rows[0].ReporterEmail != "" {
			to.Email = rows[0].ReporterEmail
		}
	}
	return to, nil
}
