package ticket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Personal-data protection (UU 27/2022): the writes of tickets, messages
// and attachments that erasure, retention and restriction need. They keep
// every row (the tickets, their times, channels, queues and statuses stay,
// so the figures stay) and blank what identifies or quotes the citizen.

// ErrRestricted: the citizen asked to restrict the processing of their
// data; their tickets are frozen (no reply, no change) until it is lifted.
var ErrRestricted = errors.New("ticket: processing restricted at the citizen's request")

// sqlRestricted: is the ticket's contact under a restriction? By primary
// keys (tickets.id, processing_restrictions.contact_id).
const sqlRestricted = `SELECT COUNT(*) FROM processing_restrictions r JOIN tickets t ON t.contact_id = r.contact_id WHERE t.id = ?`

// CheckNotRestricted returns ErrRestricted when the ticket's citizen has
// restricted processing.
func CheckNotRestricted(ctx context.Context, db *gorm.DB, ticketID int64) error {
	var n int64
	if err := db.WithContext(ctx).Raw(sqlRestricted, ticketID).Scan(&n).Error; err != nil {
		return fmt.Errorf("ticket: restriction: %w", err)
	}
	if n > 0 {
		return ErrRestricted
	}
	return nil
}

// ErasedFile is a file whose row was blanked: its bytes are deleted from
// the store after the commit.
type ErasedFile struct {
	ID         int64
	StorageKey string
}

// Erased counts what an erasure blanked.
type Erased struct {
	Messages    int64        `json:"messages"`
	Attachments int64        `json:"attachments"`
	Tickets     int64        `json:"tickets"`
	Files       []ErasedFile `json:"-"`
}

// EraseContactThreads blanks, inside tx, everything the citizen wrote or
// was told on their tickets: message bodies and fields, attachment rows
// (their keys are returned so the files go after the commit), the tickets'
// subjects and reporter addresses. Times, channels, statuses, queues and
// counts stay for the figures.
func EraseContactThreads(tx *gorm.DB, contactID int64) (Erased, error) {
	var out Erased
	if err := tx.Raw(`SELECT a.id, a.storage_key FROM attachments a JOIN messages m ON m.id = a.message_id
JOIN tickets t ON t.id = m.ticket_id WHERE t.contact_id = ? AND a.storage_key <> '' AND a.available = ?`, contactID, true).Scan(&out.Files).Error; err != nil {
		return out, fmt.Errorf("ticket: erase files: %w", err)
	}
	res := tx.Exec(`UPDATE messages SET body = '', fields = '{}' WHERE ticket_id IN (SELECT id FROM tickets WHERE contact_id = ?)`, contactID)
	if res.Error != nil {
		return out, fmt.Errorf("ticket: erase messages: %w", res.Error)
	}
	out.Messages = res.RowsAffected
	res = tx.Exec(`UPDATE attachments SET storage_key = '', filename = '', available = ?
WHERE message_id IN (SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.contact_id = ?)`, false, contactID)
	if res.Error != nil {
		return out, fmt.Errorf("ticket: erase attachments: %w", res.Error)
	}
	out.Attachments = res.RowsAffected
	res = tx.Exec(`UPDATE tickets SET subject = '', reporter_phone = '', reporter_email = '' WHERE contact_id = ?`, contactID)
	if res.Error != nil {
		return out, fmt.Errorf("ticket: erase tickets: %w", res.Error)
	}
	out.Tickets = res.RowsAffected
	return out, nil
}

// PurgeBodiesSQL picks the messages PurgeBodies blanks (served by
// messages_purge_idx, partial on what it blanks).
const PurgeBodiesSQL = `SELECT id FROM messages WHERE created_at < ? AND (body <> '' OR fields <> '{}') LIMIT ?`

// PurgeBodies blanks the bodies of messages written before the cut-off,
// at most limit of them (the retention job loops); it returns how many.
func PurgeBodies(tx *gorm.DB, before time.Time, limit int) (int64, error) {
	res := tx.Exec(`UPDATE messages SET body = '', fields = '{}' WHERE id IN (`+PurgeBodiesSQL+`)`, before.UTC(), limit)
	if res.Error != nil {
		return 0, fmt.Errorf("ticket: purge bodies: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// OldFile is an attachment past its retention. Stored false: the row
// waits under a placeholder key (a WhatsApp media not fetched yet), no
// bytes are in the store.
type OldFile struct {
	ID         int64
	StorageKey string
	Stored     bool
}

// OldFilesSQL lists attachments with a key older than a cut-off (served
// by attachments_purge_idx: a forgotten row leaves it).
const OldFilesSQL = `SELECT id, storage_key, available FROM attachments WHERE created_at < ? AND storage_key <> ''`

// OldFiles lists at most limit attachments with a key, older than the
// cut-off, but none of skip (rows whose file could not be deleted in this
// run: passed over, not read again).
func OldFiles(tx *gorm.DB, before time.Time, skip []int64, limit int) ([]OldFile, error) {
	q, args := OldFilesSQL, []any{before.UTC()}
	if len(skip) > 0 {
		q, args = q+` AND id NOT IN ?`, append(args, skip)
	}
	var rows []struct {
		ID         int64
		StorageKey string
		Available  bool
	}
	if err := tx.Raw(q+` LIMIT ?`, append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ticket: old files: %w", err)
	}
	out := make([]OldFile, len(rows))
	for i, r := range rows {
		out[i] = OldFile{ID: r.ID, StorageKey: r.StorageKey, Stored: r.Available}
	}
	return out, nil
}

// ForgetFiles marks attachment rows as gone (their bytes were deleted):
// the row stays, without key or name, counted but not downloadable.
func ForgetFiles(tx *gorm.DB, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res := tx.Exec(`UPDATE attachments SET storage_key = '', filename = '', available = ? WHERE id IN ?`, false, ids)
	if res.Error != nil {
		return 0, fmt.Errorf("ticket: forget files: %w", res.Error)
	}
	return res.RowsAffected, nil
}
