package complaint

import (
	"context"
	"math"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
)

// Clock is one running deadline as the console shows it.
type Clock struct {
	Name string     `json:"name"` // verification, follow_up, auto_close, ceiling
	Due  *time.Time `json:"due_at"`
	// DaysLeft is working days to Due (negative: overdue), rounded down
	// to a tenth.
	DaysLeft float64 `json:"days_left"`
	Overdue  bool    `json:"overdue"`
	Paused   bool    `json:"paused"`
}

// Step is one entry of the console's timeline.
type Step struct {
	Step       string    `json:"step"`
	AgentID    *int64    `json:"agent_id,omitempty"`
	PublicNote string    `json:"public_note,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

// View is a complaint as the console shows it. It never carries a
// confidential complainant's identity (see Reveal).
type View struct {
	TicketID           int64      `json:"ticket_id"`
	Kind               Kind       `json:"kind"`
	Stage              Stage      `json:"stage"`
	Anonymous          bool       `json:"anonymous"`
	Confidential       bool       `json:"confidential"`
	TimeZone           string     `json:"time_zone"`
	ReceivedAt         time.Time  `json:"received_at"`
	CompleteAt         *time.Time `json:"complete_at"`
	Clocks             []Clock    `json:"clocks"`
	CompletedByCitizen bool       `json:"completed_by_citizen"`
	Unit               string     `json:"unit"`
	UnitName           string     `json:"unit_name"`
	Instructions       string     `json:"instructions"`
	Answer             string     `json:"answer"`
	AnsweredInTime     *bool      `json:"answered_in_time"`
	PublishedAt        *time.Time `json:"published_at"`
	ReopenCount        int        `json:"reopen_count"`
	Agency             string     `json:"agency"`
	ArchiveReason      string     `json:"archive_reason"`
	Escalated          bool       `json:"escalated"`
	ClosedAt           *time.Time `json:"closed_at"`
	Steps              []Step     `json:"steps"`
	// Actions the viewer may take now.
	Actions   []string `json:"actions"`
	Units     []Unit   `json:"units"`
	Kinds     []Kind   `json:"kinds"`
	CanReveal bool     `json:"can_reveal"`
	// StatusHeld: the ticket may not be solved or closed by a status
	// change yet (Guard); HeldStatuses names which of the two.
	StatusHeld   bool                  `json:"status_held"`
	HeldStatuses []domain.TicketStatus `json:"held_statuses"`
}

// View reads a ticket's complaint for an agent who can see the ticket.
// ErrNotFound when the ticket is not a complaint.
func (s *Service) View(ctx context.Context, viewer agent.Agent, ticketID int64) (View, error) {
	if _, err := s.o.Tickets.Summary(ctx, viewer, ticketID); err != nil {
		return View{}, err
	}
	r, err := s.ensure(ctx, ticketID)
	if err != nil {
		if isNoComplaint(err) {
			return View{}, ErrNotFound
		}
		return View{}, err
	}
	steps, err := s.store.steps(ctx, ticketID)
	if err != nil {
		return View{}, err
	}
	now := s.now()
	cal, err := s.calendar(ctx, r.TimeZone, now)
	if err != nil {
		return View{}, err
	}
	v := View{TicketID: r.TicketID, Kind: r.Kind, Stage: r.Stage, Anonymous: r.Anonymous, Confidential: r.Confidential,
		TimeZone: r.TimeZone, ReceivedAt: r.ReceivedAt, CompleteAt: r.CompleteAt, CompletedByCitizen: r.CompletedByCitizen,
		Unit: r.Unit, UnitName: s.units[r.Unit].Name, Instructions: r.Instructions, Answer: r.Answer, AnsweredInTime: r.AnsweredInTime,
		PublishedAt: r.PublishedAt, ReopenCount: r.ReopenCount, Agency: r.Agency, ArchiveReason: r.ArchiveReason,
		Escalated: r.EscalatedAt != nil, ClosedAt: r.ClosedAt, Units: s.Units(), Kinds: Kinds,
		CanReveal: r.Confidential && s.CanReveal(viewer), Clocks: []Clock{}, Steps: []Step{}}
	clock := func(name string, due *time.Time) {
		if due == nil {
			return
		}
		left := WorkingDaysLeft(cal, now, *due)
		d := due.UTC()
		v.Clocks = append(v.Clocks, Clock{Name: name, Due: &d, DaysLeft: math.Floor(left*10) / 10, Overdue: now.After(*due)})
	}
	switch r.Stage {
	case StageVerification, StageVerified:
		clock("verification", r.DueAt)
	case StageIncomplete:
		v.Clocks = append(v.Clocks, Clock{Name: "verification", Paused: true, DaysLeft: math.Floor(float64(r.PausedLeftS)/float64(workDay/time.Second)*10) / 10})
	case StageDisposed, StageAnswered:
		clock("follow_up", r.DueAt)
	case StageFollowedUp:
		clock("auto_close", r.CloseDueAt)
	}
	if !r.Stage.Final() {
		clock("ceiling", r.CeilingAt)
	}
	for _, st := range steps {
		v.Steps = append(v.Steps, Step{Step: st.Step, AgentID: st.AgentID, PublicNote: st.PublicNote, Detail: st.Detail, At: st.CreatedAt.UTC()})
	}
	v.Actions = actionsAt(r.Stage, viewer.SeesAll())
	v.HeldStatuses = r.Stage.HeldStatuses()
	v.StatusHeld = len(v.HeldStatuses) > 0
	return v, nil
}

// InLifecycle reports whether a ticket is in the complaint lifecycle (a
// form complaint, linked here if the scheduler has not yet, or a ticket
// adopted as one), so the console asks for its panel only then and offers
// the rest to be treated as complaints. The caller has already checked
// that the viewer may see the ticket.
func (s *Service) InLifecycle(ctx context.Context, ticketID int64) (bool, error) {
	_, err := s.ensure(ctx, ticketID)
	if isNoComplaint(err) {
		return false, nil
	}
	return err == nil, err
}

// actionsAt lists the actions open at a stage.
func actionsAt(st Stage, supervisor bool) []string {
	out := []string{}
	if !st.Final() {
		out = append(out, "set_kind")
	}
	switch st {
	case StageVerification:
		out = append(out, "verify", "ask_complete", "not_authority", "archive", "dispose")
	case StageVerified:
		out = append(out, "not_authority", "archive", "dispose")
	case StageIncomplete:
		out = append(out, "archive")
	case StageDisposed:
		out = append(out, "answer", "dispose")
	case StageAnswered:
		out = append(out, "return")
		if supervisor {
			out = append(out, "publish")
		}
	}
	return out
}
