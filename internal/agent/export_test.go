package agent

import (
	"context"
	"time"
)

// TouchAt is Touch at a given time, for tests on an injected clock.
func TouchAt(s *Service, ctx context.Context, id int64, at time.Time) error {
	return s.store.touch(ctx, id, at.UTC())
}

// SessionSQL is BySession's statement on d's dialect, for its plan test.
var SessionSQL = sessionSQL
