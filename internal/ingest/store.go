package ingest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
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
// SLA due times), and fills their ids, matched on the unique tracking
// number.
//
//	INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id,
//	  priority, first_response_due_at, resolution_due_at, province_code, reporter_phone,
//	  reporter_email, created_at, updated_at, last_message_at, status)
//	VALUES (?, …, 'new'), … RETURNING id, tracking_number
func insertTickets(tx *gorm.DB, ts []*ticketState, now time.Time) error {
	if len(ts) == 0 {
		return nil
	}
	if db.IsPostgres(tx) {
		return insertTicketsPG(tx, ts, now)
	}
	const cols = 15
	return db.Chunks(len(ts), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, t := range ts[lo:hi] {
			args = append(args, t.trackingNumber, t.contactID, t.channel, t.category, t.subject,
				t.queueID, t.priority(), db.NullTime(t.filing.FirstResponseDue), db.NullTime(t.filing.ResolutionDue),
				t.province, t.reporterPhone, t.reporterEmail, t.createdAt, now, t.lastMessageAt)
		}
		q := `INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id,
  priority, first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email,
  created_at, updated_at, last_message_at, status) VALUES ` +
			db.TuplesWith(hi-lo, cols, domain.SQLStatusNew) + ` RETURNING id, tracking_number`
		got := newTicketIDs(ts[lo:hi])
		if err := db.Query(tx, q, args, got.scan); err != nil {
			return fmt.Errorf("%w: insert tickets: %v", ErrStore, err)
		}
		return got.complete()
	})
}

// priority is the filed priority, normal when routing set none.
func (t *ticketState) priority() domain.Priority {
	if t.filing.Priority == "" {
		return domain.PriorityNormal
	}
	return t.filing.Priority
}

// ticketIDs hands the rows of INSERT INTO tickets … RETURNING id,
// tracking_number back to the new tickets, matched on the unique number.
type ticketIDs struct {
	byNumber map[string]*ticketState
	n        int
}

func newTicketIDs(ts []*ticketState) *ticketIDs {
	m := &ticketIDs{byNumber: make(map[string]*ticketState, len(ts))}
	for _, t := range ts {
		m.byNumber[t.trackingNumber] = t
	}
	return m
}

func (m *ticketIDs) scan(r *sql.Rows) error {
	var id int64
	var number string
	if err := r.Scan(&id, &number); err != nil {
		return err
	}
	t, ok := m.byNumber[number]
	if !ok {
		return fmt.Errorf("unknown tracking number returned")
	}
	t.id = id
	m.n++
	return nil
}

func (m *ticketIDs) complete() error {
	if m.n != len(m.byNumber) {
		return fmt.Errorf("%w: insert tickets: %d rows returned for %d", ErrStore, m.n, len(m.byNumber))
	}
	return nil
}

// insertMessages stores citizen messages in stream order and reports
// which were inserted. The unique key makes a redelivery, or a copy that
// another instance stored meanwhile, a no-op (invariants 2 and 3):
//
//	INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields,
//	  created_at, updated_at, direction)
//	VALUES (?, ?, ?, ?, ?, ?, ?, 'in'), …
//	ON CONFLICT (channel, provider_message_id) DO NOTHING
//	RETURNING id, channel, provider_message_id
func insertMessages(tx *gorm.DB, items []*item, now time.Time) error {
	if db.IsPostgres(tx) {
		return insertMessagesPG(tx, items, now)
	}
	const cols = 7
	byKey := make(map[msgKey]*item, len(items))
	for _, it := range items {
		byKey[it.key()] = it
	}
	return db.Chunks(len(items), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, it := range items[lo:hi] {
			args = append(args, it.ticket.id, string(it.in.Channel), it.in.ProviderMessageID, it.in.Text,
				it.fields, it.in.ReceivedAt.UTC(), now)
		}
		q := `INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction) VALUES ` +
			db.TuplesWith(hi-lo, cols, domain.SQLDirectionIn) +
			` ON CONFLICT (channel, provider_message_id) DO NOTHING RETURNING id, channel, provider_message_id`
		err := db.Query(tx, q, args, storedIDs(byKey))
		if err != nil {
			return fmt.Errorf("%w: insert messages: %v", ErrStore, err)
		}
		return nil
	})
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

// storedIDs reads the rows of INSERT INTO messages … RETURNING id, channel,
// provider_message_id into the items that were inserted; items of rows
// that conflicted get no id.
func storedIDs(byKey map[msgKey]*item) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id int64
		var k msgKey
		if err := r.Scan(&id, &k.channel, &k.providerID); err != nil {
			return err
		}
		if it, ok := byKey[k]; ok {
			it.messageID = id
		}
		return nil
	}
}

// deleteTickets removes tickets created in this transaction for messages
// that turned out to be stored already by another instance.
//
//	DELETE FROM tickets WHERE id IN (?, …)
func deleteTickets(tx *gorm.DB, ids []int64) error {
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		if err := tx.Exec(`DELETE FROM tickets WHERE id IN (`+db.Placeholders(hi-lo)+`)`, db.Anys(ids[lo:hi])...).Error; err != nil {
			return fmt.Errorf("%w: delete unused tickets: %v", ErrStore, err)
		}
		return nil
	})
}

// insertAttachments records the files of stored messages.
//
//	INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
//	VALUES (?, ?, ?, ?, ?, ?, ?), …
func insertAttachments(tx *gorm.DB, items []*item, now time.Time) error {
	if db.IsPostgres(tx) {
		return insertAttachmentsPG(tx, items, now)
	}
	const cols = 7
	var args []any
	for _, it := range items {
		for _, a := range it.in.Attachments {
			args = append(args, it.messageID, a.Key, a.Filename, a.MIME, a.Size, !a.Unavailable, now)
		}
	}
	return db.Chunks(len(args)/cols, cols, func(lo, hi int) error {
		q := `INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at) VALUES ` + db.Tuples(hi-lo, cols)
		if err := tx.Exec(q, args[lo*cols:hi*cols]...).Error; err != nil {
			return fmt.Errorf("%w: insert attachments: %v", ErrStore, err)
		}
		return nil
	})
}

// reopenSolved moves solved tickets that got a citizen message back to
// open and returns them, so routing can put them back on a load.
//
//	UPDATE tickets SET status = 'open', solved_at = NULL, updated_at = ?
//	WHERE id IN (?, …) AND status = 'solved'
//	RETURNING id, tracking_number, …
func reopenSolved(tx *gorm.DB, ids []int64, now time.Time) ([]ticketRow, error) {
	var out []ticketRow
	err := db.Chunks(len(ids), 1, func(lo, hi int) error {
		q := `UPDATE tickets SET status = ` + domain.SQLStatusOpen + `, solved_at = NULL, updated_at = ? WHERE id IN (` + db.Placeholders(hi-lo) +
			`) AND status = ` + domain.SQLStatusSolved + ` RETURNING ` + ticketCols
		if err := queryTickets(tx, q, append([]any{now}, db.Anys(ids[lo:hi])...), func(t ticketRow) { out = append(out, t) }); err != nil {
			return fmt.Errorf("%w: reopen solved tickets: %v", ErrStore, err)
		}
		return nil
	})
	return out, err
}

// reopenPending moves pending tickets (waiting for the citizen) back to
// open: the citizen has answered. Their load never left the agent.
//
//	UPDATE tickets SET status = 'open', updated_at = ? WHERE id IN (?, …) AND status = 'pending'
func reopenPending(tx *gorm.DB, ids []int64, now time.Time) error {
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		q := `UPDATE tickets SET status = ` + domain.SQLStatusOpen + `, updated_at = ? WHERE id IN (` + db.Placeholders(hi-lo) + `) AND status = ` + domain.SQLStatusPending
		if err := tx.Exec(q, append([]any{now}, db.Anys(ids[lo:hi])...)...).Error; err != nil {
			return fmt.Errorf("%w: reopen pending tickets: %v", ErrStore, err)
		}
		return nil
	})
}

// touchTickets moves last_message_at forward (never back: messages may
// arrive out of order) on tickets that got messages.
//
//	UPDATE tickets SET
//	  last_message_at = CASE id WHEN ? THEN (CASE WHEN last_message_at < ? THEN ? ELSE last_message_at END) … END,
//	  updated_at = ?
//	WHERE id IN (?, …)
func touchTickets(tx *gorm.DB, last map[int64]time.Time, now time.Time) error {
	ids := make([]int64, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	slices.Sort(ids) // lock rows in one order across instances
	if db.IsPostgres(tx) {
		at := make([]time.Time, len(ids))
		for i, id := range ids {
			at[i] = last[id]
		}
		return touchTicketsPG(tx, ids, at, now)
	}
	return db.Chunks(len(ids), 4, func(lo, hi int) error {
		part := ids[lo:hi]
		args := make([]any, 0, 4*len(part)+1)
		var b strings.Builder
		b.WriteString(`UPDATE tickets SET last_message_at = CASE id`)
		for _, id := range part {
			b.WriteString(` WHEN ? THEN (CASE WHEN last_message_at < ? THEN ? ELSE last_message_at END)`)
			args = append(args, id, last[id], last[id])
		}
		b.WriteString(` ELSE last_message_at END, updated_at = ? WHERE id IN (` + db.Placeholders(len(part)) + `)`)
		args = append(args, now)
		for _, id := range part {
			args = append(args, id)
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("%w: touch tickets: %v", ErrStore, err)
		}
		return nil
	})
}
