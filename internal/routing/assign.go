package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// errRetry rolls back one assignment attempt that lost a race.
var errRetry = errors.New("routing: lost a race, retry")

// AssignWaiting gives an online agent waiting tickets up to their free
// capacity: most urgent, then oldest, from their queues and from queues
// whose oldest ticket waited past the overflow threshold into one of
// theirs. Each ticket is its own transaction with the same conditions as
// RouteNew (on PostgreSQL one statement, see onestatement.go). A ticket
// another transaction holds is skipped, never waited for; when every
// ticket waiting for the agent was held, it tries again shortly
// (heldWaits). It returns the tickets assigned. Call it after an agent
// comes online or after a Release committed.
func (r *Router) AssignWaiting(ctx context.Context, agentID int64) ([]int64, error) {
	return r.assignWaiting(ctx, agentID, nil, true)
}

// assignWaiting is AssignWaiting never handing out the skipped tickets
// (one the agent just gave back); waitHeld false never waits for held
// tickets (the sweep, which is itself what takes them later, and would
// otherwise wait once per idle agent).
func (r *Router) assignWaiting(ctx context.Context, agentID int64, skip []int64, waitHeld bool) ([]int64, error) {
	var (
		assigned []int64
		err      error
	)
	if r.db.Dialect == db.Postgres {
		assigned, err = r.assignWaitingOneStatement(ctx, agentID, skip, waitHeld)
	} else {
		assigned, err = r.assignWaitingSteps(ctx, agentID, skip)
	}
	if r.tracer != nil && len(assigned) > 0 {
		r.traceLater(ctx, agentID, assigned)
	}
	return assigned, err
}

// assignWaitingSteps is assignWaiting on SQLite: one ticket per
// transaction, step by step.
func (r *Router) assignWaitingSteps(ctx context.Context, agentID int64, skip []int64) ([]int64, error) {
	conf, err := r.settings.conf(ctx)
	if err != nil {
		return nil, err
	}
	me, err := r.memberOf(ctx, agentID)
	if err != nil {
		return nil, err
	}
	var (
		assigned []int64
		skipCh   []string // channels on which the agent turned out full
		skipIDs  = skip   // tickets given back, or gone elsewhere meanwhile
	)
	for attempts := 0; attempts < 64; attempts++ {
		now := time.Now().UTC()
		own, overflow := me.eligible(conf, now)
		if len(own) == 0 && len(overflow) == 0 {
			break
		}
		var got waitingTicket
		full, none := false, false
		left := 0
		err := r.tx(ctx, func(tx *gorm.DB) error {
			full, none, got = false, false, waitingTicket{}
			var (
				up, ok bool
				w      waitingTicket
				err    error
			)
			// The pick is one query of index probes per queue and
			// priority: ordering the agent's queues by a priority rank
			// directly would sort every waiting ticket in them.
			up, left, err = raiseLoadLeft(tx, agentID, now)
			if err == nil && up {
				w, ok, err = pickWaiting(tx, own, overflow, skipCh, skipIDs)
			}
			if err != nil {
				return err
			}
			if !up {
				full = true
				return nil
			}
			if !ok {
				none = true
				return errRetry // give the raised load back
			}
			res, err := r.claimRaised(tx, agentID, w, now)
			if err != nil {
				return err
			}
			switch res {
			case channelFull:
				skipCh = append(skipCh, w.Channel)
				return errRetry
			case ticketTaken:
				skipIDs = append(skipIDs, w.ID)
				return errRetry
			}
			got = w
			return r.takeTurn(tx, conf.byID[w.QueueID], agentID, now)
		})
		switch {
		case errors.Is(err, errRetry) && none:
			return assigned, nil
		case errors.Is(err, errRetry):
			continue
		case err != nil:
			return assigned, err
		case full:
			return assigned, nil
		}
		assigned = append(assigned, got.ID)
		bus.EmitIn(ctx, r.events, bus.TicketAssigned(ticketEvent(got.ID, got.QueueID, agentID, got.Status, got.Priority, got.Channel, got.Facts, now)))
		if left == 0 {
			break // that was the agent's last unit of capacity
		}
	}
	return assigned, nil
}

// membership is what an agent may take: their queues and skills.
type membership struct {
	queues []int64
	skills map[string]int
}

// memberOf reads an agent's queues and skills in one round trip.
//
//	SELECT 'a', '', 0 FROM agents WHERE id = ?
//	UNION ALL SELECT 'q', queue_id, 0 FROM queue_members WHERE agent_id = ?
//	UNION ALL SELECT 's', skill, level FROM agent_skills WHERE agent_id = ?
func (r *Router) memberOf(ctx context.Context, agentID int64) (membership, error) {
	var rows []struct {
		Kind  string
		Name  string
		Level int
	}
	if err := r.db.WithContext(ctx).Raw(`SELECT 'a' AS kind, '' AS name, 0 AS level FROM agents WHERE id = ?
UNION ALL SELECT 'q', CAST(queue_id AS TEXT), 0 FROM queue_members WHERE agent_id = ?
UNION ALL SELECT 's', skill, level FROM agent_skills WHERE agent_id = ?`, agentID, agentID, agentID).Scan(&rows).Error; err != nil {
		return membership{}, fmt.Errorf("%w: agent's queues and skills: %w", ErrStore, err)
	}
	m := membership{skills: map[string]int{}}
	found := false
	for _, row := range rows {
		switch row.Kind {
		case "a":
			found = true
		case "q":
			id, err := strconv.ParseInt(row.Name, 10, 64)
			if err != nil {
				return membership{}, fmt.Errorf("%w: queue id %q", ErrStore, row.Name)
			}
			m.queues = append(m.queues, id)
		case "s":
			m.skills[row.Name] = row.Level
		}
	}
	if !found {
		return membership{}, fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	slices.Sort(m.queues)
	return m, nil
}

// qualifies reports whether the agent has every skill a queue requires.
func (m membership) qualifies(q *queueConf) bool {
	if q == nil {
		return true
	}
	for _, s := range q.Skills {
		if m.skills[s] == 0 {
			return false
		}
	}
	return true
}

// overflowFrom is a queue whose tickets an agent may take once they are
// older than cutoff.
type overflowFrom struct {
	queue  int64
	cutoff time.Time
}

// eligible lists the queues whose waiting tickets the agent may take now.
func (m membership) eligible(conf *confSet, now time.Time) (own []int64, overflow []overflowFrom) {
	for _, id := range m.queues {
		if m.qualifies(conf.byID[id]) {
			own = append(own, id)
		}
	}
	for _, q := range conf.ordered {
		if q.OverflowQueue != 0 && slices.Contains(own, q.OverflowQueue) && !slices.Contains(own, q.ID) {
			overflow = append(overflow, overflowFrom{q.ID, now.Add(-q.OverflowAfter)})
		}
	}
	return own, overflow
}

// waitingTicket is an unassigned ticket an agent may take.
type waitingTicket struct {
	ID       int64
	QueueID  int64
	Channel  string
	Status   domain.TicketStatus
	Priority domain.Priority
	Facts    eventFacts `gorm:"embedded"` // for its event
}

// pickWaiting finds the next waiting ticket for an agent: most urgent,
// then oldest (ties by id), in the agent's queues or past the overflow
// cutoff of an overflowing queue, in one round trip. Each (queue,
// priority) branch reads the few oldest straight from the waiting-ticket
// index (queue_id, priority, created_at, id), so nothing sorts a whole
// queue; the best pickSlack of those are then read from the table. (This
// is the SQLite path; PostgreSQL decides in one statement, pickAndTakeSQL.)
//
//	SELECT t.id, t.queue_id, t.channel, t.status, t.priority, t.tracking_number, … FROM tickets t
//	WHERE t.id IN (SELECT id FROM (
//	    SELECT id, created_at, 0 AS r FROM (SELECT … WHERE queue_id = ? AND priority = 'urgent' … LIMIT 8)
//	    UNION ALL … one branch per queue and priority …) u
//	  ORDER BY r, created_at, id LIMIT 8)
//	  AND t.assignee_id IS NULL AND t.status IN ('new', 'open', 'pending')
//	ORDER BY rank(t.priority), t.created_at, t.id LIMIT 1
func pickWaiting(tx *gorm.DB, own []int64, overflow []overflowFrom, skipCh []string, skipIDs []int64) (waitingTicket, bool, error) {
	type source struct {
		queue  int64
		cutoff *time.Time
	}
	var sources []source
	for _, id := range own {
		sources = append(sources, source{queue: id})
	}
	for _, o := range overflow {
		c := o.cutoff
		sources = append(sources, source{o.queue, &c})
	}
	if len(sources) == 0 {
		return waitingTicket{}, false, nil
	}
	extra, extraArgs := "", []any(nil)
	if len(skipCh) > 0 {
		extra += ` AND channel NOT IN (` + db.Placeholders(len(skipCh)) + `)`
		for _, c := range skipCh {
			extraArgs = append(extraArgs, c)
		}
	}
	if len(skipIDs) > 0 {
		extra += ` AND id NOT IN (` + db.Placeholders(len(skipIDs)) + `)`
		for _, id := range skipIDs {
			extraArgs = append(extraArgs, id)
		}
	}
	var parts []string
	var args []any
	for r, p := range domain.ByUrgency {
		for _, src := range sources {
			cond := `queue_id = ? AND priority = ?`
			args = append(args, src.queue, string(p))
			if src.cutoff != nil {
				cond += ` AND created_at <= ?`
				args = append(args, *src.cutoff)
			}
			args = append(args, extraArgs...)
			parts = append(parts, fmt.Sprintf(`SELECT id, created_at, %d AS r FROM (SELECT id, created_at FROM tickets
  WHERE %s AND assignee_id IS NULL AND status IN `+domain.ActiveStatusesSQL+`%s
  ORDER BY created_at, id LIMIT %d) AS s%d`, r, cond, extra, pickSlack, len(parts)))
		}
	}
	q := `SELECT t.id, t.queue_id, t.channel, t.status, t.priority, t.tracking_number, t.subject, t.first_response_due_at, t.resolution_due_at FROM tickets t
WHERE t.id IN (SELECT id FROM (` + strings.Join(parts, "\nUNION ALL ") + `) AS u ORDER BY r, created_at, id LIMIT ` + strconv.Itoa(pickSlack) + `)
  AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `
ORDER BY ` + priorityRank("t") + `, t.created_at, t.id LIMIT 1`
	var rows []waitingTicket
	if err := tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return waitingTicket{}, false, fmt.Errorf("%w: waiting tickets: %w", ErrStore, err)
	}
	if len(rows) == 0 {
		return waitingTicket{}, false, nil
	}
	return rows[0], true, nil
}

// pickSlack is how many of each queue's oldest tickets a pick considers:
// room for as many instances assigning from the queue at the same moment
// (their tickets are locked and skipped).
const pickSlack = 8

// Offer gives one waiting ticket to the best candidate of its queue (by
// the queue's strategy), never to exclude. It returns the agent (0: the
// ticket keeps waiting). Call it after a ticket enters a queue outside
// RouteNew: returned by an agent, transferred to a queue. With tracing
// on, a ticket it assigns is traced as AssignWaiting's are (traceLater):
// the citizen's trace shows to whom the ticket went after it came back.
func (r *Router) Offer(ctx context.Context, ticketID, exclude int64) (int64, error) {
	agentID, err := r.offer(ctx, ticketID, exclude)
	if r.tracer != nil && agentID != 0 {
		r.traceLater(ctx, agentID, []int64{ticketID})
	}
	return agentID, err
}

func (r *Router) offer(ctx context.Context, ticketID, exclude int64) (int64, error) {
	if r.db.Dialect == db.Postgres {
		return r.offerOneStatement(ctx, ticketID, exclude)
	}
	conf, err := r.settings.conf(ctx)
	if err != nil {
		return 0, err
	}
	var agentID, queueID int64
	var ev bus.Ticket
	offer := func(tx *gorm.DB) error {
		agentID, queueID = 0, 0
		t, err := lockTicket(tx, r.db.Dialect, ticketID)
		if err != nil {
			return err
		}
		if t.AssigneeID != nil || t.QueueID == nil || !t.Status.Active() {
			return nil
		}
		queueID = *t.QueueID
		strategy, skills := StrategyLeastBusy, []string(nil)
		if q := conf.byID[queueID]; q != nil {
			strategy, skills = q.Strategy, q.Skills
		}
		// SQLite runs in the process: reading every member and sorting
		// here costs no round trip (PostgreSQL decides in offerSQL).
		cands, err := readCandidates(tx, queueID, t.Channel, r.settings.channelCap(t.Channel), skills, exclude)
		if err != nil {
			return err
		}
		sortCandidates(cands, strategy)
		now := time.Now().UTC()
		for _, c := range cands {
			res, err := r.take(tx, c.ID, ticketID, queueID, t.Channel, onlyOnline, strategy == StrategyRoundRobin, now)
			if err != nil {
				return err
			}
			switch res {
			case assigned:
				agentID = c.ID
				ev = t.event(queueID, agentID, now)
				return nil
			case ticketTaken:
				return nil
			case channelFull:
				// This agent's row stays locked until commit; trying a
				// second agent now would hold two agents in strategy
				// order, not id order. Start over with fresh candidates.
				return errRetry
			}
		}
		return nil
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err = r.tx(ctx, offer); !errors.Is(err, errRetry) {
			break
		}
	}
	if errors.Is(err, errRetry) {
		return 0, nil // kept losing races: the ticket waits for the next event or sweep
	}
	if err != nil {
		return 0, err
	}
	if agentID != 0 {
		bus.EmitIn(ctx, r.events, bus.TicketAssigned(ev))
	}
	return agentID, nil
}

// ticketRow is what routing reads of a ticket.
type ticketRow struct {
	ID              int64
	QueueID         *int64
	AssigneeID      *int64
	Channel         string
	Status          domain.TicketStatus
	Priority        domain.Priority
	CreatedAt       time.Time
	FirstResponseAt *time.Time
	Facts           eventFacts `gorm:"embedded"` // for its event
}

// lockTicket reads one ticket and, on PostgreSQL, locks it until commit.
// Every one-ticket operation takes the ticket first and its agents after,
// the order the ticket service's status changes use, so they cannot
// deadlock each other; AssignWaiting, which starts from the agent, only
// ever skips locked tickets (SKIP LOCKED) and so never waits on one.
//
//	SELECT id, queue_id, assignee_id, channel, status, priority, created_at, first_response_at,
//	  tracking_number, subject, first_response_due_at, resolution_due_at
//	FROM tickets WHERE id = ? FOR UPDATE
func lockTicket(tx *gorm.DB, dialect db.Dialect, id int64) (ticketRow, error) {
	q := `SELECT id, queue_id, assignee_id, channel, status, priority, created_at, first_response_at, ` + factCols + ` FROM tickets WHERE id = ?`
	if dialect == db.Postgres {
		q += ` FOR UPDATE`
	}
	var rows []ticketRow
	if err := tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return ticketRow{}, fmt.Errorf("%w: ticket: %w", ErrStore, err)
	}
	if len(rows) == 0 {
		return ticketRow{}, fmt.Errorf("ticket %d: %w", id, ErrTicketNotFound)
	}
	return rows[0], nil
}

// maxAttempts bounds how often a transaction that lost to a concurrent one
// (deadlock victim, serialization failure) runs again.
const maxAttempts = 5

// tx runs fn in a transaction, again when the database aborted it only
// for running at the same time as another. fn must be safe to rerun (it
// resets what it reports at its start).
func (r *Router) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return retryTx(ctx, r.db, fn)
}

// retryTx is Router.tx on a database.
func retryTx(ctx context.Context, d *db.DB, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err = d.Tx(ctx, fn); !db.IsRetryable(err) {
			return err
		}
	}
	return err
}
