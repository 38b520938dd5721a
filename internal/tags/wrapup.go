package tags

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/ticket"
)

// MaxLabelRunes bounds a wrap-up code's label.
const MaxLabelRunes = 80

// Rules is the queues' "wrap-up code required before solve" rule. It
// needs only the database, so the ticket service is built with it
// (ticket.Opts.SolveGuard) before the tags service exists.
type Rules struct {
	store *store
}

// NewRules returns the rule reader.
func NewRules(d *db.DB) *Rules { return &Rules{store: &store{db: d}} }

var _ ticket.SolveGuard = (*Rules)(nil)

// BeforeSolve refuses, with ErrWrapupRequired, to finish a ticket of a
// queue that requires a wrap-up code while none valid for the queue is
// chosen. It runs inside the status change's transaction, with the ticket
// locked, so a code chosen at the same time is either seen or waited for.
func (r *Rules) BeforeSolve(ctx context.Context, tx *gorm.DB, t ticket.Summary) error {
	if t.QueueID == nil {
		return nil
	}
	req, err := r.store.required(ctx, tx, *t.QueueID)
	if err != nil || !req {
		return err
	}
	ok, err := r.store.hasValid(ctx, tx, t.ID, *t.QueueID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrapupRequired
	}
	return nil
}

// TicketWrapup is a ticket's wrap-up state as the console shows it.
type TicketWrapup struct {
	// Required: the ticket's queue requires a code before solving.
	Required bool `json:"required"`
	// Chosen is the code chosen, nil when none.
	Chosen *Chosen `json:"chosen"`
	// Codes are the active codes this ticket may take.
	Codes []Code `json:"codes"`
}

// Wrapup reads a ticket's wrap-up state, if viewer may see the ticket.
func (s *Service) Wrapup(ctx context.Context, viewer agent.Agent, ticketID int64) (TicketWrapup, error) {
	t, err := s.tickets.Summary(ctx, viewer, ticketID)
	if err != nil {
		return TicketWrapup{}, err
	}
	return s.wrapupOf(ctx, s.db.DB, t)
}

func (s *Service) wrapupOf(ctx context.Context, q *gorm.DB, t ticket.Summary) (TicketWrapup, error) {
	out := TicketWrapup{Codes: []Code{}}
	var err error
	if out.Chosen, err = s.store.chosen(ctx, q, t.ID); err != nil {
		return TicketWrapup{}, err
	}
	if t.QueueID == nil {
		return out, nil
	}
	if out.Required, err = s.store.required(ctx, q, *t.QueueID); err != nil {
		return TicketWrapup{}, err
	}
	if out.Codes, err = s.store.codesFor(ctx, q, *t.QueueID); err != nil {
		return TicketWrapup{}, err
	}
	return out, nil
}

// SetWrapup chooses a ticket's wrap-up code (by its code), one of the
// active codes of the ticket's queue or of every queue.
func (s *Service) SetWrapup(ctx context.Context, viewer agent.Agent, ticketID int64, code string) (TicketWrapup, error) {
	var ve apperr.ValidationError
	c, ok := NormalizeCode(code)
	if !ok {
		ve.Add("code", "wrapup.unknown_code")
		return TicketWrapup{}, ve.Err()
	}
	now := time.Now().UTC()
	var out TicketWrapup
	var sum ticket.Summary
	var chosen Code
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err := s.tickets.LockVisible(ctx, tx, viewer, ticketID)
		if err != nil {
			return err
		}
		sum = t
		var offered []Code
		if t.QueueID != nil {
			if offered, err = s.store.codesFor(ctx, tx, *t.QueueID); err != nil {
				return err
			}
		}
		found := false
		for _, o := range offered {
			// codesFor lists a queue's own code before an all-queues one
			// of the same name.
			if o.Code == c {
				chosen, found = o, true
				break
			}
		}
		if !found {
			ve.Add("code", "wrapup.unknown_code")
			return ve.Err()
		}
		if err := s.store.choose(ctx, tx, t.ID, chosen.ID, viewer.ID, now); err != nil {
			return err
		}
		if err := s.tickets.Audit(ctx, tx, viewer.ID, "ticket.wrapup", t.ID, chosen.Code, now); err != nil {
			return err
		}
		out, err = s.wrapupOf(ctx, tx, t)
		return err
	})
	if err != nil {
		return TicketWrapup{}, err
	}
	bus.EmitIn(ctx, s.events, bus.TicketWrapup{Scope: scopeOf(sum), CodeID: chosen.ID, Code: chosen.Code, At: now})
	return out, nil
}

// CodeInput is a wrap-up code as an admin or supervisor gives it.
type CodeInput struct {
	QueueID *int64 `json:"queue_id"`
	Code    string `json:"code"`
	LabelID string `json:"label_id"`
	LabelEN string `json:"label_en"`
	Active  *bool  `json:"active"`
}

func checkLabels(in *CodeInput, ve *apperr.ValidationError) {
	in.LabelID, in.LabelEN = strings.TrimSpace(in.LabelID), strings.TrimSpace(in.LabelEN)
	for field, v := range map[string]string{"label_id": in.LabelID, "label_en": in.LabelEN} {
		switch {
		case v == "":
			ve.Add(field, "validation.required")
		case utf8.RuneCountInString(v) > MaxLabelRunes || !utf8.ValidString(v):
			ve.Add(field, "wrapup.label_too_long", "max", MaxLabelRunes)
		}
	}
}

// Codes lists every wrap-up code (inactive ones too) and the queues' rules.
func (s *Service) Codes(ctx context.Context) ([]Code, []Rule, error) {
	codes, err := s.store.codes(ctx)
	if err != nil {
		return nil, nil, err
	}
	rules, err := s.store.rules(ctx)
	if err != nil {
		return nil, nil, err
	}
	return codes, rules, nil
}

// CreateCode adds a wrap-up code to a queue (QueueID nil: every queue).
// ErrCodeTaken when the queue already has it.
func (s *Service) CreateCode(ctx context.Context, in CodeInput) (Code, error) {
	var ve apperr.ValidationError
	c, ok := NormalizeCode(in.Code)
	if !ok {
		ve.Add("code", "wrapup.code_invalid")
	}
	checkLabels(&in, &ve)
	if in.QueueID != nil && *in.QueueID <= 0 {
		ve.Add("queue_id", "validation.invalid")
	}
	if err := ve.Err(); err != nil {
		return Code{}, err
	}
	code := Code{QueueID: in.QueueID, Code: c, LabelID: in.LabelID, LabelEN: in.LabelEN, Active: in.Active == nil || *in.Active}
	id, err := s.store.insertCode(ctx, code, time.Now().UTC())
	if db.IsUniqueViolation(err) {
		return Code{}, ErrCodeTaken
	}
	if err != nil {
		if in.QueueID != nil && isForeignKey(err) {
			ve.Add("queue_id", "validation.invalid")
			return Code{}, ve.Err()
		}
		return Code{}, err
	}
	return s.store.code(ctx, s.db.DB, id)
}

// isForeignKey tells a missing queue (the only reference of a new code)
// from other failures, on both dialects.
func isForeignKey(err error) bool {
	var e interface{ SQLState() string }
	if errors.As(err, &e) {
		return e.SQLState() == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// UpdateCode changes a code's labels and whether it is offered. The code
// and its queue never change: reports group by them.
func (s *Service) UpdateCode(ctx context.Context, id int64, in CodeInput) (Code, error) {
	var ve apperr.ValidationError
	checkLabels(&in, &ve)
	if err := ve.Err(); err != nil {
		return Code{}, err
	}
	cur, err := s.store.code(ctx, s.db.DB, id)
	if err != nil {
		return Code{}, err
	}
	active := cur.Active
	if in.Active != nil {
		active = *in.Active
	}
	if err := s.store.updateCode(ctx, id, in.LabelID, in.LabelEN, active); err != nil {
		return Code{}, err
	}
	return s.store.code(ctx, s.db.DB, id)
}

// RetireCode stops offering a code. Tickets that carry it keep it.
func (s *Service) RetireCode(ctx context.Context, id int64) error {
	cur, err := s.store.code(ctx, s.db.DB, id)
	if err != nil {
		return err
	}
	return s.store.updateCode(ctx, id, cur.LabelID, cur.LabelEN, false)
}

// SetRequired sets whether a queue requires a wrap-up code before solving.
func (s *Service) SetRequired(ctx context.Context, queueID int64, required bool) (Rule, error) {
	if queueID <= 0 {
		return Rule{}, ErrNotFound
	}
	err := s.store.setRule(ctx, queueID, required, time.Now().UTC())
	if err != nil && isForeignKey(err) {
		return Rule{}, ErrNotFound
	}
	if err != nil {
		return Rule{}, err
	}
	return Rule{QueueID: queueID, Required: required}, nil
}
