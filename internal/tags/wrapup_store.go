package tags

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Code is a wrap-up (disposition) code. QueueID nil: offered in every queue.
type Code struct {
	ID        int64     `json:"id"`
	QueueID   *int64    `json:"queue_id"`
	Code      string    `json:"code"`
	LabelID   string    `json:"label_id"`
	LabelEN   string    `json:"label_en"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Rule says whether a queue requires a wrap-up code before solving.
type Rule struct {
	QueueID  int64 `json:"queue_id"`
	Required bool  `json:"required"`
}

// Chosen is the wrap-up code chosen on a ticket.
type Chosen struct {
	CodeID    int64     `json:"code_id"`
	Code      string    `json:"code"`
	LabelID   string    `json:"label_id"`
	LabelEN   string    `json:"label_en"`
	AgentID   *int64    `json:"agent_id"`
	CreatedAt time.Time `json:"created_at"`
}

const codeColumns = `id, queue_id, code, label_id, label_en, active, created_at`

func (s *store) codes(ctx context.Context) ([]Code, error) {
	var out []Code
	if err := s.db.WithContext(ctx).Raw(`SELECT ` + codeColumns + ` FROM wrapup_codes ORDER BY queue_id IS NOT NULL, queue_id, code`).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tags: wrap-up codes: %w", err)
	}
	if out == nil {
		out = []Code{}
	}
	return out, nil
}

func (s *store) code(ctx context.Context, q *gorm.DB, id int64) (Code, error) {
	var rows []Code
	if err := q.WithContext(ctx).Raw(`SELECT `+codeColumns+` FROM wrapup_codes WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return Code{}, fmt.Errorf("tags: wrap-up code: %w", err)
	}
	if len(rows) == 0 {
		return Code{}, ErrNotFound
	}
	return rows[0], nil
}

// codesFor lists the active codes a ticket of the queue may take: the
// queue's own and those of every queue.
func (s *store) codesFor(ctx context.Context, q *gorm.DB, queueID int64) ([]Code, error) {
	var out []Code
	if err := q.WithContext(ctx).Raw(sqlCodesFor, queueID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tags: codes of queue: %w", err)
	}
	if out == nil {
		out = []Code{}
	}
	return out, nil
}

func (s *store) insertCode(ctx context.Context, c Code, now time.Time) (int64, error) {
	var id int64
	err := s.db.WithContext(ctx).Raw(`INSERT INTO wrapup_codes (queue_id, code, label_id, label_en, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.QueueID, c.Code, c.LabelID, c.LabelEN, c.Active, now).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("tags: insert wrap-up code: %w", err)
	}
	return id, nil
}

func (s *store) updateCode(ctx context.Context, id int64, labelID, labelEN string, active bool) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE wrapup_codes SET label_id = ?, label_en = ?, active = ? WHERE id = ?`, labelID, labelEN, active, id)
	if res.Error != nil {
		return fmt.Errorf("tags: update wrap-up code: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *store) rules(ctx context.Context) ([]Rule, error) {
	var out []Rule
	if err := s.db.WithContext(ctx).Raw(`SELECT queue_id, required FROM queue_wrapup_rules ORDER BY queue_id`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tags: wrap-up rules: %w", err)
	}
	if out == nil {
		out = []Rule{}
	}
	return out, nil
}

func (s *store) setRule(ctx context.Context, queueID int64, required bool, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO queue_wrapup_rules (queue_id, required, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (queue_id) DO UPDATE SET required = excluded.required, updated_at = excluded.updated_at`,
		queueID, required, now).Error; err != nil {
		return fmt.Errorf("tags: set wrap-up rule: %w", err)
	}
	return nil
}

// required reports whether the queue requires a wrap-up code: its rule
// says so and it has at least one active code to choose from (a queue
// left without codes never blocks its agents).
func (s *store) required(ctx context.Context, q *gorm.DB, queueID int64) (bool, error) {
	var n []int
	if err := q.WithContext(ctx).Raw(sqlRequired, queueID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("tags: wrap-up required: %w", err)
	}
	return len(n) > 0, nil
}

func (s *store) chosen(ctx context.Context, q *gorm.DB, ticketID int64) (*Chosen, error) {
	var rows []Chosen
	if err := q.WithContext(ctx).Raw(sqlChosen, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("tags: chosen wrap-up: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// hasValid reports whether the ticket's chosen code belongs to the queue
// (or to every queue): a code chosen in another queue before a transfer
// does not count.
func (s *store) hasValid(ctx context.Context, tx *gorm.DB, ticketID, queueID int64) (bool, error) {
	var n []int
	if err := tx.WithContext(ctx).Raw(sqlHasValid, ticketID, queueID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("tags: valid wrap-up: %w", err)
	}
	return len(n) > 0, nil
}

func (s *store) choose(ctx context.Context, tx *gorm.DB, ticketID, codeID, agentID int64, now time.Time) error {
	if err := tx.WithContext(ctx).Exec(`INSERT INTO ticket_wrapups (ticket_id, code_id, agent_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET code_id = excluded.code_id, agent_id = excluded.agent_id, created_at = excluded.created_at`,
		ticketID, codeID, agentID, now).Error; err != nil {
		return fmt.Errorf("tags: choose wrap-up: %w", err)
	}
	return nil
}
