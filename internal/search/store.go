package search

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/ticket"
)

type store struct {
	db *db.DB
}

// Each source below reads one index and the ticket rows it names, with
// the scope rule in the WHERE clause; tests EXPLAIN them on both dialects.

func (s *store) scan(ctx context.Context, what, sql string, args []any) ([]hit, error) {
	var rows []hit
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search: %s: %w", what, err)
	}
	return rows, nil
}

// trackingSQL: the unique index on tracking_number.
func trackingSQL(viewer agent.Agent, tn string) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	return `SELECT t.id AS ticket_id FROM tickets t WHERE t.tracking_number = ? AND ` + scope,
		append([]any{tn}, args...)
}

func (s *store) byTracking(ctx context.Context, viewer agent.Agent, tn string) ([]hit, error) {
	sql, args := trackingSQL(viewer, tn)
	return s.scan(ctx, "tracking number", sql, args)
}

// identitySQL: the unique (kind, value) index of contact_identities, then
// the contact's tickets through tickets_contact_idx.
func identitySQL(viewer agent.Agent, kind, value string, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	return `SELECT t.id AS ticket_id FROM contact_identities ci JOIN tickets t ON t.contact_id = ci.contact_id
		WHERE ci.kind = ? AND ci.value = ? AND ` + scope + `
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?`,
		append(append([]any{kind, value}, args...), n)
}

func (s *store) byIdentity(ctx context.Context, viewer agent.Agent, kind, value string, n int) ([]hit, error) {
	sql, args := identitySQL(viewer, kind, value, n)
	return s.scan(ctx, kind, sql, args)
}

// nameSQL: the names' full-text index (GIN expression index; FTS5 table),
// every word a prefix.
func nameSQL(d db.Dialect, viewer agent.Agent, words []string, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	if d == db.Postgres {
		return `SELECT t.id AS ticket_id, ts_rank(to_tsvector('simple', c.name), fq.q) AS score
			FROM contacts c CROSS JOIN (SELECT to_tsquery('simple', ?) AS q) fq
			JOIN tickets t ON t.contact_id = c.id
			WHERE to_tsvector('simple', c.name) @@ fq.q AND ` + scope + `
			ORDER BY score DESC, t.last_message_at DESC, t.id DESC LIMIT ?`,
			append(append([]any{joinWords(words, pgQuery, " & ")}, args...), n)
	}
	return `SELECT t.id AS ticket_id, -f.rank AS score
		FROM contacts_fts f JOIN tickets t ON t.contact_id = f.rowid
		WHERE contacts_fts MATCH ? AND ` + scope + `
		ORDER BY f.rank, t.last_message_at DESC, t.id DESC LIMIT ?`,
		append(append([]any{joinWords(words, ftsQuery, " ")}, args...), n)
}

func (s *store) byName(ctx context.Context, viewer agent.Agent, words []string, n int) ([]hit, error) {
	sql, args := nameSQL(s.db.Dialect, viewer, words, n)
	return s.scan(ctx, "name", sql, args)
}

// MessageCandidates bounds the messages a word search ranks: the newest
// this many matching messages (in the whole table, before the scope), so
// a word found in most messages costs the same as a rare one. A very
// common word therefore finds the tickets of its newest matches only;
// another word narrows the search.
const MessageCandidates = 2000

// messageSQL: the bodies' full-text index (GIN on messages.body_tsv; the
// FTS5 table messages_fts), every word required, the last one a prefix
// (people type it last). The newest MessageCandidates matches are taken
// from the index in id order, then grouped per ticket within the scope.
// "id + 0" keeps PostgreSQL from walking the primary key backwards in the
// hope of meeting enough matches soon: for a word it has no statistics on
// it guesses thousands of matches, and a rare word then reads most of the
// table; the GIN index and a top-N sort cost about the matches instead.
// One row per ticket with its score (PostgreSQL: the best ts_rank; SQLite:
// the number of matching messages, bm25 costing too much per row) and its
// newest matching message for the excerpt.
func messageSQL(d db.Dialect, viewer agent.Agent, words []string, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	if d == db.Postgres {
		return `SELECT m.ticket_id, MAX(ts_rank(m.body_tsv, fq.q)) AS score, MAX(m.id) AS message_id
			FROM (SELECT id FROM messages, to_tsquery('simple', ?) q0 WHERE body_tsv @@ q0 ORDER BY id + 0 DESC LIMIT ?) c
			JOIN messages m ON m.id = c.id CROSS JOIN (SELECT to_tsquery('simple', ?) AS q) fq
			JOIN tickets t ON t.id = m.ticket_id
			WHERE ` + scope + `
			GROUP BY m.ticket_id ORDER BY score DESC, message_id DESC LIMIT ?`,
			append(append([]any{pgWords(words), MessageCandidates, pgWords(words)}, args...), n)
	}
	return `SELECT m.ticket_id, COUNT(*) AS score, MAX(m.id) AS message_id
		FROM (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) c
		JOIN messages m ON m.id = c.id JOIN tickets t ON t.id = m.ticket_id
		WHERE ` + scope + `
		GROUP BY m.ticket_id ORDER BY score DESC, message_id DESC LIMIT ?`,
		append(append([]any{ftsWords(words), MessageCandidates}, args...), n)
}

// pgWords and ftsWords: all words exact but the last, a prefix when it
// is a word of letters of at least three (a prefix of digits, "ref12",
// would reach thousands of index terms).
func pgWords(words []string) string {
	if len(words) == 0 {
		return ""
	}
	head := pgQuery(words[:len(words)-1], false)
	last := pgQuery(words[len(words)-1:], prefixable(words[len(words)-1]))
	if head == "" {
		return last
	}
	return head + " & " + last
}

func ftsWords(words []string) string {
	if len(words) == 0 {
		return ""
	}
	head := ftsQuery(words[:len(words)-1], false)
	last := ftsQuery(words[len(words)-1:], prefixable(words[len(words)-1]))
	if head == "" {
		return last
	}
	return head + " " + last
}

// joinWords makes every word a prefix where prefixable (names).
func joinWords(words []string, one func([]string, bool) string, and string) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		parts = append(parts, one([]string{w}, prefixable(w)))
	}
	return strings.Join(parts, and)
}

func prefixable(w string) bool {
	if len([]rune(w)) < 3 {
		return false
	}
	for _, c := range w {
		if unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

func (s *store) byMessage(ctx context.Context, viewer agent.Agent, words []string, n int) ([]hit, error) {
	sql, args := messageSQL(s.db.Dialect, viewer, words, n)
	return s.scan(ctx, "messages", sql, args)
}

// bodies reads messages by primary key, for excerpts.
func (s *store) bodies(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Body string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, body FROM messages WHERE id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search: excerpts: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Body
	}
	return out, nil
}
