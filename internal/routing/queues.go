package routing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/hours"
	"tanggap/internal/sla"
)

// Strategies a queue hands its tickets out by.
const (
	StrategyLeastBusy  = "least_busy"  // lowest load ratio, ties by longest idle
	StrategyRoundRobin = "round_robin" // the member assigned longest ago in this queue
	StrategySkills     = "skills"      // best skill match, then least busy
)

// queueConf is what routing knows about one queue, read from the database
// and cached. Every instance reads the same rows and caches them on its
// own: a change made through one instance's admin API drops that
// instance's cache at once and calls Opts.SettingsChanged, which announces
// it on the bus; every instance hearing the notice drops its cache too
// (DropCachedSettings), so the next decision reads the new settings. A
// lost notice costs at most confTTL.
//
// Agents' memberships, skills, capacities, loads and presence are not
// cached: every decision reads them in its own statements (see
// candidatesQuery), so SetAgent needs no notice.
type queueConf struct {
	ID            int64
	Code          string
	Name          string
	Channels      []string
	Categories    []string
	Provinces     []string
	Skills        []string
	Strategy      string
	TimeZone      string
	Hours         string
	OverflowQueue int64
	OverflowAfter time.Duration
	cal           *hours.Calendar
	policies      map[domain.Priority]sla.Policy // by priority
}

// takes reports whether the queue accepts a ticket of this channel and
// category (an empty list accepts any).
func (q *queueConf) takes(channel, category string) bool {
	return (len(q.Channels) == 0 || slices.Contains(q.Channels, channel)) &&
		(len(q.Categories) == 0 || slices.Contains(q.Categories, category))
}

// confTTL is the backstop for a lost change notice: cached queue settings
// are read again once they are this old, notice or not, so no instance
// routes on settings changed elsewhere for longer.
const confTTL = 10 * time.Second

type confSet struct {
	byID     map[int64]*queueConf
	byCode   map[string]int64
	ordered  []*queueConf // by id
	holidays []string
	loaded   time.Time
}

// conf returns the cached queue settings, reloading them when stale.
func (r *Router) conf(ctx context.Context) (*confSet, error) {
	r.confMu.Lock()
	defer r.confMu.Unlock()
	if r.confCache != nil && time.Since(r.confCache.loaded) < confTTL {
		return r.confCache, nil
	}
	c, err := loadConf(r.db.WithContext(ctx), r.log)
	if err != nil {
		return nil, err
	}
	r.confCache = c
	return c, nil
}

// invalidate drops the cached settings, so the next use reads them again.
// A load in progress holds confMu: invalidate waits for it and drops what
// it read, which may predate the change.
func (r *Router) invalidate() {
	r.confMu.Lock()
	r.confCache = nil
	r.confMu.Unlock()
}

// changed follows every committed change of what loadConf reads or of the
// code → id mapping: this instance's settings are read again at once, and
// the other instances are told through Opts.SettingsChanged.
func (r *Router) changed() {
	r.invalidate()
	if r.settingsChanged != nil {
		r.settingsChanged()
	}
}

// DropCachedSettings forgets the cached queue settings (codes included), so
// the next decision reads them from the database. Call it when any
// instance (this one included) announces a settings change.
func (r *Router) DropCachedSettings() { r.invalidate() }

// queueConfRow is one row of queues.
type queueConfRow struct {
	ID              int64
	Code            string
	Name            string
	Channels        string
	Categories      string
	Provinces       string
	Skills          string
	Strategy        string
	TimeZone        string
	Hours           string
	OverflowQueueID *int64
	OverflowAfterS  int
}

type policyRow struct {
	QueueID        int64
	Priority       domain.Priority
	FirstResponseS int
	NextResponseS  int
	ResolutionS    int
	WarnBeforeS    int
}

// loadConf reads every live queue, policy and holiday. Archived queues
// (removed, kept for their tickets' history) are left out, so routing never
// picks one: not by region, not as an overflow source, not by its code.
//
//	SELECT id, code, name, channels, categories, provinces, skills, strategy,
//	  time_zone, hours, overflow_queue_id, overflow_after_s FROM queues WHERE archived_at IS NULL ORDER BY id
//	SELECT queue_id, priority, first_response_s, next_response_s, resolution_s, warn_before_s FROM sla_policies
//	SELECT day FROM holidays
func loadConf(tx *gorm.DB, log interface {
	Warn(string, ...any)
}) (*confSet, error) {
	var rows []queueConfRow
	if err := tx.Raw(`SELECT id, code, name, channels, categories, provinces, skills, strategy,
time_zone, hours, overflow_queue_id, overflow_after_s FROM queues WHERE archived_at IS NULL ORDER BY id`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: load queues: %w", ErrStore, err)
	}
	var pols []policyRow
	if err := tx.Raw(`SELECT queue_id, priority, first_response_s, next_response_s, resolution_s, warn_before_s FROM sla_policies`).Scan(&pols).Error; err != nil {
		return nil, fmt.Errorf("%w: load SLA policies: %w", ErrStore, err)
	}
	var days []string
	if err := tx.Raw(`SELECT day FROM holidays ORDER BY day`).Scan(&days).Error; err != nil {
		return nil, fmt.Errorf("%w: load holidays: %w", ErrStore, err)
	}
	c := &confSet{byID: make(map[int64]*queueConf, len(rows)), byCode: make(map[string]int64, len(rows)), holidays: days, loaded: time.Now()}
	for _, row := range rows {
		q := &queueConf{
			ID: row.ID, Code: row.Code, Name: row.Name, Channels: splitList(row.Channels), Categories: splitList(row.Categories),
			Provinces: splitList(row.Provinces), Skills: splitList(row.Skills), Strategy: row.Strategy, TimeZone: row.TimeZone,
			Hours: row.Hours, OverflowAfter: time.Duration(row.OverflowAfterS) * time.Second, policies: map[domain.Priority]sla.Policy{},
		}
		if row.OverflowQueueID != nil {
			q.OverflowQueue = *row.OverflowQueueID
		}
		q.cal = hours.Always()
		if row.Hours != "" {
			// Stored settings were validated when written; a row that no
			// longer parses (edited by hand) falls back to always open
			// rather than stopping routing.
			cal, err := calendar(row.TimeZone, row.Hours, days)
			if err != nil {
				log.Warn("queue business hours unreadable; treating the queue as always open", "queue", row.Code, "err", err)
			} else {
				q.cal = cal
			}
		}
		c.byID[q.ID] = q
		c.byCode[q.Code] = q.ID
		c.ordered = append(c.ordered, q)
	}
	for _, p := range pols {
		if q := c.byID[p.QueueID]; q != nil {
			q.policies[p.Priority] = sla.Policy{
				FirstResponse: time.Duration(p.FirstResponseS) * time.Second,
				NextResponse:  time.Duration(p.NextResponseS) * time.Second,
				Resolution:    time.Duration(p.ResolutionS) * time.Second,
				WarnBefore:    time.Duration(p.WarnBeforeS) * time.Second,
			}
		}
	}
	return c, nil
}

// calendar builds a queue's business-hours calendar.
func calendar(zone, week string, holidays []string) (*hours.Calendar, error) {
	w, err := hours.ParseWeekJSON(week)
	if err != nil {
		return nil, err
	}
	return hours.New(zone, w, holidays)
}

// regional picks the queue for a ticket routed by its category: among the
// queues that take its channel and category, one whose region holds the
// province, else a national one (no region) — preferring the category's
// configured queue at each step. 0: keep the configured queue.
func (c *confSet) regional(configured int64, channel, category, province string) int64 {
	pick := func(match func(*queueConf) bool) int64 {
		if q := c.byID[configured]; q != nil && match(q) {
			return q.ID
		}
		var general int64
		for _, q := range c.ordered {
			if !match(q) {
				continue
			}
			if len(q.Categories) > 0 { // a queue for this category beats a catch-all
				return q.ID
			}
			if general == 0 {
				general = q.ID
			}
		}
		return general
	}
	if province != "" {
		if id := pick(func(q *queueConf) bool {
			return slices.Contains(q.Provinces, province) && q.takes(channel, category)
		}); id != 0 {
			return id
		}
	}
	// No regional queue: the configured queue when it is national.
	if q := c.byID[configured]; q != nil && len(q.Provinces) == 0 {
		return configured
	}
	return pick(func(q *queueConf) bool { return len(q.Provinces) == 0 && q.takes(channel, category) })
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func joinList(l []string) string {
	var out []string
	for _, p := range l {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}

// QueueName is a queue as people pick it: id, code and display name.
type QueueName struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// QueueNames lists the queues in routing (archived ones left out), from
// the cached settings: cheap enough for every console that opens a
// transfer form.
func (r *Router) QueueNames(ctx context.Context) ([]QueueName, error) {
	conf, err := r.conf(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]QueueName, 0, len(conf.ordered))
	for _, q := range conf.ordered {
		name := q.Name
		if name == "" {
			name = q.Code
		}
		out = append(out, QueueName{ID: q.ID, Code: q.Code, Name: name})
	}
	return out, nil
}

// IsOpen reports whether the queue is within its business hours at the
// given time (holidays are closed). A queue without business hours is
// always open.
func (r *Router) IsOpen(ctx context.Context, queueCode string, at time.Time) (bool, error) {
	id, err := r.lookupQueue(ctx, r.db.DB, queueCode)
	if err != nil {
		return false, err
	}
	return r.openByID(ctx, id, at)
}

// openByID is IsOpen for a queue id, on the queue's business-hours
// calendar (holidays included). A queue without hours is always open.
func (r *Router) openByID(ctx context.Context, queueID int64, at time.Time) (bool, error) {
	cal, err := r.calendarOf(ctx, &queueID)
	if err != nil {
		return false, err
	}
	return cal.Open(at), nil
}

// calendarOf is the business-hours calendar of a queue (always open for
// no queue or an unknown one).
func (r *Router) calendarOf(ctx context.Context, queueID *int64) (*hours.Calendar, error) {
	conf, err := r.conf(ctx)
	if err != nil {
		return nil, err
	}
	if queueID != nil {
		if q := conf.byID[*queueID]; q != nil {
			return q.cal, nil
		}
	}
	return hours.Always(), nil
}
