// Package sla computes SLA clocks: due times from a policy's targets on a
// business-hours calendar, moving them when a paused clock resumes, and the
// state of a target at an instant (ok, warning, breached, met). It has no
// I/O; internal/routing stores the clocks on tickets and announces changes.
package sla

import (
	"time"

	"tanggap/internal/hours"
)

// Target names, as stored in tickets.sla_warned / sla_breached and sent in
// events.
const (
	FirstResponse = "first_response"
	NextResponse  = "next_response"
	Resolution    = "resolution"
)

// Policy holds the targets of one queue and priority, in business time.
// A zero target means none.
type Policy struct {
	FirstResponse time.Duration
	NextResponse  time.Duration
	Resolution    time.Duration
	// WarnBefore is how much business time before a due time the warning
	// goes out; 0 means a fifth of the target.
	WarnBefore time.Duration
}

// Clock is the due times of one ticket; zero: no target.
type Clock struct {
	FirstResponseDue time.Time
	NextResponseDue  time.Time
	ResolutionDue    time.Time
}

// Start sets the clock of a ticket that enters a queue at t.
func Start(cal *hours.Calendar, p Policy, t time.Time) Clock {
	return Clock{
		FirstResponseDue: due(cal, t, p.FirstResponse),
		ResolutionDue:    due(cal, t, p.Resolution),
	}
}

// NextResponseDue is when an agent must answer a citizen message that
// arrived at t after the first response.
func NextResponseDue(cal *hours.Calendar, p Policy, t time.Time) time.Time {
	return due(cal, t, p.NextResponse)
}

func due(cal *hours.Calendar, t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return cal.Add(t, d).UTC()
}

// Resume moves a due time after the clock was paused at pausedAt and
// resumed at resumedAt: the business time that remained at the pause
// remains after the resume. A due time already passed at the pause stays
// (the breach happened).
func Resume(cal *hours.Calendar, dueAt, pausedAt, resumedAt time.Time) time.Time {
	if dueAt.IsZero() || !dueAt.After(pausedAt) || !resumedAt.After(pausedAt) {
		return dueAt
	}
	return cal.Add(resumedAt, cal.Between(pausedAt, dueAt)).UTC()
}

// State of a target at an instant.
type State string

const (
	StateNone     State = ""         // no target
	StateOK       State = "ok"       // running, not near the due time
	StateWarning  State = "warning"  // running, within the warning window
	StateBreached State = "breached" // not met by the due time
	StateMet      State = "met"      // met in time
	StatePaused   State = "paused"   // waiting on the citizen
	StateStopped  State = "stopped"  // the ticket was solved or closed before the target was met or missed
)

// Evaluate says where a target stands at now. metAt is when it was met
// (nil: not yet); target is its length (for the default warning window).
func Evaluate(cal *hours.Calendar, dueAt time.Time, metAt *time.Time, target, warnBefore time.Duration, paused bool, now time.Time) State {
	switch {
	case dueAt.IsZero():
		return StateNone
	case metAt != nil && !metAt.After(dueAt):
		return StateMet
	case metAt != nil:
		return StateBreached
	case paused:
		// The due time moves when the clock resumes; a breach recorded
		// before the pause stays in the ticket's breach list.
		return StatePaused
	case !now.Before(dueAt):
		return StateBreached
	}
	if warnBefore <= 0 {
		warnBefore = target / 5
	}
	if cal.Between(now, dueAt) <= warnBefore {
		return StateWarning
	}
	return StateOK
}
