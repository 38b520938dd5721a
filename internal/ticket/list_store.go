package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// listPage reads one page: each scope branch takes at most limit+1 rows
// from its ordered index, the union is joined to the summary columns and
// cut to the page.
func (s *store) listPage(ctx context.Context, q listSQL) (Page, error) {
	sql, args := q.pageSQL()
	var rows []Summary
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	p := Page{Tickets: rows}
	if p.Tickets == nil {
		p.Tickets = []Summary{}
	}
	if len(p.Tickets) > q.limit {
		p.Tickets = p.Tickets[:q.limit]
		p.NextCursor = encodeCursor(p.Tickets[q.limit-1])
	}
	return p, nil
}

// pageSQL is the statement listPage runs (tests EXPLAIN it).
func (q listSQL) pageSQL() (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT ` + summaryColumns + ` FROM (`)
	for i, br := range q.branches {
		if i > 0 {
			b.WriteString(` UNION ALL `)
		}
		w, a := q.where(br)
		b.WriteString(`SELECT * FROM (SELECT t.id FROM tickets t WHERE ` + w +
			` ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?) b` + strconv.Itoa(i))
		args = append(args, a...)
		args = append(args, q.limit+1)
	}
	b.WriteString(`) p JOIN tickets t ON t.id = p.id
	JOIN contacts c ON c.id = t.contact_id
	LEFT JOIN queues q ON q.id = t.queue_id
	LEFT JOIN agents a ON a.id = t.assignee_id
	ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?`)
	args = append(args, q.limit+1)
	return b.String(), args
}

// count sums the branches' counts, each stopped at limit rows.
func (s *store) count(ctx context.Context, q listSQL, limit int) (int, error) {
	sql, args := q.countSQL(limit)
	var n int
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("ticket: count: %w", err)
	}
	return min(n, limit), nil
}

func (q listSQL) countSQL(limit int) (string, []any) {
	parts := make([]string, 0, len(q.branches))
	var args []any
	for i, br := range q.branches {
		w, a := q.where(br)
		parts = append(parts, `(SELECT COUNT(*) FROM (SELECT 1 AS one FROM tickets t WHERE `+w+` LIMIT ?) c`+strconv.Itoa(i)+`)`)
		args = append(args, a...)
		args = append(args, limit)
	}
	return `SELECT ` + strings.Join(parts, " + "), args
}

// summaries reads tickets by primary key.
func (s *store) summaries(ctx context.Context, ids []int64) ([]Summary, error) {
	var rows []Summary
	if err := s.db.WithContext(ctx).Raw(`SELECT `+summaryColumns+` `+summaryJoins+` WHERE t.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ticket: summaries: %w", err)
	}
	return rows, nil
}
