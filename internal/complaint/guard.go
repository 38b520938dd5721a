package complaint

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// ErrInProgress: the ticket is a complaint whose lifecycle has not ended,
// so an agent's status change may not solve or close it; the lifecycle's
// own actions end it (see Guard).
var ErrInProgress = errors.New("complaint: lifecycle not ended")

// Held is ErrInProgress for a complaint at a stage: the public code
// complaint_in_progress, and a message (lifecycle.held.<stage>) that names
// the stage and what ends the complaint from there.
func Held(st Stage) error {
	return &apperr.Explained{Status: http.StatusConflict, Code: apperr.CodeComplaintInProgress,
		Key: HeldKey(st), Err: fmt.Errorf("%w: stage %s", ErrInProgress, st)}
}

// HeldKey is the translation key of the refusal at a stage (one per stage
// that is not final; the console shows the same text beside its status
// control).
func HeldKey(st Stage) string { return "lifecycle.held." + string(st) }

// Guard keeps a complaint's ticket from being solved or closed by an
// agent's status change (the status control, bulk actions, macros) before
// the complaint's lifecycle allows it: a complaint is answered through its
// stages (verify, dispose, the unit's answer, publish) and ends at a final
// stage (closed after its follow-up, not within authority, archived),
// which closes the ticket itself (ticket.CloseForLifecycle). Solving it
// before its follow-up is published would tell the citizen "Selesai" and
// ask for their satisfaction while no answer was given; closing it before
// a final stage would cut off the citizen's right to disagree. Once the
// stage is final, solving or closing by hand is allowed (it repairs a
// ticket the lifecycle could not close).
//
// It needs only the database, so the ticket service is built with it
// (ticket.Opts.EndGuard) before the lifecycle service exists. It reads
// inside the status change's transaction, under the ticket's row lock; a
// stage change committed meanwhile is either seen or (PostgreSQL) read as
// it stood, and a form complaint the scheduler has not linked yet counts
// as awaiting verification, which is where linking puts it.
type Guard struct{ store *store }

// NewGuard returns the guard.
func NewGuard(d *db.DB) *Guard { return &Guard{store: &store{db: d}} }

var _ ticket.EndGuard = (*Guard)(nil)

// BeforeEnd refuses, with Held, to solve or close the ticket of a
// complaint whose stage does not allow it (Holds).
func (g *Guard) BeforeEnd(ctx context.Context, tx *gorm.DB, t ticket.Summary, to domain.TicketStatus) error {
	st, ok, err := g.stage(ctx, tx, t.ID)
	if err != nil || !ok || !st.Holds(to) {
		return err
	}
	return Held(st)
}

// Holds reports whether a complaint at the stage keeps its ticket from
// moving to status by an agent's change. Solved means the citizen has
// their answer: allowed once the follow-up is published (the citizen may
// still disagree, which reopens the ticket) and at a final stage. Closed
// is final for the ticket: allowed only at a final stage (the lifecycle
// closes it itself after the follow-up's disagreement period).
func (st Stage) Holds(status domain.TicketStatus) bool {
	switch status {
	case domain.StatusSolved:
		return !st.Final() && st != StageFollowedUp
	case domain.StatusClosed:
		return !st.Final()
	}
	return false
}

// HeldStatuses lists the statuses a complaint at the stage keeps its
// ticket from (what the console's status control does not offer).
func (st Stage) HeldStatuses() []domain.TicketStatus {
	out := []domain.TicketStatus{}
	for _, s := range []domain.TicketStatus{domain.StatusSolved, domain.StatusClosed} {
		if st.Holds(s) {
			out = append(out, s)
		}
	}
	return out
}

// stage is a ticket's complaint stage; ok is false when the ticket is not
// a complaint.
func (g *Guard) stage(ctx context.Context, q *gorm.DB, ticketID int64) (Stage, bool, error) {
	r, err := g.store.get(ctx, q, ticketID)
	if err == nil {
		return r.Stage, true, nil
	}
	if !isNoComplaint(err) {
		return "", false, err
	}
	ft, err := g.store.formTicket(ctx, q, ticketID)
	if err != nil || ft == nil || !ft.complaint() {
		return "", false, err
	}
	return StageVerification, true, nil
}
