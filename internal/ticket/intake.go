package ticket

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// The writes of the inbound consumer (internal/ingest) to tickets,
// messages and attachments, run inside its batch transaction. The
// statements are the ones measured for the batch path: a batch is a
// handful of statements whatever its size. On PostgreSQL each dispatches to
// its array form in intake_pg.go. Errors are the database's, unwrapped:
// the caller names the step.

// NewTicketRow is a new ticket as the intake stores it, already filed
// (queue, priority, SLA due times; zero due time: no target).
type NewTicketRow struct {
	TrackingNumber   string
	ContactID        int64
	Channel          string
	Category         string
	Subject          string
	QueueID          int64
	Priority         domain.Priority
	FirstResponseDue time.Time
	ResolutionDue    time.Time
	Province         string
	ReporterPhone    string
	ReporterEmail    string
	CreatedAt        time.Time
	LastMessageAt    time.Time
	// WaitTrace is the W3C traceparent of the message that opened the
	// ticket, kept for routing's later assignment of a ticket that waits
	// (internal/routing, trace.go); "" (stored as NULL) with tracing off.
	WaitTrace string
}

// InsertTickets creates new tickets in status new and returns their ids
// in the order of rows, matched on the unique tracking number.
//
//	INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id,
//	  priority, first_response_due_at, resolution_due_at, province_code, reporter_phone,
//	  reporter_email, created_at, updated_at, last_message_at, wait_trace, status)
//	VALUES (?, …, 'new'), … RETURNING id, tracking_number
func InsertTickets(tx *gorm.DB, rows []NewTicketRow, now time.Time) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	got := newReturnedIDs(rows)
	if db.IsPostgres(tx) {
		if err := insertTicketsPG(tx, rows, now, got.scan); err != nil {
			return nil, err
		}
		return got.complete()
	}
	const cols = 16
	err := db.Chunks(len(rows), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, t := range rows[lo:hi] {
			args = append(args, t.TrackingNumber, t.ContactID, t.Channel, t.Category, t.Subject,
				t.QueueID, t.Priority, db.NullTime(t.FirstResponseDue), db.NullTime(t.ResolutionDue),
				t.Province, t.ReporterPhone, t.ReporterEmail, t.CreatedAt, now, t.LastMessageAt, nullText(t.WaitTrace))
		}
		q := `INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id,
  priority, first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email,
  created_at, updated_at, last_message_at, wait_trace, status) VALUES ` +
			db.TuplesWith(hi-lo, cols, domain.SQLStatusNew) + ` RETURNING id, tracking_number`
		return db.Query(tx, q, args, got.scan)
	})
	if err != nil {
		return nil, err
	}
	return got.complete()
}

// returnedIDs hands the rows of INSERT INTO tickets … RETURNING id,
// tracking_number back to the new rows, matched on the unique number.
type returnedIDs struct {
	byNumber map[string]int
	ids      []int64
	n        int
}

func newReturnedIDs(rows []NewTicketRow) *returnedIDs {
	m := &returnedIDs{byNumber: make(map[string]int, len(rows)), ids: make([]int64, len(rows))}
	for i, t := range rows {
		m.byNumber[t.TrackingNumber] = i
	}
	return m
}

func (m *returnedIDs) scan(r *sql.Rows) error {
	var id int64
	var number string
	if err := r.Scan(&id, &number); err != nil {
		return err
	}
	i, ok := m.byNumber[number]
	if !ok {
		return fmt.Errorf("unknown tracking number returned")
	}
	m.ids[i] = id
	m.n++
	return nil
}

func (m *returnedIDs) complete() ([]int64, error) {
	if m.n != len(m.byNumber) {
		return nil, fmt.Errorf("%d rows returned for %d", m.n, len(m.byNumber))
	}
	return m.ids, nil
}

// InboundRow is a citizen message as the intake stores it.
type InboundRow struct {
	TicketID          int64
	Channel           string
	ProviderMessageID string
	Body              string
	Fields            string
	ReceivedAt        time.Time
}

// InsertInbound stores citizen messages in the order given and returns
// the id of each row inserted (0: the row conflicted). The unique key
// makes a redelivery, or a copy another instance stored meanwhile, a no-op
// (invariants 2 and 3):
//
//	INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields,
//	  created_at, updated_at, direction)
//	VALUES (?, ?, ?, ?, ?, ?, ?, 'in'), …
//	ON CONFLICT (channel, provider_message_id) DO NOTHING
//	RETURNING id, channel, provider_message_id
func InsertInbound(tx *gorm.DB, rows []InboundRow, now time.Time) ([]int64, error) {
	ids := make([]int64, len(rows))
	byKey := make(map[[2]string]int, len(rows))
	for i, m := range rows {
		byKey[[2]string{m.Channel, m.ProviderMessageID}] = i
	}
	scan := func(r *sql.Rows) error {
		var id int64
		var k [2]string
		if err := r.Scan(&id, &k[0], &k[1]); err != nil {
			return err
		}
		if i, ok := byKey[k]; ok {
			ids[i] = id
		}
		return nil
	}
	if db.IsPostgres(tx) {
		return ids, insertInboundPG(tx, rows, now, scan)
	}
	const cols = 7
	return ids, db.Chunks(len(rows), cols, func(lo, hi int) error {
		args := make([]any, 0, cols*(hi-lo))
		for _, m := range rows[lo:hi] {
			args = append(args, m.TicketID, m.Channel, m.ProviderMessageID, m.Body, m.Fields, m.ReceivedAt, now)
		}
		q := `INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction) VALUES ` +
			db.TuplesWith(hi-lo, cols, domain.SQLDirectionIn) +
			` ON CONFLICT (channel, provider_message_id) DO NOTHING RETURNING id, channel, provider_message_id`
		return db.Query(tx, q, args, scan)
	})
}

// DeleteTickets removes tickets created in this transaction for messages
// that turned out to be stored already by another instance.
//
//	DELETE FROM tickets WHERE id IN (?, …)
func DeleteTickets(tx *gorm.DB, ids []int64) error {
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		return tx.Exec(`DELETE FROM tickets WHERE id IN (`+db.Placeholders(hi-lo)+`)`, db.Anys(ids[lo:hi])...).Error
	})
}

// AttachmentRow is a file of a stored message.
type AttachmentRow struct {
	MessageID  int64
	StorageKey string
	Filename   string
	MIME       string
	Size       int64
	Available  bool
}

// InsertAttachments records the files of stored messages.
//
//	INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
//	VALUES (?, ?, ?, ?, ?, ?, ?), …
func InsertAttachments(tx *gorm.DB, rows []AttachmentRow, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	if db.IsPostgres(tx) {
		return insertAttachmentsPG(tx, rows, now)
	}
	const cols = 7
	args := make([]any, 0, cols*len(rows))
	for _, a := range rows {
		args = append(args, a.MessageID, a.StorageKey, a.Filename, a.MIME, a.Size, a.Available, now)
	}
	return db.Chunks(len(rows), cols, func(lo, hi int) error {
		q := `INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at) VALUES ` + db.Tuples(hi-lo, cols)
		return tx.Exec(q, args[lo*cols:hi*cols]...).Error
	})
}

// ReopenSolved moves solved tickets that got a citizen message back to
// open; each reopened row's returning columns go to scan.
//
//	UPDATE tickets SET status = 'open', solved_at = NULL, updated_at = ?
//	WHERE id IN (?, …) AND status = 'solved'
//	RETURNING <returning>
//
// waitTraces (by ticket id; nil with tracing off) are the traceparents of
// the messages that reopen them, written over the opening message's: a
// reopened ticket that waits is later assigned in the trace of the
// message that brought it back (routing's trace.go).
func ReopenSolved(tx *gorm.DB, ids []int64, now time.Time, returning string, waitTraces map[int64]string, scan func(*sql.Rows) error) error {
	cols := 1
	if len(waitTraces) > 0 {
		cols = 3 // the id, and a CASE arm of two
	}
	return db.Chunks(len(ids), cols, func(lo, hi int) error {
		set, args := ``, []any{now}
		var arms strings.Builder
		for _, id := range ids[lo:hi] {
			if tp := waitTraces[id]; tp != "" {
				arms.WriteString(` WHEN ? THEN ?`)
				args = append(args, id, tp)
			}
		}
		if arms.Len() > 0 {
			set = `, wait_trace = CASE id` + arms.String() + ` ELSE wait_trace END`
		}
		q := `UPDATE tickets SET status = ` + domain.SQLStatusOpen + `, solved_at = NULL, updated_at = ?` + set + ` WHERE id IN (` + db.Placeholders(hi-lo) +
			`) AND status = ` + domain.SQLStatusSolved + ` RETURNING ` + returning
		return db.Query(tx, q, append(args, db.Anys(ids[lo:hi])...), scan)
	})
}

// ReopenPending moves pending tickets (waiting for the citizen) back to
// open: the citizen has answered.
//
//	UPDATE tickets SET status = 'open', updated_at = ? WHERE id IN (?, …) AND status = 'pending'
func ReopenPending(tx *gorm.DB, ids []int64, now time.Time) error {
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		q := `UPDATE tickets SET status = ` + domain.SQLStatusOpen + `, updated_at = ? WHERE id IN (` + db.Placeholders(hi-lo) + `) AND status = ` + domain.SQLStatusPending
		return tx.Exec(q, append([]any{now}, db.Anys(ids[lo:hi])...)...).Error
	})
}

// Touched is a ticket whose last message time moved, as it stands after
// the move: what starting its next-response clock takes (routing's
// Clocks.CitizenWrote). The move returns it, so the batch does not read
// the tickets again: one round trip fewer per batch.
type Touched struct {
	ID                int64
	QueueID           *int64
	Priority          domain.Priority
	Status            domain.TicketStatus
	FirstResponseAt   *time.Time
	NextResponseDueAt *time.Time
}

const touchedCols = `id, queue_id, priority, status, first_response_at, next_response_due_at`

func scanTouched(r *sql.Rows) (Touched, error) {
	var t Touched
	err := r.Scan(&t.ID, &t.QueueID, &t.Priority, &t.Status, &t.FirstResponseAt, &t.NextResponseDueAt)
	return t, err
}

// TouchLastMessage moves last_message_at forward (never back: messages
// may arrive out of order) on tickets that got messages, in id order so
// instances lock rows in one order, and returns them as they stand after
// the move, in id order.
//
//	UPDATE tickets SET
//	  last_message_at = CASE id WHEN ? THEN (CASE WHEN last_message_at < ? THEN ? ELSE last_message_at END) … END,
//	  updated_at = ?
//	WHERE id IN (?, …)
//	RETURNING id, queue_id, priority, status, first_response_at, next_response_due_at
func TouchLastMessage(tx *gorm.DB, last map[int64]time.Time, now time.Time) ([]Touched, error) {
	ids := make([]int64, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	slices.Sort(ids) // lock rows in one order across instances
	out := make([]Touched, 0, len(ids))
	scan := func(r *sql.Rows) error {
		t, err := scanTouched(r)
		out = append(out, t)
		return err
	}
	var err error
	if db.IsPostgres(tx) {
		at := make([]time.Time, len(ids))
		for i, id := range ids {
			at[i] = last[id]
		}
		err = touchLastMessagePG(tx, ids, at, now, scan)
	} else {
		err = db.Chunks(len(ids), 4, func(lo, hi int) error {
			part := ids[lo:hi]
			args := make([]any, 0, 4*len(part)+1)
			var b strings.Builder
			b.WriteString(`UPDATE tickets SET last_message_at = CASE id`)
			for _, id := range part {
				b.WriteString(` WHEN ? THEN (CASE WHEN last_message_at < ? THEN ? ELSE last_message_at END)`)
				args = append(args, id, last[id], last[id])
			}
			b.WriteString(` ELSE last_message_at END, updated_at = ? WHERE id IN (` + db.Placeholders(len(part)) + `) RETURNING ` + touchedCols)
			args = append(args, now)
			for _, id := range part {
				args = append(args, id)
			}
			return db.Query(tx, b.String(), args, scan)
		})
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Touched) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// nullText is s for a nullable text column: NULL when empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
