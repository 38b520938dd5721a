package agent

import "errors"

// Errors of the agent service.
var (
	ErrNotFound        = errors.New("agent: not found")
	ErrEmailTaken      = errors.New("agent: email already registered")
	ErrInvalidPresence = errors.New("agent: invalid presence")
	ErrInvalidRole     = errors.New("agent: invalid role")
)

// Errors of role administration.
var (
	ErrRoleNotFound = errors.New("agent: role not found")
	ErrRoleExists   = errors.New("agent: role already exists")
	ErrRoleBuiltIn  = errors.New("agent: a built-in role cannot be deleted")
	ErrRoleInUse    = errors.New("agent: role in use")
	ErrRoleLockout  = errors.New("agent: the admin role keeps admin.roles")
)
