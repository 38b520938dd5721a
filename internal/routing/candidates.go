package routing

import (
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
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
	skillIn := "''"
	if len(skills) > 0 {
		skillIn = placeholders(len(skills))
	}
	q := `SELECT a.id, a.capacity, a.active_load, a.last_assigned_at, m.last_assigned_at AS turn_at,
  COALESCE(l.capacity, ?) AS ch_capacity, COALESCE(l.active_load, 0) AS ch_load,
  (SELECT COALESCE(SUM(s.level), 0) FROM agent_skills s WHERE s.agent_id = a.id AND s.skill IN (` + skillIn + `)) AS skill_score
FROM agents a JOIN queue_members m ON m.agent_id = a.id
LEFT JOIN agent_channel_loads l ON l.agent_id = a.id AND l.channel = ?
WHERE m.queue_id = ? AND a.presence = 'online' AND a.active_load < a.capacity
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

// lockCandidates reads the candidates of a queue for a channel. On
// PostgreSQL the agent rows are locked in id order until commit, so two
// instances routing a batch into the same queue wait for each other
// instead of locking agents in different orders and deadlocking. NO KEY
// UPDATE is the lock the load UPDATE takes anyway; unlike FOR UPDATE it
// does not wait for transactions that merely reference the agent (the
// foreign-key check of tickets.assignee_id). (SQLite runs one writing
// transaction at a time; there is nothing to lock.)
func lockCandidates(tx *gorm.DB, dialect db.Dialect, queueID int64, channel string, defCap int, skills []string) ([]candidate, error) {
	q, args := candidatesQuery(queueID, channel, defCap, skills, 0)
	if dialect == db.Postgres {
		q += ` FOR NO KEY UPDATE OF a`
	}
	var out []candidate
	if err := tx.Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: candidates: %v", ErrStore, err)
	}
	return out, nil
}

// readCandidates reads candidates without locking them; used by the
// one-ticket paths, where the conditional UPDATEs alone decide.
func readCandidates(tx *gorm.DB, queueID int64, channel string, defCap int, skills []string, exclude int64) ([]candidate, error) {
	q, args := candidatesQuery(queueID, channel, defCap, skills, exclude)
	var out []candidate
	if err := tx.Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%w: candidates: %v", ErrStore, err)
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

// lessBusy orders by load ratio on the channel, then overall, then the
// longest since last assignment (never assigned first), then id.
func lessBusy(a, b candidate) bool {
	if l, r := a.ChLoad*max(b.ChCapacity, 1), b.ChLoad*max(a.ChCapacity, 1); l != r {
		return l < r
	}
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
