// Package tags keeps the labels agents put on tickets: tags (from a list
// supervisors manage, or free where the configuration allows) and wrap-up
// (disposition) codes, configured per queue, with the queues that require
// one before a ticket is solved.
//
// Guarantees, and what keeps them:
//   - A ticket's tags or wrap-up code change only under the ticket's row
//     lock, after the same scope check as every other change of the ticket
//     (ticket.Service.LockVisible), in one transaction with its audit row:
//     a refused change leaves nothing behind.
//   - A queue's "required before solve" rule holds on every path that
//     solves through ticket.Service.SetStatus (PATCH, bulk actions,
//     macros): Rules is the ticket service's SolveGuard and is asked inside
//     the status change's transaction.
//   - Events (ticket.tagged, ticket.wrapup) are sent after the commit and
//     carry the ticket's scope.
package tags

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/ticket"
)

// Tickets is what the service needs from the ticket service.
type Tickets interface {
	LockVisible(ctx context.Context, tx *gorm.DB, viewer agent.Agent, ticketID int64) (ticket.Summary, error)
	Summary(ctx context.Context, viewer agent.Agent, ticketID int64) (ticket.Summary, error)
	Audit(ctx context.Context, tx *gorm.DB, agentID int64, action string, ticketID int64, detail string, at time.Time) error
}

// Events publishes realtime events.
type Events interface {
	Emit(ev bus.Event)
}

// FreeTags says who may make a new tag by tagging a ticket with it.
type FreeTags string

// Who may create tags by using them.
const (
	// FreeNone: only tags on the managed list can be used.
	FreeNone FreeTags = "none"
	// FreeSupervisors: supervisors and admins may tag with new names
	// (the default); agents choose from the list.
	FreeSupervisors FreeTags = "supervisor"
	// FreeEveryone: every agent may tag with new names.
	FreeEveryone FreeTags = "all"
)

// Known reports whether f is one of the values above.
func (f FreeTags) Known() bool { return f == FreeNone || f == FreeSupervisors || f == FreeEveryone }

// Opts configures the service.
type Opts struct {
	DB      *db.DB
	Tickets Tickets
	Events  Events
	// Rules is the wrap-up rule the ticket service also guards solves with.
	Rules    *Rules
	FreeTags FreeTags
	Log      *slog.Logger
}

// Service manages tags and wrap-up codes.
type Service struct {
	db      *db.DB
	store   *store
	tickets Tickets
	events  Events
	rules   *Rules
	free    FreeTags
	log     *slog.Logger
}

// New returns the service.
func New(o Opts) *Service {
	if !o.FreeTags.Known() {
		o.FreeTags = FreeSupervisors
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Rules == nil {
		o.Rules = NewRules(o.DB)
	}
	return &Service{db: o.DB, store: &store{db: o.DB}, tickets: o.Tickets, events: o.Events, rules: o.Rules, free: o.FreeTags, log: o.Log}
}

// MayCreate reports whether viewer may tag with a name not yet on the list.
func (s *Service) MayCreate(viewer agent.Agent) bool {
	switch s.free {
	case FreeEveryone:
		return true
	case FreeSupervisors:
		return viewer.SeesAll()
	}
	return false
}

// CheckTags checks the tags something saved now will add to tickets later
// (a macro's), for the viewer saving it. It returns them normalized
// (repeats dropped, first order kept) and those of them not on the list
// yet. It refuses, with one validation error on "tags": a name that is no
// valid tag (tags.invalid, as PUT /tickets/{id}/tags), and names not on
// the list when viewer may not create tags (TAGS_FREE), all of them named
// (tags.unknown_names). It changes nothing: EnsureTags puts the new names
// on the list once the caller has saved.
func (s *Service) CheckTags(ctx context.Context, viewer agent.Agent, names []string) (norm, missing []string, err error) {
	norm, bad := normalizeSet(names)
	var ve apperr.ValidationError
	if len(bad) > 0 {
		ve.Add("tags", "tags.invalid", "name", bad[0])
		return nil, nil, ve.Err()
	}
	known, err := s.store.byNames(ctx, s.db.DB, norm)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range norm {
		if _, ok := known[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 && !s.MayCreate(viewer) {
		quoted := make([]string, len(missing))
		for i, n := range missing {
			quoted[i] = `"` + n + `"`
		}
		ve.Add("tags", "tags.unknown_names", "names", strings.Join(quoted, ", "))
		return nil, nil, ve.Err()
	}
	return norm, missing, nil
}

// EnsureTags puts names (normalized, from CheckTags) on the list as free
// tags, as tagging a ticket with them would; names already on it stay as
// they are.
func (s *Service) EnsureTags(ctx context.Context, names []string) error {
	now := time.Now().UTC()
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, n := range names {
			if _, err := s.store.create(ctx, tx, n, false, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Tags lists every tag, by name.
func (s *Service) Tags(ctx context.Context) ([]Tag, error) { return s.store.list(ctx) }

// CreateTag puts a tag on the managed list (a free tag of that name joins it).
func (s *Service) CreateTag(ctx context.Context, name string) (Tag, error) {
	n, ok := Normalize(name)
	if !ok {
		var ve apperr.ValidationError
		ve.Add("name", "tags.invalid", "name", name)
		return Tag{}, ve.Err()
	}
	return s.store.create(ctx, s.db.DB, n, true, time.Now().UTC())
}

// RemoveTag deletes a tag from the list and from every ticket and
// returns its name (for the audit line).
func (s *Service) RemoveTag(ctx context.Context, id int64) (name string, err error) {
	return s.store.remove(ctx, id)
}

// TicketTags reads a ticket's tags, if viewer may see the ticket.
func (s *Service) TicketTags(ctx context.Context, viewer agent.Agent, ticketID int64) ([]string, error) {
	if _, err := s.tickets.Summary(ctx, viewer, ticketID); err != nil {
		return nil, err
	}
	return s.store.ofTicket(ctx, s.db.DB, ticketID)
}

// How a change combines the names given with a ticket's tags.
type mode int

const (
	replaceTags mode = iota
	addTags
	removeTags
)

// SetTags makes a ticket's tags exactly names and returns them, sorted.
func (s *Service) SetTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) ([]string, error) {
	return s.change(ctx, viewer, ticketID, names, replaceTags)
}

// AddTags adds names to a ticket's tags (macros and bulk actions use it):
// scope-checked, audited, announced with ticket.tagged.
func (s *Service) AddTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) error {
	_, err := s.change(ctx, viewer, ticketID, names, addTags)
	return err
}

// RemoveTags takes names off a ticket's tags; names it does not carry are
// ignored.
func (s *Service) RemoveTags(ctx context.Context, viewer agent.Agent, ticketID int64, names []string) ([]string, error) {
	return s.change(ctx, viewer, ticketID, names, removeTags)
}

func (s *Service) change(ctx context.Context, viewer agent.Agent, ticketID int64, names []string, m mode) ([]string, error) {
	wanted, bad := normalizeSet(names)
	var ve apperr.ValidationError
	if len(bad) > 0 {
		ve.Add("tags", "tags.invalid", "name", bad[0])
		return nil, ve.Err()
	}
	if len(wanted) > MaxTagsPerSet {
		ve.Add("tags", "tags.too_many", "max", MaxTagsPerSet)
		return nil, ve.Err()
	}
	now := time.Now().UTC()
	var after []string
	var changed bool
	var sum ticket.Summary
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err := s.tickets.LockVisible(ctx, tx, viewer, ticketID)
		if err != nil {
			return err
		}
		sum = t
		before, err := s.store.ofTicket(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		known, err := s.store.byNames(ctx, tx, wanted)
		if err != nil {
			return err
		}
		var final []string
		switch m {
		case replaceTags:
			final = wanted
		case addTags:
			final = append(slices.Clone(before), wanted...)
		case removeTags:
			for _, n := range before {
				if !slices.Contains(wanted, n) {
					final = append(final, n)
				}
			}
		}
		slices.Sort(final)
		final = slices.Compact(final)
		if len(final) > MaxTagsPerSet {
			ve.Add("tags", "tags.too_many", "max", MaxTagsPerSet)
			return ve.Err()
		}
		ids := make([]int64, 0, len(final))
		for _, n := range final {
			tag, ok := known[n]
			if !ok && slices.Contains(before, n) {
				// Already on the ticket: keep it whatever the policy.
				cur, err := s.store.byNames(ctx, tx, []string{n})
				if err != nil {
					return err
				}
				tag, ok = cur[n]
			}
			if !ok {
				if !s.MayCreate(viewer) {
					ve.Add("tags", "tags.unknown", "name", n)
					return ve.Err()
				}
				if tag, err = s.store.create(ctx, tx, n, false, now); err != nil {
					return err
				}
			}
			ids = append(ids, tag.ID)
		}
		if slices.Equal(before, final) {
			after = before
			return nil
		}
		if err := s.store.replace(ctx, tx, t.ID, ids); err != nil {
			return err
		}
		if err := s.tickets.Audit(ctx, tx, viewer.ID, "ticket.tags", t.ID, strings.Join(final, ", "), now); err != nil {
			return err
		}
		after, changed = final, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if after == nil {
		after = []string{}
	}
	if changed {
		bus.EmitIn(ctx, s.events, bus.TicketTagged{Scope: scopeOf(sum), Tags: after, At: now})
	}
	return after, nil
}

func scopeOf(t ticket.Summary) bus.Scope {
	sc := bus.Scope{TicketID: t.ID}
	if t.QueueID != nil {
		sc.QueueID = *t.QueueID
	}
	if t.AssigneeID != nil {
		sc.AssigneeID = *t.AssigneeID
	}
	return sc
}
