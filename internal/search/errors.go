package search

import "errors"

// Errors of search and saved views.
var (
	ErrViewNotFound = errors.New("search: view not found")
	ErrForbidden    = errors.New("search: not allowed for this agent")
	// errTooManyViews: an agent keeps at most MaxViews views.
	errTooManyViews = errors.New("search: too many views")
)
