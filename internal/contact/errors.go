package contact

import "errors"

// Sentinel errors, wrapped with %w and a context prefix.
var (
	// ErrNotFound: no contact with that id.
	ErrNotFound = errors.New("contact: not found")
	// ErrNoIdentity: a sender without any identity cannot be resolved
	// (envelope validation already refuses such senders).
	ErrNoIdentity = errors.New("contact: sender has no identity")
	// ErrStore wraps database failures.
	ErrStore = errors.New("contact: store")
)
