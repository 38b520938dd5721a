package tags

import "errors"

// Errors of the tags service. Validation problems (a bad name, a tag
// that is not on the list) are *apperr.ValidationError with a tags.* or
// wrapup.* key.
var (
	// ErrNotFound: no such tag or wrap-up code.
	ErrNotFound = errors.New("tags: not found")
	// ErrWrapupRequired: the ticket's queue requires a wrap-up code before
	// the ticket is solved, and none (valid for its queue) is chosen.
	ErrWrapupRequired = errors.New("tags: a wrap-up code is required before solving")
	// ErrCodeTaken: the queue (or the all-queues list) already has the code.
	ErrCodeTaken = errors.New("tags: wrap-up code already exists")
)
