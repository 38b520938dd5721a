package routing

import (
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// candidate is an online member of a queue with room on a channel.
type candidate struct {
	ID             int64
	Capacity       int
	ActiveLoad     int
	LastAssignedAt *time.Time
	// TurnAt is when the agent last got a ticket of this queue (round robin).
	TurnAt *time.Time
	// ChCapacity and ChLoad are the agent's capacity and load on the
	// ticket's channel.
	ChCapacity int
	ChLoad     int
	// SkillScore sums the agent's levels in the queue's required skills.
	SkillScore int
}

// candidatesQuery reads the online members of a queue with room overall
// and on the channel, having every skill the queue requires.
//
//	SELECT a.id, a.capacity, a.active_load, a.last_assigned_at, m.last_assigned_at AS turn_at,
//	  COALESCE(l.capacity, :default) AS ch_capacity, COALESCE(l.active_load, 0) AS ch_load,
//	  (SELECT COALESCE(SUM(s.level), 0) FROM agent_skills s WHERE s.agent_id = a.id AND s.skill IN (:skills)) AS skill_score
//	FROM agents a JOIN queue_members m ON m.agent_id = a.id
//	LEFT JOIN agent_channel_loads l ON l.agent_id = a.id AND l.channel = :channel
//	WHERE m.queue_id = :queue AND a.presence = 'online' AND a.active_load < a.capacity
//	  AND COALESCE(l.active_load, 0) < COALESCE(l.capacity, :default)
//	  AND (SELECT COUNT(*) FROM agent_skills s WHERE s.agent_id = a.id AND s.skill IN (:skills)) = :nskills
//	  [AND a.id <> :exclude]
//	ORDER BY a.id
func candidatesQuery(queueID int64, channel string, defCap int, skills []string, exclude int64) (string, []any) {
	args := []any{defCap}
	score := `0`
	skillIn := db.Placeholders(len(skills))
	if len(skills) > 0 {
		score = `(SELECT COALESCE(SUM(s.level), 0) FROM agent_skills s WHERE s.agent_id = a.id AND s.skill IN (` + skillIn + `))`
	}
	q := `SELECT a.id, a.capacity, a.active_load, a.last_assigned_at, m.last_assigned_at AS turn_at,
  COALESCE(l.capacity, ?) AS ch_capacity, COALESCE(l.active_load, 0) AS ch_load,
  ` + score + ` AS skill_score
FROM agents a JOIN queue_members m ON m.agent_id = a.id
LEFT JOIN agent_channel_loads l ON l.agent_id = a.id AND l.channel = ?
WHERE m.queue_id = ? AND a.presence = ` + domain.SQLPresenceOnline + ` AND a.active_load < a.capacity
  AND COALESCE(l.active_load, 0) < COALESCE(l.capacity, ?)`
	for _, s := range skills {
		args = append(args, s)
	}
	args = append(args, channel, queueID, defCap)
	if len(skills) > 0 {
		q += `
  AND (SELECT COUNT(*) FROM agent_skills s WHERE s.agent_id = a.id AND s.skill IN (` + skillIn + `)) = ?`
		for _, s := range skills {
			args = append(args, s)
		}
		args = append(args, len(skills))
	}
	if exclude != 0 {
		q += ` AND a.id <> ?`
		args = append(args, exclude)
	}
	return q + `
ORDER BY a.id`, args
}

// lockMembers locks the online members with room of the given queues in
// id order until commit and returns their ids. On PostgreSQL this is what
// lets two instances route batches into the same queues without
// deadlocking: both take the agent rows in one order. NO KEY UPDATE is the
// lock the load UPDATE takes anyway; unlike FOR UPDATE it does not wait
// for transactions that merely reference the agent (the foreign-key check
// of tickets.assignee_id). (SQLite runs one writing transaction at a time;
// nothing to lock, every member counts.)
//
//	SELECT id FROM agents
//	WHERE id IN (SELECT agent_id FROM queue_members WHERE queue_id IN (…))
//	  AND presence = 'online' AND active_load < capacity
//	ORDER BY id FOR NO KEY UPDATE
func lockMembers(tx *gorm.DB, dialect db.Dialect, queueIDs []int64) (map[int64]bool, error) {
	args := make([]any, len(queueIDs))
	for i, id := range queueIDs {
		args[i] = id
	}
	q := `SELECT id FROM agents
WHERE id IN (SELECT agent_id FROM queue_members WHERE queue_id IN (` + db.Placeholders(len(args)) + `))
  AND presence = ` + domain.SQLPresenceOnline + ` AND active_load < capacity
ORDER BY id`
	if dialect == db.Postgres {
		q += ` FOR NO KEY UPDATE`
	}
	var ids []int64
	if err := tx.Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("%w: lock candidates: %w", ErrStore, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// readCandidates reads candidates without locking them; the conditional
// UPDATEs decide.
func readCandidates(tx *gorm.DB, queueID int64, channel string, defCap int, skills []string, exclude int64) ([]candidate, error) {
	q, args := candidatesQuery(queueID, channel, defCap, skills, exclude)
	var out []candidate
	if err := tx.Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: candidates: %w", ErrStore, err)
	}
	return out, nil
}

// sortCandidates orders candidates best first for a strategy.
func sortCandidates(c []candidate, strategy string) {
	sort.SliceStable(c, func(i, j int) bool {
		a, b := c[i], c[j]
		switch strategy {
		case StrategyRoundRobin:
			if l, ok := earlier(a.TurnAt, b.TurnAt); ok {
				return l
			}
			return a.ID < b.ID
		case StrategySkills:
			if a.SkillScore != b.SkillScore {
				return a.SkillScore > b.SkillScore
			}
		}
		return lessBusy(a, b)
	})
}

// lessBusy orders by load ratio (the agent's tickets over their capacity;
// room on the ticket's channel is a condition, not a rank), then the
// longest since last assignment (never assigned first), then id. It is the
// order of the index agents_ready_idx that Offer reads on PostgreSQL.
func lessBusy(a, b candidate) bool {
	if l, r := a.ActiveLoad*max(b.Capacity, 1), b.ActiveLoad*max(a.Capacity, 1); l != r {
		return l < r
	}
	if l, ok := earlier(a.LastAssignedAt, b.LastAssignedAt); ok {
		return l
	}
	return a.ID < b.ID
}

// earlier orders two optional instants, nil first; ok false when equal.
func earlier(a, b *time.Time) (less, ok bool) {
	switch {
	case a == nil && b == nil:
		return false, false
	case a == nil:
		return true, true
	case b == nil:
		return false, true
	case a.Equal(*b):
		return false, false
	}
	return a.Before(*b), true
}
