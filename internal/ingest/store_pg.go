package ingest

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// PostgreSQL forms of the batch statements (store.go dispatches here).
//
// Rows travel as one array parameter per column and are expanded with
// unnest, instead of one placeholder per value: the statement text is the
// same for every batch size, so pgx prepares it once per connection; Bind
// carries a handful of arrays instead of thousands of values; and the
// server parses a short statement. Composite-key lookups join unnest to a
// LATERAL subquery with LIMIT 1, which can only be run as one unique-index
// probe per key: the plan no longer depends on statistics (an unanalyzed
// messages table had PostgreSQL scan every row of the channel instead).
//
// These statements bypass gorm's statement builder, which would expand a
// slice argument into a list of placeholders; they run on the
// transaction's own connection.

// tunePG sets planner options for the rest of the batch transaction. Every
// statement of a batch looks rows up by key, so a sequential scan is never
// the right plan; discouraging it keeps PostgreSQL on index lookups even
// before autovacuum has analyzed a growing table (generic plans that pgx's
// prepared statements settle on after five runs included). JIT goes off
// with it: the sequential-scan penalty inflates cost estimates past the
// JIT threshold, and compiling a plan costs more than running it.
//
//	SET LOCAL jit = off; SET LOCAL enable_seqscan = off
func tunePG(tx *gorm.DB) error {
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context,
		`SET LOCAL jit = off; SET LOCAL enable_seqscan = off`)
	if err != nil {
		return fmt.Errorf("%w: planner settings: %v", ErrStore, err)
	}
	return nil
}

// existingMessagesPG: one unique-index probe per key.
//
//	SELECT m.channel, m.provider_message_id
//	FROM unnest($1::text[], $2::text[]) AS k(channel, provider_message_id)
//	CROSS JOIN LATERAL (SELECT channel, provider_message_id FROM messages
//	  WHERE channel = k.channel AND provider_message_id = k.provider_message_id LIMIT 1) m
func existingMessagesPG(tx *gorm.DB, keys []msgKey) (map[msgKey]bool, error) {
	channels, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		channels[i], ids[i] = k.channel, k.providerID
	}
	out := map[msgKey]bool{}
	err := db.PGQuery(tx, `SELECT m.channel, m.provider_message_id
FROM unnest($1::text[], $2::text[]) AS k(channel, provider_message_id)
CROSS JOIN LATERAL (SELECT channel, provider_message_id FROM messages
  WHERE channel = k.channel AND provider_message_id = k.provider_message_id LIMIT 1) m`,
		[]any{channels, ids}, scanKeys(out))
	if err != nil {
		return nil, fmt.Errorf("%w: existing messages: %v", ErrStore, err)
	}
	return out, nil
}

// activeTicketsPG: one index probe per contact (OFFSET 0 keeps the
// subquery from being flattened into a join the planner could hash).
//
//	SELECT t.… FROM unnest($1::bigint[]) AS k(contact_id)
//	CROSS JOIN LATERAL (SELECT … FROM tickets WHERE contact_id = k.contact_id
//	  AND (status IN ('new', 'open', 'pending') OR (status = 'solved' AND solved_at >= $2)) OFFSET 0) t
//	ORDER BY CASE WHEN t.status = 'solved' THEN 0 ELSE 1 END, t.created_at, t.id
func activeTicketsPG(tx *gorm.DB, contactIDs []int64, solvedSince time.Time) ([]ticketRow, error) {
	var out []ticketRow
	err := db.PGQuery(tx, `SELECT t.id, t.tracking_number, t.contact_id, t.channel, t.category, t.status, t.queue_id, t.assignee_id,
  t.priority, t.subject, t.first_response_due_at, t.resolution_due_at
FROM unnest($1::bigint[]) AS k(contact_id)
CROSS JOIN LATERAL (SELECT `+ticketCols+`, created_at FROM tickets
  WHERE contact_id = k.contact_id AND (status IN `+domain.ActiveStatusesSQL+` OR (status = `+domain.SQLStatusSolved+` AND solved_at >= $2)) OFFSET 0) t
ORDER BY CASE WHEN t.status = `+domain.SQLStatusSolved+` THEN 0 ELSE 1 END, t.created_at, t.id`, []any{contactIDs, reopenSince(solvedSince)}, func(r *sql.Rows) error {
		t, err := scanTicket(r)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: active tickets: %v", ErrStore, err)
	}
	return out, nil
}

// ticketsByTrackingPG: tracking_number is unique.
//
//	SELECT … FROM tickets WHERE tracking_number = ANY($1::text[])
func ticketsByTrackingPG(tx *gorm.DB, numbers []string) (map[string]ticketRow, error) {
	out := make(map[string]ticketRow, len(numbers))
	err := db.PGQuery(tx, `SELECT `+ticketCols+` FROM tickets WHERE tracking_number = ANY($1::text[])`,
		[]any{numbers}, func(r *sql.Rows) error {
			t, err := scanTicket(r)
			out[t.TrackingNumber] = t
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("%w: tickets by tracking number: %v", ErrStore, err)
	}
	return out, nil
}

// insertTicketsPG: see insertTickets.
//
//	INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id, priority,
//	  first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email,
//	  created_at, last_message_at, updated_at, status)
//	SELECT u.*, $15::timestamptz, 'new' FROM unnest($1::text[], $2::bigint[], …) AS u
//	RETURNING id, tracking_number
func insertTicketsPG(tx *gorm.DB, ts []*ticketState, now time.Time) error {
	n := len(ts)
	var (
		numbers, channels, categories, subjects, provinces = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		phones, emails, priorities                         = make([]string, n), make([]string, n), make([]string, n)
		contacts, queues                                   = make([]int64, n), make([]int64, n)
		created, last                                      = make([]time.Time, n), make([]time.Time, n)
		firstDue, resDue                                   = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
	)
	for i, t := range ts {
		numbers[i], contacts[i], channels[i], categories[i], subjects[i] = t.trackingNumber, t.contactID, t.channel, t.category, t.subject
		queues[i], provinces[i], created[i], last[i] = t.queueID, t.province, t.createdAt, t.lastMessageAt
		phones[i], emails[i], priorities[i] = t.reporterPhone, t.reporterEmail, string(t.priority())
		firstDue[i], resDue[i] = dueAt(t.filing.FirstResponseDue), dueAt(t.filing.ResolutionDue)
	}
	got := newTicketIDs(ts)
	err := db.PGQuery(tx, `INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id, priority,
  first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email, created_at, last_message_at,
  updated_at, status)
SELECT u.*, $15::timestamptz, `+domain.SQLStatusNew+`
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
  $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[]) AS u
RETURNING id, tracking_number`,
		[]any{numbers, contacts, channels, categories, subjects, queues, priorities, firstDue, resDue, provinces, phones, emails,
			created, last, now}, got.scan)
	if err != nil {
		return fmt.Errorf("%w: insert tickets: %v", ErrStore, err)
	}
	return got.complete()
}

// dueAt is a due time for a timestamptz array: NULL when there is no target.
func dueAt(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// insertMessagesPG: see insertMessages.
//
//	INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction)
//	SELECT u.*, $7::timestamptz, 'in' FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u
//	ON CONFLICT (channel, provider_message_id) DO NOTHING
//	RETURNING id, channel, provider_message_id
func insertMessagesPG(tx *gorm.DB, items []*item, now time.Time) error {
	n := len(items)
	var (
		tickets                          = make([]int64, n)
		channels, ids, bodies, fieldsets = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		received                         = make([]time.Time, n)
		byKey                            = make(map[msgKey]*item, n)
	)
	for i, it := range items {
		tickets[i], channels[i], ids[i], bodies[i] = it.ticket.id, string(it.in.Channel), it.in.ProviderMessageID, it.in.Text
		fieldsets[i], received[i] = it.fields, it.in.ReceivedAt.UTC()
		byKey[it.key()] = it
	}
	err := db.PGQuery(tx, `INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction)
SELECT u.*, $7::timestamptz, `+domain.SQLDirectionIn+` FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u
ON CONFLICT (channel, provider_message_id) DO NOTHING
RETURNING id, channel, provider_message_id`,
		[]any{tickets, channels, ids, bodies, fieldsets, received, now}, storedIDs(byKey))
	if err != nil {
		return fmt.Errorf("%w: insert messages: %v", ErrStore, err)
	}
	return nil
}

// insertAttachmentsPG: see insertAttachments.
//
//	INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
//	SELECT u.*, $7 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[]) AS u
func insertAttachmentsPG(tx *gorm.DB, items []*item, now time.Time) error {
	var (
		msgs, sizes        []int64
		keys, names, mimes []string
		available          []bool
	)
	for _, it := range items {
		for _, a := range it.in.Attachments {
			msgs, keys, names, mimes = append(msgs, it.messageID), append(keys, a.Key), append(names, a.Filename), append(mimes, a.MIME)
			sizes, available = append(sizes, a.Size), append(available, !a.Unavailable)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	err := db.PGExec(tx, `INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
SELECT u.*, $7::timestamptz FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[]) AS u`,
		msgs, keys, names, mimes, sizes, available, now)
	if err != nil {
		return fmt.Errorf("%w: insert attachments: %v", ErrStore, err)
	}
	return nil
}

// touchTicketsPG: see touchTickets. Ids come sorted, and the join runs
// as index probes in that order (sequential scans are off), so rows are
// locked in one order across instances.
//
//	UPDATE tickets t SET last_message_at = GREATEST(t.last_message_at, u.at), updated_at = $3
//	FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id
func touchTicketsPG(tx *gorm.DB, ids []int64, at []time.Time, now time.Time) error {
	err := db.PGExec(tx, `UPDATE tickets t SET last_message_at = GREATEST(t.last_message_at, u.at), updated_at = $3::timestamptz
FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id`, ids, at, now)
	if err != nil {
		return fmt.Errorf("%w: touch tickets: %v", ErrStore, err)
	}
	return nil
}
