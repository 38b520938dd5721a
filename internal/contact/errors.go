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

// Errors of the contact panel, notes, merges and splits.
var (
	// ErrForbidden: the viewer may not see this contact (an agent with no
	// ticket of it in scope) or may not merge and split (agents).
	ErrForbidden = errors.New("contact: not visible to this agent")
	// ErrSameContact: a contact cannot be merged into itself.
	ErrSameContact = errors.New("contact: cannot merge a contact into itself")
	// ErrMerged: one of the two contacts was already merged into another
	// (merge into the surviving contact instead).
	ErrMerged = errors.New("contact: already merged into another contact")
	// ErrMergeNotFound: no such merge of this contact.
	ErrMergeNotFound = errors.New("contact: merge not found")
	// ErrMergeUndone: the merge was already split.
	ErrMergeUndone = errors.New("contact: merge already undone")
	// ErrMergedSince: the surviving contact was itself merged later; that
	// later merge has to be split first.
	ErrMergedSince = errors.New("contact: surviving contact merged since; split that merge first")
	// ErrSplitMismatch: what a split would put back differs from what the
	// merge moved; nothing is changed.
	ErrSplitMismatch = errors.New("contact: split would not restore what the merge moved")
)
