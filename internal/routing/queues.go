package routing

import (
	"slices"
	"strings"
	"time"

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
// instance's cache at once and calls SettingsOpts.SettingsChanged, which announces
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
// configured queue at each step, and, where CATEGORY_QUEUES does not name
// one for the category (named false: configured is the default queue), a
// national queue listing the category over the default. 0: keep the
// configured queue.
func (c *confSet) regional(configured int64, named bool, channel, category, province string) int64 {
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
	national := func(q *queueConf) bool { return len(q.Provinces) == 0 && q.takes(channel, category) }
	if !named {
		// No regional queue, and CATEGORY_QUEUES names none for the
		// category: a national queue made for it (listing it among its
		// categories) beats the default catch-all.
		for _, q := range c.ordered {
			if national(q) && len(q.Categories) > 0 {
				return q.ID
			}
		}
	}
	// Else the configured queue when it is national.
	if q := c.byID[configured]; q != nil && len(q.Provinces) == 0 {
		return configured
	}
	return pick(national)
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
