package agent

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// BySession returns the agent of a live session (the sessions table of
// internal/auth, by the token's hash), with their role's permissions and
// their queues, in one statement: it is read on every signed-in request.
// No session or an expired one is ErrNotFound. It is read each time (no
// cache): ending a session or deactivating an account (which ends its
// sessions) holds on the very next request, on every instance.
func (s *Service) BySession(ctx context.Context, tokenHash string, now time.Time) (Agent, error) {
	return s.store.bySession(ctx, tokenHash, now)
}

// sessionSQL is BySession's statement; the queues come as one list
// ("3,7") from the queue_members primary key, the role by its primary key.
func sessionSQL(d db.Dialect) string {
	queues := `(SELECT string_agg(m.queue_id::text, ',' ORDER BY m.queue_id) FROM queue_members m WHERE m.agent_id = a.id)`
	if d == db.SQLite {
		queues = `(SELECT group_concat(queue_id, ',') FROM (SELECT m.queue_id FROM queue_members m WHERE m.agent_id = a.id ORDER BY m.queue_id))`
	}
	return `SELECT ` + agentColumns + `, ` + queues + `
	FROM sessions s JOIN agents a ON a.id = s.agent_id LEFT JOIN roles r ON r.name = a.role
	WHERE s.token_hash = ? AND s.expires_at > ?`
}

func (s *store) bySession(ctx context.Context, tokenHash string, now time.Time) (Agent, error) {
	// Run without gorm's statement building (db.Query) and scanned by
	// hand: gorm's work was a measurable part of every request's CPU
	// (BenchmarkInboxHTTP).
	var a Agent
	var found bool
	if err := s.db.Reads(ctx, sessionRead(s.db.Dialect, tokenHash, now, &a, &found)); err != nil {
		return Agent{}, fmt.Errorf("agent: by session: %w", err)
	}
	if !found {
		return Agent{}, ErrNotFound
	}
	return a, nil
}

// SessionRead is BySession's statement as a read to run beside others in
// one round trip (db.Reads): once they ran, *found tells whether the
// session is live and *a is its agent. Nothing is remembered between
// calls: the read is the check.
func (s *Service) SessionRead(tokenHash string, now time.Time, a *Agent, found *bool) db.Read {
	return sessionRead(s.store.db.Dialect, tokenHash, now, a, found)
}

func sessionRead(d db.Dialect, tokenHash string, now time.Time, a *Agent, found *bool) db.Read {
	*found = false
	return db.Read{SQL: sessionSQL(d), Args: []any{tokenHash, now}, Scan: func(rows db.Rows) error {
		if !rows.Next() {
			return nil
		}
		got, err := scanSession(rows)
		if err != nil {
			return err
		}
		*a, *found = got, true
		return nil
	}}
}

// scanSession scans one row of sessionSQL.
func scanSession(rows db.Rows) (Agent, error) {
	var (
		r      agentRow
		role   string
		pres   string
		perms  sql.NullString
		label  sql.NullString
		queues sql.NullString
	)
	if err := rows.Scan(&r.ID, &r.Email, &r.Name, &role, &pres, &r.Capacity, &r.ActiveLoad, &perms, &label, &queues); err != nil {
		return Agent{}, err
	}
	r.Role, r.Presence = domain.Role(role), domain.Presence(pres)
	if perms.Valid {
		r.Permissions = &perms.String
	}
	if label.Valid {
		r.RoleLabel = &label.String
	}
	a := toAgent(r)
	a.QueueIDs = []int64{} // as get reads them
	if queues.Valid && queues.String != "" {
		for _, q := range strings.Split(queues.String, ",") {
			id, err := strconv.ParseInt(q, 10, 64)
			if err != nil {
				return Agent{}, fmt.Errorf("queue %q: %w", q, err)
			}
			a.QueueIDs = append(a.QueueIDs, id)
		}
	}
	return a, nil
}
