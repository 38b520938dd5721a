package agent

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

type store struct {
	db *db.DB
}

type agentRow struct {
	ID           int64
	Email        string
	Name         string
	PasswordHash string
	Role         domain.Role
	Presence     domain.Presence
	Capacity     int
	ActiveLoad   int
	Permissions  *string // the role's definition (roles.permissions)
	RoleLabel    *string
}

// agentCols is the agent's columns with their role's permissions, read on
// every request (session lookup): the join is the roles primary key, so an
// edited role counts from the next request on, on every instance.
const agentCols = agentColumns + `
	FROM agents a LEFT JOIN roles r ON r.name = a.role`

// agentColumns is the select list of agentCols (agents a, roles r), also
// read with a session (BySession).
const agentColumns = `a.id, a.email, a.name, a.role, a.presence, a.capacity, a.active_load, r.permissions, r.label AS role_label`

func (s *store) create(ctx context.Context, n NewAgent, hash string, now time.Time) (int64, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row := map[string]any{
			"email": n.Email, "name": n.Name, "password_hash": hash, "role": n.Role,
			"presence": domain.PresenceOffline, "capacity": n.Capacity, "active_load": 0,
			"created_at": now, "updated_at": now,
		}
		if err := tx.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, active_load, created_at, updated_at)
			VALUES (@email, @name, @password_hash, @role, @presence, @capacity, @active_load, @created_at, @updated_at) RETURNING id`, row).
			Scan(&id).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return ErrEmailTaken
			}
			if db.IsForeignKeyViolation(err) { // the role was deleted meanwhile
				return invalidRole()
			}
			return fmt.Errorf("agent: insert: %w", err)
		}
		codes := slices.Clone(n.QueueCodes)
		slices.Sort(codes)
		for _, code := range slices.Compact(codes) {
			res := tx.Exec(`INSERT INTO queue_members (queue_id, agent_id) SELECT id, ? FROM queues WHERE code = ? AND archived_at IS NULL ON CONFLICT DO NOTHING`, id, code)
			if res.Error != nil {
				return fmt.Errorf("agent: queue membership: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				// No such queue: the account is not created either,
				// rather than created without it.
				var ve apperr.ValidationError
				ve.Add("queues", "validation.queue_unknown", "queue", code)
				return ve.Err()
			}
		}
		return nil
	})
	return id, err
}

func (s *store) byEmail(ctx context.Context, email string) (agentRow, error) {
	var rows []agentRow
	if err := s.db.WithContext(ctx).Raw(`SELECT a.password_hash, `+agentCols+` WHERE a.email = ? AND a.deactivated_at IS NULL`, email).
		Scan(&rows).Error; err != nil {
		return agentRow{}, fmt.Errorf("agent: by email: %w", err)
	}
	if len(rows) == 0 {
		return agentRow{}, ErrNotFound
	}
	return rows[0], nil
}

func (s *store) get(ctx context.Context, id int64) (Agent, error) {
	var rows []agentRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+agentCols+` WHERE a.id = ?`, id).
		Scan(&rows).Error; err != nil {
		return Agent{}, fmt.Errorf("agent: get: %w", err)
	}
	if len(rows) == 0 {
		return Agent{}, ErrNotFound
	}
	a := toAgent(rows[0])
	if err := s.db.WithContext(ctx).Raw(`SELECT queue_id FROM queue_members WHERE agent_id = ? ORDER BY queue_id`, id).
		Scan(&a.QueueIDs).Error; err != nil {
		return Agent{}, fmt.Errorf("agent: queues: %w", err)
	}
	return a, nil
}

func (s *store) list(ctx context.Context) ([]Agent, error) {
	var rows []agentRow
	if err := s.db.WithContext(ctx).Raw(`SELECT ` + agentCols + ` WHERE a.deactivated_at IS NULL ORDER BY a.name, a.id`).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("agent: list: %w", err)
	}
	var members []struct{ AgentID, QueueID int64 }
	if err := s.db.WithContext(ctx).Raw(`SELECT agent_id, queue_id FROM queue_members ORDER BY agent_id, queue_id`).
		Scan(&members).Error; err != nil {
		return nil, fmt.Errorf("agent: list queues: %w", err)
	}
	queues := make(map[int64][]int64, len(rows))
	for _, m := range members {
		queues[m.AgentID] = append(queues[m.AgentID], m.QueueID)
	}
	out := make([]Agent, 0, len(rows))
	for _, r := range rows {
		a := toAgent(r)
		a.QueueIDs = queues[r.ID]
		out = append(out, a)
	}
	return out, nil
}

// setPresence stores a presence chosen by the agent (or their logout).
// Choosing is a sign of life, so last_seen_at moves too.
//
// One row in autocommit holds no other lock, yet PostgreSQL may still pick
// it as a deadlock victim while it queues for the row behind transactions
// that wait for each other; it is run again (at most maxAttempts times)
// rather than failing the agent's request.
func (s *store) setPresence(ctx context.Context, id int64, presence domain.Presence, now time.Time) error {
	var res *gorm.DB
	for attempt := 1; ; attempt++ {
		// A deactivated account only ever goes offline: nobody (a
		// supervisor on the wallboard included) brings it back to work.
		res = s.db.WithContext(ctx).Exec(`UPDATE agents SET presence = ?, last_seen_at = ?, updated_at = ?
			WHERE id = ? AND (deactivated_at IS NULL OR ? = ?)`, presence, now, now, id, presence, domain.PresenceOffline)
		if !db.IsRetryable(res.Error) || attempt == maxAttempts {
			break
		}
	}
	if res.Error != nil {
		return fmt.Errorf("agent: presence: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

func toAgent(r agentRow) Agent {
	perms := permission.Of() // a role without a definition may nothing
	if r.Permissions != nil {
		perms = permission.Parse(*r.Permissions)
	}
	label := string(r.Role)
	if r.RoleLabel != nil {
		label = *r.RoleLabel
	}
	return Agent{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, RoleLabel: label, Perms: perms, Presence: r.Presence, Capacity: r.Capacity, ActiveLoad: r.ActiveLoad}
}

// touch records a sign of life of the agent's console.
func (s *store) touch(ctx context.Context, id int64, now time.Time) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE agents SET last_seen_at = ? WHERE id = ?`, now, id)
	if res.Error != nil {
		return fmt.Errorf("agent: touch: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// touchMany records a sign of life of several agents' consoles. On
// PostgreSQL the rows are locked in id order (the lock order of
// routing/lockorder.go) first, then written (lockThenWrite). A
// transaction the database still aborts for a concurrent one is run
// again.
//
//	SELECT id FROM agents WHERE id IN (…) ORDER BY id FOR NO KEY UPDATE
//	UPDATE agents SET last_seen_at = ? WHERE id IN (…)
func (s *store) touchMany(ctx context.Context, ids []int64, now time.Time) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo+1)
		args = append(args, now)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		in := `(` + db.Placeholders(hi-lo) + `)`
		write := func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE agents SET last_seen_at = ? WHERE id IN `+in, args...).Error
		}
		var err error
		if s.db.Dialect == db.Postgres {
			err = s.lockThenWrite(ctx, `SELECT id FROM agents WHERE id IN `+in+` ORDER BY id FOR NO KEY UPDATE`, args[1:], func(tx *gorm.DB, _ []int64) error {
				return write(tx)
			})
		} else {
			err = s.retry(func() error { return write(s.db.WithContext(ctx)) })
		}
		if err != nil {
			return fmt.Errorf("agent: touch: %w", err)
		}
		return nil
	})
}

// lockThenWrite runs, on PostgreSQL, a statement locking agents in id
// order (lock) and then write on the rows it locked, in one transaction,
// run again while the database aborts it for a concurrent one. The write
// is a statement of its own, not the UPDATE around a locking subquery:
// such an UPDATE reads the rows as of its start, and a row changed and
// committed between that start and the subquery's lock is reached again
// through its older version, a second lock on the row that deadlocked
// with transactions queued on it (the intake's LockAgents, the liveness
// sweep, a presence change; seen in the agent churn test). The write's
// own snapshot sees the locked rows as they are.
func (s *store) lockThenWrite(ctx context.Context, lock string, args []any, write func(tx *gorm.DB, locked []int64) error) error {
	return s.retry(func() error {
		return s.db.Tx(ctx, func(tx *gorm.DB) error {
			var locked []int64
			if err := tx.Raw(lock, args...).Scan(&locked).Error; err != nil {
				return err
			}
			if len(locked) == 0 {
				return nil
			}
			return write(tx, locked)
		})
	})
}

// maxAttempts bounds how often a statement the database aborted only for
// running at the same time as another (db.IsRetryable) is run again.
const maxAttempts = 5

// retry runs f again while it fails only for a concurrent transaction.
func (s *store) retry(f func() error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err = f(); !db.IsRetryable(err) {
			return err
		}
	}
	return err
}

// getMany reads several agents with their queues, in two statements per
// chunk. Unknown ids are left out.
func (s *store) getMany(ctx context.Context, ids []int64) (map[int64]Agent, error) {
	out := make(map[int64]Agent, len(ids))
	err := db.Chunks(len(ids), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		in := `(` + db.Placeholders(hi-lo) + `)`
		var rows []agentRow
		if err := s.db.WithContext(ctx).Raw(`SELECT `+agentCols+` WHERE a.id IN `+in, args...).
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("agent: get many: %w", err)
		}
		var members []struct{ AgentID, QueueID int64 }
		if err := s.db.WithContext(ctx).Raw(`SELECT agent_id, queue_id FROM queue_members WHERE agent_id IN `+in+` ORDER BY agent_id, queue_id`, args...).
			Scan(&members).Error; err != nil {
			return fmt.Errorf("agent: get many queues: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = toAgent(r)
		}
		for _, m := range members {
			if a, ok := out[m.AgentID]; ok {
				a.QueueIDs = append(a.QueueIDs, m.QueueID)
				out[m.AgentID] = a
			}
		}
		return nil
	})
	return out, err
}

// silenceSQL moves the agents in one presence whose console has been
// silent since before a time to another presence, and returns them. It is
// one conditional statement: when several instances sweep at once each
// agent is moved (and reported) by exactly one of them, and an agent whose
// console spoke or who changed presence meanwhile no longer matches. The
// agents_presence_seen_idx index serves the WHERE clause.
//
// On PostgreSQL the agents are locked in id order first (silenceLockPG,
// see lockThenWrite); the locked rows are then moved, with both
// conditions checked again on them as they are once locked.
const silenceSQL = `UPDATE agents SET presence = ?, presence_changed_at = ?, updated_at = ?
WHERE presence = ? AND last_seen_at < ? RETURNING id`

const silenceLockPG = `SELECT id FROM agents WHERE presence = ? AND last_seen_at < ? ORDER BY id FOR NO KEY UPDATE`

func (s *store) silence(ctx context.Context, from, to domain.Presence, before, now time.Time) ([]int64, error) {
	var ids []int64
	var err error
	if s.db.Dialect == db.Postgres {
		err = s.lockThenWrite(ctx, silenceLockPG, []any{from, before}, func(tx *gorm.DB, locked []int64) error {
			ids = nil
			return tx.Raw(`UPDATE agents SET presence = ?, presence_changed_at = ?, updated_at = ?
WHERE id = ANY (string_to_array(?, ',')::bigint[]) AND presence = ? AND last_seen_at < ? RETURNING id`,
				to, now, now, db.JoinIDs(locked), from, before).Scan(&ids).Error
		})
	} else {
		err = s.retry(func() error {
			ids = nil
			return s.db.WithContext(ctx).Raw(silenceSQL, to, now, now, from, before).Scan(&ids).Error
		})
	}
	if err != nil {
		return nil, fmt.Errorf("agent: %s to %s: %w", from, to, err)
	}
	return ids, nil
}
