package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/ticket"
)

// MaxViewName bounds a view's name; MaxViews an agent's own views.
const (
	MaxViewName = 60
	MaxViews    = 50
)

// View is a named filter set of the ticket list. Shared views are seen by
// everyone; each viewer's list and count of a view stay within their own
// scope, whoever made it.
type View struct {
	ID      int64         `json:"id"`
	OwnerID int64         `json:"owner_id"`
	Name    string        `json:"name"`
	Shared  bool          `json:"shared"`
	Filters ticket.Filter `json:"filters"`
	// Editable: the viewer may rename or remove it.
	Editable  bool      `json:"editable"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ViewInput is what a client sends to create or change a view.
type ViewInput struct {
	Name    string        `json:"name"`
	Shared  bool          `json:"shared"`
	Filters ticket.Filter `json:"filters"`
}

func editable(viewer agent.Agent, v View) bool {
	if v.Shared {
		return viewer.SeesAll()
	}
	return v.OwnerID == viewer.ID
}

func (in ViewInput) check(viewer agent.Agent) (ViewInput, error) {
	var ve apperr.ValidationError
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > MaxViewName || !utf8.ValidString(in.Name) {
		ve.Add("name", "views.name_invalid")
	}
	in.Filters.Cursor, in.Filters.Limit = "", 0
	f, err := in.Filters.Normalize(viewer)
	if err != nil {
		return in, err
	}
	f.Limit = 0
	in.Filters = f
	if in.Shared && !viewer.SeesAll() {
		return in, fmt.Errorf("%w: only supervisors and admins share views", ErrForbidden)
	}
	return in, ve.Err()
}

// Views lists the viewer's own views and the shared ones.
func (s *Service) Views(ctx context.Context, viewer agent.Agent) ([]View, error) {
	vs, err := s.store.views(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		vs[i].Editable = editable(viewer, vs[i])
	}
	return vs, nil
}

// CreateView stores a view for viewer.
func (s *Service) CreateView(ctx context.Context, viewer agent.Agent, in ViewInput) (View, error) {
	in, err := in.check(viewer)
	if err != nil {
		return View{}, err
	}
	filters, _ := json.Marshal(in.Filters)
	v, err := s.store.createView(ctx, viewer.ID, in.Name, in.Shared, string(filters), MaxViews, time.Now().UTC())
	if err != nil {
		return View{}, err
	}
	v.Editable = true
	return v, nil
}

// UpdateView renames a view or changes its filters.
func (s *Service) UpdateView(ctx context.Context, viewer agent.Agent, id int64, in ViewInput) (View, error) {
	v, err := s.view(ctx, viewer, id)
	if err != nil {
		return View{}, err
	}
	if !editable(viewer, v) {
		return View{}, ErrForbidden
	}
	if in, err = in.check(viewer); err != nil {
		return View{}, err
	}
	filters, _ := json.Marshal(in.Filters)
	if err := s.store.updateView(ctx, id, in.Name, in.Shared, string(filters), time.Now().UTC()); err != nil {
		return View{}, err
	}
	return s.view(ctx, viewer, id)
}

// DeleteView removes a view.
func (s *Service) DeleteView(ctx context.Context, viewer agent.Agent, id int64) error {
	v, err := s.view(ctx, viewer, id)
	if err != nil {
		return err
	}
	if !editable(viewer, v) {
		return ErrForbidden
	}
	return s.store.deleteView(ctx, id)
}

// view reads a view the viewer may see (their own or a shared one).
func (s *Service) view(ctx context.Context, viewer agent.Agent, id int64) (View, error) {
	v, err := s.store.view(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !v.Shared && v.OwnerID != viewer.ID {
		return View{}, ErrViewNotFound
	}
	v.Editable = editable(viewer, v)
	return v, nil
}

// ViewTickets is one page of a view's tickets, within the viewer's scope.
func (s *Service) ViewTickets(ctx context.Context, viewer agent.Agent, id int64, cursor string, limit int) (ticket.Page, error) {
	v, err := s.view(ctx, viewer, id)
	if err != nil {
		return ticket.Page{}, err
	}
	f := v.Filters
	f.Cursor, f.Limit = cursor, limit
	return s.tickets.ListPage(ctx, viewer, f)
}

// Counts returns the number of tickets in each of the viewer's views (up
// to ticket.CountCap). Counts are kept CountTTL and shared by every viewer
// whose scope reads the same rows (everyone who sees all, for views that
// do not say "mine"), so a burst of events across many consoles costs one
// count per distinct view and scope, each served by the list's indexes.
func (s *Service) Counts(ctx context.Context, viewer agent.Agent) (map[int64]int, error) {
	vs, err := s.Views(ctx, viewer)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(vs))
	for _, v := range vs {
		key := countKey(viewer, v.Filters)
		n, err := s.counts.get(key, func() (int, error) { return s.tickets.Count(ctx, viewer, v.Filters) })
		if err != nil {
			return nil, err
		}
		out[v.ID] = n
	}
	return out, nil
}

// countKey names the rows a count reads: the filters, and the part of
// the viewer that the scope rule looks at.
func countKey(viewer agent.Agent, f ticket.Filter) string {
	f.Cursor, f.Limit = "", 0
	b, _ := json.Marshal(f)
	var who string
	seesAllScope := viewer.SeesAll() && (f.Scope == "" || f.Scope == "all")
	if seesAllScope && f.Assignee != "me" {
		who = "all"
	} else {
		ids := make([]string, 0, len(viewer.QueueIDs))
		for _, q := range viewer.QueueIDs {
			ids = append(ids, strconv.FormatInt(q, 10))
		}
		who = string(viewer.Role) + ":" + strconv.FormatInt(viewer.ID, 10) + ":" + strings.Join(ids, ",")
	}
	return who + "|" + string(b)
}

// countCache keeps counts for a short while; concurrent askers of one key
// wait for one count.
type countCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*countEntry
}

type countEntry struct {
	done chan struct{}
	at   time.Time
	n    int
	err  error
}

func newCountCache(ttl time.Duration) *countCache {
	return &countCache{ttl: ttl, m: map[string]*countEntry{}}
}

func (c *countCache) get(key string, count func() (int, error)) (int, error) {
	now := time.Now()
	c.mu.Lock()
	e := c.m[key]
	if e != nil {
		select {
		case <-e.done:
			if e.err == nil && now.Sub(e.at) < c.ttl {
				c.mu.Unlock()
				return e.n, nil
			}
			e = nil
		default:
		}
	}
	if e == nil {
		if len(c.m) > 10000 {
			for k, old := range c.m {
				select {
				case <-old.done:
					if now.Sub(old.at) >= c.ttl {
						delete(c.m, k)
					}
				default:
				}
			}
		}
		e = &countEntry{done: make(chan struct{})}
		c.m[key] = e
		c.mu.Unlock()
		e.n, e.err = count()
		e.at = time.Now()
		close(e.done)
		return e.n, e.err
	}
	c.mu.Unlock()
	<-e.done
	return e.n, e.err
}
