package whatsapp

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/db"
)

// store is the channel's database access: its idempotency record of sent
// replies (whatsapp_sends). The attachments of inbound media are the
// ticket service's (Opts.Media).
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

// The survey question's send record, by its key (the primary key; a test
// proves each is served by it).
const (
	sqlClaimSend = `INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at)
		VALUES (?, 0, '', ?, ?) ON CONFLICT (outbound_id) DO NOTHING`
	sqlFinishSend  = `UPDATE whatsapp_sends SET wamid = ? WHERE outbound_id = ? AND wamid = ''`
	sqlReleaseSend = `DELETE FROM whatsapp_sends WHERE outbound_id = ? AND wamid = ''`
)

// claimSend records, before it goes, a send that has no message (the
// survey question): true when this call made the record, false when one
// was there (sent, or being sent). Its wamid is ” until finishSend.
//
//	INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at)
//	VALUES (?, 0, '', ?, ?) ON CONFLICT (outbound_id) DO NOTHING
func (s *store) claimSend(ctx context.Context, outboundID, from string, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec(sqlClaimSend, outboundID, from, now)
	if res.Error != nil {
		return false, fmt.Errorf("whatsapp: claim send: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// finishSend keeps the wamid Meta gave a claimed send.
func (s *store) finishSend(ctx context.Context, outboundID, wamid string) error {
	if err := s.db.WithContext(ctx).Exec(sqlFinishSend, wamid, outboundID).Error; err != nil {
		return fmt.Errorf("whatsapp: finish send: %w", err)
	}
	return nil
}

// releaseSend takes back the claim of a send Meta refused.
func (s *store) releaseSend(ctx context.Context, outboundID string) error {
	if err := s.db.WithContext(ctx).Exec(sqlReleaseSend, outboundID).Error; err != nil {
		return fmt.Errorf("whatsapp: release send: %w", err)
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
