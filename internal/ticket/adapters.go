package ticket

import (
	"context"
	"time"

	"tanggap/internal/domain"
)

// What channel adapters read and change of the tickets, messages and
// attachments this package owns. Adapters define the interfaces they need
// and the composition root passes the Service in.

// Brief is a ticket as a channel adapter follows it: its state and who
// has it.
type Brief struct {
	ID             int64
	TrackingNumber string
	Status         domain.TicketStatus
	QueueID        *int64
	AssigneeID     *int64
	// AssigneeName is the agent's display name ("" when waiting).
	AssigneeName string
	// SolvedAt is when the ticket was last solved (nil when it is not, or
	// it was closed without a solve).
	SolvedAt *time.Time
}

// Briefs returns the tickets with the given tracking numbers, keyed by
// tracking number; a number without a ticket (not stored yet) is missing.
// One statement for the whole list.
func (s *Service) Briefs(ctx context.Context, trackingNumbers []string) (map[string]Brief, error) {
	return s.store.briefs(ctx, trackingNumbers)
}

// Brief returns one ticket (ErrNotFound when there is none).
func (s *Service) Brief(ctx context.Context, id int64) (Brief, error) {
	return s.store.brief(ctx, id)
}

// Media states of an attachment whose file arrives after its message (the
// provider's media is fetched by the adapter's worker).
const (
	MediaAbsent  = iota // no message carries the placeholder yet
	MediaPending        // stored, the file not fetched yet
	MediaDone           // the file is in place already
)

// MediaState tells whether the attachments stored under placeholder still
// wait for their file.
func (s *Service) MediaState(ctx context.Context, placeholder string) (int, error) {
	return s.store.mediaState(ctx, placeholder)
}

// CompleteMedia points the attachments waiting under placeholder at the
// stored file. It reports false when there was none waiting (a concurrent
// second fetch got there first).
func (s *Service) CompleteMedia(ctx context.Context, placeholder, key, mime string, size int64) (bool, error) {
	return s.store.completeMedia(ctx, placeholder, key, mime, size)
}
