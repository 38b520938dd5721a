package agent

import "errors"

// Errors of the agent service.
var (
	ErrNotFound        = errors.New("agent: not found")
	ErrEmailTaken      = errors.New("agent: email already registered")
	ErrInvalidPresence = errors.New("agent: invalid presence")
	ErrInvalidRole     = errors.New("agent: invalid role")
)
