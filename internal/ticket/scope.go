package ticket

import "context"

// Scope is who may see a ticket: its queue and its assignee (0: none).
type Scope struct {
	QueueID    int64
	AssigneeID int64
}

// Scope returns a ticket's queue and assignee with one read by primary
// key, for the console gateway when an event does not carry them.
func (s *Service) Scope(ctx context.Context, id int64) (Scope, error) {
	return s.store.scope(ctx, id)
}
