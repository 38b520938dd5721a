// Package audit records the changes made in the console's admin screens
// and reads the audit log back with filters (who, what, when), newest
// first. The log is the audit_log table that ticket and routing changes
// also write; each filter is served by an index (migration 0015_admin,
// see the EXPLAIN test).
package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/db"
)

// Service writes and reads the audit log.
type Service struct{ db *db.DB }

// New returns the service.
func New(d *db.DB) *Service { return &Service{db: d} }

// Entry is one audit line.
type Entry struct {
	ID        int64     `json:"id"`
	AgentID   *int64    `json:"agent_id"`
	AgentName string    `json:"agent_name"`
	Action    string    `json:"action"`
	TicketID  *int64    `json:"ticket_id"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// Record writes one line.
func (s *Service) Record(ctx context.Context, agentID int64, action, detail string) error {
	if len(detail) > 2000 {
		// Cut on a character's start: a split UTF-8 sequence (Indonesian
		// names, "→") is refused by PostgreSQL and the line would be lost.
		n := 2000
		for n > 0 && !utf8.RuneStart(detail[n]) {
			n--
		}
		detail = detail[:n]
	}
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO audit_log (agent_id, action, detail, created_at) VALUES (?, ?, ?, ?)`,
		agentID, action, detail, time.Now().UTC()).Error; err != nil {
		return fmt.Errorf("audit: record: %w", err)
	}
	return nil
}

// Filter narrows List. Zero fields do not filter. Action matches a prefix
// ("admin." lists every admin change).
type Filter struct {
	AgentID  int64
	Action   string
	From, To time.Time
	BeforeID int64 // paging: lines older than this id
	Limit    int
}

// MaxLimit bounds one page.
const MaxLimit = 200

// ListSQL builds the statement for f (exported for the EXPLAIN test).
func ListSQL(f Filter) (string, []any) {
	where, args := []string{}, []any{}
	if f.AgentID > 0 {
		where, args = append(where, "l.agent_id = ?"), append(args, f.AgentID)
	}
	if f.Action != "" {
		// A prefix range, so the (action, created_at) index serves it.
		where, args = append(where, "l.action >= ? AND l.action < ?"), append(args, f.Action, f.Action+"\U0010FFFF")
	}
	if !f.From.IsZero() {
		where, args = append(where, "l.created_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "l.created_at < ?"), append(args, f.To.UTC())
	}
	if f.BeforeID > 0 {
		where, args = append(where, "l.id < ?"), append(args, f.BeforeID)
	}
	q := `SELECT l.id, l.agent_id, COALESCE(a.name, '') AS agent_name, l.action, l.ticket_id, l.detail, l.created_at
FROM audit_log l LEFT JOIN agents a ON a.id = l.agent_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = 50
	}
	q += fmt.Sprintf(" ORDER BY l.created_at DESC, l.id DESC LIMIT %d", limit)
	return q, args
}

// List reads a page of the log, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	q, args := ListSQL(f)
	var out []Entry
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	if out == nil {
		out = []Entry{}
	}
	return out, nil
}
