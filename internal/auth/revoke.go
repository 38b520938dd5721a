package auth

import (
	"context"
	"fmt"
)

// RevokeAgent ends every session of an agent at once (deactivation, a
// password reset). Open console sockets notice on their next session
// check (at once on the agent event that follows, see internal/consolews).
func (s *Service) RevokeAgent(ctx context.Context, agentID int64) (int64, error) {
	res := s.store.db.WithContext(ctx).Exec(`DELETE FROM sessions WHERE agent_id = ?`, agentID)
	if res.Error != nil {
		return 0, fmt.Errorf("auth: revoke sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
