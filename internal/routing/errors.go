package routing

import "errors"

// Sentinel errors, wrapped with %w and a context prefix.
var (
	// ErrUnknownQueue: a queue code that is neither configured nor stored.
	ErrUnknownQueue = errors.New("routing: unknown queue")
	// ErrAgentNotFound: no agent with that id.
	ErrAgentNotFound = errors.New("routing: agent not found")
	// ErrConfig: the routing configuration is incomplete.
	ErrConfig = errors.New("routing: invalid configuration")
	// ErrStore wraps database failures.
	ErrStore = errors.New("routing: store")
)

// errTaken rolls back an assignment transaction whose ticket another
// instance assigned first.
var errTaken = errors.New("routing: ticket taken meanwhile")
