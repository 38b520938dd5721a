package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/ticket"
)

type store struct {
	db *db.DB
	// many, common: ManyMatches and CommonWord (tests lower them to
	// walk small tables).
	many   int
	common float64
	stats  wordStats
	// rankAtMost: MessageCandidates (tests lower it).
	rankAtMost int
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
// every word a prefix, then each matching contact's tickets through
// tickets_contact_idx (a citizen has a few), the scope tested on those
// rows only: never a walk over the viewer's tickets to join them to the
// names. On PostgreSQL the tickets are a LATERAL subquery with a LIMIT,
// which the planner cannot turn into a hash join over the tickets; on
// SQLite INDEXED BY names the index.
func nameSQL(d db.Dialect, viewer agent.Agent, words []string, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	if d == db.Postgres {
		return `SELECT t.id AS ticket_id, c.score
			FROM (SELECT c.id, ts_rank(to_tsvector('simple', c.name), fq.q) AS score
				FROM contacts c, to_tsquery('simple', ?) fq(q)
				WHERE to_tsvector('simple', c.name) @@ fq.q) c
			CROSS JOIN LATERAL (SELECT t.id, t.last_message_at FROM tickets t
				WHERE t.contact_id = c.id AND ` + scope + ` LIMIT ?) t
			ORDER BY c.score DESC, t.last_message_at DESC, t.id DESC LIMIT ?`,
			append(append([]any{joinWords(words, pgQuery, " & ")}, args...), n, n)
	}
	return `SELECT t.id AS ticket_id, -f.rank AS score
		FROM contacts_fts f JOIN tickets AS t INDEXED BY tickets_contact_idx ON t.contact_id = f.rowid
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
// another word narrows the search. It is also what a count reads at most
// (manySQL, rankedFewSQL): each match is a row somewhere in the table,
// and with 2,000 a count alone took up to 67 ms from the kernel's cache.
const MessageCandidates = 1000

// messageSQL: the bodies' full-text index (GIN on messages.body_tsv; the
// FTS5 table messages_fts), every word required, the last one a prefix
// (people type it last). The newest MessageCandidates matches are taken
// from the index in id order, then grouped per ticket within the scope.
// "id + 0" keeps PostgreSQL from walking the primary key backwards in the
// hope of meeting enough matches soon: for a word it has no statistics on
// it guesses thousands of matches, and a rare word then reads most of the
// table; the GIN index and a top-N sort cost about the matches instead.
// PostgreSQL takes the candidates' ticket and tsvector from the rows the
// index led to (no second read of each message by its key).
// One row per ticket with its score (PostgreSQL: the best ts_rank; SQLite:
// the number of matching messages, bm25 costing too much per row) and its
// newest matching message for the excerpt.
func messageSQL(d db.Dialect, viewer agent.Agent, words []string, broad bool, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	if d == db.Postgres {
		match, margs := pgMatch(words, broad)
		return `SELECT c.ticket_id, MAX(ts_rank(c.body_tsv, c.q)) AS score, MAX(c.id) AS message_id
			FROM (SELECT id, ticket_id, body_tsv, q0 AS q FROM messages, to_tsquery('simple', ?) q0
				WHERE ` + match + ` ORDER BY id + 0 DESC LIMIT ?) c
			JOIN tickets t ON t.id = c.ticket_id
			WHERE ` + scope + `
			GROUP BY c.ticket_id ORDER BY score DESC, message_id DESC LIMIT ?`,
			append(append(append(append([]any{pgWords(words)}, margs...), MessageCandidates), args...), n)
	}
	return `SELECT m.ticket_id, COUNT(*) AS score, MAX(m.id) AS message_id
		FROM (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) c
		JOIN messages m ON m.id = c.id JOIN tickets t ON t.id = m.ticket_id
		WHERE ` + scope + `
		GROUP BY m.ticket_id ORDER BY score DESC, message_id DESC LIMIT ?`,
		append(append([]any{ftsWords(words), MessageCandidates}, args...), n)
}

// BroadPrefix: a last word whose listed words (the statistics') are in at
// least this share of messages together is too broad a prefix for the
// GIN index, which would gather every message of every word it begins
// before it could skip through the other words' ("kata", "ber": 120-160
// ms on a million messages); the other words lead the index, and the
// prefix is tested on the rows they lead to, of which it passes at least
// this share (pgMatch).
const BroadPrefix = 0.5

// pgMatch is the words' condition on messages, with q0 the words' tsquery
// (pgWords) in the FROM clause: body_tsv @@ q0 for the GIN index, or, for
// several words the last a broad prefix (BroadPrefix), the other words
// for the index and q0 tested on the rows they lead to (ts_match_vq, the
// function behind @@, which no index serves).
func pgMatch(words []string, broad bool) (string, []any) {
	if broad && len(words) > 1 {
		return `body_tsv @@ to_tsquery('simple', ?) AND ts_match_vq(body_tsv, q0)`, []any{pgQuery(words[:len(words)-1], false)}
	}
	return `body_tsv @@ q0`, nil
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

// ManyMatches is where a word search on SQLite (and on PostgreSQL, one
// of several words each common) stops ranking every match: when more
// than this many messages hold all the words (counted from the index,
// reading no more than this many plus one: manySQL), the search walks
// the newest matches instead (messageWalkSQL).
const ManyMatches = 200

// CommonWord is where a one-word search on PostgreSQL stops ranking
// every match: when the word is in at least this share of messages by
// the planner's statistics (wordStats), the search walks the viewer's
// tickets newest first instead (messageWalkSQL), without counting: the
// GIN index would read every entry of the word into a bitmap. Several
// words each this common are counted (manySQL): together they are often
// rare, and a walk that finds nothing costs more than the ranked search.
const CommonWord = 0.005

// manySQL counts the messages holding all the words, up to limit: the
// FTS5 table's rowids (SQLite), or the GIN index's bitmap of the words
// and at most limit rows of the table (PostgreSQL, for several words
// each common: together they may be rare, the statistics cannot say).
// exact takes the last word as a word, not as a prefix (countRanked).
func manySQL(d db.Dialect, words []string, limit int, exact, broad bool) (string, []any) {
	if d == db.Postgres {
		q := pgWords(words)
		match, margs := pgMatch(words, broad && !exact)
		if exact {
			q = pgQuery(words, false)
		}
		return `SELECT COUNT(*) FROM (SELECT 1 FROM messages, to_tsquery('simple', ?) q0 WHERE ` + match + ` LIMIT ?) c`,
			append(append([]any{q}, margs...), limit)
	}
	return `SELECT COUNT(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?) c`,
		[]any{ftsWords(words), limit}
}

// WalkTickets bounds the PostgreSQL walk: at most this many of the
// viewer's newest tickets per result wanted are read (840 for a first
// page of 20); past that the ranked search answers if it can rank every
// match (byMessage).
const WalkTickets = 40

// messageWalkSQL: the words' search when many messages hold them, newest
// first, reading about as much as the page needs. Rows: ticket_id,
// message_id (NULL for the walk's last ticket when it matched nothing),
// walked (the ticket's place in the walk; 0 on SQLite).
//
// PostgreSQL walks the viewer's tickets in inbox order (the inbox
// indexes, the scope in the WHERE clause), at most walk of them, and
// keeps those with a message holding all the words (messages_ticket_idx,
// the ticket's few messages tested one by one), stopping at n: a word in
// one message of fifty reads about fifty tickets per result, whatever
// the size of the table. Its rows come in the order the results are
// ranked: the most recently active ticket first. The walk-th ticket is
// always returned, so the caller knows the walk was cut.
//
// SQLite reads the FTS5 table's matches newest first (FTS5 serves rowid
// order), each joined to its message and ticket with the scope, down to
// the MessageCandidates-th newest match (found first from the FTS5 table
// alone, so a viewer who sees few of them still reads no more); the
// caller stops reading at n tickets. Its rows come newest matching
// message first.
func messageWalkSQL(d db.Dialect, viewer agent.Agent, words []string, walk, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	if d == db.Postgres {
		return `SELECT w.id AS ticket_id, mm.id AS message_id, w.k AS walked
			FROM (SELECT t.id, t.last_message_at, row_number() OVER (ORDER BY t.last_message_at DESC, t.id DESC) AS k
				FROM tickets t WHERE ` + scope + `
				ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?) w
			LEFT JOIN LATERAL (SELECT m.id FROM messages m
				WHERE m.ticket_id = w.id AND m.body_tsv @@ to_tsquery('simple', ?)
				ORDER BY m.created_at DESC, m.id DESC LIMIT 1) mm ON TRUE
			WHERE mm.id IS NOT NULL OR w.k = ?
			ORDER BY w.last_message_at DESC, w.id DESC LIMIT ?`,
			append(append(args, walk), pgWords(words), walk, n+1)
	}
	q := ftsWords(words)
	return `SELECT m.ticket_id, m.id AS message_id, 0 AS walked
		FROM messages_fts f JOIN messages m ON m.id = f.rowid JOIN tickets t ON t.id = m.ticket_id
		WHERE messages_fts MATCH ? AND f.rowid >= (SELECT MIN(id) FROM (SELECT rowid AS id FROM messages_fts
			WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?))
		AND ` + scope + `
		ORDER BY f.rowid DESC`,
		append([]any{q, q, MessageCandidates}, args...)
}

// byMessage: the ranked search (messageSQL) when few messages hold the
// words, otherwise the newest-first walk (messageWalkSQL). more: the
// walk was cut at its bound (PostgreSQL) and its finds are the answer,
// so older tickets may match too.
//
// On PostgreSQL several words are counted once, up to one more than can
// be ranked, from the GIN index, and ranked by the same statement when
// they can be (countRanked). The walk is taken only when
// the count says it would fill the page: c matches spread over the
// tickets put about c × bound / tickets of them among the bound newest;
// fewer than n, and the ranked search reads only those c matches. A
// walk cut short with at most MessageCandidates matches gives way to the
// ranked search; with more, its finds are the answer. One common word is
// never counted: the statistics' share of the word times the messages
// says whether it can be ranked, so a cut walk costs no read of the
// word's whole posting list.
// Walked hits are scored by their place in the walk, below 1, so the
// page keeps the walk's order among message hits.
func (s *store) byMessage(ctx context.Context, viewer agent.Agent, words []string, n int) (hits []hit, more bool, err error) {
	m, err := s.manyMatch(ctx, viewer, words, n)
	if err != nil {
		return nil, false, err
	}
	if m.many && s.walkFills(ctx, m.c, n) {
		hits, cut, err := s.walk(ctx, viewer, words, n)
		if err != nil || !cut {
			return hits, false, err
		}
		if m.c < 0 {
			// One word's estimate is the statistics' own; several
			// words' is a guess, which a cut walk puts in doubt.
			if est := s.stats.estimate(ctx, s.db, words[0]); len(words) == 1 && est > float64(s.rankAtMost) {
				return hits, true, nil
			}
			if m, err = s.countRanked(ctx, viewer, words, s.rankAtMost+1, n); err != nil {
				return nil, false, err
			}
		}
		if m.c > s.rankAtMost {
			// A word common in the table, rare among the viewer's
			// tickets: the walk's finds, and maybe older ones.
			return hits, true, nil
		}
	}
	if m.ranked {
		return m.hits, false, nil
	}
	sql, args := messageSQL(s.db.Dialect, viewer, words, s.broad(ctx, words), n)
	hits, err = s.scan(ctx, "messages", sql, args)
	return hits, false, err
}

// matchCount is what manyMatch learnt: many, the count c when one was
// made (else -1), and, when ranked, the ranked search's hits (made with
// the count on PostgreSQL: rankedFewSQL).
type matchCount struct {
	many   bool
	c      int
	ranked bool
	hits   []hit
}

// manyMatch says whether many messages hold all the words: on SQLite
// more than s.many of them; on PostgreSQL each word (the last, a prefix:
// its words together) in at least s.common of them by the statistics,
// and for several words, more than s.many messages holding them all.
// The count goes up to s.many+1 on SQLite, up to s.rankAtMost+1 on
// PostgreSQL, where it comes with the ranked search of those matches
// when there are no more than s.rankAtMost.
func (s *store) manyMatch(ctx context.Context, viewer agent.Agent, words []string, n int) (matchCount, error) {
	if s.db.Dialect != db.Postgres {
		c, err := s.countSQL(ctx, words, s.many+1, false)
		return matchCount{many: c > s.many, c: c}, err
	}
	if !s.stats.common(ctx, s.db, words, s.common) {
		return matchCount{c: -1}, nil
	}
	if len(words) == 1 {
		return matchCount{many: true, c: -1}, nil
	}
	if est := s.stats.together(ctx, s.db, words); est > SureMany*float64(s.rankAtMost) {
		return matchCount{many: true, c: -1}, nil
	}
	m, err := s.countRanked(ctx, viewer, words, max(s.rankAtMost, s.many)+1, n)
	m.many = m.c > s.many
	return m, err
}

// countRanked (PostgreSQL) counts the messages holding all the words up
// to limit and, when there are at most s.rankAtMost, ranks them within
// the viewer's scope (rankedFewSQL). When the last word is a prefix, the
// words are counted first as they are typed, all exact: the GIN index
// skips through exact words' lists of messages from the rarest, but
// gathers every message of every word a prefix begins into one bitmap
// before it can (tens of milliseconds for a prefix of common words,
// whatever the count). When the exact words reach limit, the prefix,
// which finds all they find and more, reaches it too, and nothing is
// ranked.
func (s *store) countRanked(ctx context.Context, viewer agent.Agent, words []string, limit, n int) (matchCount, error) {
	if prefixable(words[len(words)-1]) {
		c, err := s.countSQL(ctx, words, limit, true)
		if err != nil || c >= limit {
			return matchCount{c: c}, err
		}
	}
	sql, args := rankedFewSQL(viewer, words, s.broad(ctx, words), limit, s.rankAtMost, n)
	rows, err := s.db.WithContext(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return matchCount{}, fmt.Errorf("search: messages: count: %w", err)
	}
	defer rows.Close()
	m := matchCount{c: -1}
	for rows.Next() {
		var ticketID, messageID, matches *int64
		var score float64
		if err := rows.Scan(&ticketID, &score, &messageID, &matches); err != nil {
			return matchCount{}, fmt.Errorf("search: messages: count: %w", err)
		}
		if ticketID == nil {
			if matches != nil {
				m.c = int(*matches)
			}
			continue
		}
		m.hits = append(m.hits, hit{TicketID: *ticketID, Score: score, MessageID: *messageID})
	}
	if err := rows.Err(); err != nil {
		return matchCount{}, fmt.Errorf("search: messages: count: %w", err)
	}
	if m.c < 0 {
		return matchCount{}, fmt.Errorf("search: messages: count: no count row")
	}
	m.ranked = m.c <= s.rankAtMost
	if !m.ranked {
		m.hits = nil
	}
	sort.SliceStable(m.hits, func(i, j int) bool {
		a, b := m.hits[i], m.hits[j]
		return a.Score > b.Score || a.Score == b.Score && a.MessageID > b.MessageID
	})
	return m, nil
}

// rankedFewSQL (PostgreSQL): manySQL's count and, when it is at most
// rankAtMost, messageSQL's ranked search over the same rows, in one
// statement, so that the GIN index (for a prefix, the bitmap of every
// message of every word it begins) and the rows it leads to are read
// once, not once to count and again to rank. With at most rankAtMost
// matches messageSQL's newest MessageCandidates are all of them. Rows:
// one with the count (ticket_id NULL, matches set), then the hits.
func rankedFewSQL(viewer agent.Agent, words []string, broad bool, limit, rankAtMost, n int) (string, []any) {
	scope, args := ticket.ScopeSQL(viewer)
	match, margs := pgMatch(words, broad)
	return `WITH m AS MATERIALIZED (SELECT id, ticket_id, body_tsv, q0 AS q FROM messages, to_tsquery('simple', ?) q0
				WHERE ` + match + ` LIMIT ?),
			n AS (SELECT COUNT(*) AS n FROM m)
		SELECT CAST(NULL AS BIGINT) AS ticket_id, CAST(0 AS REAL) AS score, CAST(NULL AS BIGINT) AS message_id, n.n AS matches FROM n
		UNION ALL
		(SELECT c.ticket_id, MAX(ts_rank(c.body_tsv, c.q)) AS score, MAX(c.id) AS message_id, CAST(NULL AS BIGINT) AS matches
			FROM m c JOIN tickets t ON t.id = c.ticket_id
			WHERE (SELECT n.n FROM n) <= ? AND ` + scope + `
			GROUP BY c.ticket_id ORDER BY score DESC, message_id DESC LIMIT ?)`,
		append(append(append(append([]any{pgWords(words)}, margs...), limit, rankAtMost), args...), n)
}

// SureMany: several words each common are not counted before the walk
// when the statistics, the words taken as independent, put more than
// this many times MessageCandidates messages holding them all: the count
// would only say the walk is the way, after reading a thousand rows (or,
// for a short prefix such as "ber", the index's entries of every word it
// begins). Words that avoid each other, fewer together than the guess,
// cut the walk short and are counted then.
const SureMany = 2

// broad: the last of several words is a broad prefix (BroadPrefix) by
// PostgreSQL's statistics; never on SQLite, whose FTS5 index keeps
// prefixes of its own.
func (s *store) broad(ctx context.Context, words []string) bool {
	return s.db.Dialect == db.Postgres && s.stats.broad(ctx, s.db, words, BroadPrefix)
}

// walkFills says whether a walk of the viewer's newest tickets (bound
// WalkTickets × n) is expected to find n tickets, from c messages
// holding the words (counted, at most s.rankAtMost) spread over the
// tickets the statistics count. Without a count or a row count, or with
// more matches than can be ranked, the walk is taken.
func (s *store) walkFills(ctx context.Context, c, n int) bool {
	if s.db.Dialect != db.Postgres || c < 0 || c > s.rankAtMost {
		return true
	}
	tickets := s.stats.ticketRows(ctx, s.db)
	if tickets <= 0 {
		return true
	}
	return float64(c)*float64(WalkTickets*n)/tickets >= float64(n)
}

// countSQL counts the messages holding all the words, up to limit (the
// last word exact when exact).
func (s *store) countSQL(ctx context.Context, words []string, limit int, exact bool) (int, error) {
	sql, args := manySQL(s.db.Dialect, words, limit, exact, s.broad(ctx, words))
	var c int
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&c).Error; err != nil {
		return 0, fmt.Errorf("search: messages: count: %w", err)
	}
	return c, nil
}

// walk reads messageWalkSQL's rows until n tickets; cut: the walk
// found fewer and stopped at its bound (PostgreSQL) before the end of the
// viewer's tickets.
func (s *store) walk(ctx context.Context, viewer agent.Agent, words []string, n int) (hits []hit, cut bool, err error) {
	bound := WalkTickets * n
	sql, args := messageWalkSQL(s.db.Dialect, viewer, words, bound, n)
	rows, err := s.db.WithContext(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return nil, false, fmt.Errorf("search: messages: walk: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for len(hits) < n && rows.Next() {
		var ticketID, walked int64
		var messageID *int64
		if err := rows.Scan(&ticketID, &messageID, &walked); err != nil {
			return nil, false, fmt.Errorf("search: messages: walk: %w", err)
		}
		cut = cut || walked == int64(bound)
		if messageID != nil && !seen[ticketID] {
			seen[ticketID] = true
			hits = append(hits, hit{TicketID: ticketID, MessageID: *messageID})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("search: messages: walk: %w", err)
	}
	for i := range hits {
		hits[i].Score = 1 - float64(i+1)/float64(len(hits)+1)
	}
	return hits, cut && len(hits) < n, nil
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
