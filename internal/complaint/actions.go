package complaint

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/mask"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// MaxDueDays is the longest follow-up time limit a disposition may set,
// in working days (0: the unit's default).
const MaxDueDays = 60

// Limits of texts agents and citizens write into the lifecycle, in runes.
const (
	MaxNoteRunes   = 2000
	MaxAnswerRunes = 10000
	MaxAgencyRunes = 200
)

// Archive reasons.
var archiveReasons = map[string]bool{"spam": true, "duplicate": true, "other": true}

// Action is a request to move a complaint on. Which fields count depends
// on the action.
type Action struct {
	Kind    string `json:"kind"`     // set_kind
	Note    string `json:"note"`     // ask_complete (what is missing), not_authority, archive, return, dispose (instructions)
	Agency  string `json:"agency"`   // not_authority
	Reason  string `json:"reason"`   // archive: spam, duplicate, other
	Unit    string `json:"unit"`     // dispose
	DueDays int    `json:"due_days"` // dispose: working days for the follow-up (0: the default)
	Answer  string `json:"answer"`   // answer, publish (an edit of the unit's answer)
}

// tellsCitizen are the actions that send the citizen a reply on the
// ticket's channel (tell) once recorded.
var tellsCitizen = map[string]bool{"ask_complete": true, "not_authority": true, "publish": true}

// stepRefused is a reply's channel_off refusal (ticket.ChannelOff) said
// for a complaint step: the step was not recorded, the complaint stays
// at its stage while its time limit runs, and the channel set up again
// lets the step be taken. A reply's words (write an internal note
// instead) do not fit a step.
func stepRefused(err error, channel string) error {
	var ex *apperr.Explained
	if !errors.Is(err, ticket.ErrChannelOff) || !errors.As(err, &ex) {
		return err
	}
	step := *ex
	step.Key = StepChannelOffKey(channel)
	return &step
}

// StepChannelOffKey is the translation key of a complaint step refused
// on a channel that is off (one per channel).
func StepChannelOffKey(channel string) string { return "complaint.channel_off." + channel }

// Act applies one action by an agent who can see the ticket. name is one
// of set_kind, verify, ask_complete, not_authority, archive, dispose,
// answer, return, publish.
func (s *Service) Act(ctx context.Context, viewer agent.Agent, ticketID int64, name string, a Action) (View, error) {
	sum, err := s.o.Tickets.Summary(ctx, viewer, ticketID)
	if err != nil {
		return View{}, err
	}
	if err := ticket.CheckNotRestricted(ctx, s.o.DB.DB, ticketID); err != nil {
		return View{}, err // the citizen restricted processing
	}
	r, err := s.ensure(ctx, ticketID)
	if isNoComplaint(err) {
		return View{}, ErrNotFound
	}
	if err != nil {
		return View{}, err
	}
	if name == "publish" && !viewer.SeesAll() {
		return View{}, ErrForbidden
	}
	if tellsCitizen[name] {
		// A step that tells the citizen is refused whole when nothing would
		// deliver the message (the ticket's channel is off here), as a
		// reply or a macro's is: recorded first, the status page would show
		// a follow-up the citizen was never sent, and the agent a refusal
		// of a step already taken.
		if err := s.o.Tickets.CheckDelivers(sum); err != nil {
			return View{}, stepRefused(err, sum.Channel)
		}
	}
	now := s.now()
	cal, err := s.calendar(ctx, r.TimeZone, now)
	if err != nil {
		return View{}, err
	}
	by := &viewer.ID
	var ve apperr.ValidationError
	checkText(&ve, "note", a.Note, MaxNoteRunes)
	checkText(&ve, "answer", a.Answer, MaxAnswerRunes)
	checkText(&ve, "agency", a.Agency, MaxAgencyRunes)
	a.Note, a.Answer, a.Agency = trim(a.Note), trim(a.Answer), trim(a.Agency)
	open := []Stage{StageVerification, StageVerified}
	var after func() error
	switch name {
	case "set_kind":
		k, kerr := ParseKind(a.Kind)
		if kerr != nil || a.Kind == "" {
			ve.Add("kind", "validation.invalid")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		all := []Stage{StageVerification, StageIncomplete, StageVerified, StageDisposed, StageAnswered, StageFollowedUp}
		err = s.store.change(ctx, ticketID, all, map[string]any{"kind": k, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "kind_changed", AgentID: by, Detail: string(r.Kind) + " -> " + string(k), CreatedAt: now}, nil)
	case "verify":
		err = s.store.change(ctx, ticketID, []Stage{StageVerification}, map[string]any{"stage": StageVerified, "verified_at": now, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "verified", AgentID: by, CreatedAt: now}, nil)
	case "ask_complete":
		if a.Note == "" {
			ve.Add("note", "validation.required")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		left := int64(0)
		if r.DueAt != nil {
			left = int64(cal.Between(now, *r.DueAt) / time.Second)
		}
		err = s.store.change(ctx, ticketID, []Stage{StageVerification}, map[string]any{"stage": StageIncomplete, "paused_at": now,
			"paused_left_s": left, "due_at": nil, "complete_at": nil, "ceiling_at": nil, "ceiling_warned": false, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "incomplete", AgentID: by, PublicNote: a.Note, CreatedAt: now}, nil)
		after = func() error { return s.tell(ctx, viewer, ticketID, a.Note) }
	case "not_authority":
		if a.Agency == "" {
			ve.Add("agency", "validation.required")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		err = s.store.change(ctx, ticketID, open, map[string]any{"stage": StageNotAuthority, "agency": a.Agency, "due_at": nil,
			"closed_at": now, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "not_authority", AgentID: by, PublicNote: a.Agency, Detail: a.Note, CreatedAt: now}, nil)
		after = func() error {
			msg := a.Agency
			if a.Note != "" {
				msg = a.Agency + "\n\n" + a.Note
			}
			if err := s.tell(ctx, viewer, ticketID, msg); err != nil {
				return err
			}
			return s.o.Tickets.CloseForLifecycle(ctx, ticketID, "complaint not within authority")
		}
	case "archive":
		if !archiveReasons[a.Reason] {
			ve.Add("reason", "validation.invalid")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		var closed ticket.LifecycleMove
		err = s.store.change(ctx, ticketID, append(open, StageIncomplete), map[string]any{"stage": StageArchived, "archive_reason": a.Reason,
			"due_at": nil, "paused_at": nil, "closed_at": now, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "archived", AgentID: by, PublicNote: a.Reason, Detail: a.Note, CreatedAt: now},
			func(tx *gorm.DB) (err error) {
				closed, err = s.o.Tickets.CloseForLifecycleIn(ctx, tx, ticketID, "complaint archived: "+a.Reason)
				return err
			})
		if err == nil {
			closed.Committed(ctx)
		}
	case "dispose":
		u, ok := s.units[a.Unit]
		if !ok {
			ve.Add("unit", "validation.invalid")
		}
		if a.Note == "" {
			ve.Add("note", "validation.required")
		}
		if a.DueDays < 0 || a.DueDays > MaxDueDays {
			ve.Add("due_days", "lifecycle.due_days_range", "max", MaxDueDays, "default", s.o.Deadlines.FollowDays)
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		days := a.DueDays
		if days == 0 {
			days = s.o.Deadlines.FollowDays
		}
		due := AddWorkingDays(cal, now, days)
		sets := map[string]any{"stage": StageDisposed, "unit": u.Code, "instructions": a.Note, "disposed_at": now, "due_at": due, "updated_at": now}
		if r.VerifiedAt == nil {
			sets["verified_at"] = now
		}
		err = s.store.change(ctx, ticketID, append(open, StageDisposed), sets,
			stepRow{TicketID: ticketID, Step: "disposed", AgentID: by, PublicNote: u.Name, Detail: a.Note, CreatedAt: now}, nil)
		after = func() error {
			return s.o.Transfers.Transfer(ctx, routing.Actor{ID: viewer.ID, Supervisor: viewer.SeesAll()}, ticketID, routing.Target{Queue: u.Code}, a.Note)
		}
	case "answer":
		if a.Answer == "" {
			ve.Add("answer", "validation.required")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		inTime := r.DueAt == nil || !now.After(*r.DueAt)
		err = s.store.change(ctx, ticketID, []Stage{StageDisposed}, map[string]any{"stage": StageAnswered, "answer": a.Answer,
			"answered_at": now, "answered_in_time": inTime, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "answered", AgentID: by, CreatedAt: now}, nil)
	case "return":
		if a.Note == "" {
			ve.Add("note", "validation.required")
		}
		if err := ve.Err(); err != nil {
			return View{}, err
		}
		err = s.store.change(ctx, ticketID, []Stage{StageAnswered}, map[string]any{"stage": StageDisposed, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "returned", AgentID: by, Detail: a.Note, CreatedAt: now}, nil)
	case "publish":
		answer := a.Answer
		if answer == "" {
			answer = r.Answer
		}
		closeDue := AddWorkingDays(cal, now, s.o.Deadlines.CloseDays)
		err = s.store.change(ctx, ticketID, []Stage{StageAnswered}, map[string]any{"stage": StageFollowedUp, "answer": answer,
			"published_at": now, "close_due_at": closeDue, "due_at": closeDue, "updated_at": now},
			stepRow{TicketID: ticketID, Step: "published", AgentID: by, PublicNote: answer, CreatedAt: now}, nil)
		after = func() error { return s.tell(ctx, viewer, ticketID, answer) }
	default:
		return View{}, fmt.Errorf("%w: action %q", ErrInvalid, name)
	}
	if err := ve.Err(); err != nil {
		return View{}, err
	}
	if err != nil {
		return View{}, err
	}
	if after != nil {
		if err := after(); err != nil {
			return View{}, fmt.Errorf("complaint: %s recorded, but: %w", name, err)
		}
	}
	return s.View(ctx, viewer, ticketID)
}

// tell sends the citizen a reply on the ticket's channel.
func (s *Service) tell(ctx context.Context, viewer agent.Agent, ticketID int64, body string) error {
	_, err := s.o.Tickets.Reply(ctx, viewer, ticketID, body)
	return err
}

// Disagree is the citizen's "this does not settle it" on a published
// follow-up: the complaint goes back to its unit with a fresh follow-up
// deadline, counted as a reopen, and its ticket, if an agent solved it on
// the follow-up, is open again.
func (s *Service) Disagree(ctx context.Context, ticketID int64, reason string) error {
	var ve apperr.ValidationError
	reason = trim(reason)
	if reason == "" {
		ve.Add("reason", "validation.required")
	}
	checkText(&ve, "reason", reason, MaxNoteRunes)
	if err := ve.Err(); err != nil {
		return err
	}
	r, err := s.ensure(ctx, ticketID)
	if err != nil {
		if isNoComplaint(err) {
			return ErrNotFound
		}
		return err
	}
	now := s.now()
	cal, err := s.calendar(ctx, r.TimeZone, now)
	if err != nil {
		return err
	}
	due := AddWorkingDays(cal, now, s.o.Deadlines.FollowDays)
	// A ticket solved on the published follow-up is worked again, in the
	// same transaction as the complaint's return to work.
	var reopened ticket.LifecycleMove
	if err := s.store.change(ctx, ticketID, []Stage{StageFollowedUp}, map[string]any{"stage": StageDisposed, "due_at": due, "close_due_at": nil,
		"reopen_count": gorm.Expr("reopen_count + 1"), "answered_at": nil, "answered_in_time": nil, "updated_at": now},
		stepRow{TicketID: ticketID, Step: "reopened", PublicNote: reason, CreatedAt: now},
		func(tx *gorm.DB) (err error) {
			reopened, err = s.o.Tickets.ReopenForLifecycleIn(ctx, tx, ticketID, "complainant disagreed with the follow-up")
			return err
		}); err != nil {
		return err
	}
	reopened.Committed(ctx)
	return nil
}

// Identity is a confidential complainant as revealed.
type Identity struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
	NIK   string `json:"nik_masked"`
}

// Reveal shows a confidential complaint's identity to an agent whose role
// may see it, for a stated reason, and records who, when and why in the
// audit log (never the identity itself).
func (s *Service) Reveal(ctx context.Context, viewer agent.Agent, ticketID int64, reason string) (Identity, error) {
	if !s.CanReveal(viewer) {
		return Identity{}, ErrForbidden
	}
	reason = trim(reason)
	var ve apperr.ValidationError
	if utf8.RuneCountInString(reason) < 5 {
		ve.Add("reason", "validation.required")
	}
	checkText(&ve, "reason", reason, MaxNoteRunes)
	if err := ve.Err(); err != nil {
		return Identity{}, err
	}
	if _, err := s.o.Tickets.Summary(ctx, viewer, ticketID); err != nil {
		return Identity{}, err
	}
	r, err := s.ensure(ctx, ticketID)
	if err != nil {
		if isNoComplaint(err) {
			return Identity{}, ErrNotFound
		}
		return Identity{}, err
	}
	if !r.Confidential || r.IntakeKey == "" {
		return Identity{}, ErrNotFound
	}
	in, ok, err := s.store.intakeOf(ctx, r.IntakeKey)
	if err != nil {
		return Identity{}, err
	}
	if !ok {
		return Identity{}, ErrNotFound
	}
	if err := s.store.audit(ctx, viewer.ID, "complaint.identity_revealed", ticketID, "reason: "+reason, s.now()); err != nil {
		return Identity{}, err
	}
	return Identity{Name: in.Name, Phone: in.Phone, Email: in.Email, NIK: mask.NIK(in.NIK)}, nil
}

// checkText requires valid UTF-8 within a length, without control
// characters other than line breaks and tabs.
func checkText(ve *apperr.ValidationError, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		ve.Add(field, "validation.invalid")
	case utf8.RuneCountInString(v) > max:
		ve.Add(field, "validation.too_long", "max", max)
	default:
		for _, r := range v {
			if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
				ve.Add(field, "validation.invalid")
				return
			}
		}
	}
}
