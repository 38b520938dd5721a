package ticket

import (
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// fileTicketsPG is FileTickets on PostgreSQL: a whole batch is one
// statement (a batch of new tickets is filed in the ingest transaction,
// and a statement per ticket would be a round trip per ticket).
//
//	UPDATE tickets AS t SET queue_id = v.q, priority = v.p, first_response_due_at = v.f,
//	  resolution_due_at = v.r, updated_at = ?
//	FROM (VALUES (?::bigint, ?::bigint, ?::text, ?::timestamptz, ?::timestamptz), …) AS v(id, q, p, f, r)
//	WHERE t.id = v.id
func fileTicketsPG(tx *gorm.DB, fs []Filed, now time.Time) error {
	const cols = 5
	return db.Chunks(len(fs), cols, func(lo, hi int) error {
		args := make([]any, 0, 1+(hi-lo)*cols)
		args = append(args, now)
		var vals strings.Builder
		for i, f := range fs[lo:hi] {
			if i > 0 {
				vals.WriteString(", ")
			}
			vals.WriteString("(?::bigint, ?::bigint, ?::text, ?::timestamptz, ?::timestamptz)")
			args = append(args, f.ID, f.QueueID, f.Priority, db.NullTime(f.FirstResponseDue), db.NullTime(f.ResolutionDue))
		}
		return tx.Exec(`UPDATE tickets AS t SET queue_id = v.q, priority = v.p, first_response_due_at = v.f,
  resolution_due_at = v.r, updated_at = ?
FROM (VALUES `+vals.String()+`) AS v(id, q, p, f, r)
WHERE t.id = v.id`, args...).Error
	})
}
