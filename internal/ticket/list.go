package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/identity"
)

// The ticket list: the agent inbox and every filtered view of it.
//
// Cost stays flat as tickets accumulate: the list is ordered by
// (last_message_at DESC, id DESC) and every way of cutting it reads an
// index in that order, so a page costs about its own rows, not the table.
// A viewer's scope is split into branches (one per queue they work in,
// one for their own tickets; one for everything when they see all), each
// branch reads at most a page from its ordered index
// (tickets_queue_inbox_idx, tickets_assignee_inbox_idx, tickets_inbox_idx,
// or tickets_active_inbox_idx for the active tickets of everyone), and the
// short results are merged, a ticket in two branches once. The other
// filters ride on these walks; tag, wrap-up code and SLA state have
// indexes of their own (migration 0012) so the planner can drive from them
// when they are rarer than the walk. Tests check the plans with EXPLAIN on
// both dialects.

// MaxPage is the longest page of the list; DefaultPage is the console's.
const (
	MaxPage     = 500
	DefaultPage = 200
	// SLADueSoon is how close a due time is for "due soon".
	SLADueSoon = time.Hour
	// CountCap bounds a live count: a view shows "1000+" beyond it, and
	// counting stops there.
	CountCap = 1000
)

// SLA states a list can be filtered by.
const (
	SLABreached     = "breached"
	SLADueSoonState = "due_soon"
)

// The "SLA due soon" rule, shared by the list's filter and the queue
// figures (routing): an active ticket whose SLA clock runs (SLARunningSQL)
// and whose resolution (ResolutionDueSQL) or unmet first response
// (FirstResponseDueSQL) falls due within [?, ?) — now, now+SLADueSoon.
const (
	SLARunningSQL       = `t.status IN ` + domain.ActiveStatusesSQL + ` AND t.sla_paused_at IS NULL`
	ResolutionDueSQL    = `t.resolution_due_at >= ? AND t.resolution_due_at < ?`
	FirstResponseDueSQL = `t.first_response_at IS NULL AND t.first_response_due_at >= ? AND t.first_response_due_at < ?`
)

// Filter narrows a ticket list. The zero value is the viewer's default
// inbox: active tickets in their scope.
type Filter struct {
	// Scope: "mine" (assigned to me), "queue" (my queues and mine), "all"
	// (supervisors and admins only). Empty picks queue for agents, all for others.
	Scope string `json:"scope,omitempty"`
	// Status: a status, "active" (new, open, pending; the default) or "all".
	Status   string `json:"status,omitempty"`
	Channel  string `json:"channel,omitempty"`
	QueueID  int64  `json:"queue_id,omitempty"`
	Priority string `json:"priority,omitempty"`
	Category string `json:"category,omitempty"`
	// Province is a province code (two digits, as in a NIK).
	Province string `json:"province,omitempty"`
	// Tag is a tag name; Wrapup a wrap-up code.
	Tag    string `json:"tag,omitempty"`
	Wrapup string `json:"wrapup,omitempty"`
	// Assignee: "me", "none" (unassigned) or an agent id.
	Assignee string `json:"assignee,omitempty"`
	// SLA: "breached" or "due_soon" (a due time within SLADueSoon).
	SLA string `json:"sla,omitempty"`
	// From and To bound the last activity (last_message_at), From
	// included, To excluded.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// Cursor continues a list after the page that returned it.
	Cursor string `json:"-"`
	Limit  int    `json:"-"`
	// WithTags reads each listed ticket's tags with the page (Page.Tags).
	WithTags bool `json:"-"`
}

// Page is one page of a list; NextCursor is empty on the last page.
type Page struct {
	Tickets    []Summary `json:"tickets"`
	NextCursor string    `json:"next_cursor,omitempty"`
	// Tags: with Filter.WithTags, each listed ticket's tag names, sorted,
	// by ticket id (tickets without tags are absent); nil without.
	Tags map[int64][]string `json:"-"`
}

// List returns the tickets the viewer may see, most recently active first.
func (s *Service) List(ctx context.Context, viewer agent.Agent, f Filter) ([]Summary, error) {
	p, err := s.ListPage(ctx, viewer, f)
	return p.Tickets, err
}

// ListPage returns one page of the viewer's list under f.
func (s *Service) ListPage(ctx context.Context, viewer agent.Agent, f Filter) (Page, error) {
	q, err := s.listQuery(viewer, f, time.Now().UTC())
	if err != nil {
		return Page{}, err
	}
	return s.store.listPage(ctx, q)
}

// PageRead is ListPage's statement as a read to run beside others in one
// round trip (db.Reads); once they ran, *p is the page. It is the page of
// viewer, and of any agent in the same scope (SameScope).
func (s *Service) PageRead(viewer agent.Agent, f Filter, p *Page) (db.Read, error) {
	q, err := s.listQuery(viewer, f, time.Now().UTC())
	if err != nil {
		return db.Read{}, err
	}
	return q.pageRead(p), nil
}

// SameScope reports whether a and b see the same list: what the list's
// statement takes from its viewer (listQuery, scopeBranches: the id, the
// queues in order, whether they see every ticket) is the same. A page
// read for a is then b's page.
func SameScope(a, b agent.Agent) bool {
	return a.ID == b.ID && a.SeesAll() == b.SeesAll() && slices.Equal(a.QueueIDs, b.QueueIDs)
}

// Count counts the viewer's tickets under f, up to CountCap (a view's
// live count). It reads the same indexes as the list.
func (s *Service) Count(ctx context.Context, viewer agent.Agent, f Filter) (int, error) {
	f.Cursor = ""
	q, err := s.listQuery(viewer, f, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	return s.store.count(ctx, q, CountCap)
}

// Normalize checks f and fills its defaults for viewer, as List would; a
// saved view stores what it returns.
func (f Filter) Normalize(viewer agent.Agent) (Filter, error) {
	var ve apperr.ValidationError
	if f.Scope == "" {
		f.Scope = "queue"
		if viewer.SeesAll() {
			f.Scope = "all"
		}
	}
	switch f.Scope {
	case "mine", "queue":
	case "all":
		if !viewer.SeesAll() {
			f.Scope = "queue"
		}
	default:
		ve.Add("scope", "validation.invalid")
	}
	switch st := domain.TicketStatus(f.Status); {
	case f.Status == "":
		f.Status = "active"
	case f.Status == "active", f.Status == "all", st.Known():
	default:
		ve.Add("status", "validation.status_invalid")
	}
	if f.Channel != "" && !domain.Channel(f.Channel).Known() {
		ve.Add("channel", "validation.invalid")
	}
	if f.Priority != "" && !domain.Priority(f.Priority).Known() {
		ve.Add("priority", "validation.invalid")
	}
	if f.Province != "" {
		if _, ok := identity.ProvinceName(f.Province); !ok {
			ve.Add("province", "validation.invalid")
		}
	}
	if f.QueueID < 0 {
		ve.Add("queue_id", "validation.invalid")
	}
	for field, v := range map[string]string{"category": f.Category, "tag": f.Tag, "wrapup": f.Wrapup} {
		if utf8.RuneCountInString(v) > 64 || !utf8.ValidString(v) {
			ve.Add(field, "validation.invalid")
		}
	}
	switch f.Assignee {
	case "", "me", "none":
	default:
		if id, err := strconv.ParseInt(f.Assignee, 10, 64); err != nil || id <= 0 {
			ve.Add("assignee", "validation.invalid")
		}
	}
	switch f.SLA {
	case "", SLABreached, SLADueSoonState:
	default:
		ve.Add("sla", "validation.invalid")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		ve.Add("to", "validation.invalid")
	}
	if f.From != nil {
		t := f.From.UTC()
		f.From = &t
	}
	if f.To != nil {
		t := f.To.UTC()
		f.To = &t
	}
	if f.Limit <= 0 {
		f.Limit = DefaultPage
	}
	if f.Limit > MaxPage {
		f.Limit = MaxPage
	}
	if f.Cursor != "" {
		if _, _, err := decodeCursor(f.Cursor); err != nil {
			ve.Add("cursor", "validation.invalid")
		}
	}
	return f, ve.Err()
}

// listSQL is a list statement split into scope branches (which may
// overlap: see scopeBranches) that share the filter conditions.
type listSQL struct {
	branches []cond
	filters  []cond
	limit    int
	withTags bool
	dialect  db.Dialect
}

type cond struct {
	sql  string
	args []any
}

func (s *Service) listQuery(viewer agent.Agent, f Filter, now time.Time) (listSQL, error) {
	f, err := f.Normalize(viewer)
	if err != nil {
		return listSQL{}, err
	}
	q := listSQL{limit: f.Limit, branches: scopeBranches(viewer, f), withTags: f.WithTags, dialect: s.store.db.Dialect}
	add := func(sql string, args ...any) { q.filters = append(q.filters, cond{sql, args}) }
	switch f.Status {
	case "all":
	case "active":
		add(`t.status IN ` + domain.ActiveStatusesSQL)
	default:
		add(`t.status = ?`, f.Status)
	}
	if f.Channel != "" {
		add(`t.channel = ?`, f.Channel)
	}
	if f.QueueID > 0 {
		add(`t.queue_id = ?`, f.QueueID)
	}
	if f.Priority != "" {
		add(`t.priority = ?`, f.Priority)
	}
	if f.Category != "" {
		add(`t.category = ?`, f.Category)
	}
	if f.Province != "" {
		add(`t.province_code = ?`, f.Province)
	}
	switch f.Assignee {
	case "":
	case "me":
		add(`t.assignee_id = ?`, viewer.ID)
	case "none":
		add(`t.assignee_id IS NULL`)
	default:
		id, _ := strconv.ParseInt(f.Assignee, 10, 64)
		add(`t.assignee_id = ?`, id)
	}
	if f.Tag != "" {
		add(`t.id IN (SELECT tt.ticket_id FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = ?)`, f.Tag)
	}
	if f.Wrapup != "" {
		add(`t.id IN (SELECT tw.ticket_id FROM ticket_wrapups tw JOIN wrapup_codes w ON w.id = tw.code_id WHERE w.code = ?)`, f.Wrapup)
	}
	switch f.SLA {
	case SLABreached:
		add(`t.status IN `+domain.ActiveStatusesSQL+` AND t.sla_paused_at IS NULL AND
			(t.resolution_due_at < ? OR (t.first_response_at IS NULL AND t.first_response_due_at < ?))`, now, now)
	case SLADueSoonState:
		soon := now.Add(SLADueSoon)
		add(SLARunningSQL+` AND ((`+ResolutionDueSQL+`) OR (`+FirstResponseDueSQL+`))`, now, soon, now, soon)
	}
	if f.From != nil {
		add(`t.last_message_at >= ?`, *f.From)
	}
	if f.To != nil {
		add(`t.last_message_at < ?`, *f.To)
	}
	if f.Cursor != "" {
		at, id, _ := decodeCursor(f.Cursor)
		add(`t.last_message_at <= ? AND (t.last_message_at < ? OR t.id < ?)`, at, at, id)
	}
	return q, nil
}

// scopeBranches splits what viewer may see under f into parts, each read
// along its own ordered index. It is the SQL form of visible(): the
// viewer's queues and their own tickets, or everything for those who see
// all. The parts may overlap (a ticket of my queue assigned to me is in
// both), so their union drops repeats (pageSQL, countSQL). A branch "mine
// outside my queues" would be disjoint, but it had to pass over every
// active ticket of mine in my queues (nearly all of them) before it could
// say it had none; "mine" stops at a page of them.
func scopeBranches(viewer agent.Agent, f Filter) []cond {
	switch {
	case f.Scope == "mine":
		return []cond{{`t.assignee_id = ?`, []any{viewer.ID}}}
	case f.Scope == "all" && viewer.SeesAll():
		return []cond{{`1 = 1`, nil}}
	}
	queues := viewer.QueueIDs
	if f.QueueID > 0 {
		queues = nil
		for _, q := range viewer.QueueIDs {
			if q == f.QueueID {
				queues = []int64{q}
			}
		}
	}
	out := make([]cond, 0, len(queues)+1)
	for _, q := range queues {
		out = append(out, cond{`t.queue_id = ?`, []any{q}})
	}
	return append(out, cond{`t.assignee_id = ?`, []any{viewer.ID}})
}

// where joins a branch with the filters.
func (q listSQL) where(b cond) (string, []any) {
	parts := []string{b.sql}
	args := append([]any{}, b.args...)
	for _, f := range q.filters {
		parts = append(parts, f.sql)
		args = append(args, f.args...)
	}
	return strings.Join(parts, " AND "), args
}

// ScopeSQL is the scope rule as one SQL condition on tickets t (with its
// arguments): what viewer may see, for other readers of tickets (search).
func ScopeSQL(viewer agent.Agent) (string, []any) {
	if viewer.SeesAll() {
		return `1 = 1`, nil
	}
	if len(viewer.QueueIDs) == 0 {
		return `t.assignee_id = ?`, []any{viewer.ID}
	}
	return `(t.assignee_id = ? OR t.queue_id IN ?)`, []any{viewer.ID, viewer.QueueIDs}
}

func encodeCursor(t Summary) string {
	raw := t.LastMessageAt.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(t.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(c string) (time.Time, int64, error) {
	if len(c) > 128 {
		return time.Time{}, 0, fmt.Errorf("ticket: cursor too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("ticket: cursor: %w", err)
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return time.Time{}, 0, fmt.Errorf("ticket: cursor: no id")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("ticket: cursor: %w", err)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, 0, fmt.Errorf("ticket: cursor: bad id")
	}
	return t.UTC(), n, nil
}

// Visible reads the tickets of ids that viewer may see (the others are
// left out), for readers that found ids elsewhere (search).
func (s *Service) Visible(ctx context.Context, viewer agent.Agent, ids []int64) (map[int64]Summary, error) {
	out := make(map[int64]Summary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.store.summaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, t := range rows {
		if visible(viewer, t) {
			out[t.ID] = t
		}
	}
	return out, nil
}
