// Package apperr holds the error shapes that cross from domain code to the
// HTTP edge: per-field validation errors carrying translation keys, and the
// public error codes. Domain packages keep their own sentinels; the API's one
// error handler maps them to a status and a code.
package apperr

import (
	"sort"
	"strings"
)

// FieldError is one invalid field: a translation key and its arguments
// (name/value pairs for the key's placeholders).
type FieldError struct {
	Key  string
	Args []any
}

// ValidationError lists every invalid field of a request at once.
type ValidationError struct {
	Fields map[string]FieldError
}

// Add records a problem with field; the first problem of a field wins.
func (v *ValidationError) Add(field, key string, args ...any) {
	if v.Fields == nil {
		v.Fields = map[string]FieldError{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = FieldError{Key: key, Args: args}
	}
}

// Has reports whether field already has a problem.
func (v *ValidationError) Has(field string) bool { _, ok := v.Fields[field]; return ok }

// Err returns v when it holds problems, else nil.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	names := make([]string, 0, len(v.Fields))
	for k, f := range v.Fields {
		names = append(names, k+": "+f.Key)
	}
	sort.Strings(names)
	return "validation failed: " + strings.Join(names, ", ")
}

// Public error codes, the catalog clients may rely on.
const (
	CodeBadRequest           = "bad_request"
	CodeUnauthorized         = "unauthorized"
	CodeInvalidCredentials   = "invalid_credentials"
	CodeForbidden            = "forbidden"
	CodeNotFound             = "not_found"
	CodeConflict             = "conflict"
	CodeValidation           = "validation"
	CodeTooLarge             = "too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeRateLimited          = "rate_limited"
	CodeUnavailable          = "unavailable"
	CodeInternal             = "internal"
	CodeTicketClosed         = "ticket_closed"
	CodeInvalidStatusChange  = "invalid_status_change"
	CodeReplyWindowClosed    = "reply_window_closed"
	CodeReplyCollision       = "reply_collision"
	CodeNoCapacity           = "no_capacity"
	CodeQueueInUse           = "queue_in_use"
	CodeTicketInactive       = "ticket_inactive"
	// Tags and wrap-up codes: the queue requires a wrap-up code before solving.
	CodeWrapupRequired = "wrapup_required"
	// Macros (internal/canned): a macro stopped after some of its steps
	// were applied; tags asked of a server without them.
	CodeMacroPartial    = "macro_partial"
	CodeTagsUnavailable = "tags_unavailable"
	// Phone channel.
	CodeNoPhone            = "no_phone"
	CodeCallbackInProgress = "callback_in_progress"
	CodeProviderFailed     = "provider_failed"
	// The citizen's whole history (contacts).
	CodeContactSame          = "contact_same"
	CodeContactMerged        = "contact_merged"
	CodeContactMergeUndone   = "contact_merge_undone"
	CodeContactMergedSince   = "contact_merged_since"
	CodeContactSplitMismatch = "contact_split_mismatch"
	// personal-data protection
	CodeProcessingRestricted = "processing_restricted"
	CodeFileUnreadable       = "file_unreadable"
	// Complaint PINs: too many wrong PINs for a tracking number; a retry
	// of a submission whose PIN can no longer be shown.
	CodePINLocked = "pin_locked"
	CodePINShown  = "pin_shown"
	// Complaint PINs: a tracking number held after too many attempts from
	// many networks.
	CodePINHeld = "pin_held"
	// roles: a role agents hold, a built-in role, the admin role without
	// admin.roles.
	CodeRoleInUse   = "role_in_use"
	CodeRoleBuiltIn = "role_built_in"
	CodeRoleLockout = "role_lockout"
	// Complaint lifecycle: a complaint's ticket is solved or closed only
	// once the lifecycle has ended (internal/complaint).
	CodeComplaintInProgress = "complaint_in_progress"
	// A reply on a ticket whose channel this installation does not run
	// (internal/ticket ChannelOff).
	CodeChannelOff = "channel_off"
)

// Coded is an error that already knows its public code and status; used
// for edge conditions (bad JSON, body too large) that no domain owns.
type Coded struct {
	Status int
	Code   string
	Err    error
}

func (c *Coded) Error() string {
	if c.Err != nil {
		return c.Code + ": " + c.Err.Error()
	}
	return c.Code
}

func (c *Coded) Unwrap() error { return c.Err }

// Explained is an error that knows its public code and status and whose
// message depends on the case: Key with Args in the caller's language
// rather than the code's own error.<Code>.
type Explained struct {
	Status int
	Code   string
	Key    string
	Args   []any
	Err    error
}

func (e *Explained) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Explained) Unwrap() error { return e.Err }
