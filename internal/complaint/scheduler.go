package complaint

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/ticket"
)

// TickResult counts what one tick did.
type TickResult struct {
	Linked, Resumed, Closed, Warned, Escalated int
}

// Run ticks every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.Warn("complaint tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// tickBatch bounds the rows each part of a tick handles; the rest waits
// for the next tick.
const tickBatch = 200

// Tick advances every clock to now: links new form complaints, resumes
// verification of complaints the citizen completed, closes followed-up
// complaints whose closing day came, warns and escalates at the ceiling,
// and forgets ended PIN attempt windows and expired sealed PINs. Each
// change is a conditional UPDATE, so a late, repeated or concurrent tick
// (two instances) changes each complaint once.
func (s *Service) Tick(ctx context.Context, now time.Time) (TickResult, error) {
	now = now.UTC()
	var res TickResult
	n, err := s.linkNew(ctx, tickBatch)
	if err != nil {
		return res, err
	}
	res.Linked = n
	if res.Resumed, err = s.resumeCompleted(ctx, now); err != nil {
		return res, err
	}
	if res.Closed, err = s.autoClose(ctx, now); err != nil {
		return res, err
	}
	if res.Warned, res.Escalated, err = s.watchCeiling(ctx, now); err != nil {
		return res, err
	}
	if err := s.sweepPINs(ctx, now); err != nil {
		return res, err
	}
	return res, nil
}

// resumeCompleted: an incomplete complaint on which the citizen wrote
// after the request (on the status page or by replying on any channel)
// goes back to verification with the working time it had left; its file
// is complete now, so the ceiling starts again from now.
func (s *Service) resumeCompleted(ctx context.Context, now time.Time) (int, error) {
	list, err := s.store.completedByCitizen(ctx, tickBatch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, c := range list {
		cal, err := s.calendar(ctx, c.TimeZone, c.WroteAt)
		if err != nil {
			return done, err
		}
		at := c.WroteAt.UTC()
		// The clock resumes with the working time it had left.
		due := cal.Add(at, time.Duration(c.PausedLeftS)*time.Second).UTC()
		ceiling := AddWorkingDays(cal, at, s.o.Deadlines.CeilingDays)
		err = s.store.change(ctx, c.TicketID, []Stage{StageIncomplete}, map[string]any{"stage": StageVerification, "due_at": due,
			"paused_at": nil, "paused_left_s": 0, "complete_at": at, "ceiling_at": ceiling, "ceiling_warned": false,
			"completed_by_citizen": true, "updated_at": now},
			stepRow{TicketID: c.TicketID, Step: "completed", CreatedAt: at}, nil)
		if err == ErrStage {
			continue // another instance (or an agent) moved it meanwhile
		}
		if err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// autoClose closes complaints whose follow-up stood CloseDays working days
// without the citizen disagreeing.
func (s *Service) autoClose(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.store.closeDue(ctx, now, tickBatch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		// The stage and the ticket close together: a failure leaves both
		// as they were, for the next tick.
		var closed ticket.LifecycleMove
		err := s.store.change(ctx, id, []Stage{StageFollowedUp}, map[string]any{"stage": StageClosed, "closed_at": now, "due_at": nil, "updated_at": now},
			stepRow{TicketID: id, Step: "closed", CreatedAt: now},
			func(tx *gorm.DB) (err error) {
				closed, err = s.o.Tickets.CloseForLifecycleIn(ctx, tx, id, "complaint closed after its follow-up")
				return err
			})
		if err == ErrStage {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return done, fmt.Errorf("complaint: close %d: %w", id, err)
			}
			// Both stayed as they were: the complaint is tried again next
			// tick, and does not hold back the others nor the tick's
			// warnings and escalations.
			s.log.Warn("complaint: close after follow-up failed; tried again next tick", "ticket_id", id, "err", err)
			continue
		}
		closed.Committed(ctx)
		done++
	}
	return done, nil
}

// watchCeiling warns CeilingWarnDays working days before the ceiling and
// escalates to supervisors at it (a step each; the supervisors' list of
// escalated complaints shows them).
func (s *Service) watchCeiling(ctx context.Context, now time.Time) (warned, escalated int, err error) {
	// Working days are never shorter than calendar days, so every
	// complaint within the warning lies within twice the days plus a
	// fortnight of holidays.
	horizon := now.AddDate(0, 0, 2*s.o.Deadlines.CeilingWarnDays+14)
	list, err := s.store.ceilingNear(ctx, now, horizon, tickBatch)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range list {
		switch {
		case !c.CeilingAt.After(now) && c.EscalatedAt == nil:
			err := s.store.mark(ctx, c.TicketID, "escalated_at IS NULL", map[string]any{"escalated_at": now, "ceiling_warned": true},
				stepRow{TicketID: c.TicketID, Step: "escalated", CreatedAt: now})
			if err == nil {
				escalated++
				s.log.Warn("complaint past the ceiling, escalated to supervisors", "ticket_id", c.TicketID)
				s.ceilingEvent(ctx, c.TicketID, true, c.CeilingAt, now)
			} else if err != ErrStage {
				return warned, escalated, err
			}
		case !c.CeilingWarned && s.o.Deadlines.CeilingWarnDays > 0:
			cal, err := s.calendar(ctx, c.TimeZone, now)
			if err != nil {
				return warned, escalated, err
			}
			if WorkingDaysLeft(cal, now, c.CeilingAt) > float64(s.o.Deadlines.CeilingWarnDays) {
				continue
			}
			err = s.store.mark(ctx, c.TicketID, "ceiling_warned = ?", map[string]any{"ceiling_warned": true},
				stepRow{TicketID: c.TicketID, Step: "ceiling_warning", CreatedAt: now}, false)
			if err == nil {
				warned++
				s.ceilingEvent(ctx, c.TicketID, false, c.CeilingAt, now)
			} else if err != ErrStage {
				return warned, escalated, err
			}
		}
	}
	return warned, escalated, nil
}
