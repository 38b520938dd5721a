package routing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/hours"
)

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

// SLATargets are one priority's targets in seconds of business time.
type SLATargets struct {
	FirstResponseSeconds int `json:"first_response_seconds" yaml:"first_response_seconds"`
	NextResponseSeconds  int `json:"next_response_seconds" yaml:"next_response_seconds"`
	ResolutionSeconds    int `json:"resolution_seconds" yaml:"resolution_seconds"`
	WarnBeforeSeconds    int `json:"warn_before_seconds" yaml:"warn_before_seconds"`
}

func (q *QueueSettings) validate() error {
	var probs []string
	q.Code = strings.TrimSpace(q.Code)
	if q.Code == "" || len(q.Code) > 64 || strings.ContainsAny(q.Code, " ,/") {
		probs = append(probs, "code must be 1-64 characters without spaces, commas or slashes")
	}
	if strings.TrimSpace(q.Name) == "" {
		q.Name = q.Code
	}
	if q.Strategy == "" {
		q.Strategy = StrategyLeastBusy
	}
	if q.Strategy != StrategyLeastBusy && q.Strategy != StrategyRoundRobin && q.Strategy != StrategySkills {
		probs = append(probs, "strategy must be least_busy, round_robin or skills")
	}
	if q.Strategy == StrategySkills && len(q.Skills) == 0 {
		probs = append(probs, "the skills strategy needs skills")
	}
	if q.TimeZone == "" {
		q.TimeZone = "Asia/Jakarta"
	}
	if _, err := hours.LoadZone(q.TimeZone); err != nil {
		probs = append(probs, err.Error())
	}
	if len(q.Hours) > 0 {
		w, err := hours.ParseWeek(q.Hours)
		if err == nil {
			_, err = hours.New(q.TimeZone, w, nil)
		}
		if err != nil {
			probs = append(probs, err.Error())
		}
	}
	for _, p := range q.Provinces {
		if len(p) != 2 || strings.Trim(p, "0123456789") != "" {
			probs = append(probs, fmt.Sprintf("province %q is not a two-digit code", p))
		}
	}
	if q.OverflowAfterSeconds < 0 || (q.OverflowQueue != "" && q.OverflowQueue == q.Code) {
		probs = append(probs, "overflow must name another queue and a threshold of 0 or more seconds")
	}
	for p, t := range q.SLA {
		if !domain.Priority(p).Known() {
			probs = append(probs, fmt.Sprintf("SLA priority %q", p))
		}
		if t.FirstResponseSeconds < 0 || t.NextResponseSeconds < 0 || t.ResolutionSeconds < 0 || t.WarnBeforeSeconds < 0 {
			probs = append(probs, fmt.Sprintf("SLA targets of %q must not be negative", p))
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%w: queue %q: %s", ErrInvalid, q.Code, strings.Join(probs, "; "))
	}
	return nil
}

// SaveQueue creates or updates a queue with its SLA policies. Saving the
// code of an archived (removed) queue brings it back with these settings.
//
//	INSERT INTO queues (code, name, channels, …, created_at, updated_at) VALUES (…)
//	ON CONFLICT (code) DO UPDATE SET name = excluded.name, channels = excluded.channels, …, archived_at = NULL
//	DELETE FROM sla_policies WHERE queue_id = ?; INSERT INTO sla_policies …
func (r *Router) SaveQueue(ctx context.Context, q QueueSettings) (QueueSettings, error) {
	if err := q.validate(); err != nil {
		return QueueSettings{}, err
	}
	hoursJSON := ""
	if len(q.Hours) > 0 {
		hoursJSON = weekJSON(q.Hours)
	}
	now := time.Now().UTC()
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		var overflow any
		if q.OverflowQueue != "" {
			id, err := findQueue(tx, q.OverflowQueue)
			if err != nil {
				return fmt.Errorf("%w: overflow queue %q does not exist", ErrInvalid, q.OverflowQueue)
			}
			overflow = id
		}
		if err := tx.Exec(`INSERT INTO queues (code, name, channels, categories, provinces, skills, strategy, time_zone, hours,
  overflow_queue_id, overflow_after_s, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, channels = excluded.channels, categories = excluded.categories,
  provinces = excluded.provinces, skills = excluded.skills, strategy = excluded.strategy, time_zone = excluded.time_zone,
  hours = excluded.hours, overflow_queue_id = excluded.overflow_queue_id, overflow_after_s = excluded.overflow_after_s,
  updated_at = excluded.updated_at, archived_at = NULL`,
			q.Code, q.Name, joinList(q.Channels), joinList(q.Categories), joinList(q.Provinces), joinList(q.Skills), q.Strategy,
			q.TimeZone, hoursJSON, overflow, q.OverflowAfterSeconds, now, now).Error; err != nil {
			return fmt.Errorf("%w: save queue: %w", ErrStore, err)
		}
		id, err := findQueue(tx, q.Code)
		if err != nil {
			return err
		}
		q.ID = id
		if err := tx.Exec(`DELETE FROM sla_policies WHERE queue_id = ?`, id).Error; err != nil {
			return fmt.Errorf("%w: SLA policies: %w", ErrStore, err)
		}
		for p, t := range q.SLA {
			if err := tx.Exec(`INSERT INTO sla_policies (queue_id, priority, first_response_s, next_response_s, resolution_s, warn_before_s)
VALUES (?, ?, ?, ?, ?, ?)`, id, p, t.FirstResponseSeconds, t.NextResponseSeconds, t.ResolutionSeconds, t.WarnBeforeSeconds).Error; err != nil {
				return fmt.Errorf("%w: SLA policy: %w", ErrStore, err)
			}
		}
		return nil
	})
	if err != nil {
		return QueueSettings{}, err
	}
	r.changed()
	return q, nil
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
func (r *Router) Queues(ctx context.Context) ([]QueueSettings, error) {
	r.invalidate()
	conf, err := r.conf(ctx)
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

// AgentSettings is an agent's routing profile. Nil fields are left as they are.
type AgentSettings struct {
	Queues          []string       `json:"queues" yaml:"queues"`
	Skills          map[string]int `json:"skills" yaml:"skills"`
	Capacity        *int           `json:"capacity" yaml:"capacity"`
	ChannelCapacity map[string]int `json:"channel_capacity" yaml:"channel_capacity"`
}

// SetAgent changes an agent's memberships, skills and capacities. A
// capacity below the current load is allowed (the agent gets nothing new
// until under it); more room hands waiting tickets out at once.
func (r *Router) SetAgent(ctx context.Context, agentID int64, s AgentSettings) error {
	var probs []string
	for sk, lvl := range s.Skills {
		if strings.TrimSpace(sk) == "" || lvl < 0 || lvl > 5 {
			probs = append(probs, fmt.Sprintf("skill %q level %d (0 removes, 1-5)", sk, lvl))
		}
	}
	if s.Capacity != nil && (*s.Capacity < 0 || *s.Capacity > 1000) {
		probs = append(probs, "capacity must be 0-1000")
	}
	for ch, c := range s.ChannelCapacity {
		if strings.TrimSpace(ch) == "" || c < 0 || c > 1000 {
			probs = append(probs, fmt.Sprintf("channel capacity %q: %d", ch, c))
		}
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(probs, "; "))
	}
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		var exists []int64
		if err := tx.Raw(`SELECT id FROM agents WHERE id = ?`, agentID).Scan(&exists).Error; err != nil {
			return fmt.Errorf("%w: agent: %w", ErrStore, err)
		}
		if len(exists) == 0 {
			return fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
		}
		if s.Capacity != nil {
			if err := tx.Exec(`UPDATE agents SET capacity = ?, updated_at = ? WHERE id = ?`, *s.Capacity, time.Now().UTC(), agentID).Error; err != nil {
				return fmt.Errorf("%w: capacity: %w", ErrStore, err)
			}
		}
		for ch, c := range s.ChannelCapacity {
			if err := tx.Exec(`INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load) VALUES (?, ?, ?, 0)
ON CONFLICT (agent_id, channel) DO UPDATE SET capacity = excluded.capacity`, agentID, ch, c).Error; err != nil {
				return fmt.Errorf("%w: channel capacity: %w", ErrStore, err)
			}
		}
		if s.Queues != nil {
			if err := tx.Exec(`DELETE FROM queue_members WHERE agent_id = ?`, agentID).Error; err != nil {
				return fmt.Errorf("%w: memberships: %w", ErrStore, err)
			}
			for _, code := range s.Queues {
				id, err := findQueue(tx, code)
				if err != nil {
					return fmt.Errorf("%w: queue %q does not exist", ErrInvalid, code)
				}
				if err := tx.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, agentID).Error; err != nil {
					return fmt.Errorf("%w: membership: %w", ErrStore, err)
				}
			}
		}
		for sk, lvl := range s.Skills {
			if err := tx.Exec(`DELETE FROM agent_skills WHERE agent_id = ? AND skill = ?`, agentID, sk).Error; err != nil {
				return fmt.Errorf("%w: skill: %w", ErrStore, err)
			}
			if lvl > 0 {
				if err := tx.Exec(`INSERT INTO agent_skills (agent_id, skill, level) VALUES (?, ?, ?)`, agentID, sk, lvl).Error; err != nil {
					return fmt.Errorf("%w: skill: %w", ErrStore, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// A capacity or membership change may free room: hand it out now.
	_, err = r.AssignWaiting(ctx, agentID)
	return err
}

// AgentProfile is an agent's routing profile as stored.
type AgentProfile struct {
	AgentID         int64          `json:"agent_id"`
	Queues          []string       `json:"queues"`
	Skills          map[string]int `json:"skills"`
	Capacity        int            `json:"capacity"`
	ActiveLoad      int            `json:"active_load"`
	ChannelCapacity map[string]int `json:"channel_capacity"`
	ChannelLoad     map[string]int `json:"channel_load"`
}

// Agent reads an agent's routing profile; channels without their own
// setting show the default capacity.
func (r *Router) Agent(ctx context.Context, agentID int64) (AgentProfile, error) {
	tx := r.db.WithContext(ctx)
	var a []struct {
		Capacity   int
		ActiveLoad int
	}
	if err := tx.Raw(`SELECT capacity, active_load FROM agents WHERE id = ?`, agentID).Scan(&a).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: agent: %w", ErrStore, err)
	}
	if len(a) == 0 {
		return AgentProfile{}, fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	p := AgentProfile{AgentID: agentID, Capacity: a[0].Capacity, ActiveLoad: a[0].ActiveLoad, Queues: []string{},
		Skills: map[string]int{}, ChannelCapacity: map[string]int{}, ChannelLoad: map[string]int{}}
	for ch, c := range r.chanCaps {
		p.ChannelCapacity[ch] = c
		p.ChannelLoad[ch] = 0
	}
	if err := tx.Raw(`SELECT q.code FROM queue_members m JOIN queues q ON q.id = m.queue_id WHERE m.agent_id = ? ORDER BY q.code`, agentID).Scan(&p.Queues).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: memberships: %w", ErrStore, err)
	}
	var sk []struct {
		Skill string
		Level int
	}
	if err := tx.Raw(`SELECT skill, level FROM agent_skills WHERE agent_id = ?`, agentID).Scan(&sk).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: skills: %w", ErrStore, err)
	}
	for _, s := range sk {
		p.Skills[s.Skill] = s.Level
	}
	var loads []struct {
		Channel    string
		Capacity   int
		ActiveLoad int
	}
	if err := tx.Raw(`SELECT channel, capacity, active_load FROM agent_channel_loads WHERE agent_id = ?`, agentID).Scan(&loads).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: channel loads: %w", ErrStore, err)
	}
	for _, l := range loads {
		p.ChannelCapacity[l.Channel], p.ChannelLoad[l.Channel] = l.Capacity, l.ActiveLoad
	}
	return p, nil
}

// Holiday is a day off for every queue with business hours.
type Holiday struct {
	Day  string `json:"day" yaml:"day"` // YYYY-MM-DD
	Name string `json:"name" yaml:"name"`
	// Kind: national (libur nasional) or joint_leave (cuti bersama).
	Kind string `json:"kind" yaml:"kind"`
}

// SetHolidays replaces one year's holidays.
func (r *Router) SetHolidays(ctx context.Context, year int, days []Holiday) error {
	if year < 2000 || year > 2100 {
		return fmt.Errorf("%w: year %d", ErrInvalid, year)
	}
	var probs []string
	for i := range days {
		d := &days[i]
		if d.Kind == "" {
			d.Kind = "national"
		}
		t, err := time.Parse(time.DateOnly, d.Day)
		switch {
		case err != nil:
			probs = append(probs, fmt.Sprintf("day %q is not YYYY-MM-DD", d.Day))
		case t.Year() != year:
			probs = append(probs, fmt.Sprintf("day %s is not in %d", d.Day, year))
		}
		if d.Kind != "national" && d.Kind != "joint_leave" {
			probs = append(probs, fmt.Sprintf("kind %q (national or joint_leave)", d.Kind))
		}
		if strings.TrimSpace(d.Name) == "" {
			probs = append(probs, fmt.Sprintf("day %s has no name", d.Day))
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%w: holidays: %s", ErrInvalid, strings.Join(probs, "; "))
	}
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM holidays WHERE day >= ? AND day <= ?`, fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)).Error; err != nil {
			return fmt.Errorf("%w: holidays: %w", ErrStore, err)
		}
		for _, d := range days {
			if err := tx.Exec(`INSERT INTO holidays (day, name, kind) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET name = excluded.name, kind = excluded.kind`,
				d.Day, d.Name, d.Kind).Error; err != nil {
				return fmt.Errorf("%w: holiday: %w", ErrStore, err)
			}
		}
		return nil
	})
	if err == nil {
		r.changed()
	}
	return err
}

// Holidays lists one year's holidays.
func (r *Router) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	out := []Holiday{}
	if err := r.db.WithContext(ctx).Raw(`SELECT day, name, kind FROM holidays WHERE day >= ? AND day <= ? ORDER BY day`,
		fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: holidays: %w", ErrStore, err)
	}
	return out, nil
}

// Seed is the demo/bootstrap file: queues, agents' routing profiles (by
// email), holidays and priority rules. Agents listed with a password are
// created by the caller first.
type Seed struct {
	Queues   []QueueSettings `json:"queues" yaml:"queues"`
	Agents   []SeedAgent     `json:"agents" yaml:"agents"`
	Holidays []Holiday       `json:"holidays" yaml:"holidays"`
	Rules    []PriorityRule  `json:"priority_rules" yaml:"priority_rules"`
}

// SeedAgent is an agent in the seed file.
type SeedAgent struct {
	Email         string      `json:"email" yaml:"email"`
	Name          string      `json:"name" yaml:"name"`
	Password      string      `json:"password" yaml:"password"`
	Role          domain.Role `json:"role" yaml:"role"`
	AgentSettings `yaml:",inline"`
}

// LoadSeed reads a seed file (.yaml, .yml or .json; JSON is YAML too).
func LoadSeed(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("%w: seed file: %w", ErrConfig, err)
	}
	s, err := ParseSeed(b)
	if err != nil {
		return Seed{}, fmt.Errorf("seed file %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// ParseSeed decodes and checks a seed. Unknown fields are refused (a typo
// in a demo file should not silently drop a setting); queue settings are
// checked again when saved.
func ParseSeed(b []byte) (Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return Seed{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	for _, rule := range s.Rules {
		if err := rule.validate(); err != nil {
			return Seed{}, err
		}
	}
	for i := range s.Queues {
		q := s.Queues[i]
		if err := q.validate(); err != nil {
			return Seed{}, err
		}
	}
	return s, nil
}

// ApplySeed saves the seed's queues (overflow targets after all queues
// exist), holidays, agent profiles and priority rules. Call it before the
// router's users start; it is safe on every start (upserts). Each saved
// queue and year of holidays is announced like an admin change; priority
// rules are kept in memory, not in the database, so they apply to this
// instance only (each instance applies its seed file at start).
func (r *Router) ApplySeed(ctx context.Context, s Seed) error {
	deferred := map[string]string{}
	for _, q := range s.Queues {
		if q.OverflowQueue != "" {
			deferred[q.Code] = q.OverflowQueue
			q.OverflowQueue = ""
		}
		if _, err := r.SaveQueue(ctx, q); err != nil {
			return err
		}
	}
	for _, q := range s.Queues {
		if _, ok := deferred[q.Code]; ok {
			if _, err := r.SaveQueue(ctx, q); err != nil {
				return err
			}
		}
	}
	byYear := map[int][]Holiday{}
	for _, h := range s.Holidays {
		t, err := time.Parse(time.DateOnly, h.Day)
		if err != nil {
			return fmt.Errorf("%w: holiday %q is not YYYY-MM-DD", ErrInvalid, h.Day)
		}
		byYear[t.Year()] = append(byYear[t.Year()], h)
	}
	for y, days := range byYear {
		if err := r.SetHolidays(ctx, y, days); err != nil {
			return err
		}
	}
	for _, a := range s.Agents {
		var ids []int64
		if err := r.db.WithContext(ctx).Raw(`SELECT id FROM agents WHERE email = ?`, strings.ToLower(strings.TrimSpace(a.Email))).Scan(&ids).Error; err != nil {
			return fmt.Errorf("%w: seed agent: %w", ErrStore, err)
		}
		if len(ids) == 0 {
			r.log.Warn("seed names an agent that does not exist; skipped")
			continue
		}
		if err := r.SetAgent(ctx, ids[0], a.AgentSettings); err != nil && !errors.Is(err, ErrAgentNotFound) {
			return err
		}
	}
	if len(s.Rules) > 0 {
		r.rules = slices.Clone(s.Rules)
	}
	return nil
}
