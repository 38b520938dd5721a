package routing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/hours"
	"tanggap/internal/sla"
)

// The statements of the queue settings: what Settings reads and caches
// (loadConf), the queue codes, and what Admin changes (queues, SLA
// policies, holidays, agents' routing profiles, queue removal).

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

// upsertQueues declares queues; an existing code keeps its id, takes the
// configured name and, when it was archived, comes back.
//
//	INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?), …
//	ON CONFLICT (code) DO UPDATE SET name = excluded.name, archived_at = NULL
func upsertQueues(tx *gorm.DB, specs []QueueSpec, now time.Time) error {
	if len(specs) == 0 {
		return nil
	}
	rows := make([]string, len(specs))
	args := make([]any, 0, 3*len(specs))
	for i, s := range specs {
		rows[i] = "(?, ?, ?)"
		args = append(args, s.Code, s.Name, now)
	}
	q := `INSERT INTO queues (code, name, created_at) VALUES ` + strings.Join(rows, ", ") +
		` ON CONFLICT (code) DO UPDATE SET name = excluded.name, archived_at = NULL`
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("%w: upsert queues: %w", ErrStore, err)
	}
	return nil
}

// loadQueues reads every live (not archived) queue's id by code.
//
//	SELECT id, code FROM queues WHERE archived_at IS NULL
func loadQueues(tx *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		ID   int64
		Code string
	}
	if err := tx.Raw(`SELECT id, code FROM queues WHERE archived_at IS NULL`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: load queues: %w", ErrStore, err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	return out, nil
}

// findQueue reads one live queue's id; an archived queue is unknown.
//
//	SELECT id FROM queues WHERE code = ? AND archived_at IS NULL
func findQueue(tx *gorm.DB, code string) (int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT id FROM queues WHERE code = ? AND archived_at IS NULL`, code).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("%w: find queue: %w", ErrStore, err)
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("queue %q: %w", code, ErrUnknownQueue)
	}
	return ids[0], nil
}

// readQueueSettings reads a live queue's settings as the admin screen
// shows them (found false when there is none) and, on PostgreSQL, locks
// its row until commit.
//
//	SELECT q.id, q.code, q.name, …, o.code AS overflow_code FROM queues q
//	LEFT JOIN queues o ON o.id = q.overflow_queue_id WHERE q.code = ? AND q.archived_at IS NULL [FOR NO KEY UPDATE OF q]
//	SELECT queue_id, priority, first_response_s, next_response_s, resolution_s, warn_before_s FROM sla_policies WHERE queue_id = ?
func readQueueSettings(tx *gorm.DB, dialect db.Dialect, code string) (QueueSettings, bool, error) {
	q := `SELECT q.id, q.code, q.name, q.channels, q.categories, q.provinces, q.skills, q.strategy, q.time_zone, q.hours,
q.overflow_after_s, COALESCE(o.code, '') AS overflow_code
FROM queues q LEFT JOIN queues o ON o.id = q.overflow_queue_id WHERE q.code = ? AND q.archived_at IS NULL`
	if dialect == db.Postgres {
		q += ` FOR NO KEY UPDATE OF q`
	}
	var rows []struct {
		ID                                                            int64
		Code, Name, Channels, Categories, Provinces, Skills, Strategy string
		TimeZone, Hours, OverflowCode                                 string
		OverflowAfterS                                                int
	}
	if err := tx.Raw(q, code).Scan(&rows).Error; err != nil {
		return QueueSettings{}, false, fmt.Errorf("%w: read queue: %w", ErrStore, err)
	}
	if len(rows) == 0 {
		return QueueSettings{}, false, nil
	}
	r := rows[0]
	out := QueueSettings{ID: r.ID, Code: r.Code, Name: r.Name, Channels: nonNil(splitList(r.Channels)), Categories: nonNil(splitList(r.Categories)),
		Provinces: nonNil(splitList(r.Provinces)), Skills: nonNil(splitList(r.Skills)), Strategy: r.Strategy, TimeZone: r.TimeZone,
		OverflowQueue: r.OverflowCode, OverflowAfterSeconds: r.OverflowAfterS, Hours: map[string][]string{}, SLA: map[string]SLATargets{}}
	if r.Hours != "" {
		if w, err := hours.ParseWeekJSON(r.Hours); err == nil {
			out.Hours = w.Strings()
		}
	}
	var pols []policyRow
	if err := tx.Raw(`SELECT queue_id, priority, first_response_s, next_response_s, resolution_s, warn_before_s FROM sla_policies WHERE queue_id = ?`,
		r.ID).Scan(&pols).Error; err != nil {
		return QueueSettings{}, false, fmt.Errorf("%w: read SLA policies: %w", ErrStore, err)
	}
	for _, p := range pols {
		out.SLA[string(p.Priority)] = SLATargets{FirstResponseSeconds: p.FirstResponseS, NextResponseSeconds: p.NextResponseS,
			ResolutionSeconds: p.ResolutionS, WarnBeforeSeconds: p.WarnBeforeS}
	}
	return out, true, nil
}

// storeQueue upserts a queue's row (overflow queue by code) and replaces
// its SLA policies; q.ID is set to the queue's id.
//
//	SELECT id FROM queues WHERE code = ? AND archived_at IS NULL
//	INSERT INTO queues (code, name, channels, …, created_at, updated_at) VALUES (…)
//	ON CONFLICT (code) DO UPDATE SET name = excluded.name, channels = excluded.channels, …, archived_at = NULL
//	DELETE FROM sla_policies WHERE queue_id = ?; INSERT INTO sla_policies …
func storeQueue(tx *gorm.DB, q *QueueSettings, hoursJSON string, now time.Time) error {
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
}

// storeAgentSettings writes an agent's capacity, channel capacities,
// memberships (by queue code) and skills; nil fields are left as they are.
//
//	SELECT id FROM agents WHERE id = ?
//	UPDATE agents SET capacity = ?, updated_at = ? WHERE id = ?
//	INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load) VALUES (?, ?, ?, 0)
//	ON CONFLICT (agent_id, channel) DO UPDATE SET capacity = excluded.capacity  -- NULL: the default
//	DELETE FROM queue_members WHERE agent_id = ?; INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?) …
//	DELETE FROM agent_skills WHERE agent_id = ? AND skill = ?; INSERT INTO agent_skills (agent_id, skill, level) VALUES (?, ?, ?)
func storeAgentSettings(tx *gorm.DB, agentID int64, s AgentSettings, now time.Time) error {
	var exists []int64
	if err := tx.Raw(`SELECT id FROM agents WHERE id = ?`, agentID).Scan(&exists).Error; err != nil {
		return fmt.Errorf("%w: agent: %w", ErrStore, err)
	}
	if len(exists) == 0 {
		return fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	if s.Capacity != nil {
		if err := tx.Exec(`UPDATE agents SET capacity = ?, updated_at = ? WHERE id = ?`, *s.Capacity, now, agentID).Error; err != nil {
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
}

// AdoptChannelDefaults gives back to the channel's default every agent's
// capacity on a channel that holds the default's number, once per
// database: at the first start after migration 0048 (which says why), by
// the instance that deletes its marker row (another waits on that row's
// lock and then finds it gone). It reports how many rows it gave back.
//
//	DELETE FROM channel_capacity_adoption RETURNING pending
//	UPDATE agent_channel_loads SET capacity = NULL WHERE channel = ? AND capacity = ?  -- each configured channel
//	UPDATE agent_channel_loads SET capacity = NULL WHERE capacity = ? AND channel NOT IN (…)
func (s *Settings) AdoptChannelDefaults(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		n = 0
		var marks []bool
		if err := tx.Raw(`DELETE FROM channel_capacity_adoption RETURNING pending`).Scan(&marks).Error; err != nil {
			return fmt.Errorf("%w: channel capacity adoption: %w", ErrStore, err)
		}
		if len(marks) == 0 {
			return nil // done before
		}
		chans := make([]string, 0, len(s.chanCaps))
		for ch := range s.chanCaps {
			chans = append(chans, ch)
		}
		slices.Sort(chans)
		for _, ch := range chans {
			res := tx.Exec(`UPDATE agent_channel_loads SET capacity = NULL WHERE channel = ? AND capacity = ?`, ch, s.chanCaps[ch])
			if res.Error != nil {
				return fmt.Errorf("%w: channel capacity adoption: %w", ErrStore, res.Error)
			}
			n += res.RowsAffected
		}
		q, args := `UPDATE agent_channel_loads SET capacity = NULL WHERE capacity = ?`, []any{s.defChanCap}
		if len(chans) > 0 {
			q += ` AND channel NOT IN (` + db.Placeholders(len(chans)) + `)`
			args = append(args, db.Anys(chans)...)
		}
		res := tx.Exec(q, args...)
		if res.Error != nil {
			return fmt.Errorf("%w: channel capacity adoption: %w", ErrStore, res.Error)
		}
		n += res.RowsAffected
		return nil
	})
	return n, err
}

// readAgentProfile reads an agent's routing profile; channels without an
// own capacity (no row, or a row holding NULL) show the default's.
//
//	SELECT capacity, active_load FROM agents WHERE id = ?
//	SELECT q.code FROM queue_members m JOIN queues q ON q.id = m.queue_id WHERE m.agent_id = ? ORDER BY q.code
//	SELECT skill, level FROM agent_skills WHERE agent_id = ?
//	SELECT channel, capacity, active_load FROM agent_channel_loads WHERE agent_id = ?
func readAgentProfile(tx *gorm.DB, agentID int64, settings *Settings) (AgentProfile, error) {
	var row []struct {
		Capacity   int
		ActiveLoad int
	}
	if err := tx.Raw(`SELECT capacity, active_load FROM agents WHERE id = ?`, agentID).Scan(&row).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: agent: %w", ErrStore, err)
	}
	if len(row) == 0 {
		return AgentProfile{}, fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	p := AgentProfile{AgentID: agentID, Capacity: row[0].Capacity, ActiveLoad: row[0].ActiveLoad, Queues: []string{},
		Skills: map[string]int{}, ChannelCapacity: map[string]int{}, ChannelOwn: map[string]int{}, ChannelDefault: map[string]int{},
		ChannelLoad: map[string]int{}}
	// Every channel the binary speaks, and any other the configuration
	// names, with its default (the overall one where none is configured).
	for _, ch := range domain.Channels {
		c := settings.channelCap(string(ch))
		p.ChannelCapacity[string(ch)], p.ChannelDefault[string(ch)], p.ChannelLoad[string(ch)] = c, c, 0
	}
	for ch, c := range settings.chanCaps {
		p.ChannelCapacity[ch], p.ChannelDefault[ch], p.ChannelLoad[ch] = c, c, 0
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
		Capacity   *int
		ActiveLoad int
	}
	if err := tx.Raw(`SELECT channel, capacity, active_load FROM agent_channel_loads WHERE agent_id = ?`, agentID).Scan(&loads).Error; err != nil {
		return AgentProfile{}, fmt.Errorf("%w: channel loads: %w", ErrStore, err)
	}
	for _, l := range loads {
		def := settings.channelCap(l.Channel)
		p.ChannelCapacity[l.Channel], p.ChannelDefault[l.Channel], p.ChannelLoad[l.Channel] = def, def, l.ActiveLoad
		if l.Capacity != nil {
			p.ChannelCapacity[l.Channel], p.ChannelOwn[l.Channel] = *l.Capacity, *l.Capacity
		}
	}
	return p, nil
}

// storeHolidays replaces one year's holidays.
//
//	DELETE FROM holidays WHERE day >= ? AND day <= ?
//	INSERT INTO holidays (day, name, kind) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET name = excluded.name, kind = excluded.kind
func storeHolidays(tx *gorm.DB, year int, days []Holiday) error {
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
}

// readHolidays lists one year's holidays.
//
//	SELECT day, name, kind FROM holidays WHERE day >= ? AND day <= ? ORDER BY day
func readHolidays(tx *gorm.DB, year int) ([]Holiday, error) {
	out := []Holiday{}
	if err := tx.Raw(`SELECT day, name, kind FROM holidays WHERE day >= ? AND day <= ? ORDER BY day`,
		fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: holidays: %w", ErrStore, err)
	}
	return out, nil
}

// agentsByEmail reads the id of the agent with this (lower-case) email.
//
//	SELECT id FROM agents WHERE email = ?
func agentsByEmail(tx *gorm.DB, email string) ([]int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT id FROM agents WHERE email = ?`, email).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("%w: seed agent: %w", ErrStore, err)
	}
	return ids, nil
}

// lockQueue reads a live queue's id and, on PostgreSQL, locks its row
// until commit, so two removals or a removal and a save of the same code
// take turns. NO KEY UPDATE leaves the key-share locks of foreign keys
// (a ticket filed in the queue meanwhile) free.
func lockQueue(tx *gorm.DB, dialect db.Dialect, code string) (int64, error) {
	q := `SELECT id FROM queues WHERE code = ? AND archived_at IS NULL`
	if dialect == db.Postgres {
		q += ` FOR NO KEY UPDATE`
	}
	var ids []int64
	if err := tx.Raw(q, code).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("%w: find queue: %w", ErrStore, err)
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("queue %q: %w", code, ErrUnknownQueue)
	}
	return ids[0], nil
}

// archiveQueue hides a queue that still holds tickets from routing.
func archiveQueue(tx *gorm.DB, id int64, now time.Time) error {
	if err := tx.Exec(`UPDATE queues SET archived_at = ?, updated_at = ? WHERE id = ?`, now, now, id).Error; err != nil {
		return fmt.Errorf("%w: archive queue: %w", ErrStore, err)
	}
	if err := tx.Exec(`DELETE FROM queue_members WHERE queue_id = ?`, id).Error; err != nil {
		return fmt.Errorf("%w: queue members: %w", ErrStore, err)
	}
	return nil
}

// deleteQueue deletes a queue no ticket refers to, with its waiting-count
// rows (kept by triggers, without a foreign key).
func deleteQueue(tx *gorm.DB, id int64) error {
	if err := tx.Exec(`DELETE FROM queues WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("%w: delete queue: %w", ErrStore, err)
	}
	if err := tx.Exec(`DELETE FROM queue_waiting_counts WHERE queue_id = ?`, id).Error; err != nil {
		return fmt.Errorf("%w: waiting counts: %w", ErrStore, err)
	}
	return nil
}

// ticketsInQueue counts a queue's tickets, only the open ones (new, open,
// pending) when open.
//
//	SELECT COUNT(*) FROM tickets WHERE queue_id = ? [AND status IN ('new', 'open', 'pending')]
func ticketsInQueue(tx *gorm.DB, queueID int64, open bool) (int64, error) {
	q := `SELECT COUNT(*) FROM tickets WHERE queue_id = ?`
	if open {
		q += ` AND status IN ` + domain.ActiveStatusesSQL
	}
	var n int64
	if err := tx.Raw(q, queueID).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("%w: queue's tickets: %w", ErrStore, err)
	}
	return n, nil
}

// overflowingInto lists the live queues that overflow into a queue.
//
//	SELECT code FROM queues WHERE overflow_queue_id = ? AND archived_at IS NULL ORDER BY code
func overflowingInto(tx *gorm.DB, queueID int64) ([]string, error) {
	var from []string
	if err := tx.Raw(`SELECT code FROM queues WHERE overflow_queue_id = ? AND archived_at IS NULL ORDER BY code`, queueID).Scan(&from).Error; err != nil {
		return nil, fmt.Errorf("%w: overflowing queues: %w", ErrStore, err)
	}
	return from, nil
}
