package ticket

import (
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// PostgreSQL forms of the intake's writes (intake.go dispatches here).
// Rows travel as one array parameter per column and are expanded with
// unnest, instead of one placeholder per value: the statement text is the
// same for every batch size, so pgx prepares it once per connection; Bind
// carries a handful of arrays instead of thousands of values. These
// statements bypass gorm's statement builder, which would expand a slice
// argument into a list of placeholders; they run on the transaction's own
// connection.

// insertTicketsPG: see InsertTickets.
//
//	INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id, priority,
//	  first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email,
//	  created_at, last_message_at, wait_trace, updated_at, status)
//	SELECT u.*, $16::timestamptz, 'new' FROM unnest($1::text[], $2::bigint[], …) AS u
//	RETURNING id, tracking_number
func insertTicketsPG(tx *gorm.DB, ts []NewTicketRow, now time.Time, scan func(*sql.Rows) error) error {
	n := len(ts)
	var (
		numbers, channels, categories, subjects, provinces = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		phones, emails, priorities                         = make([]string, n), make([]string, n), make([]string, n)
		contacts, queues                                   = make([]int64, n), make([]int64, n)
		created, last                                      = make([]time.Time, n), make([]time.Time, n)
		firstDue, resDue                                   = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
		traces                                             = make([]pgtype.Text, n)
	)
	for i, t := range ts {
		numbers[i], contacts[i], channels[i], categories[i], subjects[i] = t.TrackingNumber, t.ContactID, t.Channel, t.Category, t.Subject
		queues[i], provinces[i], created[i], last[i] = t.QueueID, t.Province, t.CreatedAt, t.LastMessageAt
		phones[i], emails[i], priorities[i] = t.ReporterPhone, t.ReporterEmail, string(t.Priority)
		firstDue[i], resDue[i] = dueAt(t.FirstResponseDue), dueAt(t.ResolutionDue)
		traces[i] = pgtype.Text{String: t.WaitTrace, Valid: t.WaitTrace != ""}
	}
	return db.PGQuery(tx, `INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, queue_id, priority,
  first_response_due_at, resolution_due_at, province_code, reporter_phone, reporter_email, created_at, last_message_at,
  wait_trace, updated_at, status)
SELECT u.*, $16::timestamptz, `+domain.SQLStatusNew+`
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
  $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[],
  $15::text[]) AS u
RETURNING id, tracking_number`,
		[]any{numbers, contacts, channels, categories, subjects, queues, priorities, firstDue, resDue, provinces, phones, emails,
			created, last, traces, now}, scan)
}

// dueAt is a due time for a timestamptz array: NULL when there is no target.
func dueAt(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// insertInboundPG: see InsertInbound.
//
//	INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction)
//	SELECT u.*, $7::timestamptz, 'in' FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u
//	ON CONFLICT (channel, provider_message_id) DO NOTHING
//	RETURNING id, channel, provider_message_id
func insertInboundPG(tx *gorm.DB, rows []InboundRow, now time.Time, scan func(*sql.Rows) error) error {
	n := len(rows)
	var (
		tickets                          = make([]int64, n)
		channels, ids, bodies, fieldsets = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		received                         = make([]time.Time, n)
	)
	for i, m := range rows {
		tickets[i], channels[i], ids[i], bodies[i] = m.TicketID, m.Channel, m.ProviderMessageID, m.Body
		fieldsets[i], received[i] = m.Fields, m.ReceivedAt
	}
	return db.PGQuery(tx, `INSERT INTO messages (ticket_id, channel, provider_message_id, body, fields, created_at, updated_at, direction)
SELECT u.*, $7::timestamptz, `+domain.SQLDirectionIn+` FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u
ON CONFLICT (channel, provider_message_id) DO NOTHING
RETURNING id, channel, provider_message_id`,
		[]any{tickets, channels, ids, bodies, fieldsets, received, now}, scan)
}

// insertAttachmentsPG: see InsertAttachments.
//
//	INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
//	SELECT u.*, $7 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[]) AS u
func insertAttachmentsPG(tx *gorm.DB, rows []AttachmentRow, now time.Time) error {
	n := len(rows)
	var (
		msgs, sizes        = make([]int64, n), make([]int64, n)
		keys, names, mimes = make([]string, n), make([]string, n), make([]string, n)
		available          = make([]bool, n)
	)
	for i, a := range rows {
		msgs[i], keys[i], names[i], mimes[i], sizes[i], available[i] = a.MessageID, a.StorageKey, a.Filename, a.MIME, a.Size, a.Available
	}
	return db.PGExec(tx, `INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
SELECT u.*, $7::timestamptz FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[]) AS u`,
		msgs, keys, names, mimes, sizes, available, now)
}

// touchLastMessagePG: see TouchLastMessage. Ids come sorted, and the join
// runs as index probes in that order (the intake turns sequential scans
// off), so rows are locked in one order across instances: a batch that
// reopens no ticket needs no lock before it (ticket.LockInOrder).
//
//	UPDATE tickets t SET last_message_at = GREATEST(t.last_message_at, u.at), updated_at = $3
//	FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id
//	RETURNING t.id, t.queue_id, t.priority, t.status, t.first_response_at, t.next_response_due_at
func touchLastMessagePG(tx *gorm.DB, ids []int64, at []time.Time, now time.Time, scan func(*sql.Rows) error) error {
	return db.PGQuery(tx, `UPDATE tickets t SET last_message_at = GREATEST(t.last_message_at, u.at), updated_at = $3::timestamptz
FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id
RETURNING t.id, t.queue_id, t.priority, t.status, t.first_response_at, t.next_response_due_at`, []any{ids, at, now}, scan)
}
