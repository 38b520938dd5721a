package tags

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// The statements of every console request, by name, so a test can prove
// each is served by an index (store_test.go).
const (
	sqlTagsByName   = `SELECT id, name, managed, created_at FROM tags WHERE name IN ?`
	sqlTagsOfTicket = `SELECT t.name FROM ticket_tags tt JOIN tags t ON t.id = tt.tag_id WHERE tt.ticket_id = ? ORDER BY t.name`
	// A queue's codes and the all-queues ones: COALESCE(queue_id, 0) is
	// the first column of wrapup_codes_queue_code_idx.
	sqlCodesFor = `SELECT ` + codeColumns + ` FROM wrapup_codes
		WHERE COALESCE(queue_id, 0) IN (0, ?) AND active = TRUE ORDER BY code, queue_id IS NULL`
	sqlRequired = `SELECT 1 FROM queue_wrapup_rules r
		WHERE r.queue_id = ? AND r.required = TRUE
		AND EXISTS (SELECT 1 FROM wrapup_codes w WHERE COALESCE(w.queue_id, 0) IN (0, r.queue_id) AND w.active = TRUE)`
	sqlChosen = `SELECT tw.code_id, w.code, w.label_id, w.label_en, tw.agent_id, tw.created_at
		FROM ticket_wrapups tw JOIN wrapup_codes w ON w.id = tw.code_id WHERE tw.ticket_id = ?`
	sqlHasValid = `SELECT 1 FROM ticket_wrapups tw JOIN wrapup_codes w ON w.id = tw.code_id
		WHERE tw.ticket_id = ? AND COALESCE(w.queue_id, 0) IN (0, ?)`
)

// store holds every statement of the tags tables (migration 0011).
type store struct {
	db *db.DB
}

// Tag is one entry of the tag list.
type Tag struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Managed: on the list supervisors keep; false for a free tag made by
	// tagging.
	Managed   bool      `json:"managed"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *store) list(ctx context.Context) ([]Tag, error) {
	var out []Tag
	if err := s.db.WithContext(ctx).Raw(`SELECT id, name, managed, created_at FROM tags ORDER BY name`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tags: list: %w", err)
	}
	if out == nil {
		out = []Tag{}
	}
	return out, nil
}

// byNames reads the tags of these (normalized) names that exist.
func (s *store) byNames(ctx context.Context, q *gorm.DB, names []string) (map[string]Tag, error) {
	out := map[string]Tag{}
	if len(names) == 0 {
		return out, nil
	}
	var rows []Tag
	if err := q.WithContext(ctx).Raw(sqlTagsByName, names).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("tags: by name: %w", err)
	}
	for _, r := range rows {
		out[r.Name] = r
	}
	return out, nil
}

// create inserts a tag; an existing name is kept (made managed when asked
// for managed), so two agents creating one tag at once both get it.
func (s *store) create(ctx context.Context, q *gorm.DB, name string, managed bool, now time.Time) (Tag, error) {
	sql := `INSERT INTO tags (name, managed, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`
	if managed {
		sql = `INSERT INTO tags (name, managed, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET managed = TRUE`
	}
	if err := q.WithContext(ctx).Exec(sql, name, managed, now).Error; err != nil {
		return Tag{}, fmt.Errorf("tags: create: %w", err)
	}
	var rows []Tag
	if err := q.WithContext(ctx).Raw(`SELECT id, name, managed, created_at FROM tags WHERE name = ?`, name).Scan(&rows).Error; err != nil {
		return Tag{}, fmt.Errorf("tags: read created: %w", err)
	}
	if len(rows) == 0 {
		return Tag{}, ErrNotFound
	}
	return rows[0], nil
}

func (s *store) remove(ctx context.Context, id int64) (name string, err error) {
	var names []string
	if err := s.db.WithContext(ctx).Raw(`DELETE FROM tags WHERE id = ? RETURNING name`, id).Scan(&names).Error; err != nil {
		return "", fmt.Errorf("tags: remove: %w", err)
	}
	if len(names) == 0 {
		return "", ErrNotFound
	}
	return names[0], nil
}

// ofTicket reads a ticket's tags, sorted by name (ticket_tags' primary key
// serves the lookup).
func (s *store) ofTicket(ctx context.Context, q *gorm.DB, ticketID int64) ([]string, error) {
	var names []string
	if err := q.WithContext(ctx).Raw(sqlTagsOfTicket, ticketID).Scan(&names).Error; err != nil {
		return nil, fmt.Errorf("tags: of ticket: %w", err)
	}
	if names == nil {
		names = []string{}
	}
	return names, nil
}

// replace makes a ticket's tags exactly tagIDs, inside tx.
func (s *store) replace(ctx context.Context, tx *gorm.DB, ticketID int64, tagIDs []int64) error {
	q := tx.WithContext(ctx)
	if len(tagIDs) == 0 {
		if err := q.Exec(`DELETE FROM ticket_tags WHERE ticket_id = ?`, ticketID).Error; err != nil {
			return fmt.Errorf("tags: clear: %w", err)
		}
		return nil
	}
	if err := q.Exec(`DELETE FROM ticket_tags WHERE ticket_id = ? AND tag_id NOT IN ?`, ticketID, tagIDs).Error; err != nil {
		return fmt.Errorf("tags: drop: %w", err)
	}
	for _, id := range tagIDs {
		if err := q.Exec(`INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (?, ?) ON CONFLICT (ticket_id, tag_id) DO NOTHING`,
			ticketID, id).Error; err != nil {
			return fmt.Errorf("tags: add: %w", err)
		}
	}
	return nil
}
