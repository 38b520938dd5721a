package ingest

import (
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// tune prepares a batch transaction (PostgreSQL: see tunePG).
func tune(tx *gorm.DB) error {
	if db.IsPostgres(tx) {
		return tunePG(tx)
	}
	return nil
}

// msgKey is the idempotency key of a citizen message.
type msgKey struct{ channel, providerID string }

// existingMessages returns which keys are already stored: a redelivery,
// or a provider's retry published under another Nats-Msg-Id.
//
//	SELECT channel, provider_message_id FROM messages
//	WHERE (channel = ? AND provider_message_id IN (?, …)) OR …
func existingMessages(tx *gorm.DB, keys []msgKey) (map[msgKey]bool, error) {
	if db.IsPostgres(tx) {
		return existingMessagesPG(tx, keys)
	}
	out := map[msgKey]bool{}
	byChannel := map[string][]any{}
	var channels []string
	for _, k := range keys {
		if _, ok := byChannel[k.channel]; !ok {
			channels = append(channels, k.channel)
		}
		byChannel[k.channel] = append(byChannel[k.channel], k.providerID)
	}
	for _, ch := range channels {
		ids := byChannel[ch]
		err := db.Chunks(len(ids), 1, func(lo, hi int) error {
			q := `SELECT channel, provider_message_id FROM messages WHERE channel = ? AND provider_message_id IN (` + db.Placeholders(hi-lo) + `)`
			err := db.Query(tx, q, append([]any{ch}, ids[lo:hi]...), scanKeys(out))
			if err != nil {
				return fmt.Errorf("%w: existing messages: %v", ErrStore, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ticketRow is a stored ticket as threading sees it.
type ticketRow struct {
	ID             int64
	TrackingNumber string
	ContactID      int64
	Channel        string
	Category       string
	Status         domain.TicketStatus
	QueueID        *int64
	AssigneeID     *int64
	// For the batch's events only.
	Priority         domain.Priority
	Subject          string
	FirstResponseDue *time.Time
	ResolutionDue    *time.Time
}

const ticketCols = `id, tracking_number, contact_id, channel, category, status, queue_id, assignee_id,
  priority, subject, first_response_due_at, resolution_due_at`

func scanTicket(r *sql.Rows) (ticketRow, error) {
	var t ticketRow
	var queue, assignee sql.NullInt64
	var frd, rd sql.NullTime
	err := r.Scan(&t.ID, &t.TrackingNumber, &t.ContactID, &t.Channel, &t.Category, &t.Status, &queue, &assignee,
		&t.Priority, &t.Subject, &frd, &rd)
	if frd.Valid {
		t.FirstResponseDue = &frd.Time
	}
	if rd.Valid {
		t.ResolutionDue = &rd.Time
	}
	if queue.Valid {
		t.QueueID = &queue.Int64
	}
	if assignee.Valid {
		t.AssigneeID = &assignee.Int64
	}
	return t, err
}

// queryTickets runs a statement returning ticketCols.
func queryTickets(tx *gorm.DB, q string, args []any, each func(ticketRow)) error {
	return db.Query(tx, q, args, func(r *sql.Rows) error {
		t, err := scanTicket(r)
		if err == nil {
			each(t)
		}
		return err
	})
}

// ticketsByTracking reads the tickets that messages name as ThreadRef.
//
//	SELECT id, tracking_number, … FROM tickets WHERE tracking_number IN (?, …)
func ticketsByTracking(tx *gorm.DB, numbers []string) (map[string]ticketRow, error) {
	if db.IsPostgres(tx) {
		return ticketsByTrackingPG(tx, numbers)
	}
	out := make(map[string]ticketRow, len(numbers))
	err := db.Chunks(len(numbers), 1, func(lo, hi int) error {
		q := `SELECT ` + ticketCols + ` FROM tickets WHERE tracking_number IN (` + db.Placeholders(hi-lo) + `)`
		if err := queryTickets(tx, q, db.Anys(numbers[lo:hi]), func(t ticketRow) { out[t.TrackingNumber] = t }); err != nil {
			return fmt.Errorf("%w: tickets by tracking number: %v", ErrStore, err)
		}
		return nil
	})
	return out, err
}

// activeTickets reads the contacts' tickets a new message may join: those
// in new/open/pending and, when solvedSince is set, those solved since
// then (the reopen window). Solved ones come first, then oldest first, so
// the last one per (contact, channel) is the newest active ticket, else
// the newest recently solved one.
//
//	SELECT id, tracking_number, … FROM tickets
//	WHERE contact_id IN (?, …) AND (status IN ('new', 'open', 'pending')
//	  OR (status = 'solved' AND solved_at >= ?))
//	ORDER BY CASE WHEN status = 'solved' THEN 0 ELSE 1 END, created_at, id
func activeTickets(tx *gorm.DB, contactIDs []int64, solvedSince time.Time) ([]ticketRow, error) {
	if db.IsPostgres(tx) {
		return activeTicketsPG(tx, contactIDs, solvedSince)
	}
	var out []ticketRow
	err := db.Chunks(len(contactIDs), 2, func(lo, hi int) error {
		q := `SELECT ` + ticketCols + ` FROM tickets WHERE contact_id IN (` + db.Placeholders(hi-lo) +
			`) AND (status IN ` + domain.ActiveStatusesSQL + ` OR (status = ` + domain.SQLStatusSolved + ` AND solved_at >= ?))
			ORDER BY CASE WHEN status = ` + domain.SQLStatusSolved + ` THEN 0 ELSE 1 END, created_at, id`
		args := append(db.Anys(contactIDs[lo:hi]), reopenSince(solvedSince))
		if err := queryTickets(tx, q, args, func(t ticketRow) { out = append(out, t) }); err != nil {
			return fmt.Errorf("%w: active tickets: %v", ErrStore, err)
		}
		return nil
	})
	return out, err
}

// reopenSince is the solved_at bound of activeTickets: without a reopen
// window, a time no ticket was solved after.
func reopenSince(t time.Time) time.Time {
	if t.IsZero() {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.UTC()
}

// insertTickets creates the batch's new tickets, filed (queue, priority,
// SLA due times), and fills their ids (ticket.InsertTickets).
func insertTickets(tx *gorm.DB, ts []*ticketState, now time.Time) error {
	if len(ts) == 0 {
		return nil
	}
	rows := make([]ticket.NewTicketRow, len(ts))
	for i, t := range ts {
		rows[i] = ticket.NewTicketRow{TrackingNumber: t.trackingNumber, ContactID: t.contactID, Channel: t.channel,
			Category: t.category, Subject: t.subject, QueueID: t.queueID, Priority: t.priority(),
			FirstResponseDue: t.filing.FirstResponseDue, ResolutionDue: t.filing.ResolutionDue, Province: t.province,
			ReporterPhone: t.reporterPhone, ReporterEmail: t.reporterEmail, CreatedAt: t.createdAt, LastMessageAt: t.lastMessageAt,
			WaitTrace: t.waitTrace}
	}
	ids, err := ticket.InsertTickets(tx, rows, now)
	if err != nil {
		return fmt.Errorf("%w: insert tickets: %v", ErrStore, err)
	}
	for i, t := range ts {
		t.id = ids[i]
	}
	return nil
}

// priority is the filed priority, normal when routing set none.
func (t *ticketState) priority() domain.Priority {
	if t.filing.Priority == "" {
		return domain.PriorityNormal
	}
	return t.filing.Priority
}

// insertMessages stores citizen messages in stream order and sets the
// message id of those inserted (ticket.InsertInbound: a redelivery, or a
// copy another instance stored meanwhile, is a no-op).
func insertMessages(tx *gorm.DB, items []*item, now time.Time) error {
	rows := make([]ticket.InboundRow, len(items))
	for i, it := range items {
		rows[i] = ticket.InboundRow{TicketID: it.ticket.id, Channel: string(it.in.Channel), ProviderMessageID: it.in.ProviderMessageID,
			Body: it.in.Text, Fields: it.fields, ReceivedAt: it.in.ReceivedAt.UTC()}
	}
	ids, err := ticket.InsertInbound(tx, rows, now)
	if err != nil {
		return fmt.Errorf("%w: insert messages: %v", ErrStore, err)
	}
	for i, it := range items {
		if ids[i] != 0 {
			it.messageID = ids[i]
		}
	}
	return nil
}

// scanKeys reads rows of (channel, provider_message_id) into a set.
func scanKeys(set map[msgKey]bool) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var k msgKey
		if err := r.Scan(&k.channel, &k.providerID); err != nil {
			return err
		}
		set[k] = true
		return nil
	}
}

// deleteTickets removes tickets created in this transaction for messages
// that turned out to be stored already by another instance.
func deleteTickets(tx *gorm.DB, ids []int64) error {
	if err := ticket.DeleteTickets(tx, ids); err != nil {
		return fmt.Errorf("%w: delete unused tickets: %v", ErrStore, err)
	}
	return nil
}

// insertAttachments records the files of stored messages.
func insertAttachments(tx *gorm.DB, items []*item, now time.Time) error {
	var rows []ticket.AttachmentRow
	for _, it := range items {
		for _, a := range it.in.Attachments {
			rows = append(rows, ticket.AttachmentRow{MessageID: it.messageID, StorageKey: a.Key, Filename: a.Filename,
				MIME: a.MIME, Size: a.Size, Available: !a.Unavailable})
		}
	}
	if err := ticket.InsertAttachments(tx, rows, now); err != nil {
		return fmt.Errorf("%w: insert attachments: %v", ErrStore, err)
	}
	return nil
}

// reopenSolved moves solved tickets that got a citizen message back to
// open and returns them, so routing can put them back on a load.
func reopenSolved(tx *gorm.DB, ids []int64, now time.Time, waitTraces map[int64]string) ([]ticketRow, error) {
	var out []ticketRow
	err := ticket.ReopenSolved(tx, ids, now, ticketCols, waitTraces, func(r *sql.Rows) error {
		t, err := scanTicket(r)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: reopen solved tickets: %v", ErrStore, err)
	}
	return out, nil
}

// reopenPending moves pending tickets (waiting for the citizen) back to
// open: the citizen has answered. Their load never left the agent.
func reopenPending(tx *gorm.DB, ids []int64, now time.Time) error {
	if err := ticket.ReopenPending(tx, ids, now); err != nil {
		return fmt.Errorf("%w: reopen pending tickets: %v", ErrStore, err)
	}
	return nil
}

// touchTickets moves last_message_at forward (never back) on tickets that
// got messages, and returns them as they stand after the move.
func touchTickets(tx *gorm.DB, last map[int64]time.Time, now time.Time) ([]ticket.Touched, error) {
	touched, err := ticket.TouchLastMessage(tx, last, now)
	if err != nil {
		return nil, fmt.Errorf("%w: touch tickets: %v", ErrStore, err)
	}
	return touched, nil
}
