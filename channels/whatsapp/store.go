package whatsapp

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
)

// store is the channel's database access: its idempotency record of sent
// replies, and the attachments of inbound media it completes.
type store struct {
	db *db.DB
}

// sent returns the wamid recorded for an outbound id, if it was sent.
//
//	SELECT wamid FROM whatsapp_sends WHERE outbound_id = ?
func (s *store) sent(ctx context.Context, outboundID string) (string, bool, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Raw(`SELECT wamid FROM whatsapp_sends WHERE outbound_id = ?`, outboundID).Scan(&ids).Error; err != nil {
		return "", false, fmt.Errorf("whatsapp: read send record: %w", err)
	}
	if len(ids) == 0 {
		return "", false, nil
	}
	return ids[0], true, nil
}

// recordSend keeps the wamid of a reply Meta accepted. A second record for
// the same outbound id (two instances racing after a redelivery) keeps the
// first.
//
//	INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at)
//	VALUES (?, ?, ?, ?, ?) ON CONFLICT (outbound_id) DO NOTHING
func (s *store) recordSend(ctx context.Context, outboundID string, messageID int64, wamid, from string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (outbound_id) DO NOTHING`, outboundID, messageID, wamid, from, now).Error
	if err != nil {
		return fmt.Errorf("whatsapp: record send: %w", err)
	}
	return nil
}

// messageOf finds the reply a status webhook is about.
//
//	SELECT message_id FROM whatsapp_sends WHERE wamid = ?
func (s *store) messageOf(ctx context.Context, wamid string) (int64, bool, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT message_id FROM whatsapp_sends WHERE wamid = ?`, wamid).Scan(&ids).Error; err != nil {
		return 0, false, fmt.Errorf("whatsapp: find sent message: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// Attachment states of an inbound media file.
const (
	mediaAbsent  = iota // the message is not stored yet
	mediaPending        // stored, file not fetched
	mediaDone           // fetched already (a redelivered job)
)

// mediaState tells whether the placeholder attachment is waiting.
//
//	SELECT available FROM attachments WHERE storage_key = ?
func (s *store) mediaState(ctx context.Context, key string) (int, error) {
	var rows []struct{ Available bool }
	if err := s.db.WithContext(ctx).Raw(`SELECT available FROM attachments WHERE storage_key = ?`, key).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("whatsapp: attachment state: %w", err)
	}
	if len(rows) == 0 {
		return mediaAbsent, nil
	}
	for _, r := range rows {
		if !r.Available {
			return mediaPending, nil
		}
	}
	return mediaDone, nil
}

// completeMedia points the placeholder attachment at the stored file. The
// condition on available makes a concurrent second fetch a no-op (false).
//
//	UPDATE attachments SET storage_key = ?, mime = ?, size = ?, available = ?
//	WHERE storage_key = ? AND available = ?
func (s *store) completeMedia(ctx context.Context, placeholder string, st attachment.Stored) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE attachments SET storage_key = ?, mime = ?, size = ?, available = ?
		WHERE storage_key = ? AND available = ?`, st.Key, st.MIME, st.Size, true, placeholder, false)
	if res.Error != nil {
		return false, fmt.Errorf("whatsapp: complete attachment: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}
