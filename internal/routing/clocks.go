package routing

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/hours"
	"tanggap/internal/sla"
	"tanggap/internal/ticket"
)

// PartOpts configures the parts of routing that sit beside the assignment
// engine and read its cached queue settings (Clocks, Metrics).
type PartOpts struct {
	DB     *db.DB
	Queues QueueCalendars
	// Events receives what the part announces; nil drops it.
	Events Emitter
	Log    *slog.Logger
}

// part is what Clocks and Metrics share.
type part struct {
	db     *db.DB
	queues QueueCalendars
	events Emitter
	log    *slog.Logger
}

func newPart(o PartOpts) part {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Events == nil {
		o.Events = discard{}
	}
	return part{db: o.DB, queues: o.Queues, events: o.Events, log: o.Log}
}

// Clocks keeps the tickets' SLA clocks: paused and resumed with the
// status, the next-response clock started by a citizen and stopped by an
// answer, warnings and breaches announced (CheckSLA), and the SLA report.
type Clocks struct{ part }

// NewClocks returns a Clocks.
func NewClocks(o PartOpts) *Clocks { return &Clocks{newPart(o)} }

// Run checks the SLA clocks each period (0: 15s) until ctx ends. Every
// instance may run it: each announcement is a compare-and-set.
func (k *Clocks) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := k.CheckSLA(ctx, time.Now().UTC()); err != nil && ctx.Err() == nil {
				k.log.Warn("SLA check", "err", err)
			}
		}
	}
}

// StatusChanged keeps a ticket's SLA clock in step with its status inside
// the transaction that changes it: pending (waiting on the citizen) pauses
// the clock, leaving pending resumes it with the business time that
// remained.
func (k *Clocks) StatusChanged(ctx context.Context, tx *gorm.DB, ticketID int64, from, to domain.TicketStatus, at time.Time) error {
	tx = tx.WithContext(ctx)
	switch {
	case to.Waiting() && !from.Waiting():
		return pauseClock(tx, ticketID, at)
	case from.Waiting() && !to.Waiting():
		return k.resume(ctx, tx, ticketID, at)
	}
	return nil
}

// CitizenWrote starts the next-response clock of answered tickets a
// citizen wrote on, inside the ingest transaction: touched are the
// tickets as the move of their last message time returned them
// (ticket.TouchLastMessage, so they are not read again), at the message
// time per ticket. A clock already running keeps its due time.
//
//	UPDATE tickets SET next_response_due_at = ? WHERE id = ? AND next_response_due_at IS NULL
func (k *Clocks) CitizenWrote(ctx context.Context, tx *gorm.DB, touched []ticket.Touched, at map[int64]time.Time) error {
	if len(touched) == 0 {
		return nil
	}
	tx = tx.WithContext(ctx)
	conf, err := k.queues.conf(ctx)
	if err != nil {
		return err
	}
	for _, t := range touched {
		if t.FirstResponseAt == nil || t.NextResponseDueAt != nil || t.QueueID == nil || !t.Status.Active() {
			continue
		}
		q := conf.byID[*t.QueueID]
		if q == nil {
			continue
		}
		due := sla.NextResponseDue(q.cal, q.policies[t.Priority], at[t.ID])
		if due.IsZero() {
			continue
		}
		if err := startNextResponse(tx, t.ID, due); err != nil {
			return err
		}
	}
	return nil
}

// Replied stops the next-response clock when an agent answers in time. An
// answer after the due time leaves the clock for the sweep, which
// announces the breach and then stops it.
//
//	UPDATE tickets SET next_response_due_at = NULL WHERE id = ? AND next_response_due_at > ?
func (k *Clocks) Replied(ctx context.Context, tx *gorm.DB, ticketID int64, at time.Time) error {
	return stopNextResponse(tx.WithContext(ctx), ticketID, at)
}

// clockRow is a ticket's SLA clock as stored.
type clockRow struct {
	ID                 int64
	QueueID            *int64
	AssigneeID         *int64
	Status             domain.TicketStatus
	Priority           domain.Priority
	FirstResponseAt    *time.Time
	SolvedAt           *time.Time
	LastMessageAt      time.Time
	FirstResponseDueAt *time.Time
	NextResponseDueAt  *time.Time
	ResolutionDueAt    *time.Time
	SlaPausedAt        *time.Time
	SlaWarned          string
	SlaBreached        string
}

const clockCols = `id, queue_id, assignee_id, status, priority, first_response_at, solved_at, last_message_at,
first_response_due_at, next_response_due_at, resolution_due_at, sla_paused_at, sla_warned, sla_breached`

// resume moves the open due times of a paused ticket.
//
//	UPDATE tickets SET first_response_due_at = ?, next_response_due_at = ?, resolution_due_at = ?, sla_paused_at = NULL
//	WHERE id = ? AND sla_paused_at = ?
func (k *Clocks) resume(ctx context.Context, tx *gorm.DB, ticketID int64, at time.Time) error {
	rows, err := readClock(tx, ticketID, "read SLA clock")
	if err != nil {
		return err
	}
	if len(rows) == 0 || rows[0].SlaPausedAt == nil {
		return nil
	}
	c := rows[0]
	cal, err := k.queues.calendarOf(ctx, c.QueueID)
	if err != nil {
		return err
	}
	paused := *c.SlaPausedAt
	first, next, res := c.FirstResponseDueAt, c.NextResponseDueAt, c.ResolutionDueAt
	if first != nil && c.FirstResponseAt == nil {
		v := sla.Resume(cal, *first, paused, at)
		first = &v
	}
	if next != nil {
		v := sla.Resume(cal, *next, paused, at)
		next = &v
	}
	if res != nil {
		v := sla.Resume(cal, *res, paused, at)
		res = &v
	}
	return resumeClock(tx, ticketID, paused, first, next, res)
}

// slaHorizon is the least a sweep looks ahead: clocks due within this
// much wall time (a short warning window can span a weekend and a run of
// holidays). sweepHorizon widens it for longer warning leads.
const slaHorizon = 4 * 24 * time.Hour

// sweepHorizon bounds the clocks a sweep reads: every clock that may be in
// its warning window at now is due by then. A warning lead is business
// time, so on a business-hours queue it reaches far past its wall length
// (two days of 24 business hours on an eight-hour weekday calendar is more
// than a week and a half); a fixed horizon announced such warnings late.
func (c *confSet) sweepHorizon(now time.Time) time.Time {
	h := now.Add(slaHorizon)
	for _, q := range c.ordered {
		for _, p := range q.policies {
			if p.WarnBefore <= 0 {
				continue
			}
			if due := q.cal.Add(now, p.WarnBefore); due.After(h) {
				h = due
			}
		}
	}
	return h
}

// CheckSLA announces warnings and breaches due at now and escalates
// breached tickets. Each announcement is a compare-and-set on the
// ticket's sla_warned / sla_breached list, so with several instances
// sweeping each is made once. It also resumes clocks of tickets a citizen
// message took out of pending (the resume instant is that message).
func (k *Clocks) CheckSLA(ctx context.Context, now time.Time) error {
	tx := k.db.WithContext(ctx)
	conf, err := k.queues.conf(ctx)
	if err != nil {
		return err
	}
	resumed, err := resumedClocks(tx)
	if err != nil {
		return err
	}
	for _, c := range resumed {
		at := now
		if c.LastMessageAt.After(*c.SlaPausedAt) && c.LastMessageAt.Before(now) {
			at = c.LastMessageAt
		}
		if err := k.db.Tx(ctx, func(tx *gorm.DB) error { return k.resume(ctx, tx, c.ID, at) }); err != nil {
			return err
		}
	}
	// Only clocks near their due time whose breach is not announced yet:
	// a sweep reads a handful of rows, not every open ticket.
	rows, err := dueClocks(tx, conf.sweepHorizon(now))
	if err != nil {
		return err
	}
	for _, c := range rows {
		q := (*queueConf)(nil)
		if c.QueueID != nil {
			q = conf.byID[*c.QueueID]
		}
		cal, pol := hours.Always(), sla.Policy{}
		if q != nil {
			cal, pol = q.cal, q.policies[c.Priority]
		}
		targets := []struct {
			name   string
			due    *time.Time
			met    *time.Time
			length time.Duration
		}{
			{sla.FirstResponse, c.FirstResponseDueAt, c.FirstResponseAt, pol.FirstResponse},
			{sla.NextResponse, c.NextResponseDueAt, nil, pol.NextResponse},
			{sla.Resolution, c.ResolutionDueAt, c.SolvedAt, pol.Resolution},
		}
		for _, tg := range targets {
			if tg.due == nil {
				continue
			}
			st := sla.Evaluate(cal, *tg.due, tg.met, tg.length, pol.WarnBefore, false, now)
			switch st {
			case sla.StateWarning:
				if err := k.announce(ctx, c, tg.name, *tg.due, false); err != nil {
					return err
				}
			case sla.StateBreached:
				if err := k.announce(ctx, c, tg.name, *tg.due, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// announce records and emits a warning or breach once. A breach raises the
// priority one step (escalation) in the same statement.
//
//	UPDATE tickets SET sla_breached = ?, priority = ? WHERE id = ? AND sla_breached = ?
//	UPDATE tickets SET sla_breached = ?, priority = ?, next_response_due_at = NULL WHERE id = ? AND next_response_due_at = ?
//	UPDATE tickets SET sla_warned = ? WHERE id = ? AND sla_warned = ?
func (k *Clocks) announce(ctx context.Context, c clockRow, target string, due time.Time, breach bool) error {
	tx := k.db.WithContext(ctx)
	list := c.SlaWarned
	if breach {
		list = c.SlaBreached
	}
	have := splitList(list)
	// A next-response clock runs again after each citizen message, so its
	// breach is announced once per clock (the CAS is on the due time, which
	// the announcement clears); everything else once per ticket.
	perClock := breach && target == sla.NextResponse
	if slices.Contains(have, target) && !perClock {
		return nil
	}
	next := joinList(append(have, target))
	ev := bus.SLA{Scope: bus.Scope{TicketID: c.ID, QueueID: idOf(c.QueueID), AssigneeID: idOf(c.AssigneeID)},
		AgentID: idOf(c.AssigneeID), Target: target, DueAt: due, Priority: c.Priority}
	var res *gorm.DB
	switch {
	case perClock:
		ev.Priority = c.Priority.Escalated()
		res = breachNextResponse(tx, c.ID, next, ev.Priority, due)
	case breach:
		ev.Priority = c.Priority.Escalated()
		res = recordBreach(tx, c.ID, next, list, ev.Priority)
	default:
		res = recordWarning(tx, c.ID, next, list)
	}
	if res.Error != nil {
		return fmt.Errorf("%w: record SLA %s: %w", ErrStore, target, res.Error)
	}
	if res.RowsAffected != 1 {
		return nil // another instance announced it
	}
	if !breach {
		bus.EmitIn(ctx, k.events, bus.SLAWarning(ev))
		return nil
	}
	if ev.QueueID != 0 {
		ids, err := queueSupervisors(tx, ev.QueueID)
		if err != nil {
			return err
		}
		ev.SupervisorIDs = ids
	}
	bus.EmitIn(ctx, k.events, bus.SLABreached(ev))
	return nil
}

// TicketSLA is a ticket's SLA clock as the console shows it.
type TicketSLA struct {
	Priority           domain.Priority `json:"priority"`
	FirstResponseDueAt *time.Time      `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time      `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time      `json:"resolution_due_at"`
	FirstResponse      sla.State       `json:"first_response_state"`
	NextResponse       sla.State       `json:"next_response_state"`
	Resolution         sla.State       `json:"resolution_state"`
	Paused             bool            `json:"paused"`
	Breached           []string        `json:"breached"`
}

// SLA reports a ticket's due times and where each target stands.
func (k *Clocks) SLA(ctx context.Context, ticketID int64, now time.Time) (TicketSLA, error) {
	rows, err := readClock(k.db.WithContext(ctx), ticketID, "SLA clock")
	if err != nil {
		return TicketSLA{}, err
	}
	if len(rows) == 0 {
		return TicketSLA{}, fmt.Errorf("ticket %d: %w", ticketID, ErrTicketNotFound)
	}
	c := rows[0]
	conf, err := k.queues.conf(ctx)
	if err != nil {
		return TicketSLA{}, err
	}
	cal, pol := hours.Always(), sla.Policy{}
	if c.QueueID != nil {
		if q := conf.byID[*c.QueueID]; q != nil {
			cal, pol = q.cal, q.policies[c.Priority]
		}
	}
	out := TicketSLA{Priority: c.Priority, FirstResponseDueAt: c.FirstResponseDueAt, NextResponseDueAt: c.NextResponseDueAt, ResolutionDueAt: c.ResolutionDueAt,
		Paused: c.SlaPausedAt != nil, Breached: splitList(c.SlaBreached)}
	if out.Breached == nil {
		out.Breached = []string{}
	}
	eval := func(due, met *time.Time, length time.Duration) sla.State {
		if due == nil {
			return sla.StateNone
		}
		return sla.Evaluate(cal, *due, met, length, pol.WarnBefore, out.Paused, now)
	}
	if !c.Status.Active() {
		// Solved or closed: the clocks stopped. A target is met or
		// missed as it stood then, never still running.
		stopped := func(name string, due, met *time.Time) sla.State {
			switch {
			case due == nil:
				return sla.StateNone
			case met != nil:
				return eval(due, met, 0)
			case slices.Contains(out.Breached, name) || (c.SolvedAt != nil && !c.SolvedAt.Before(*due)):
				return sla.StateBreached
			}
			return sla.StateStopped
		}
		out.FirstResponse = stopped(sla.FirstResponse, c.FirstResponseDueAt, c.FirstResponseAt)
		out.NextResponse = stopped(sla.NextResponse, c.NextResponseDueAt, nil)
		out.Resolution = stopped(sla.Resolution, c.ResolutionDueAt, c.SolvedAt)
		out.Paused = false
		return out, nil
	}
	out.FirstResponse = eval(c.FirstResponseDueAt, c.FirstResponseAt, pol.FirstResponse)
	out.NextResponse = eval(c.NextResponseDueAt, nil, pol.NextResponse)
	out.Resolution = eval(c.ResolutionDueAt, c.SolvedAt, pol.Resolution)
	return out, nil
}

// QueueSLA is the share of a queue's tickets that met their targets.
type QueueSLA struct {
	QueueID int64  `json:"queue_id"`
	Queue   string `json:"queue"`
	// Archived: the queue was removed; its tickets still count here.
	Archived bool `json:"archived"`
	// Tickets with an SLA target created since the report's start.
	Tickets int `json:"tickets"`
	// Within counts those with no breach recorded.
	Within  int     `json:"within"`
	Percent float64 `json:"percent"`
}

// SLAReport computes "% of tickets within SLA" per queue for tickets
// created since the given time. It reports on tickets, not on the queues
// routing uses now, so a removed queue whose tickets were kept (archived)
// is still listed with them, marked archived: removing a queue must not
// drop its past tickets from the percentages. A deleted queue had no
// tickets, so it has nothing to show.
//
//	SELECT t.queue_id, q.code, q.archived_at IS NOT NULL, COUNT(*),
//	  SUM(CASE WHEN t.sla_breached = '' AND <no target met late> THEN 1 ELSE 0 END)
//	FROM tickets t JOIN queues q ON q.id = t.queue_id
//	WHERE t.created_at >= ? AND (t.first_response_due_at IS NOT NULL OR t.resolution_due_at IS NOT NULL)
//	GROUP BY t.queue_id, q.code, q.archived_at
func (k *Clocks) SLAReport(ctx context.Context, since time.Time) ([]QueueSLA, error) {
	rows, err := slaPerQueue(k.db.WithContext(ctx), since)
	if err != nil {
		return nil, err
	}
	out := make([]QueueSLA, 0, len(rows))
	for _, row := range rows {
		q := QueueSLA{QueueID: row.QueueID, Queue: row.Code, Archived: row.Archived == 1, Tickets: row.N, Within: row.Within}
		if row.N > 0 {
			q.Percent = float64(row.Within) * 100 / float64(row.N)
		}
		out = append(out, q)
	}
	return out, nil
}
