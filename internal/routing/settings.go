package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/hours"
)

// SettingsOpts configures the queue settings.
type SettingsOpts struct {
	DB *db.DB
	// CategoryQueues maps a complaint category code to a queue code.
	CategoryQueues map[string]string
	// DefaultQueue takes every ticket whose category has no queue.
	DefaultQueue string
	// ChannelCapacity is the default capacity of an agent per channel
	// (e.g. voice 1, livechat 3, whatsapp 3, webform 10); an agent's own
	// setting overrides it. Channels not listed get DefaultChannelCapacity.
	ChannelCapacity        map[string]int
	DefaultChannelCapacity int
	// PriorityRules raise a new ticket's priority.
	PriorityRules []PriorityRule
	// SettingsChanged, when set, is called after every committed change
	// of the queue settings (queues, SLA policies, holidays) or of the
	// queue codes, so the other instances can drop their cached copy
	// (DropCachedSettings). It must not block.
	SettingsChanged func()
	Log             *slog.Logger
}

// Settings are the queue settings as routing reads them: the queues by
// code and category, their strategies, regions, business hours and SLA
// policies (cached, see queueConf), the default capacities per channel and
// the priority rules. The assignment engine (Router), the SLA clocks and
// the metrics read them; Admin changes them.
type Settings struct {
	db         *db.DB
	categories map[string]string
	def        string
	log        *slog.Logger
	chanCaps   map[string]int
	defChanCap int

	// settingsChanged is SettingsOpts.SettingsChanged (nil: no other instance to tell).
	settingsChanged func()

	confMu    sync.Mutex
	confCache *confSet

	rulesMu sync.RWMutex
	rules   []PriorityRule
}

// NewSettings returns the queue settings.
func NewSettings(o SettingsOpts) *Settings {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	cats := make(map[string]string, len(o.CategoryQueues))
	for k, v := range o.CategoryQueues {
		cats[k] = v
	}
	caps := make(map[string]int, len(o.ChannelCapacity))
	for k, v := range o.ChannelCapacity {
		caps[k] = v
	}
	if o.DefaultChannelCapacity <= 0 {
		o.DefaultChannelCapacity = 10
	}
	return &Settings{db: o.DB, categories: cats, def: o.DefaultQueue, log: o.Log, chanCaps: caps,
		defChanCap: o.DefaultChannelCapacity, settingsChanged: o.SettingsChanged, rules: slices.Clone(o.PriorityRules)}
}

// priorityRules are the rules a new ticket's priority is raised by.
func (s *Settings) priorityRules() []PriorityRule {
	s.rulesMu.RLock()
	defer s.rulesMu.RUnlock()
	return s.rules
}

// setRules replaces the priority rules (a seed's).
func (s *Settings) setRules(rules []PriorityRule) {
	s.rulesMu.Lock()
	s.rules = slices.Clone(rules)
	s.rulesMu.Unlock()
}

// channelCap is the default capacity of an agent on a channel.
func (s *Settings) channelCap(channel string) int {
	if c, ok := s.chanCaps[channel]; ok {
		return c
	}
	return s.defChanCap
}

// EnsureQueues creates or renames the given queues (safe on every start
// and from several instances at once) and checks that the default queue and
// every category's queue exist.
func (s *Settings) EnsureQueues(ctx context.Context, specs []QueueSpec) error {
	if s.def == "" {
		return fmt.Errorf("%w: no default queue", ErrConfig)
	}
	tx := s.db.WithContext(ctx)
	if err := upsertQueues(tx, specs, time.Now().UTC()); err != nil {
		return err
	}
	// The upsert may have created, renamed or brought back queues.
	s.changed()
	all, err := loadQueues(tx)
	if err != nil {
		return err
	}
	var missing []string
	if _, ok := all[s.def]; !ok {
		missing = append(missing, s.def)
	}
	for cat, code := range s.categories {
		if _, ok := all[code]; !ok {
			missing = append(missing, code+" (category "+cat+")")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%w: queues not declared: %v", ErrUnknownQueue, missing)
	}
	return nil
}

// QueueID returns the id of a live queue.
func (s *Settings) QueueID(code string) (int64, error) {
	return s.lookupQueue(context.Background(), s.db.DB, code)
}

// QueueCode returns the queue code for a category.
func (s *Settings) QueueCode(category string) string {
	if code, ok := s.categories[category]; ok {
		return code
	}
	return s.def
}

// NamesQueue reports whether CATEGORY_QUEUES names a queue for the
// category (else it goes to the default queue, or a queue made for it).
func (s *Settings) NamesQueue(category string) bool {
	_, ok := s.categories[category]
	return ok
}

// QueueFor returns the queue id for a ticket: the queue the channel asked
// for (want, e.g. a business number's or the callback queue) when it
// exists, else the category's queue, else the default. It reads the
// database in tx when the cache does not hold the queue yet. A wanted
// queue that does not exist is not an error: the ticket still gets routed
// by its category, so no message waits on a configuration mistake.
func (s *Settings) QueueFor(ctx context.Context, tx *gorm.DB, want, category string) (int64, error) {
	id, _, err := s.queueFor(ctx, tx, want, category)
	return id, err
}

// queueFor is QueueFor that also says whether the queue is the one asked
// for (want), not the category's.
func (s *Settings) queueFor(ctx context.Context, tx *gorm.DB, want, category string) (id int64, asked bool, err error) {
	if want != "" {
		id, err := s.lookupQueue(ctx, tx, want)
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, ErrUnknownQueue) {
			return 0, false, err
		}
		s.log.Warn("requested queue does not exist; routing by category", "queue", want, "category", category)
	}
	id, err = s.lookupQueue(ctx, tx, s.QueueCode(category))
	return id, false, err
}

// lookupQueue finds a live queue's id by code in the cached settings, or
// in tx for a queue newer than them.
func (s *Settings) lookupQueue(ctx context.Context, tx *gorm.DB, code string) (int64, error) {
	conf, err := s.conf(ctx)
	if err != nil {
		return 0, err
	}
	if id, ok := conf.byCode[code]; ok {
		return id, nil
	}
	return findQueue(tx.WithContext(ctx), code)
}

// conf returns the cached queue settings, reloading them when stale.
func (s *Settings) conf(ctx context.Context) (*confSet, error) {
	s.confMu.Lock()
	defer s.confMu.Unlock()
	if s.confCache != nil && time.Since(s.confCache.loaded) < confTTL {
		return s.confCache, nil
	}
	c, err := loadConf(s.db.WithContext(ctx), s.log)
	if err != nil {
		return nil, err
	}
	s.confCache = c
	return c, nil
}

// invalidate drops the cached settings, so the next use reads them again.
// A load in progress holds confMu: invalidate waits for it and drops what
// it read, which may predate the change.
func (s *Settings) invalidate() {
	s.confMu.Lock()
	s.confCache = nil
	s.confMu.Unlock()
}

// changed follows every committed change of what loadConf reads or of the
// code → id mapping: this instance's settings are read again at once, and
// the other instances are told through SettingsOpts.SettingsChanged.
func (s *Settings) changed() {
	s.invalidate()
	if s.settingsChanged != nil {
		s.settingsChanged()
	}
}

// DropCachedSettings forgets the cached queue settings (codes included), so
// the next decision reads them from the database. Call it when any
// instance (this one included) announces a settings change.
func (s *Settings) DropCachedSettings() { s.invalidate() }

// IsOpen reports whether the queue is within its business hours at the
// given time (holidays are closed). A queue without business hours is
// always open.
func (s *Settings) IsOpen(ctx context.Context, queueCode string, at time.Time) (bool, error) {
	id, err := s.lookupQueue(ctx, s.db.DB, queueCode)
	if err != nil {
		return false, err
	}
	return s.openByID(ctx, id, at)
}

// NextOpen is when the queue is next within its business hours, at or
// after at, in the calendar's zone (at itself when open now); the zero
// time when its calendar never opens again.
func (s *Settings) NextOpen(ctx context.Context, queueCode string, at time.Time) (time.Time, error) {
	id, err := s.lookupQueue(ctx, s.db.DB, queueCode)
	if err != nil {
		return time.Time{}, err
	}
	cal, err := s.calendarOf(ctx, &id)
	if err != nil {
		return time.Time{}, err
	}
	return cal.NextOpen(at.In(cal.Location())), nil
}

// openByID is IsOpen for a queue id, on the queue's business-hours
// calendar (holidays included). A queue without hours is always open.
func (s *Settings) openByID(ctx context.Context, queueID int64, at time.Time) (bool, error) {
	cal, err := s.calendarOf(ctx, &queueID)
	if err != nil {
		return false, err
	}
	return cal.Open(at), nil
}

// calendarOf is the business-hours calendar of a queue (always open for
// no queue or an unknown one).
func (s *Settings) calendarOf(ctx context.Context, queueID *int64) (*hours.Calendar, error) {
	conf, err := s.conf(ctx)
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
