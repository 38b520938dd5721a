package ticket

import (
	"fmt"
	"slices"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// LockInOrder locks existing tickets, on PostgreSQL, in id order until
// commit, before a transaction that changes several of them (the intake's
// reopen and last-message moves, the SLA clocks they start). Every
// transaction that changes several tickets takes them in one order and
// before any agent row (the order of the one-ticket operations: a ticket,
// then its agents), so two core instances storing messages of one citizen
// wait for each other instead of deadlocking. NO KEY UPDATE is the lock the
// UPDATEs take anyway; it lets the foreign-key checks of new messages
// through. (SQLite has one writer at a time: nothing to lock.)
//
//	SELECT id FROM tickets WHERE id IN (…) ORDER BY id FOR NO KEY UPDATE
func LockInOrder(tx *gorm.DB, dialect db.Dialect, ids []int64) error {
	if dialect != db.Postgres || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		var got []int64
		if err := tx.Raw(`SELECT id FROM tickets WHERE id IN (`+db.Placeholders(hi-lo)+`) ORDER BY id FOR NO KEY UPDATE`, args...).Scan(&got).Error; err != nil {
			return fmt.Errorf("ticket: lock in order: %w", err)
		}
		return nil
	})
}
