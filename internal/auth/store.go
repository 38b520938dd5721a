package auth

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/db"
)

type store struct {
	db *db.DB
}

func (s *store) create(ctx context.Context, tokenHash string, agentID int64, now, exp time.Time) error {
	// Expired sessions of this agent go at the same time, so the table does
	// not grow with every login.
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM sessions WHERE agent_id = ? AND expires_at < ?`, agentID, now).Error; err != nil {
		return fmt.Errorf("auth: prune sessions: %w", err)
	}
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, agentID, now, exp).Error; err != nil {
		return fmt.Errorf("auth: create session: %w", err)
	}
	return nil
}

// agentsFor maps the hashes of live sessions to their agents.
func (s *store) agentsFor(ctx context.Context, tokenHashes []string, now time.Time) (map[string]int64, error) {
	out := make(map[string]int64, len(tokenHashes))
	err := db.Chunks(len(tokenHashes), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo+1)
		for _, h := range tokenHashes[lo:hi] {
			args = append(args, h)
		}
		args = append(args, now)
		var rows []struct {
			TokenHash string
			AgentID   int64
		}
		if err := s.db.WithContext(ctx).Raw(`SELECT token_hash, agent_id FROM sessions WHERE token_hash IN (`+db.Placeholders(hi-lo)+`) AND expires_at > ?`, args...).
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("auth: sessions: %w", err)
		}
		for _, r := range rows {
			out[r.TokenHash] = r.AgentID
		}
		return nil
	})
	return out, err
}

func (s *store) delete(ctx context.Context, tokenHash string) error {
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash).Error; err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}
