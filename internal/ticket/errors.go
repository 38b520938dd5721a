package ticket

import "errors"

// Errors of the ticket service.
var (
	ErrNotFound            = errors.New("ticket: not found")
	ErrForbidden           = errors.New("ticket: not visible to this agent")
	ErrClosed              = errors.New("ticket: closed")
	ErrInvalidStatusChange = errors.New("ticket: invalid status change")
	ErrMessageNotFound     = errors.New("ticket: message not found")
	// ErrWindowClosed: the channel takes no free text this long after the
	// citizen's last message; an approved template is needed.
	ErrWindowClosed = errors.New("ticket: reply window closed, a template is needed")
	// ErrReplyCollision: another agent replied to the citizen after the
	// last message the replying agent had read (Draft.Seen); see Collision.
	ErrReplyCollision = errors.New("ticket: another agent replied meanwhile")
)

// Collision is ErrReplyCollision naming the agent who replied first, so
// the one refused can read that reply before sending theirs.
type Collision struct{ Agent string }

func (c *Collision) Error() string { return ErrReplyCollision.Error() + ": " + c.Agent }
func (c *Collision) Unwrap() error { return ErrReplyCollision }
