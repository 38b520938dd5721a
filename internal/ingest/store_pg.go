package ingest

import (
	"database/sql"
	"fmt"
	"time"

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
// Plans are generic: each prepared statement is planned once per
// connection, not at every batch. Left to choose, PostgreSQL kept
// re-planning the key lookups for each batch's values (a custom plan of
// unnest(array) looks cheaper than the generic one), and at 40 messages/s
// that planning was a fifth of the database's CPU per stored message.
// No statement of a batch depends on its values for its plan: they look
// rows up by key, one probe per key. TestBatchStatementsGenericPlansUseIndexes
// checks each one's generic plan.
//
//	SET LOCAL jit = off; SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan
func tunePG(tx *gorm.DB) error {
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context,
		`SET LOCAL jit = off; SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan`)
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
