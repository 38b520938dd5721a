package refused

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/envelope"
)

type row struct {
	ID                int64
	RecordID          string
	Channel           string
	Item              string
	ProviderMessageID string
	Sender            string
	Cause             string
	Reason            string
	Raw               string
	ReceivedAt        time.Time
	CreatedAt         time.Time
}

// sqlInsert keeps a record once: the unique record_id makes a redelivery,
// or the same record stored by another instance, a no-op.
const sqlInsert = `INSERT INTO refused_items
(record_id, channel, item, provider_message_id, sender, cause, reason, raw, received_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING`

func insert(tx *gorm.DB, r envelope.Refused, now time.Time) (bool, error) {
	at := r.ReceivedAt.UTC()
	if at.IsZero() {
		at = now
	}
	// PostgreSQL refuses NUL in text: a record that could never be kept
	// would come back for ever.
	nul := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
	res := tx.Exec(sqlInsert, nul(r.ID), string(r.Channel), nul(r.Item), nul(r.ProviderMessageID), nul(r.Sender), nul(r.Cause),
		nul(r.Reason), nul(string(r.Raw)), at, now)
	if res.Error != nil {
		return false, fmt.Errorf("refused: insert: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// SQLList is the admin list's page: newest first, strictly older than the
// cursor (refused_items_created_idx).
const (
	sqlColumns   = `SELECT id, channel, item, provider_message_id, sender, cause, reason, received_at, created_at FROM refused_items`
	SQLList      = sqlColumns + ` ORDER BY created_at DESC, id DESC LIMIT ?`
	SQLListAfter = sqlColumns + ` WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`
)

func list(d *gorm.DB, f Filter) ([]row, error) {
	var rows []row
	var err error
	if f.BeforeAt.IsZero() {
		err = d.Raw(SQLList, f.Limit).Scan(&rows).Error
	} else {
		at := f.BeforeAt.UTC()
		err = d.Raw(SQLListAfter, at, f.BeforeID, f.Limit).Scan(&rows).Error
	}
	if err != nil {
		return nil, fmt.Errorf("refused: list: %w", err)
	}
	return rows, nil
}

func get(d *gorm.DB, id int64) (row, error) {
	var rows []row
	if err := d.Raw(`SELECT id, channel, item, provider_message_id, sender, cause, reason, raw, received_at, created_at
FROM refused_items WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return row{}, fmt.Errorf("refused: get: %w", err)
	}
	if len(rows) == 0 {
		return row{}, ErrNotFound
	}
	return rows[0], nil
}

// SQLPurge picks rows kept since before the cut-off, oldest first
// (refused_items_created_idx).
const SQLPurge = `SELECT id FROM refused_items WHERE created_at < ? ORDER BY created_at, id LIMIT ?`

// Purge deletes up to limit rows kept since before the cut-off (the
// retention purge, with the message bodies' period) and says how many.
func Purge(d *gorm.DB, before time.Time, limit int) (int64, error) {
	res := d.Exec(`DELETE FROM refused_items WHERE id IN (`+SQLPurge+`)`, before.UTC(), limit)
	if res.Error != nil {
		return 0, fmt.Errorf("refused: purge: %w", res.Error)
	}
	return res.RowsAffected, nil
}
