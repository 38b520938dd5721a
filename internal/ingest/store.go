package ingest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// maxParams bounds the bound parameters of one multi-row statement
// (SQLite form; the PostgreSQL forms pass arrays). SQLite would accept
// 32766, but the driver (glebarez/go-sqlite) matches every parameter
// against every argument, quadratic in their number: 7,000-parameter
// statements made batches of 1,000 slower than batches of 500. Chunks of
// about SQLite's historic limit keep binding linear; the extra statements
// cost little in-process.
const maxParams = 999

// chunks calls f on [lo, hi) ranges of n rows of cols parameters each.
func chunks(n, cols int, f func(lo, hi int) error) error {
	per := maxParams / cols
	for lo := 0; lo < n; lo += per {
		if err := f(lo, min(n, lo+per)); err != nil {
			return err
		}
	}
	return nil
}

// tune prepares a batch transaction (PostgreSQL: see tunePG).
func tune(tx *gorm.DB) error {
	if isPostgres(tx) {
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
	if isPostgres(tx) {
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
		err := chunks(len(ids), 1, func(lo, hi int) error {
			q := `SELECT channel, provider_message_id FROM messages WHERE channel = ? AND provider_message_id IN (` + placeholders(hi-lo) + `)`
			err := query(tx, q, append([]any{ch}, ids[lo:hi]...), func(r *sql.Rows) error {
				var k msgKey
				if err := r.Scan(&k.channel, &k.providerID); err != nil {
					return err
				}
				out[k] = true
				return nil
			})
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
	Status         string
	QueueID        *int64
	AssigneeID     *int64
}

const ticketCols = `id, tracking_number, contact_id, channel, category, status, queue_id, assignee_id`

func scanTicket(r *sql.Rows) (ticketRow, error) {
	var t ticketRow
	var queue, assignee sql.NullInt64
	err := r.Scan(&t.ID, &t.TrackingNumber, &t.ContactID, &t.Channel, &t.Category, &t.Status, &queue, &assignee)
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
	return query(tx, q, args, func(r *sql.Rows) error {
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
	if isPostgres(tx) {
		return ticketsByTrackingPG(tx, numbers)
	}
	out := make(map[string]ticketRow, len(numbers))
	err := chunks(len(numbers), 1, func(lo, hi int) error {
		q := `SELECT ` + ticketCols + ` FROM tickets WHERE tracking_number IN (` + placeholders(hi-lo) + `)`
		if err := queryTickets(tx, q, anys(numbers[lo:hi]), func(t ticketRow) { out[t.TrackingNumber] = t }); err != nil {
			return fmt.Errorf("%w: tickets by tracking number: %v", ErrStore, err)
		}
		return nil
	})
	return out, err
}

// activeTickets reads the contacts' tickets in new/open/pending, oldest
// first, so the last one per (contact, channel) is the newest.
//
//	SELECT id, tracking_number, … FROM tickets
//	WHERE contact_id IN (?, …) AND status IN ('new', 'open', 'pending')
//	ORDER BY created_at, id
func activeTickets(tx *gorm.DB, contactIDs []int64) ([]ticketRow, error) {
	if isPostgres(tx) {
		return activeTicketsPG(tx, contactIDs)
	}
	var out []ticketRow
	err := chunks(len(contactIDs), 1, func(lo, hi int) error {
		q := `SELECT ` + ticketCols + ` FROM tickets WHERE contact_id IN (` + placeholders(hi-lo) +
			`) AND status IN ('new', 'open', 'pending') ORDER BY created_at, id`
		if err := queryTickets(tx, q, anys(contactIDs[lo:hi]), func(t ticketRow) { out = append(out, t) }); err != nil {
			return fmt.Errorf("%w: active tickets: %v", ErrStore, err)
		}
		return nil
	})
	return out, err
}

// insertTickets creates the batch's new tickets and fills their ids,
// matched on the unique tracking number.
//
//	INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, status,
//	  queue_id, province_code, reporter_phone, reporter_email, created_at, updated_at, last_message_at)
//	VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?), … RETURNING id, tracking_number
func insertTickets(tx *gorm.DB, ts []*ticketState, now time.Time) error {
	if len(ts) == 0 {
		return nil
	}
	if isPostgres(tx) {
		return insertTicketsPG(tx, ts, now)
	}
	const cols = 12
	byNumber := make(map[string]*ticketState, len(ts))
	for _, t := range ts {
		byNumber[t.trackingNumber] = t
	}
	return chunks(len(ts), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, t := range ts[lo:hi] {
			args = append(args, t.trackingNumber, t.contactID, t.channel, t.category, t.subject,
				t.queueID, t.province, t.reporterPhone, t.reporterEmail, t.createdAt, now, t.lastMessageAt)
		}
		q := `INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id,
  province_code, reporter_phone, reporter_email, created_at, updated_at, last_message_at, status) VALUES ` +
			tuplesWith(hi-lo, cols, "'new'") + ` RETURNING id, tracking_number`
		n := 0
		err := query(tx, q, args, func(r *sql.Rows) error {
			var id int64
			var number string
			if err := r.Scan(&id, &number); err != nil {
				return err
			}
			t, ok := byNumber[number]
			if !ok {
				return fmt.Errorf("unknown tracking number returned")
			}
			t.id = id
			n++
			return nil
		})
		if err != nil {
			return fmt.Errorf("%w: insert tickets: %v", ErrStore, err)
		}
		if n != hi-lo {
			return fmt.Errorf("%w: insert tickets: %d rows returned for %d", ErrStore, n, hi-lo)
		}
		return nil
	})
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
	if isPostgres(tx) {
		return insertMessagesPG(tx, items, now)
	}
	const cols = 7
	byKey := make(map[msgKey]*item, len(items))
	for _, it := range items {
		byKey[it.key()] = it
	}
	return chunks(len(items), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, it := range items[lo:hi] {
			args = append(args, it.ticket.id, string(it.in.Channel), it.in.ProviderMessageID, it.in.Text,
				it.fields, it.in.ReceivedAt.UTC(), now)
		}
		q := `INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction) VALUES ` +
			tuplesWith(hi-lo, cols, "'in'") +
			` ON CONFLICT (channel, provider_message_id) DO NOTHING RETURNING id, channel, provider_message_id`
		err := query(tx, q, args, func(r *sql.Rows) error {
			var id int64
			var k msgKey
			if err := r.Scan(&id, &k.channel, &k.providerID); err != nil {
				return err
			}
			if it, ok := byKey[k]; ok {
				it.messageID = id
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%w: insert messages: %v", ErrStore, err)
		}
		return nil
	})
}

// deleteTickets removes tickets created in this transaction for messages
// that turned out to be stored already by another instance.
//
//	DELETE FROM tickets WHERE id IN (?, …)
func deleteTickets(tx *gorm.DB, ids []int64) error {
	return chunks(len(ids), 1, func(lo, hi int) error {
		if err := tx.Exec(`DELETE FROM tickets WHERE id IN (`+placeholders(hi-lo)+`)`, anys(ids[lo:hi])...).Error; err != nil {
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
	if isPostgres(tx) {
		return insertAttachmentsPG(tx, items, now)
	}
	const cols = 7
	var args []any
	for _, it := range items {
		for _, a := range it.in.Attachments {
			args = append(args, it.messageID, a.Key, a.Filename, a.MIME, a.Size, !a.Unavailable, now)
		}
	}
	return chunks(len(args)/cols, cols, func(lo, hi int) error {
		q := `INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at) VALUES ` + tuples(hi-lo, cols)
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
	err := chunks(len(ids), 1, func(lo, hi int) error {
		q := `UPDATE tickets SET status = 'open', solved_at = NULL, updated_at = ? WHERE id IN (` + placeholders(hi-lo) +
			`) AND status = 'solved' RETURNING ` + ticketCols
		if err := queryTickets(tx, q, append([]any{now}, anys(ids[lo:hi])...), func(t ticketRow) { out = append(out, t) }); err != nil {
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
	return chunks(len(ids), 1, func(lo, hi int) error {
		q := `UPDATE tickets SET status = 'open', updated_at = ? WHERE id IN (` + placeholders(hi-lo) + `) AND status = 'pending'`
		if err := tx.Exec(q, append([]any{now}, anys(ids[lo:hi])...)...).Error; err != nil {
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
	if isPostgres(tx) {
		at := make([]time.Time, len(ids))
		for i, id := range ids {
			at[i] = last[id]
		}
		return touchTicketsPG(tx, ids, at, now)
	}
	return chunks(len(ids), 4, func(lo, hi int) error {
		part := ids[lo:hi]
		args := make([]any, 0, 4*len(part)+1)
		var b strings.Builder
		b.WriteString(`UPDATE tickets SET last_message_at = CASE id`)
		for _, id := range part {
			b.WriteString(` WHEN ? THEN (CASE WHEN last_message_at < ? THEN ? ELSE last_message_at END)`)
			args = append(args, id, last[id], last[id])
		}
		b.WriteString(` ELSE last_message_at END, updated_at = ? WHERE id IN (` + placeholders(len(part)) + `)`)
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

// query runs a statement that returns rows (SELECT, … RETURNING) and
// hands each row to scan. Rows are read directly, not through gorm's Scan:
// Scan renders every statement with all its parameters into a log string
// even when logging is off, which for a 500-row INSERT cost more CPU than
// the rest of the call.
func query(tx *gorm.DB, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// anys converts for variadic query arguments.
func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// placeholders returns "?, ?, …" (n of them).
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// tuples returns "(?, ?), (?, ?)…" for rows of cols columns.
func tuples(rows, cols int) string { return tuplesWith(rows, cols, "") }

// tuplesWith is tuples with a constant SQL expression appended to each row.
func tuplesWith(rows, cols int, constant string) string {
	one := "(" + placeholders(cols)
	if constant != "" {
		one += ", " + constant
	}
	one += ")"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}
