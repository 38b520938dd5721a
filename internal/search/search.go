// Package search finds tickets from the console's one search box and keeps
// agents' saved views (named filter sets of the ticket list) with their
// live counts.
//
// Guarantees, and what keeps them:
//   - Nothing outside the viewer's scope: every statement carries the
//     ticket package's scope rule (ticket.ScopeSQL), and the page is read
//     back through ticket.Service.Visible, which applies the same rule in
//     Go; views run through ticket.Service.ListPage/Count with the
//     viewer's own scope, whoever made the view.
//   - Identifiers match on their stored form: a phone typed 0812…, 62812…
//     or +62 812… is normalized to E.164 before the lookup, a NIK to its
//     16 digits, a tracking number to its canonical dashes. A NIK is never
//     echoed: the reason a ticket matched shows it masked.
//   - Words go to full-text indexes only (PostgreSQL GIN on a tsvector
//     with the 'simple' configuration; SQLite FTS5 kept in step by
//     triggers), built from letters and digits only.
//   - Each source reads at most offset+limit+1 tickets from an index; the
//     merged ranking is done here.
package search

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/mask"
	"tanggap/internal/ticket"
)

// Paging limits.
const (
	DefaultLimit = 20
	MaxLimit     = 50
	MaxOffset    = 500
)

// Scores of the sources: an exact identifier outranks a name, a name
// outranks words in messages.
const (
	scoreTracking = 1000
	scoreIdentity = 500
	scoreName     = 100
	scoreMessage  = 10
)

// Tickets is what search needs of the ticket service.
type Tickets interface {
	Visible(ctx context.Context, viewer agent.Agent, ids []int64) (map[int64]ticket.Summary, error)
	ListPage(ctx context.Context, viewer agent.Agent, f ticket.Filter) (ticket.Page, error)
	Count(ctx context.Context, viewer agent.Agent, f ticket.Filter) (int, error)
}

// Opts configures the service.
type Opts struct {
	DB      *db.DB
	Tickets Tickets
	Log     *slog.Logger
	// CountTTL: how long a view's count is reused (0: 2s).
	CountTTL time.Duration
}

// Service answers searches and keeps saved views.
type Service struct {
	store   *store
	tickets Tickets
	log     *slog.Logger
	counts  *countCache
}

// New returns the service.
func New(o Opts) *Service {
	ttl := o.CountTTL
	if ttl <= 0 {
		ttl = 2 * time.Second
	}
	return &Service{store: &store{db: o.DB, many: ManyMatches, common: CommonWord, rankAtMost: MessageCandidates}, tickets: o.Tickets, log: o.Log, counts: newCountCache(ttl)}
}

// Match says why a ticket matched: the field, and a masked value or a
// masked excerpt of the message.
type Match struct {
	Field   string `json:"field"` // tracking_number, phone, email, nik, name, message
	Value   string `json:"value,omitempty"`
	Snippet string `json:"snippet,omitempty"`
}

// Result is one ticket found.
type Result struct {
	Ticket  ticket.Summary `json:"ticket"`
	Score   float64        `json:"score"`
	Matches []Match        `json:"matches"`
}

// Results is one page of results. Older: the words were searched among
// the viewer's newest tickets only (a word in so many messages that they
// cannot all be ranked) and older tickets may match too; the console
// says so rather than a total it does not know.
type Results struct {
	Results    []Result `json:"results"`
	NextOffset int      `json:"next_offset,omitempty"`
	Older      bool     `json:"older,omitempty"`
}

// hit is one source's match of one ticket.
type hit struct {
	TicketID  int64
	Score     float64
	MessageID int64
}

// Search finds the tickets viewer may see that match text, best first.
func (s *Service) Search(ctx context.Context, viewer agent.Agent, text string, limit, offset int) (Results, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset = max(0, min(offset, MaxOffset))
	q := Parse(text)
	out := Results{Results: []Result{}}
	if q.Empty() {
		return out, nil
	}
	n := offset + limit + 1
	// older: the words' walk stopped before the viewer's oldest tickets
	// and its finds are the answer; more may match further back.
	older := false
	type acc struct {
		score   float64
		matches []Match
		message int64
	}
	found := map[int64]*acc{}
	add := func(hits []hit, m Match, base float64) {
		for _, h := range hits {
			a := found[h.TicketID]
			if a == nil {
				a = &acc{}
				found[h.TicketID] = a
			}
			a.score += base + h.Score
			mm := m
			if h.MessageID != 0 {
				a.message = h.MessageID
			}
			a.matches = append(a.matches, mm)
		}
	}
	if q.Tracking != "" {
		hits, err := s.store.byTracking(ctx, viewer, q.Tracking)
		if err != nil {
			return Results{}, err
		}
		add(hits, Match{Field: "tracking_number", Value: q.Tracking}, scoreTracking)
	}
	for _, id := range []struct{ kind, value, shown string }{
		{"phone", q.Phone, mask.Phone(q.Phone)},
		{"email", q.Email, mask.Email(q.Email)},
		{"nik", q.NIK, mask.NIK(q.NIK)},
	} {
		if id.value == "" {
			continue
		}
		hits, err := s.store.byIdentity(ctx, viewer, id.kind, id.value, n)
		if err != nil {
			return Results{}, err
		}
		add(hits, Match{Field: id.kind, Value: id.shown}, scoreIdentity)
	}
	if len(q.Words) > 0 {
		hits, err := s.store.byName(ctx, viewer, q.Words, n)
		if err != nil {
			return Results{}, err
		}
		add(hits, Match{Field: "name"}, scoreName)
		if hits, older, err = s.store.byMessage(ctx, viewer, q.Words, n); err != nil {
			return Results{}, err
		}
		add(hits, Match{Field: "message"}, scoreMessage)
	}
	out.Older = older
	if len(found) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	// The same scope rule again, in Go, on the rows read back.
	sums, err := s.tickets.Visible(ctx, viewer, ids)
	if err != nil {
		return Results{}, err
	}
	ids = ids[:0]
	for id := range sums {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := found[ids[i]], found[ids[j]]
		if a.score != b.score {
			return a.score > b.score
		}
		ti, tj := sums[ids[i]], sums[ids[j]]
		if !ti.LastMessageAt.Equal(tj.LastMessageAt) {
			return ti.LastMessageAt.After(tj.LastMessageAt)
		}
		return ids[i] > ids[j]
	})
	if len(ids) > offset+limit {
		out.NextOffset = offset + limit
	}
	if offset >= len(ids) {
		return out, nil
	}
	ids = ids[offset:min(len(ids), offset+limit)]
	if older && out.NextOffset == 0 && offset+len(ids) < MaxOffset {
		// A short page of a cut walk: the next page asks for more
		// results, which walks further back (WalkTickets per result),
		// so "more than n found" and "show more" stay true.
		out.NextOffset = offset + len(ids)
	}
	var msgIDs []int64
	for _, id := range ids {
		if m := found[id].message; m != 0 {
			msgIDs = append(msgIDs, m)
		}
	}
	bodies, err := s.store.bodies(ctx, msgIDs)
	if err != nil {
		return Results{}, err
	}
	for _, id := range ids {
		a := found[id]
		r := Result{Ticket: sums[id], Score: a.score, Matches: a.matches}
		for i, m := range r.Matches {
			if m.Field == "message" {
				r.Matches[i].Snippet = snippet(bodies[a.message], q.Words)
			}
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}

// snippet is a masked excerpt of body around the first word found.
func snippet(body string, words []string) string {
	lower := strings.ToLower(body)
	at := -1
	for _, w := range words {
		if i := strings.Index(lower, w); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at > 30 && len(lower) == len(body) {
		start := at - 30
		for start > 0 && !utf8.RuneStart(body[start]) {
			start--
		}
		if sp := strings.IndexByte(body[start:at], ' '); sp >= 0 {
			start += sp + 1
		}
		return "…" + mask.Preview(body[start:])
	}
	return mask.Preview(body)
}
