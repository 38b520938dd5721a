package routing

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/backoff"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// On PostgreSQL a whole assignment decision (AssignWaiting's "which
// ticket for this agent", Offer's "which agent for this ticket") is one
// statement in autocommit: one round trip and one commit, no BEGIN, no
// reads sent back to Go in between. The decision is made and applied by
// data-modifying CTEs in this order:
//
//  1. the agent row (a) and the ticket row (w) are locked. The agent lock
//     re-checks "online and below capacity" on the latest committed row
//     (read committed re-evaluates a locking SELECT's WHERE after waiting);
//     the ticket is locked with its "unassigned and waiting" re-checked the
//     same way. Whatever is being chosen is skipped while another
//     transaction holds it (SKIP LOCKED): AssignWaiting takes the next
//     waiting ticket, Offer the next best agent. What is given is only
//     waited for: Offer waits for its ticket, AssignWaiting for its agent.
//  2. the channel load is raised if it has room (cu: existing row, under
//     its row lock; ci: first ticket on the channel, at the channel's
//     default capacity — a concurrent creator makes it report "full").
//  3. only if 2 took a unit: the agent's load is raised (up), the ticket
//     gets its assignee (k), and a round-robin turn is recorded.
//
// Nothing is written before every refusal point has been passed, so a
// refusal leaves no trace and needs no undo. Step 3 cannot refuse (both
// rows are locked by this statement and were re-checked in 1); if it
// ever did, routing_abort raises an error and the statement — the whole
// transaction — rolls back. The invariant of routing.go holds as before:
// the same conditions, evaluated on locked latest rows.

// assignTail is steps 2 and 3, given CTEs cand (id, n: the agents chosen,
// best first), a (id: the agent locked), seen (id: the tickets the
// decision found waiting before it locked one), w (id, queue_id, channel:
// the locked ticket), and the channel default capacities in caps (channel,
// cap). A decision that saw tickets waiting and locked none skipped them
// while other transactions held them.
const assignTail = `
cu AS (
  UPDATE agent_channel_loads l SET active_load = l.active_load + 1
  FROM a, w WHERE l.agent_id = a.id AND l.channel = w.channel
    AND l.active_load < COALESCE(l.capacity, (SELECT cap FROM caps WHERE caps.channel = w.channel), @defcap)
  RETURNING l.agent_id
), ci AS (
  INSERT INTO agent_channel_loads (agent_id, channel, capacity, active_load)
  SELECT a.id, w.channel, NULL, 1 FROM a, w
  WHERE COALESCE((SELECT cap FROM caps WHERE caps.channel = w.channel), @defcap) >= 1
    AND NOT EXISTS (SELECT 1 FROM agent_channel_loads x WHERE x.agent_id = a.id AND x.channel = w.channel)
  ON CONFLICT (agent_id, channel) DO NOTHING
  RETURNING agent_id
), c AS (
  SELECT agent_id FROM cu UNION ALL SELECT agent_id FROM ci
), up AS (
  UPDATE agents g SET active_load = g.active_load + 1, last_assigned_at = @now
  FROM c WHERE g.id = c.agent_id AND g.active_load < g.capacity
  RETURNING g.capacity - g.active_load AS lft
), k AS (
  ` + ticket.AssignFromCTE + `
), turn AS (
  UPDATE queue_members m SET last_assigned_at = @now
  FROM k, w, c, queues q
  WHERE m.agent_id = c.agent_id AND m.queue_id = w.queue_id AND q.id = w.queue_id AND q.strategy = 'round_robin'
), s AS (
  SELECT (SELECT id FROM cand ORDER BY n LIMIT 1) AS cand, (SELECT id FROM a) AS agent, (SELECT id FROM w) AS ticket, (SELECT queue_id FROM w) AS queue,
    (SELECT channel FROM w) AS channel, (SELECT COUNT(*) FROM c) AS c, (SELECT lft FROM up) AS lft,
    (SELECT COUNT(*) FROM k) AS k, (SELECT COUNT(*) FROM seen) AS seen
)
SELECT s.cand, s.agent, s.ticket, s.queue, s.channel, s.c, s.lft, s.k, s.seen,
  CASE WHEN s.c > 0 AND (s.lft IS NULL OR s.k = 0) THEN routing_abort('routing: assignment half applied, rolled back') ELSE 0 END AS guard,
  w.status, w.priority, ` + wFactCols + `
FROM s LEFT JOIN w ON true`

// wFactCols are the columns of the locked ticket w a decision returns for
// its event (eventFacts, read with the lock: no read of their own).
const wFactCols = `w.tracking_number, w.subject, w.first_response_due_at, w.resolution_due_at`

// wCols are the columns of tickets the decision statements lock as w.
const wCols = `id, queue_id, channel, status, priority, ` + factCols

// capsCTE lists the default capacity of each configured channel.
const capsCTE = `caps AS (
  SELECT unnest(string_to_array(@capch, ',')) AS channel, unnest(string_to_array(@capn, ','))::int AS cap
)`

// pickAndTakeSQL is AssignWaiting's decision for agent @agent: the most
// urgent, then oldest (ties by id) waiting ticket of the queues the agent
// is a member of and qualified for (every skill the queue requires), and
// of queues overflowing into one of those whose tickets waited past the
// threshold. Each (queue, priority) pair is read straight from the
// waiting-ticket index (queue_id, priority, created_at, id), pickSlack
// oldest each, so nothing sorts a whole queue; the statement text does not
// depend on the agent's queues, so PostgreSQL plans it once per
// connection. withSkip adds exclusions (channels on which the agent is
// full, tickets given back) for the rare retry.
func pickAndTakeSQL(withSkip bool) string {
	skip := ""
	if withSkip {
		skip = ` AND channel <> ALL (string_to_array(@skipch, ',')) AND id <> ALL (string_to_array(@skipids, ',')::bigint[])`
	}
	return `WITH ` + capsCTE + `, cand AS (
  SELECT CAST(@agent AS bigint) AS id, 1 AS n
), a AS (
  SELECT id FROM agents WHERE id = (SELECT id FROM cand) AND presence = ` + domain.SQLPresenceOnline + ` AND active_load < capacity FOR NO KEY UPDATE
), mine AS (
  SELECT m.queue_id FROM a JOIN queue_members m ON m.agent_id = a.id JOIN queues q ON q.id = m.queue_id
  WHERE q.skills = '' OR string_to_array(q.skills, ',') <@ ARRAY(SELECT skill FROM agent_skills WHERE agent_id = a.id)
), src AS (
  SELECT queue_id, CAST('infinity' AS timestamptz) AS cutoff FROM mine
  UNION ALL
  SELECT q.id, CAST(@now AS timestamptz) - make_interval(secs => q.overflow_after_s) FROM queues q
  WHERE q.overflow_queue_id IN (SELECT queue_id FROM mine) AND q.id NOT IN (SELECT queue_id FROM mine) AND q.archived_at IS NULL
), seen AS (
  SELECT x.id FROM src
  CROSS JOIN (VALUES ` + domain.PriorityRanksSQL + `) AS p (name, r)
  CROSS JOIN LATERAL (SELECT id, created_at FROM tickets
    WHERE queue_id = src.queue_id AND priority = p.name AND created_at <= src.cutoff
      AND assignee_id IS NULL AND status IN ` + domain.ActiveStatusesSQL + skip + `
    ORDER BY created_at, id LIMIT ` + strconv.Itoa(pickSlack) + `) AS x
  ORDER BY p.r, x.created_at, x.id LIMIT ` + strconv.Itoa(pickSlack) + `
), w AS (
  SELECT t.id, t.queue_id, t.channel, t.status, t.priority, t.tracking_number, t.subject, t.first_response_due_at, t.resolution_due_at FROM tickets t
  WHERE t.id IN (SELECT id FROM seen)
    AND t.assignee_id IS NULL AND t.status IN ` + domain.ActiveStatusesSQL + `
  ORDER BY ` + priorityRank("t") + `, t.created_at, t.id LIMIT 1
  FOR UPDATE OF t SKIP LOCKED
),` + assignTail
}

// The two texts of pickAndTakeSQL, built once.
var (
	pickAndTake         = toPositional(pickAndTakeSQL(false))
	pickAndTakeSkipping = toPositional(pickAndTakeSQL(true))
	offer               = toPositional(offerSQL)
)

// offerSQL is Offer's decision for ticket @ticket: the best online member
// of its queue with room overall and on the ticket's channel, having every
// skill the queue requires, never @exclude, by the queue's strategy (the
// rules of sortCandidates). The strategy is read with the queue, so one
// statement text serves every queue: each strategy is a branch that runs
// only for its queues (a one-time filter on wq.strategy).
//
// Least busy reads agents in the order of the index agents_ready_idx
// (online agents with room, by load ratio, never assigned first, longest
// idle, id): the first of them who is a member with room on the channel is
// the answer, usually among the first few in a national queue. The walk
// stops after leastBusyWalk agents; a queue with fewer than offerSlack of
// its members among them (a small regional queue) is answered by the next
// branch, which sorts the queue's members in the same order. Both branches
// list agents in the same order; a LIMIT over UNION ALL runs the branches
// in order and stops once it has enough.
//
// Round robin walks the queue's members by turn (queue_members_turn_idx).
// Skills-based sorts the qualified members by skill score, then as least
// busy.
var offerSQL = `WITH ` + capsCTE + `, w AS (
  SELECT ` + wCols + ` FROM tickets
  WHERE id = @ticket AND assignee_id IS NULL AND queue_id IS NOT NULL AND status IN ` + domain.ActiveStatusesSQL + `
  FOR UPDATE
), seen AS (
  SELECT id FROM w
), wq AS (
  SELECT w.queue_id, w.channel, q.strategy, string_to_array(NULLIF(q.skills, ''), ',') AS skills,
    COALESCE((SELECT cap FROM caps WHERE caps.channel = w.channel), @defcap) AS defcap
  FROM w JOIN queues q ON q.id = w.queue_id
), cand AS (
  SELECT id, row_number() OVER () AS n FROM (
    (SELECT g.id FROM (
        SELECT g.id, g.active_load, g.capacity, g.last_assigned_at FROM agents g
        WHERE g.presence = ` + domain.SQLPresenceOnline + ` AND g.active_load < g.capacity
        ORDER BY ` + loadRatio + `, g.last_assigned_at NULLS FIRST, g.id
        LIMIT ` + strconv.Itoa(leastBusyWalk) + `) AS g
      WHERE (SELECT strategy FROM wq) = 'least_busy' AND ` + offerFits + `
        AND EXISTS (SELECT 1 FROM queue_members m WHERE m.queue_id = (SELECT queue_id FROM wq) AND m.agent_id = g.id)
      ORDER BY ` + loadRatio + `, g.last_assigned_at NULLS FIRST, g.id
      LIMIT ` + strconv.Itoa(offerSlack) + `)
    UNION ALL
    (SELECT g.id FROM queue_members m JOIN agents g ON g.id = m.agent_id
      WHERE (SELECT strategy FROM wq) = 'least_busy' AND m.queue_id = (SELECT queue_id FROM wq)
        AND g.presence = ` + domain.SQLPresenceOnline + ` AND g.active_load < g.capacity AND ` + offerFits + `
      ORDER BY ` + loadRatio + `, g.last_assigned_at NULLS FIRST, g.id
      LIMIT ` + strconv.Itoa(offerSlack) + `)
    UNION ALL
    (SELECT g.id FROM queue_members m JOIN agents g ON g.id = m.agent_id
      WHERE (SELECT strategy FROM wq) = 'round_robin' AND m.queue_id = (SELECT queue_id FROM wq)
        AND g.presence = ` + domain.SQLPresenceOnline + ` AND g.active_load < g.capacity AND ` + offerFits + `
      ORDER BY m.last_assigned_at NULLS FIRST, m.agent_id
      LIMIT ` + strconv.Itoa(offerSlack) + `)
    UNION ALL
    (SELECT g.id FROM queue_members m JOIN agents g ON g.id = m.agent_id
      WHERE (SELECT strategy FROM wq) = 'skills' AND m.queue_id = (SELECT queue_id FROM wq)
        AND g.presence = ` + domain.SQLPresenceOnline + ` AND g.active_load < g.capacity AND ` + offerFits + `
      ORDER BY (SELECT SUM(s.level) FROM agent_skills s WHERE s.agent_id = g.id AND s.skill = ANY (CAST((SELECT skills FROM wq) AS TEXT[]))) DESC NULLS LAST,
        ` + loadRatio + `, g.last_assigned_at NULLS FIRST, g.id
      LIMIT ` + strconv.Itoa(offerSlack) + `)
  ) AS best LIMIT ` + strconv.Itoa(offerSlack) + `
), a AS (
  SELECT g.id FROM cand JOIN agents g ON g.id = cand.id
  WHERE g.presence = ` + domain.SQLPresenceOnline + ` AND g.active_load < g.capacity
  ORDER BY cand.n LIMIT 1
  FOR NO KEY UPDATE OF g SKIP LOCKED
),` + assignTail

// loadRatio is an agent's load ratio (g: the agent), spelled as in the
// index agents_ready_idx so that PostgreSQL reads agents in its order.
const loadRatio = `CAST(g.active_load AS REAL) / GREATEST(g.capacity, 1)`

// offerFits is what an agent g needs besides being online with room: not
// excluded, room on the ticket's channel (an agent without a row for the
// channel has the channel's default capacity), every skill of the queue.
const offerFits = `g.id <> @exclude
        AND COALESCE((SELECT l.active_load < COALESCE(l.capacity, (SELECT defcap FROM wq)) FROM agent_channel_loads l
          WHERE l.agent_id = g.id AND l.channel = (SELECT channel FROM wq)), (SELECT defcap FROM wq) >= 1)
        AND ((SELECT skills FROM wq) IS NULL OR (SELECT skills FROM wq) <@ ARRAY(SELECT skill FROM agent_skills s WHERE s.agent_id = g.id))`

// offerSlack is how many of the best candidates Offer considers: when
// several tickets are offered at once they all want the same best agent;
// each takes the best one no other transaction holds (SKIP LOCKED) instead
// of queueing behind the others.
const offerSlack = 4

// leastBusyWalk bounds how many agents Offer reads in load order before it
// sorts the queue's members instead.
const leastBusyWalk = 64

// decision is what one pickAndTakeSQL or offerSQL statement did.
type decision struct {
	Cand    sql.NullInt64 // the agent chosen (null: no candidate)
	Agent   sql.NullInt64 // the agent locked (null: none, or no longer online with room)
	Ticket  sql.NullInt64 // the ticket locked (null: none waiting / not waiting)
	Queue   sql.NullInt64
	Channel sql.NullString
	C       int64         // channel units taken: 1 when assigned
	Lft     sql.NullInt64 // the agent's room left after the assignment
	K       int64
	Seen    int64 // tickets found waiting before one was locked (AssignWaiting)
	// The ticket as its event shows it (when Ticket is set).
	Status, Priority, TrackingNumber, Subject sql.NullString
	FirstResponseDueAt, ResolutionDueAt       sql.NullTime
}

// event is the payload of the ticket.assigned event of an assigning
// decision.
func (d decision) event(at time.Time) bus.Ticket {
	f := eventFacts{TrackingNumber: d.TrackingNumber.String, Subject: d.Subject.String}
	if d.FirstResponseDueAt.Valid {
		f.FirstResponseDueAt = &d.FirstResponseDueAt.Time
	}
	if d.ResolutionDueAt.Valid {
		f.ResolutionDueAt = &d.ResolutionDueAt.Time
	}
	return ticketEvent(d.Ticket.Int64, d.Queue.Int64, d.Agent.Int64, domain.TicketStatus(d.Status.String), domain.Priority(d.Priority.String), d.Channel.String, f, at)
}

func (d decision) assigned() bool { return d.C == 1 && d.K == 1 }

// positional is a statement with named parameters (@name) rewritten for
// PostgreSQL ($1, $2, …), with the names in the order of their numbers.
type positional struct {
	sql   string
	names []string
}

var paramName = regexp.MustCompile(`@[a-z]+`)

func toPositional(q string) positional {
	var p positional
	num := map[string]int{}
	p.sql = paramName.ReplaceAllStringFunc(q, func(m string) string {
		n, ok := num[m[1:]]
		if !ok {
			p.names = append(p.names, m[1:])
			n = len(p.names)
			num[m[1:]] = n
		}
		return "$" + strconv.Itoa(n)
	})
	return p
}

// decide runs one decision statement in autocommit. It goes to
// database/sql directly: the statement is long and runs thousands of times
// a second, and gorm would rewrite and render it for its logger each time.
func (r *Router) decide(ctx context.Context, q positional, args map[string]any) (decision, error) {
	args["now"] = time.Now().UTC()
	args["capch"], args["capn"] = r.capChannels, r.capValues
	args["defcap"] = r.settings.defChanCap
	vals := make([]any, len(q.names))
	for i, n := range q.names {
		v, ok := args[n]
		if !ok {
			return decision{}, fmt.Errorf("%w: assignment decision: no value for @%s", ErrStore, n)
		}
		vals[i] = v
	}
	pool, err := r.db.DB.DB()
	if err != nil {
		return decision{}, fmt.Errorf("%w: assignment decision: %w", ErrStore, err)
	}
	var d decision
	var guard int64
	err = pool.QueryRowContext(ctx, q.sql, vals...).Scan(&d.Cand, &d.Agent, &d.Ticket, &d.Queue, &d.Channel, &d.C, &d.Lft, &d.K, &d.Seen, &guard,
		&d.Status, &d.Priority, &d.TrackingNumber, &d.Subject, &d.FirstResponseDueAt, &d.ResolutionDueAt)
	if err != nil {
		return decision{}, fmt.Errorf("%w: assignment decision: %w", ErrStore, err)
	}
	return d, nil
}

// capsLists is ChannelCapacity as two parallel comma-separated lists for
// the decision statements' caps CTE (channel codes never contain commas;
// config checks them). New computes them once.
func capsLists(caps map[string]int) (channels, values string) {
	chs := make([]string, 0, len(caps))
	ns := make([]string, 0, len(caps))
	for ch, n := range caps {
		chs = append(chs, ch)
		ns = append(ns, strconv.Itoa(n))
	}
	return strings.Join(chs, ","), strings.Join(ns, ",")
}

// assignWaitingOneStatement is assignWaiting on PostgreSQL: one statement
// per ticket handed out.
func (r *Router) assignWaitingOneStatement(ctx context.Context, agentID int64, skip []int64, waitHeld bool) ([]int64, error) {
	var (
		assigned []int64
		skipCh   []string
		skipIDs  = skip
		waits    int // waits for tickets other transactions held
	)
	for attempts := 0; attempts < 64; attempts++ {
		args := map[string]any{"agent": agentID}
		withSkip := len(skipCh) > 0 || len(skipIDs) > 0
		if withSkip {
			args["skipch"], args["skipids"] = strings.Join(skipCh, ","), db.JoinIDs(skipIDs)
		}
		q := pickAndTake
		if withSkip {
			q = pickAndTakeSkipping
		}
		d, err := r.decide(ctx, q, args)
		if err != nil {
			if db.IsRetryable(err) {
				continue
			}
			return assigned, err
		}
		switch {
		case !d.Agent.Valid:
			if len(assigned) == 0 {
				return nil, r.agentExists(ctx, agentID)
			}
			return assigned, nil
		case !d.Ticket.Valid && d.Seen > 0 && waitHeld && waits < heldWaits:
			// Tickets wait, each held by another transaction (a message
			// being stored on it, an offer to another agent). Holding
			// the agent, the decision must not wait for them (lock
			// order); the holder commits within milliseconds, so the
			// decision runs again shortly instead of leaving them to
			// the sweep, up to ROUTING_SWEEP_INTERVAL later.
			waits++
			if r.onHeld != nil {
				r.onHeld(waits)
			}
			if !heldBackoff.Sleep(ctx, waits) {
				return assigned, nil
			}
			continue
		case !d.Ticket.Valid:
			return assigned, nil // nothing waiting for this agent (or still held: the sweep takes it)
		case d.C == 0:
			skipCh = append(skipCh, d.Channel.String)
			continue
		case !d.assigned():
			skipIDs = append(skipIDs, d.Ticket.Int64)
			continue
		}
		assigned = append(assigned, d.Ticket.Int64)
		bus.EmitIn(ctx, r.events, bus.TicketAssigned(d.event(time.Now().UTC())))
		if d.Lft.Int64 <= 0 {
			break // that was the agent's last unit of capacity
		}
	}
	return assigned, nil
}

// heldWaits bounds how often AssignWaiting waits for waiting tickets that
// other transactions held; heldBackoff spaces those waits (20 ms, 40 ms,
// 80 ms, 160 ms: 300 ms at most, in the rare case of a ticket held that
// long; a holder usually commits within the first).
const heldWaits = 4

var heldBackoff = backoff.Doubling{First: 20 * time.Millisecond, Max: 160 * time.Millisecond}

// offerOneStatement is Offer on PostgreSQL. A candidate who turns out full
// (on the channel, or meanwhile) is passed over in the next attempt.
func (r *Router) offerOneStatement(ctx context.Context, ticketID, exclude int64) (int64, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		d, err := r.decide(ctx, offer, map[string]any{"ticket": ticketID, "exclude": exclude})
		if err != nil {
			if db.IsRetryable(err) {
				continue
			}
			return 0, err
		}
		if !d.Ticket.Valid {
			return 0, nil // assigned meanwhile, solved, or has no queue
		}
		if d.assigned() {
			bus.EmitIn(ctx, r.events, bus.TicketAssigned(d.event(time.Now().UTC())))
			return d.Agent.Int64, nil
		}
		if !d.Cand.Valid {
			return 0, nil // no member online with room: the ticket waits
		}
		// The candidate filled up meanwhile (overall or on the channel):
		// the next attempt reads the loads afresh.
	}
	return 0, nil // kept losing races: the ticket waits for the next event or sweep
}

// agentExists is nil for an existing agent, ErrAgentNotFound otherwise.
func (r *Router) agentExists(ctx context.Context, agentID int64) error {
	var n int64
	if err := r.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM agents WHERE id = ?`, agentID).Scan(&n).Error; err != nil {
		return fmt.Errorf("%w: agent: %w", ErrStore, err)
	}
	if n == 0 {
		return fmt.Errorf("agent %d: %w", agentID, ErrAgentNotFound)
	}
	return nil
}
