package ticket

import (
	"context"
	gosql "database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// listPage reads one page: each scope branch takes at most limit+1 rows
// from its ordered index, the union is joined to the summary columns and
// cut to the page.
func (s *store) listPage(ctx context.Context, q listSQL) (Page, error) {
	var p Page
	if err := s.db.Reads(ctx, q.pageRead(&p)); err != nil { // without gorm: read on every inbox page
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	return p, nil
}

// pageRead is listPage's statement as a read (db.Reads); once it ran, *p
// is the page.
func (q listSQL) pageRead(p *Page) db.Read {
	sql, args := q.pageSQL()
	return db.Read{SQL: sql, Args: args, Scan: func(rows db.Rows) error {
		*p = Page{}
		if q.withTags {
			p.Tags = map[int64][]string{}
		}
		var err error
		if p.Tickets, err = scanSummaries(rows, q.limit+1, p.Tags); err != nil {
			return err
		}
		if len(p.Tickets) > q.limit {
			if p.Tags != nil {
				delete(p.Tags, p.Tickets[q.limit].ID)
			}
			p.Tickets = p.Tickets[:q.limit]
			p.NextCursor = encodeCursor(p.Tickets[q.limit-1])
		}
		return nil
	}}
}

// scanSummaries scans rows of a statement selecting summaryColumns by
// hand: gorm's reflective Scan was the largest part of an inbox page's
// CPU in this process (BenchmarkInboxHTTP). With tags non-nil the
// statement also selects tagsColumn, and each ticket's tags go there (by
// ticket id; tickets without tags are absent). Never nil.
func scanSummaries(rows db.Rows, capacity int, tags map[int64][]string) ([]Summary, error) {
	out := make([]Summary, 0, capacity)
	var (
		status, priority  string
		subject, category gosql.NullString
		queueID, assignee gosql.NullInt64
		firstResponse     gosql.NullTime
		solved            gosql.NullTime
		frDue, resDue     gosql.NullTime
		names             gosql.NullString
		t                 Summary
	)
	// One destination list for every row (t is copied out of it).
	dest := []any{&t.ID, &t.TrackingNumber, &status, &priority, &t.Channel, &category, &subject,
		&t.ContactID, &t.ContactName, &queueID, &t.Queue, &assignee,
		&t.AssigneeName, &t.CreatedAt, &t.UpdatedAt, &t.LastMessageAt,
		&firstResponse, &solved, &frDue, &resDue, &names}
	if tags == nil {
		dest = dest[:len(dest)-1]
	}
	for rows.Next() {
		t = Summary{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		t.Status, t.Priority = domain.TicketStatus(status), domain.Priority(priority)
		t.Category, t.Subject = category.String, subject.String
		if queueID.Valid {
			t.QueueID = ptr(queueID.Int64)
		}
		if assignee.Valid {
			t.AssigneeID = ptr(assignee.Int64)
		}
		t.FirstResponseAt, t.SolvedAt = nullTime(firstResponse), nullTime(solved)
		t.FirstResponseDueAt, t.ResolutionDueAt = nullTime(frDue), nullTime(resDue)
		if tags != nil && names.Valid && names.String != "" {
			tags[t.ID] = strings.Split(names.String, tagSep)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func ptr(v int64) *int64 { return &v }

func nullTime(t gosql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// pageSQL is the statement listPage runs (tests EXPLAIN it).
//
// The limit is written into the statement, not bound: a prepared statement
// (the driver's statement cache) with LIMIT $n gets a generic plan for an
// unknown page size, which PostgreSQL may build as a read and sort of the
// whole inbox, or it plans the statement afresh on every page; with the
// number in the text each page size is its own cached statement with its
// plan (measured with pgbench on 100,000 tickets: 10.6 ms a page with the
// limit bound, 1.5 ms with it written).
//
// The branches give ids and activity times only (from their ordered
// indexes); the page is cut from their union first, so only the page's own
// rows are fetched and joined to their contact, queue and assignee (the
// join of every branch's rows was most of an agent's page in the
// database). With withTags each row also carries its tags, sorted, in one
// column (tagsColumn): one round trip for the page and its tags.
func (q listSQL) pageSQL() (string, []any) {
	var b strings.Builder
	var args []any
	limit := strconv.Itoa(q.limit + 1) // an int of Normalize's range
	b.WriteString(`SELECT ` + summaryColumns)
	if q.withTags {
		b.WriteString(`, ` + tagsColumn(q.dialect))
	}
	b.WriteString(` FROM (`)
	if len(q.branches) > 1 {
		b.WriteString(`SELECT id, last_message_at FROM (`)
	}
	for i, br := range q.branches {
		if i > 0 {
			b.WriteString(` UNION `) // branches may overlap: see scopeBranches
		}
		w, a := q.where(br)
		b.WriteString(`SELECT * FROM (SELECT t.id, t.last_message_at FROM tickets t WHERE ` + w +
			` ORDER BY t.last_message_at DESC, t.id DESC LIMIT ` + limit + `) b` + strconv.Itoa(i))
		args = append(args, a...)
	}
	if len(q.branches) > 1 {
		b.WriteString(`) u ORDER BY last_message_at DESC, id DESC LIMIT ` + limit)
	}
	b.WriteString(`) p JOIN tickets t ON t.id = p.id
	JOIN contacts c ON c.id = t.contact_id
	LEFT JOIN queues q ON q.id = t.queue_id
	LEFT JOIN agents a ON a.id = t.assignee_id
	ORDER BY t.last_message_at DESC, t.id DESC LIMIT ` + limit)
	return b.String(), args
}

// tagSep separates a ticket's tag names in tagsColumn (a tag name is
// letters, digits, spaces and -_./, never a control character).
const tagSep = "\x1f"

// tagsColumn is a ticket t's tag names, sorted, joined by tagSep (NULL
// when it has none), read along the ticket_tags primary key.
func tagsColumn(d db.Dialect) string {
	if d == db.SQLite {
		return `(SELECT group_concat(name, char(31)) FROM (SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.ticket_id = t.id ORDER BY g.name))`
	}
	return `(SELECT string_agg(g.name, chr(31) ORDER BY g.name) FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.ticket_id = t.id)`
}

// count counts the union of the branches' tickets, each branch stopped at
// limit rows (the branches may overlap: see scopeBranches). It is exact up
// to limit: a branch stopped there alone makes the union that large.
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
		// The limit written, not bound, as in pageSQL.
		parts = append(parts, `SELECT * FROM (SELECT t.id FROM tickets t WHERE `+w+` LIMIT `+strconv.Itoa(limit)+`) c`+strconv.Itoa(i))
		args = append(args, a...)
	}
	return `SELECT COUNT(*) FROM (` + strings.Join(parts, " UNION ") + `) u`, args
}

// summaries reads tickets by primary key.
func (s *store) summaries(ctx context.Context, ids []int64) ([]Summary, error) {
	var rows []Summary
	if err := s.db.WithContext(ctx).Raw(`SELECT `+summaryColumns+` `+summaryJoins+` WHERE t.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ticket: summaries: %w", err)
	}
	return rows, nil
}
