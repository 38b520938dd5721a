package notes

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/db"
)

type store struct {
	db *db.DB
}

// insert stores one notification inside the note's transaction.
//
//	INSERT INTO notifications (agent_id, kind, ticket_id, message_id, actor_id, preview, created_at)
//	VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
func (s *store) insert(ctx context.Context, tx *gorm.DB, agentID int64, kind string, ticketID, messageID, actorID int64, preview string, now time.Time) (int64, error) {
	var id int64
	if err := tx.WithContext(ctx).Raw(`INSERT INTO notifications (agent_id, kind, ticket_id, message_id, actor_id, preview, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, agentID, kind, ticketID, messageID, actorID, preview, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("notes: insert notification: %w", err)
	}
	return id, nil
}

// scopeSQL limits notifications to tickets viewer may see (the ticket
// service's rule: supervisors and admins all; agents their own tickets
// and their queues').
func scopeSQL(viewer agent.Agent) (string, []any) {
	switch {
	case viewer.SeesAll():
		return "", nil
	case len(viewer.QueueIDs) > 0:
		return ` AND (t.assignee_id = ? OR t.queue_id IN ?)`, []any{viewer.ID, viewer.QueueIDs}
	default:
		return ` AND t.assignee_id = ?`, []any{viewer.ID}
	}
}

// ListSQL is the notification list (newest first), served by
// notifications_agent_idx and the tickets' primary key.
const ListSQL = `SELECT n.id, n.kind, n.ticket_id, t.tracking_number, n.message_id, n.actor_id, COALESCE(a.name, '') AS actor_name,
	n.preview, n.read_at, n.created_at
FROM notifications n JOIN tickets t ON t.id = n.ticket_id LEFT JOIN agents a ON a.id = n.actor_id
WHERE n.agent_id = ?`

// UnreadSQL counts unread notifications, served by notifications_unread_idx.
const UnreadSQL = `SELECT COUNT(*) FROM notifications n JOIN tickets t ON t.id = n.ticket_id
WHERE n.agent_id = ? AND n.read_at IS NULL`

func (s *store) list(ctx context.Context, viewer agent.Agent, o ListOpts) ([]Notification, error) {
	q := ListSQL
	args := []any{viewer.ID}
	if o.UnreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	if o.Before > 0 {
		q += ` AND n.id < ?`
		args = append(args, o.Before)
	}
	sq, sa := scopeSQL(viewer)
	q += sq + ` ORDER BY n.id DESC LIMIT ?`
	args = append(append(args, sa...), o.Limit)
	var rows []Notification
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("notes: notifications: %w", err)
	}
	if rows == nil {
		rows = []Notification{}
	}
	return rows, nil
}

func (s *store) unread(ctx context.Context, viewer agent.Agent) (int, error) {
	sq, sa := scopeSQL(viewer)
	var n int
	if err := s.db.WithContext(ctx).Raw(UnreadSQL+sq, append([]any{viewer.ID}, sa...)...).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("notes: unread count: %w", err)
	}
	return n, nil
}

// markRead sets read_at on the agent's own unread notifications.
//
//	UPDATE notifications SET read_at = ? WHERE agent_id = ? AND read_at IS NULL [AND id IN ?]
func (s *store) markRead(ctx context.Context, agentID int64, ids []int64, all bool, now time.Time) error {
	q := `UPDATE notifications SET read_at = ? WHERE agent_id = ? AND read_at IS NULL`
	args := []any{now, agentID}
	if !all {
		q += ` AND id IN ?`
		args = append(args, ids)
	}
	if err := s.db.WithContext(ctx).Exec(q, args...).Error; err != nil {
		return fmt.Errorf("notes: mark read: %w", err)
	}
	return nil
}
