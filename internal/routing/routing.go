// Package routing puts tickets in queues and gives them to agents. It has
// four parts, each with its own store file. The dependencies run one way:
// the engine and Admin read Settings; Admin reaches the engine only through
// the Handout interface; Clocks and Metrics read Settings through
// QueueCalendars.
//
//   - Settings (settings.go, queues.go; SQL in settings_store.go): the queue
//     settings as routing reads them, cached per instance.
//   - Admin (admin.go, remove.go, seed.go; SQL in settings_store.go): changes
//     the settings and the agents' routing profiles; what a change frees
//     it hands to the engine through Handout.
//   - Router (routing.go, assign.go, work.go, …; SQL in store.go): the
//     assignment engine. It reads Settings and changes none of them.
//   - Clocks (clocks.go, sla_store.go) and Metrics (metrics.go, wait.go,
//     metrics_store.go): SLA clocks and the SLA report; queue metrics and
//     wait estimates. They read Settings through QueueCalendars.
//
// The engine is the one place that changes agents' loads and
// tickets.assignee_id together, so the assignment invariant lives here:
//
//	No ticket is ever assigned to two agents, and no agent goes over
//	capacity (overall or on any channel), however many core instances run.
//
// It is kept by three conditional statements and nothing else (no
// read-then-write in Go): an agent's load is only raised by
//
//	UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
//	WHERE id = ? AND presence = 'online' AND active_load < capacity
//
// and the load on the ticket's channel by
//
//	UPDATE agent_channel_loads SET active_load = active_load + 1
//	WHERE agent_id = ? AND channel = ? AND active_load < COALESCE(capacity, <the channel's default>)
//
// (the row is created on first use by INSERT ... ON CONFLICT DO NOTHING,
// which a concurrent creator makes report "full", never "taken twice"),
// and a ticket only gets an assignee by
//
//	UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
//	WHERE id = ? AND assignee_id IS NULL
//
// all in one transaction; if a later one touches no row the earlier ones
// are undone before commit. (On PostgreSQL they travel as one statement of
// data-modifying CTEs: the same conditions in fewer round trips. A whole
// AssignWaiting or Offer decision — choosing and taking — is one statement
// in autocommit, with every refusal point before the first write; see
// onestatement.go and fastpath.go.) The database evaluates each WHERE on the
// latest committed row under a row lock (PostgreSQL re-checks it after
// waiting for a concurrent writer; SQLite has one writer at a time), so two
// instances can never both pass. An agent's row is always locked before
// its channel loads, and a ticket is either locked first (one-ticket
// operations: Offer, claim, transfer, the ticket service) or, when an
// agent is being given work, only ever skipped if another transaction
// holds it (SKIP LOCKED), so assignment transactions cannot deadlock each
// other (and one that the database picks as a deadlock victim anyway is
// run again). Loads count the agent's tickets in new/open/pending; Release
// lowers them when one leaves that set or loses its assignee.
//
// Assignment is event-driven. A ticket is offered when it enters a queue
// (RouteNew, Offer after a return or transfer); an agent is given the most
// urgent, then oldest, waiting ticket of their queues (and of queues
// overflowing into them) the moment they have room (AssignWaiting after a
// solve, release, transfer, presence or capacity change). Run's periodic
// sweep is a backstop and the clock for what time alone triggers: overflow
// thresholds, the away grace period, SLA warnings and breaches.
//
// Each queue picks its agent by its strategy: least-busy (lowest load
// ratio, never assigned first, then longest idle; room on the ticket's
// channel is a condition, not a rank), round-robin
// (the member given a ticket of this queue longest ago) or skills-based
// (highest sum of levels in the queue's skills, then least-busy). Members
// lacking a required skill never get the queue's tickets.
package routing

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"gorm.io/gorm"

	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// Opts configures a Router.
type Opts struct {
	DB *db.DB
	// Settings are the queue settings the engine routes by.
	Settings *Settings
	// Events receives routing events (assignments, transfers); nil drops
	// them.
	Events Emitter
	// AwayGrace is how long an away agent keeps their tickets.
	AwayGrace time.Duration
	// ReturnTickets says which tickets an agent going offline (or away
	// past the grace) gives back: ReturnUnstarted, ReturnActive, ReturnNone.
	ReturnTickets string
	Log           *slog.Logger
	// Tracer, when set, traces the assignments of waiting tickets
	// (trace.go); nil: tracing is off.
	Tracer trace.Tracer
}

// Which tickets return to the queue when their agent leaves.
const (
	ReturnUnstarted = "unstarted" // not yet answered by the agent
	ReturnActive    = "active"    // every new/open/pending ticket
	ReturnNone      = "none"
)

// Emitter publishes realtime events (bus.Bus implements it).
type Emitter interface {
	Emit(ev bus.Event)
}

// QueueSpec declares a queue at start.
type QueueSpec struct {
	Code string
	Name string
}

// Ticket is what routing needs to know about a ticket.
type Ticket struct {
	ID       int64
	Category string
	// Queue is the queue code the channel asked for (may be empty).
	Queue   string
	Channel string
	// Province of the contact (two-digit code), for regional queues.
	Province string
	// QueueID, when the caller already stored the ticket with the queue
	// from QueueFor, saves RouteNew an UPDATE.
	QueueID int64
	// Filed: the ticket was stored with this filing (from File); RouteNew
	// only assigns it. Channel must then be the stored channel.
	Filed *Filing
}

// Reactivated is a ticket that re-entered new/open/pending (a citizen
// wrote on a solved ticket).
type Reactivated struct {
	Ticket
	// AssigneeID is the agent the ticket had when it was solved (0: none).
	AssigneeID int64
}

// Assignment is where a ticket went. AgentID 0: it waits in the queue.
type Assignment struct {
	TicketID int64
	QueueID  int64
	AgentID  int64
}

// Router is the assignment engine: it files new tickets, offers them to
// agents, hands waiting tickets to agents with room, and moves tickets
// between agents and queues on request. It reads the queue settings
// (Settings) and changes none of them.
type Router struct {
	db       *db.DB
	settings *Settings
	log      *slog.Logger
	events   Emitter
	// capChannels and capValues are the default channel capacities as the
	// decision statements take them (capsLists).
	capChannels, capValues string
	awayGrace              time.Duration
	returns                string
	tracer                 trace.Tracer
	// onHeld, when set (tests), is called before AssignWaiting waits for
	// tickets other transactions held (n: the wait's number).
	onHeld func(n int)
}

// New returns a Router.
func New(o Opts) *Router {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ReturnTickets == "" {
		o.ReturnTickets = ReturnUnstarted
	}
	if o.Events == nil {
		o.Events = discard{}
	}
	r := &Router{db: o.DB, settings: o.Settings, log: o.Log, events: o.Events, awayGrace: o.AwayGrace, returns: o.ReturnTickets,
		tracer: o.Tracer}
	r.capChannels, r.capValues = capsLists(o.Settings.chanCaps)
	return r
}

type discard struct{}

func (discard) Emit(bus.Event) {}

// Filing is where a new ticket goes: its queue (the regional queue of the
// contact's province when one exists), its priority after the rules and
// its SLA due times (zero: no target).
type Filing struct {
	QueueID          int64
	Priority         domain.Priority
	FirstResponseDue time.Time
	ResolutionDue    time.Time
}

// NewTicket is a ticket about to be stored, for File.
type NewTicket struct {
	Ticket    // ID zero; Channel as it will be stored
	Subject   string
	ContactID int64
	// CreatedAt is the created_at it will be stored with (zero: now);
	// repeat-contact windows are measured back from it.
	CreatedAt time.Time
}

// File decides where new tickets go before they are stored, so the caller
// writes each ticket once, with its queue, priority and due times, and
// passes the result to RouteNew (Ticket.Filed). It reads only (the queue
// settings and, for repeat-contact rules, the contact's other tickets; the
// other tickets of the batch count too, as they will be stored with it).
// A repeat-contact rule counts the same tickets whether they are stored
// already or come in the same batch: those created within its window
// before the new ticket's CreatedAt, or after it.
func (r *Router) File(ctx context.Context, tx *gorm.DB, tickets []NewTicket, now time.Time) ([]Filing, error) {
	tx = tx.WithContext(ctx)
	conf, err := r.settings.conf(ctx)
	if err != nil {
		return nil, err
	}
	created := func(t NewTicket) time.Time {
		if t.CreatedAt.IsZero() {
			return now
		}
		return t.CreatedAt
	}
	byContact := map[int64][]int{}
	for i, t := range tickets {
		byContact[t.ContactID] = append(byContact[t.ContactID], i)
	}
	out := make([]Filing, len(tickets))
	for i, t := range tickets {
		var others []time.Time // the contact's other tickets of the batch
		for _, j := range byContact[t.ContactID] {
			if j != i {
				others = append(others, created(tickets[j]))
			}
		}
		p, err := r.priority(tx, ticketFacts{Channel: t.Channel, Category: t.Category, Subject: t.Subject,
			ContactID: t.ContactID, CreatedAt: created(t)}, others, now)
		if err != nil {
			return nil, err
		}
		qid, err := r.place(ctx, tx, conf, t.Ticket)
		if err != nil {
			return nil, err
		}
		out[i] = r.filing(conf.byID[qid], qid, p, now)
	}
	return out, nil
}

// place is the queue of a new ticket: the one it was filed in or the
// channel asked for, else its category's; routed by category, a regional
// queue of the contact's province takes it instead, or a national queue
// made for the category (see regional).
func (r *Router) place(ctx context.Context, tx *gorm.DB, conf *confSet, t Ticket) (int64, error) {
	if t.ID != 0 && t.QueueID != 0 {
		return t.QueueID, nil // a ticket routed again (reactivated) stays in its queue
	}
	// A queue the channel asked for, and got, is kept.
	qid, asked := t.QueueID, false
	if qid == 0 {
		var err error
		if qid, asked, err = r.settings.queueFor(ctx, tx, t.Queue, t.Category); err != nil {
			return 0, err
		}
	} else if t.Queue != "" {
		id, err := r.settings.lookupQueue(ctx, tx, t.Queue)
		asked = err == nil && id == qid
	}
	if !asked {
		// Routed by category: a regional queue may take it instead.
		if byCat, err := r.settings.lookupQueue(ctx, tx, r.settings.QueueCode(t.Category)); err == nil && byCat == qid {
			if reg := conf.regional(qid, r.settings.NamesQueue(t.Category), t.Channel, t.Category, t.Province); reg != 0 {
				qid = reg
			}
		}
	}
	return qid, nil
}

// RouteNew puts new tickets in their queues (the regional queue of the
// contact's province when one exists), applies the priority rules, starts
// their SLA clocks and assigns each to the best candidate of its queue by
// the queue's strategy, inside the caller's tx. Tickets stored already
// filed (Ticket.Filed, from File) keep their filing and are not written
// again. It returns one Assignment per ticket, in order.
func (r *Router) RouteNew(ctx context.Context, tx *gorm.DB, tickets []Ticket) ([]Assignment, error) {
	return r.routeNew(ctx, tx, tickets, false)
}

// RouteLocked is RouteNew for a caller that has already locked, in this
// tx, every member of the filed tickets' queues (LockAgents, as ingest
// does before routing a batch). RouteNew's lock of the online members
// with room would then take no new lock and only cost a statement, so it
// is skipped: the candidates are read as RouteNew reads them (online,
// with room), under the caller's locks. A ticket not filed yet may be
// placed in a queue the caller did not lock: with one, the members are
// locked as RouteNew locks them.
func (r *Router) RouteLocked(ctx context.Context, tx *gorm.DB, tickets []Ticket) ([]Assignment, error) {
	return r.routeNew(ctx, tx, tickets, true)
}

func (r *Router) routeNew(ctx context.Context, tx *gorm.DB, tickets []Ticket, membersLocked bool) ([]Assignment, error) {
	if len(tickets) == 0 {
		return nil, nil
	}
	tx = tx.WithContext(ctx)
	conf, err := r.settings.conf(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var unfiled []Ticket
	for _, t := range tickets {
		if t.Filed == nil {
			unfiled = append(unfiled, t)
		}
	}
	prios, chans, err := r.priorities(tx, unfiled, now)
	if err != nil {
		return nil, err
	}
	out := make([]Assignment, len(tickets))
	type group struct {
		queue   int64
		channel string
	}
	byGroup := map[group][]int{}
	var order []group
	var filings []filing
	prio := make([]domain.Priority, len(tickets))
	u := 0
	for i, t := range tickets {
		var qid int64
		if t.Filed != nil {
			qid, prio[i] = t.Filed.QueueID, t.Filed.Priority
		} else {
			t.Channel, prio[i] = chans[u], prios[u]
			u++
			if qid, err = r.place(ctx, tx, conf, t); err != nil {
				return nil, err
			}
			filings = append(filings, filing{id: t.ID, Filing: r.filing(conf.byID[qid], qid, prio[i], now)})
		}
		out[i] = Assignment{TicketID: t.ID, QueueID: qid}
		g := group{qid, t.Channel}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	if err := fileTickets(tx, filings, now); err != nil {
		return nil, err
	}
	// Queues in id order, so instances lock agent rows in one order.
	sort.Slice(order, func(i, j int) bool {
		if order[i].queue != order[j].queue {
			return order[i].queue < order[j].queue
		}
		return order[i].channel < order[j].channel
	})
	// Every candidate agent of the batch is locked in one statement in id
	// order, so instances routing batches into overlapping queues wait for
	// each other instead of deadlocking.
	queueIDs := make([]int64, 0, len(order))
	for _, g := range order {
		if len(queueIDs) == 0 || queueIDs[len(queueIDs)-1] != g.queue {
			queueIDs = append(queueIDs, g.queue)
		}
	}
	var locked map[int64]bool // nil: every candidate read is locked
	if !membersLocked || len(unfiled) > 0 {
		if locked, err = lockMembers(tx, r.db.Dialect, queueIDs); err != nil {
			return nil, err
		}
	}
	for _, g := range order {
		strategy, skills := StrategyLeastBusy, []string(nil)
		if q := conf.byID[g.queue]; q != nil {
			strategy, skills = q.Strategy, q.Skills
		}
		all, err := readCandidates(tx, g.queue, g.channel, r.settings.channelCap(g.channel), skills, 0)
		if err != nil {
			return nil, err
		}
		cands := all
		if locked != nil {
			cands = all[:0]
			for _, c := range all {
				if locked[c.ID] {
					cands = append(cands, c)
				}
			}
		}
		// Most urgent first within the batch, then arrival order.
		idx := byGroup[g]
		sort.SliceStable(idx, func(a, b int) bool { return prio[idx[a]].Rank() < prio[idx[b]].Rank() })
		for _, i := range idx {
			agent, err := r.assignBest(tx, &cands, strategy, tickets[i].ID, g.queue, g.channel, now)
			if err != nil {
				return nil, err
			}
			out[i].AgentID = agent
			if len(cands) == 0 {
				break
			}
		}
	}
	return out, nil
}

// Reactivate handles tickets that were solved and got a new citizen
// message. A ticket keeps its agent when the agent has room (presence does
// not matter: the citizen continues with the person who knows the case);
// otherwise it loses the assignee and is routed like a new ticket. A
// ticket whose queue was removed (archived) goes to its category's queue.
//
//	SELECT t.channel, q.archived_at IS NOT NULL FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id = ?
//	UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity
//	UPDATE agent_channel_loads SET active_load = active_load + 1 WHERE … AND active_load < capacity
//	UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?
func (r *Router) Reactivate(ctx context.Context, tx *gorm.DB, tickets []Reactivated) ([]Assignment, error) {
	tx = tx.WithContext(ctx)
	now := time.Now().UTC()
	var (
		out   []Assignment
		again []Ticket
	)
	for _, t := range tickets {
		var rows []struct {
			Channel  string
			Archived int
		}
		if err := tx.Raw(`SELECT t.channel, CASE WHEN q.archived_at IS NULL THEN 0 ELSE 1 END AS archived
FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id = ?`, t.ID).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("%w: ticket channel: %w", ErrStore, err)
		}
		archived := len(rows) == 1 && rows[0].Archived == 1
		if len(rows) == 1 {
			t.Channel = rows[0].Channel
		}
		if archived {
			t.QueueID = 0 // routed again by its category
		}
		if t.AssigneeID != 0 {
			kept, err := reclaim(tx, t.AssigneeID)
			if err != nil {
				return nil, err
			}
			if kept {
				ch, err := raiseChannel(tx, t.AssigneeID, t.Channel, r.settings.channelCap(t.Channel))
				if err != nil {
					return nil, err
				}
				if ch {
					if archived {
						if t.QueueID, err = r.settings.QueueFor(ctx, tx, "", t.Category); err != nil {
							return nil, err
						}
						if err := setQueue(tx, t.QueueID, []int64{t.ID}, now); err != nil {
							return nil, err
						}
					}
					out = append(out, Assignment{TicketID: t.ID, QueueID: t.QueueID, AgentID: t.AssigneeID})
					continue
				}
				if err := lowerLoad(tx, t.AssigneeID); err != nil {
					return nil, err
				}
			}
			if err := unassign(tx, t.ID, t.AssigneeID, now); err != nil {
				return nil, err
			}
		}
		again = append(again, t.Ticket)
	}
	routed, err := r.RouteNew(ctx, tx, again)
	if err != nil {
		return nil, err
	}
	return append(out, routed...), nil
}

// Reopen is Reactivate for one ticket an agent moved back to
// new/open/pending (the ticket service's Loads).
func (r *Router) Reopen(ctx context.Context, tx *gorm.DB, t ticket.Reopened) error {
	_, err := r.Reactivate(ctx, tx, []Reactivated{{Ticket: Ticket{ID: t.ID, Category: t.Category, Channel: t.Channel, QueueID: t.QueueID},
		AssigneeID: t.AssigneeID}})
	return err
}

// Release lowers the load of the ticket's assignee by one (overall and on
// the ticket's channel), never below zero, and changes nothing else. Call
// it in the transaction that moves an assigned ticket out of
// new/open/pending (solved, closed) or that clears its assignee — before
// clearing it, since the assignee is read from the ticket — and only on
// that transition, so a ticket is released once. After commit,
// AssignWaiting(agent) hands the freed capacity out.
func (r *Router) Release(ctx context.Context, tx *gorm.DB, ticketID int64) error {
	return release(tx.WithContext(ctx), ticketID)
}

// outcome of one attempt to give a ticket to an agent.
type outcome int

const (
	assigned    outcome = iota
	agentFull           // presence or overall capacity refused
	channelFull         // no room on the ticket's channel
	ticketTaken         // another agent has the ticket
)

// take gives a ticket to an agent inside tx with the three conditional
// statements, undoing the raised loads when a later one refuses, so tx
// stays usable for further attempts. turn records a round-robin turn.
func (r *Router) take(tx *gorm.DB, agentID, ticketID, queueID int64, channel, presence string, turn bool, now time.Time) (outcome, error) {
	var (
		res outcome
		err error
	)
	if r.db.Dialect == db.Postgres {
		res, err = takeOneStatement(tx, agentID, ticketID, queueID, channel, r.settings.channelCap(channel), presence, now)
	} else {
		res, err = takeStepByStep(tx, agentID, ticketID, queueID, channel, r.settings.channelCap(channel), presence, now)
	}
	if err != nil || res != assigned || !turn {
		return res, err
	}
	return res, takeTurn(tx, queueID, agentID, now)
}

// takeStepByStep runs the three conditional statements one by one.
func takeStepByStep(tx *gorm.DB, agentID, ticketID, queueID int64, channel string, defCap int, presence string, now time.Time) (outcome, error) {
	up, err := raiseLoadIf(tx, agentID, presence, now)
	if err != nil || !up {
		return agentFull, err
	}
	ch, err := raiseChannel(tx, agentID, channel, defCap)
	if err != nil {
		return agentFull, err
	}
	if !ch {
		return channelFull, lowerLoad(tx, agentID)
	}
	return claimOrUndo(tx, agentID, ticketID, queueID, channel, now)
}

// claimOrUndo is the third statement: on refusal the two raised loads are
// given back.
func claimOrUndo(tx *gorm.DB, agentID, ticketID, queueID int64, channel string, now time.Time) (outcome, error) {
	ok, err := claimTicket(tx, ticketID, agentID, queueID, now)
	if err != nil {
		return agentFull, err
	}
	if !ok {
		if err := lowerChannel(tx, agentID, channel); err != nil {
			return agentFull, err
		}
		return ticketTaken, lowerLoad(tx, agentID)
	}
	return assigned, nil
}

// takeTurn records a round-robin turn when the queue hands out by turns.
func (r *Router) takeTurn(tx *gorm.DB, q *queueConf, agentID int64, now time.Time) error {
	if !roundRobin(q) {
		return nil
	}
	return takeTurn(tx, q.ID, agentID, now)
}

func roundRobin(q *queueConf) bool { return q != nil && q.Strategy == StrategyRoundRobin }

// assignBest tries candidates best first until one accepts; cands is
// updated as loads change and emptied of agents that are full.
func (r *Router) assignBest(tx *gorm.DB, cands *[]candidate, strategy string, ticketID, queueID int64, channel string, now time.Time) (int64, error) {
	for len(*cands) > 0 {
		c := *cands
		sortCandidates(c, strategy)
		best := &c[0]
		res, err := r.take(tx, best.ID, ticketID, queueID, channel, onlyOnline, strategy == StrategyRoundRobin, now)
		if err != nil {
			return 0, err
		}
		switch res {
		case agentFull, channelFull: // went offline or full meanwhile
			*cands = c[1:]
			continue
		case ticketTaken:
			return 0, nil
		}
		best.ActiveLoad++
		best.ChLoad++
		t := now
		best.LastAssignedAt, best.TurnAt = &t, &t
		if best.ActiveLoad >= best.Capacity || best.ChLoad >= best.ChCapacity {
			*cands = c[1:]
		}
		return best.ID, nil
	}
	return 0, nil
}
