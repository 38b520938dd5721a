package routing

import (
	"errors"
	"fmt"
)

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

// More sentinels of the agent-facing and admin operations.
var (
	// ErrInvalid: a setting or request that cannot be applied.
	ErrInvalid = errors.New("routing: invalid")
	// ErrForbidden: the actor may not do this to this ticket.
	ErrForbidden = errors.New("routing: forbidden")
	// ErrNoCapacity: the agent is offline or has no room for the ticket.
	ErrNoCapacity = errors.New("routing: agent has no capacity")
	// ErrConflict: the ticket or queue is not in the state the operation
	// needs (already assigned, not assigned to the actor, not active; a
	// queue still in use).
	ErrConflict = errors.New("routing: conflict")
	// ErrQueueInUse: a queue cannot be removed while the configuration or
	// another queue points at it or it has open tickets; it is an
	// ErrConflict.
	ErrQueueInUse = fmt.Errorf("%w: queue in use", ErrConflict)
	// ErrTicketInactive: the ticket is solved or closed, so it cannot be
	// transferred or given back to a queue; it is an ErrConflict.
	ErrTicketInactive = fmt.Errorf("%w: ticket solved or closed", ErrConflict)
)
