package ingest

import "errors"

// Sentinel errors, wrapped with %w and a context prefix.
var (
	// ErrSetup: the durable consumer could not be created or updated.
	ErrSetup = errors.New("ingest: setup")
	// ErrStore wraps database failures while storing a batch.
	ErrStore = errors.New("ingest: store")
	// errNoRefusedStore: a refused item's record came to a core built
	// without Opts.Refused.
	errNoRefusedStore = errors.New("ingest: no store for refused items")
)
