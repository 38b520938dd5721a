package canned

import (
	"errors"
	"strings"
)

// Errors of canned replies and macros.
var (
	ErrNotFound = errors.New("canned: not found")
	// ErrForbidden: the agent may not change this canned reply or macro
	// (a shared one of a queue they do not supervise, or a colleague's).
	ErrForbidden = errors.New("canned: not allowed")
	// ErrNoTagger: a macro that adds tags, on a server without tags.
	ErrNoTagger = errors.New("canned: tags are not available on this server")
)

// PartialError is a macro that stopped at a step after earlier steps were
// applied (they cannot be taken back: a reply already went to the
// citizen). Applied names the steps done, Failed the one that failed, Err
// why.
type PartialError struct {
	Applied []string
	Failed  string
	Err     error
}

func (e *PartialError) Error() string {
	return "canned: macro stopped at " + e.Failed + " after " + strings.Join(e.Applied, ", ") + ": " + e.Err.Error()
}

func (e *PartialError) Unwrap() error { return e.Err }
