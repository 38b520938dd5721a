package canned

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
)

type store struct {
	db *db.DB
}

// visibleSQL is the union of the rows of table (canned_responses or
// macros, aliased c) that viewer may use, each part served by an index:
// their own (<table>_owner_idx), the shared ones of every queue and of
// their queues (<table>_shared_idx, a partial index of the shared rows);
// supervisors and admins every shared one (the whole partial index).
func visibleSQL(table, columns string, viewer agent.Agent) (string, []any) {
	from := ` FROM ` + table + ` c LEFT JOIN queues q ON q.id = c.queue_id WHERE `
	sel := `SELECT ` + columns + from
	q := sel + `c.owner_id = ?`
	args := []any{viewer.ID}
	switch {
	case viewer.SeesAll():
		q += ` UNION ALL ` + sel + `c.owner_id IS NULL`
	case len(viewer.QueueIDs) > 0:
		q += ` UNION ALL ` + sel + `c.owner_id IS NULL AND c.queue_id IS NULL UNION ALL ` + sel + `c.owner_id IS NULL AND c.queue_id IN ?`
		args = append(args, viewer.QueueIDs)
	default:
		q += ` UNION ALL ` + sel + `c.owner_id IS NULL AND c.queue_id IS NULL`
	}
	return q, args
}

const responseColumns = `c.id, c.owner_id, c.queue_id, COALESCE(q.name, '') AS queue, c.lang, c.title, c.shortcut, c.body,
	c.usage_count, c.created_at, c.updated_at, CASE WHEN c.owner_id IS NULL THEN 1 ELSE 0 END AS shared`

// ListResponsesSQL is the statement List runs for viewer (for the plan tests).
func ListResponsesSQL(viewer agent.Agent) (string, []any) {
	return visibleSQL("canned_responses", responseColumns, viewer)
}

func (s *store) list(ctx context.Context, viewer agent.Agent) ([]Response, error) {
	q, args := ListResponsesSQL(viewer)
	var rows []Response
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("canned: list: %w", err)
	}
	return rows, nil
}

func (s *store) get(ctx context.Context, id int64) (Response, error) {
	var rows []Response
	if err := s.db.WithContext(ctx).Raw(`SELECT `+responseColumns+` FROM canned_responses c LEFT JOIN queues q ON q.id = c.queue_id
		WHERE c.id = ?`, id).Scan(&rows).Error; err != nil {
		return Response{}, fmt.Errorf("canned: get: %w", err)
	}
	if len(rows) == 0 {
		return Response{}, ErrNotFound
	}
	return rows[0], nil
}

func (s *store) insert(ctx context.Context, owner *int64, d Draft, by int64, now time.Time) (int64, error) {
	var id int64
	if err := s.db.WithContext(ctx).Raw(`INSERT INTO canned_responses (owner_id, queue_id, lang, title, shortcut, body, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, owner, d.QueueID, d.Lang, d.Title, d.Shortcut, d.Body, by, now, now).
		Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("canned: insert: %w", err)
	}
	return id, nil
}

func (s *store) update(ctx context.Context, id int64, d Draft, now time.Time) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE canned_responses SET queue_id = ?, lang = ?, title = ?, shortcut = ?, body = ?, updated_at = ?
		WHERE id = ?`, d.QueueID, d.Lang, d.Title, d.Shortcut, d.Body, now, id)
	if res.Error != nil {
		return fmt.Errorf("canned: update: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// delete removes a row of table (a constant of this package) by id.
func (s *store) delete(ctx context.Context, table string, id int64) error {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM `+table+` WHERE id = ?`, id)
	if res.Error != nil {
		return fmt.Errorf("canned: delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// used counts one use; one row by primary key, no read first, so
// concurrent uses all count.
//
//	UPDATE canned_responses SET usage_count = usage_count + 1 WHERE id = ?
func (s *store) used(ctx context.Context, table string, id int64) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE `+table+` SET usage_count = usage_count + 1 WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("canned: count use: %w", err)
	}
	return nil
}
