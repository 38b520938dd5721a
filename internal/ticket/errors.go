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
)
