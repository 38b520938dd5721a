package routing

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"tanggap/internal/db"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/hours"
)

// Handout is what a settings change asks of the assignment engine: room
// freed by a capacity or membership change is handed out, and the waiting
// tickets of a removed queue are offered in their new queue. *Router
// implements it.
type Handout interface {
	AssignWaiting(ctx context.Context, agentID int64) ([]int64, error)
	Offer(ctx context.Context, ticketID, exclude int64) (int64, error)
}

// AdminOpts configures Admin.
type AdminOpts struct {
	DB       *db.DB
	Settings *Settings
	// Work hands out what a change frees (AssignWaiting, Offer).
	Work Handout
	// Events receives the updates of tickets moved out of a removed
	// queue; nil drops them.
	Events Emitter
	Log    *slog.Logger
}

// Admin changes the queue settings: queues and their SLA policies, the
// agents' routing profiles, holidays, queue removal and the seed file.
// Every committed change drops the cached settings (Settings.changed); what
// a change frees is handed to the engine through Handout. Its SQL is in
// settings_store.go.
type Admin struct {
	db       *db.DB
	settings *Settings
	work     Handout
	events   Emitter
	log      *slog.Logger
}

// NewAdmin returns an Admin.
func NewAdmin(o AdminOpts) *Admin {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Events == nil {
		o.Events = discard{}
	}
	return &Admin{db: o.DB, settings: o.Settings, work: o.Work, events: o.Events, log: o.Log}
}

// QueueSettings is a queue as the admin API and the seed file describe it.
type QueueSettings struct {
	Code       string              `json:"code" yaml:"code"`
	Name       string              `json:"name" yaml:"name"`
	Channels   []string            `json:"channels" yaml:"channels"`
	Categories []string            `json:"categories" yaml:"categories"`
	Provinces  []string            `json:"provinces" yaml:"provinces"`
	Skills     []string            `json:"skills" yaml:"skills"`
	Strategy   string              `json:"strategy" yaml:"strategy"`
	TimeZone   string              `json:"time_zone" yaml:"time_zone"`
	Hours      map[string][]string `json:"hours" yaml:"hours"`
	// OverflowQueue's agents may take this queue's tickets once the oldest
	// waited OverflowAfterSeconds.
	OverflowQueue        string `json:"overflow_queue" yaml:"overflow_queue"`
	OverflowAfterSeconds int    `json:"overflow_after_seconds" yaml:"overflow_after_seconds"`
	// SLA targets by priority.
	SLA map[string]SLATargets `json:"sla" yaml:"sla"`
	ID  int64                 `json:"id" yaml:"-"`
}

// MaxSLASeconds bounds each SLA target and the warning lead: 365 days of
// business time. A target longer than a year is no service level; the
// bound keeps every value far inside the 32-bit INTEGER columns of
// sla_policies (about 68 years; beyond them PostgreSQL refuses the row)
// and the time.Duration arithmetic of internal/sla (int64 nanoseconds,
// about 292 years; SQLite would store a larger value and the due time
// would overflow).
const MaxSLASeconds = 365 * 24 * 60 * 60

// SLATargets are one priority's targets in seconds of business time.
// WarnBeforeSeconds is the lead of the warning for each of the three
// targets (0: a fifth of each). One not shorter than the longest target
// is refused: every clock would be in its warning window from the start
// (sla.Evaluate), so the warning would say nothing the ticket's arrival
// did not.
type SLATargets struct {
	FirstResponseSeconds int `json:"first_response_seconds" yaml:"first_response_seconds"`
	NextResponseSeconds  int `json:"next_response_seconds" yaml:"next_response_seconds"`
	ResolutionSeconds    int `json:"resolution_seconds" yaml:"resolution_seconds"`
	WarnBeforeSeconds    int `json:"warn_before_seconds" yaml:"warn_before_seconds"`
}

func (q *QueueSettings) validate() error {
	q.Code = strings.TrimSpace(q.Code)
	probs := &Problems{Subject: fmt.Sprintf("queue %q", q.Code)}
	if q.Code == "" || len(q.Code) > 64 || strings.ContainsAny(q.Code, " ,/") {
		probs.add("code", "routing.invalid.code", "code must be 1-64 characters without spaces, commas or slashes")
	}
	if strings.TrimSpace(q.Name) == "" {
		q.Name = q.Code
	}
	if q.Strategy == "" {
		q.Strategy = StrategyLeastBusy
	}
	if q.Strategy != StrategyLeastBusy && q.Strategy != StrategyRoundRobin && q.Strategy != StrategySkills {
		probs.add("strategy", "routing.invalid.strategy", "strategy must be least_busy, round_robin or skills")
	}
	if q.Strategy == StrategySkills && len(q.Skills) == 0 {
		probs.add("skills", "routing.invalid.skills_needed", "the skills strategy needs skills")
	}
	if q.TimeZone == "" {
		q.TimeZone = "Asia/Jakarta"
	}
	if _, err := hours.LoadZone(q.TimeZone); err != nil {
		probs.add("time_zone", "routing.invalid.time_zone", err.Error())
	}
	if len(q.Hours) > 0 {
		w, err := hours.ParseWeek(q.Hours)
		if err == nil {
			_, err = hours.New(q.TimeZone, w, nil)
		}
		if err != nil {
			probs.add("hours", "routing.invalid.hours", err.Error())
		}
	}
	for _, p := range q.Provinces {
		if len(p) != 2 || strings.Trim(p, "0123456789") != "" {
			probs.add("provinces", "routing.invalid.province", fmt.Sprintf("province %q is not a two-digit code", p), "code", p)
		}
	}
	if q.OverflowAfterSeconds < 0 || (q.OverflowQueue != "" && q.OverflowQueue == q.Code) {
		probs.add("overflow_queue", "routing.invalid.overflow", "overflow must name another queue and a threshold of 0 or more seconds")
	}
	for p, t := range q.SLA {
		if !domain.Priority(p).Known() {
			probs.add("sla", "routing.invalid.sla_priority", fmt.Sprintf("SLA priority %q", p), "priority", p)
		}
		longest := max(t.FirstResponseSeconds, t.NextResponseSeconds, t.ResolutionSeconds)
		switch {
		case min(t.FirstResponseSeconds, t.NextResponseSeconds, t.ResolutionSeconds, t.WarnBeforeSeconds) < 0:
			probs.add("sla", "routing.invalid.sla_negative", fmt.Sprintf("SLA targets of %q must not be negative", p), "priority", p)
		case max(longest, t.WarnBeforeSeconds) > MaxSLASeconds:
			probs.add("sla", "routing.invalid.sla_too_long", fmt.Sprintf("SLA targets of %q must be at most %d days", p, MaxSLASeconds/86400),
				"priority", p, "days", MaxSLASeconds/86400)
		case t.WarnBeforeSeconds > 0 && t.WarnBeforeSeconds >= longest:
			probs.add("sla", "routing.invalid.sla_warn_before", fmt.Sprintf("the SLA warning of %q must be shorter than its longest target", p), "priority", p)
		}
	}
	return probs.Err()
}

// SaveQueue creates or updates a queue with its SLA policies. Saving the
// code of an archived (removed) queue brings it back with these settings.
//
//	INSERT INTO queues (code, name, channels, …, created_at, updated_at) VALUES (…)
//	ON CONFLICT (code) DO UPDATE SET name = excluded.name, channels = excluded.channels, …, archived_at = NULL
//	DELETE FROM sla_policies WHERE queue_id = ?; INSERT INTO sla_policies …
func (a *Admin) SaveQueue(ctx context.Context, q QueueSettings) (QueueSettings, error) {
	ch, err := a.SaveQueueChange(ctx, q)
	return ch.Saved, err
}

// QueueChange is a queue saved: as sent (validated), and as stored
// before and after the save, read in its transaction.
type QueueChange struct {
	Saved QueueSettings
	// Before is nil for a new queue (or one that was archived).
	Before *QueueSettings
	// After is the queue as stored (hours and lists as read back), to
	// compare with Before field by field.
	After QueueSettings
}

// SaveQueueChange is SaveQueue that also answers with the queue's settings
// as they were and as they are, read in the same transaction under the
// queue's row lock: the audit log says what changed, and two saves at once
// each see what the other left.
func (a *Admin) SaveQueueChange(ctx context.Context, q QueueSettings) (QueueChange, error) {
	if err := q.validate(); err != nil {
		return QueueChange{}, err
	}
	hoursJSON := ""
	if len(q.Hours) > 0 {
		hoursJSON = weekJSON(q.Hours)
	}
	now := time.Now().UTC()
	var out QueueChange
	err := a.db.Tx(ctx, func(tx *gorm.DB) error {
		old, found, err := readQueueSettings(tx, a.db.Dialect, q.Code)
		if err != nil {
			return err
		}
		if found {
			out.Before = &old
		}
		if err := storeQueue(tx, &q, hoursJSON, now); err != nil {
			return err
		}
		out.After, _, err = readQueueSettings(tx, a.db.Dialect, q.Code)
		return err
	})
	if err != nil {
		return QueueChange{}, err
	}
	a.settings.changed()
	out.Saved = q
	return out, nil
}

func weekJSON(m map[string][]string) string {
	days := make([]string, 0, len(m))
	for d := range m {
		days = append(days, d)
	}
	sort.Strings(days)
	var b strings.Builder
	b.WriteString("{")
	for i, d := range days {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:[", strings.ToLower(d))
		for j, s := range m[d] {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q", strings.TrimSpace(s))
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	return b.String()
}

// Queues lists every queue's settings.
func (a *Admin) Queues(ctx context.Context) ([]QueueSettings, error) {
	a.settings.invalidate()
	conf, err := a.settings.conf(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]QueueSettings, 0, len(conf.ordered))
	for _, q := range conf.ordered {
		s := QueueSettings{ID: q.ID, Code: q.Code, Name: q.Name, Channels: nonNil(q.Channels), Categories: nonNil(q.Categories),
			Provinces: nonNil(q.Provinces), Skills: nonNil(q.Skills), Strategy: q.Strategy, TimeZone: q.TimeZone,
			OverflowAfterSeconds: int(q.OverflowAfter / time.Second), SLA: map[string]SLATargets{}, Hours: map[string][]string{}}
		if o := conf.byID[q.OverflowQueue]; o != nil {
			s.OverflowQueue = o.Code
		}
		if q.Hours != "" {
			if w, err := hours.ParseWeekJSON(q.Hours); err == nil {
				s.Hours = w.Strings()
			}
		}
		for p, pol := range q.policies {
			s.SLA[string(p)] = SLATargets{FirstResponseSeconds: int(pol.FirstResponse / time.Second), NextResponseSeconds: int(pol.NextResponse / time.Second),
				ResolutionSeconds: int(pol.Resolution / time.Second), WarnBeforeSeconds: int(pol.WarnBefore / time.Second)}
		}
		out = append(out, s)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
func (a *Admin) QueueNames(ctx context.Context) ([]QueueName, error) {
	conf, err := a.settings.conf(ctx)
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

// AgentSettings is an agent's routing profile. Nil fields are left as they
// are. ChannelCapacity changes only the channels it names: a number is the
// agent's own capacity there, null gives the channel back to its default
// (which then follows the configuration).
type AgentSettings struct {
	Queues          []string        `json:"queues" yaml:"queues"`
	Skills          map[string]int  `json:"skills" yaml:"skills"`
	Capacity        *int            `json:"capacity" yaml:"capacity"`
	ChannelCapacity map[string]*int `json:"channel_capacity" yaml:"channel_capacity"`
}

// CapacityValid reports whether n is a capacity an agent may have: how
// many tickets at once, 0 (takes none) to 1000.
func CapacityValid(n int) bool { return n >= 0 && n <= 1000 }

// SetAgent changes an agent's memberships, skills and capacities. A
// capacity below the current load is allowed (the agent gets nothing new
// until under it); more room hands waiting tickets out at once.
func (a *Admin) SetAgent(ctx context.Context, agentID int64, s AgentSettings) error {
	probs := &Problems{Subject: fmt.Sprintf("agent %d", agentID)}
	skills := make([]string, 0, len(s.Skills))
	for sk := range s.Skills {
		skills = append(skills, sk)
	}
	sort.Strings(skills) // the same order every time
	for _, sk := range skills {
		if lvl := s.Skills[sk]; strings.TrimSpace(sk) == "" || lvl < 0 || lvl > 5 {
			probs.add("skills", "routing.invalid.skill", fmt.Sprintf("skill %q level %d (0 removes, 1-5)", sk, lvl), "skill", sk)
		}
	}
	if s.Capacity != nil && !CapacityValid(*s.Capacity) {
		probs.add("capacity", "routing.invalid.capacity", "capacity must be 0-1000")
	}
	channels := make([]string, 0, len(s.ChannelCapacity))
	for ch := range s.ChannelCapacity {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	for _, ch := range channels {
		if c := s.ChannelCapacity[ch]; strings.TrimSpace(ch) == "" || (c != nil && !CapacityValid(*c)) {
			probs.add("channel_capacity", "routing.invalid.channel_capacity", fmt.Sprintf("channel capacity %q: %s", ch, capText(c)), "channel", ch)
		}
	}
	if err := probs.Err(); err != nil {
		return err
	}
	err := a.db.Tx(ctx, func(tx *gorm.DB) error { return storeAgentSettings(tx, agentID, s, time.Now().UTC()) })
	if err != nil {
		return err
	}
	// A capacity or membership change may free room: hand it out now.
	_, err = a.work.AssignWaiting(ctx, agentID)
	return err
}

// capText is a channel capacity as an error message shows it.
func capText(c *int) string {
	if c == nil {
		return "default"
	}
	return strconv.Itoa(*c)
}

// AgentProfile is an agent's routing profile as stored.
type AgentProfile struct {
	AgentID    int64          `json:"agent_id"`
	Queues     []string       `json:"queues"`
	Skills     map[string]int `json:"skills"`
	Capacity   int            `json:"capacity"`
	ActiveLoad int            `json:"active_load"`
	// ChannelCapacity is the capacity in force per channel: the agent's
	// own (ChannelOwn) or else the channel's default (ChannelDefault).
	ChannelCapacity map[string]int `json:"channel_capacity"`
	ChannelOwn      map[string]int `json:"channel_own"`
	ChannelDefault  map[string]int `json:"channel_default"`
	ChannelLoad     map[string]int `json:"channel_load"`
}

// Agent reads an agent's routing profile; channels without their own
// setting show the default capacity.
func (a *Admin) Agent(ctx context.Context, agentID int64) (AgentProfile, error) {
	return readAgentProfile(a.db.WithContext(ctx), agentID, a.settings)
}

// Holiday is a day off for every queue with business hours.
type Holiday struct {
	Day  string `json:"day" yaml:"day"` // YYYY-MM-DD
	Name string `json:"name" yaml:"name"`
	// Kind: national (libur nasional) or joint_leave (cuti bersama).
	Kind string `json:"kind" yaml:"kind"`
}

// SetHolidays replaces one year's holidays.
func (a *Admin) SetHolidays(ctx context.Context, year int, days []Holiday) error {
	_, err := a.SetHolidaysChange(ctx, year, days)
	return err
}

// SetHolidaysChange is SetHolidays that also answers with the year's
// holidays as they were, read in the same transaction.
func (a *Admin) SetHolidaysChange(ctx context.Context, year int, days []Holiday) (before []Holiday, err error) {
	if year < 2000 || year > 2100 {
		return nil, fmt.Errorf("%w: year %d", ErrInvalid, year)
	}
	probs := &Problems{Subject: "holidays"}
	for i := range days {
		d := &days[i]
		if d.Kind == "" {
			d.Kind = "national"
		}
		t, err := time.Parse(time.DateOnly, d.Day)
		switch {
		case err != nil:
			probs.add("days", "routing.invalid.holiday_day", fmt.Sprintf("day %q is not YYYY-MM-DD", d.Day), "day", d.Day)
		case t.Year() != year:
			probs.add("days", "routing.invalid.holiday_year", fmt.Sprintf("day %s is not in %d", d.Day, year), "day", d.Day, "year", year)
		}
		if d.Kind != "national" && d.Kind != "joint_leave" {
			probs.add("days", "routing.invalid.holiday_kind", fmt.Sprintf("kind %q (national or joint_leave)", d.Kind), "day", d.Day)
		}
		if strings.TrimSpace(d.Name) == "" {
			probs.add("days", "routing.invalid.holiday_name", fmt.Sprintf("day %s has no name", d.Day), "day", d.Day)
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	err = a.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if before, err = readHolidays(tx, year); err != nil {
			return err
		}
		return storeHolidays(tx, year, days)
	})
	if err != nil {
		return nil, err
	}
	a.settings.changed()
	return before, nil
}

// Holidays lists one year's holidays.
func (a *Admin) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	return readHolidays(a.db.WithContext(ctx), year)
}
