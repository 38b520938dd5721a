// Package routing puts tickets in queues and gives them to agents. It is
// the one place that changes agents.active_load and tickets.assignee_id
// together, so the assignment invariant lives here:
//
//	No ticket is ever assigned to two agents, and no agent goes over
//	capacity, however many core instances run.
//
// It is kept by two conditional statements and nothing else (no
// read-then-write in Go): an agent's load is only raised by
//
//	UPDATE agents SET active_load = active_load + 1, last_assigned_at = ?
//	WHERE id = ? AND presence = 'online' AND active_load < capacity
//
// and a ticket only gets an assignee by
//
//	UPDATE tickets SET assignee_id = ?, queue_id = ?, updated_at = ?
//	WHERE id = ? AND assignee_id IS NULL
//
// both in the same transaction; if the second touches no row the first is
// undone before commit. The database evaluates each WHERE on the latest
// committed row under a row lock (PostgreSQL re-checks it after waiting
// for a concurrent writer; SQLite has one writer at a time), so two
// instances can never both pass. active_load counts the agent's tickets in
// new/open/pending; Release lowers it when one leaves that set.
//
// Strategy (this milestone): a ticket goes to the queue of its category
// (or the default queue) and to the online member of that queue with the
// lowest load/capacity, ties to the one who waited longest since their
// last assignment (never assigned first). Tickets nobody can take wait in
// the queue; AssignWaiting hands them out when an agent comes online or
// frees capacity. Ticket status is not touched: a ticket stays "new" until
// an agent first replies.
package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// Opts configures a Router.
type Opts struct {
	DB *db.DB
	// CategoryQueues maps a complaint category code to a queue code.
	CategoryQueues map[string]string
	// DefaultQueue takes every ticket whose category has no queue.
	DefaultQueue string
	Log          *slog.Logger
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
	// QueueID, when the caller already stored the ticket with the queue
	// from QueueFor, saves RouteNew an UPDATE.
	QueueID int64
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

// Router routes tickets.
type Router struct {
	db         *db.DB
	categories map[string]string
	def        string
	log        *slog.Logger

	mu     sync.RWMutex
	queues map[string]int64 // code → id, filled by EnsureQueues and lookups
}

// New returns a Router.
func New(o Opts) *Router {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	cats := make(map[string]string, len(o.CategoryQueues))
	for k, v := range o.CategoryQueues {
		cats[k] = v
	}
	return &Router{db: o.DB, categories: cats, def: o.DefaultQueue, log: o.Log, queues: map[string]int64{}}
}

// EnsureQueues creates or renames the given queues (safe on every start
// and from several instances at once) and checks that the default queue and
// every category's queue exist.
func (r *Router) EnsureQueues(ctx context.Context, specs []QueueSpec) error {
	if r.def == "" {
		return fmt.Errorf("%w: no default queue", ErrConfig)
	}
	tx := r.db.WithContext(ctx)
	if err := upsertQueues(tx, specs, time.Now().UTC()); err != nil {
		return err
	}
	all, err := loadQueues(tx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	for code, id := range all {
		r.queues[code] = id
	}
	r.mu.Unlock()
	var missing []string
	if _, ok := all[r.def]; !ok {
		missing = append(missing, r.def)
	}
	for cat, code := range r.categories {
		if _, ok := all[code]; !ok {
			missing = append(missing, code+" (category "+cat+")")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%w: queues not declared: %v", ErrUnknownQueue, missing)
	}
	return nil
}

// QueueID returns the id of a queue known to this router (declared by
// EnsureQueues or met while routing).
func (r *Router) QueueID(code string) (int64, error) {
	r.mu.RLock()
	id, ok := r.queues[code]
	r.mu.RUnlock()
	if !ok {
		return 0, fmt.Errorf("queue %q: %w", code, ErrUnknownQueue)
	}
	return id, nil
}

// QueueCode returns the queue code for a category.
func (r *Router) QueueCode(category string) string {
	if code, ok := r.categories[category]; ok {
		return code
	}
	return r.def
}

// QueueFor returns the queue id for a ticket: the queue the channel asked
// for (want, e.g. a business number's or the callback queue) when it
// exists, else the category's queue, else the default. It reads the
// database in tx when this router has not met the queue yet. A wanted
// queue that does not exist is not an error: the ticket still gets routed
// by its category, so no message waits on a configuration mistake.
func (r *Router) QueueFor(ctx context.Context, tx *gorm.DB, want, category string) (int64, error) {
	if want != "" {
		id, err := r.lookupQueue(ctx, tx, want)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ErrUnknownQueue) {
			return 0, err
		}
		r.log.Warn("requested queue does not exist; routing by category", "queue", want, "category", category)
	}
	return r.lookupQueue(ctx, tx, r.QueueCode(category))
}

// lookupQueue finds a queue id by code, remembering it.
func (r *Router) lookupQueue(ctx context.Context, tx *gorm.DB, code string) (int64, error) {
	if id, err := r.QueueID(code); err == nil {
		return id, nil
	}
	id, err := findQueue(tx.WithContext(ctx), code)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.queues[code] = id
	r.mu.Unlock()
	return id, nil
}

// RouteNew puts new tickets in their queues and assigns each to the
// least-loaded online agent of its queue, inside the caller's tx. It
// returns one Assignment per ticket, in order.
func (r *Router) RouteNew(ctx context.Context, tx *gorm.DB, tickets []Ticket) ([]Assignment, error) {
	if len(tickets) == 0 {
		return nil, nil
	}
	tx = tx.WithContext(ctx)
	now := time.Now().UTC()
	out := make([]Assignment, len(tickets))
	unqueued := map[int64][]int64{} // queue → tickets stored without it
	byQueue := map[int64][]int{}    // queue → indexes into tickets
	var order []int64
	for i, t := range tickets {
		qid := t.QueueID
		if qid == 0 {
			var err error
			if qid, err = r.QueueFor(ctx, tx, t.Queue, t.Category); err != nil {
				return nil, err
			}
			unqueued[qid] = append(unqueued[qid], t.ID)
		}
		out[i] = Assignment{TicketID: t.ID, QueueID: qid}
		if _, ok := byQueue[qid]; !ok {
			order = append(order, qid)
		}
		byQueue[qid] = append(byQueue[qid], i)
	}
	for qid, ids := range unqueued {
		if err := setQueue(tx, qid, ids, now); err != nil {
			return nil, err
		}
	}
	// Queues in id order, so instances lock agent rows in one order.
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, qid := range order {
		cands, err := lockCandidates(tx, r.db.Dialect, qid)
		if err != nil {
			return nil, err
		}
		for _, i := range byQueue[qid] {
			agent, err := assignBest(tx, &cands, tickets[i].ID, qid, now)
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
// otherwise it loses the assignee and is routed like a new ticket.
//
//	UPDATE agents SET active_load = active_load + 1 WHERE id = ? AND active_load < capacity
//	UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ? AND assignee_id = ?
func (r *Router) Reactivate(ctx context.Context, tx *gorm.DB, tickets []Reactivated) ([]Assignment, error) {
	tx = tx.WithContext(ctx)
	now := time.Now().UTC()
	var (
		out   []Assignment
		again []Ticket
	)
	for _, t := range tickets {
		if t.AssigneeID != 0 {
			kept, err := reclaim(tx, t.AssigneeID)
			if err != nil {
				return nil, err
			}
			if kept {
				out = append(out, Assignment{TicketID: t.ID, QueueID: t.QueueID, AgentID: t.AssigneeID})
				continue
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

// Release lowers the load of the ticket's assignee by one, never below
// zero, and changes nothing else. Call it in the transaction that moves an
// assigned ticket out of new/open/pending (solved, closed) or that clears
// its assignee — before clearing it, since the assignee is read from the
// ticket — and only on that transition, so a ticket is released once.
// After commit, AssignWaiting(agent) hands the freed capacity out.
func (r *Router) Release(ctx context.Context, tx *gorm.DB, ticketID int64) error {
	return release(tx.WithContext(ctx), ticketID)
}

// AssignWaiting gives an online agent the waiting tickets of their queues
// (unassigned, new/open/pending; most urgent, then oldest first) up to
// their free capacity, one transaction per ticket with the same
// conditional statements as RouteNew. It returns the tickets assigned.
// Call it after an agent comes online or after a Release committed.
func (r *Router) AssignWaiting(ctx context.Context, agentID int64) ([]int64, error) {
	var assigned []int64
	// A ticket taken meanwhile by another instance is skipped; the loop
	// then reads the next waiting ones, a bounded number of rounds.
	for round := 0; round < 5; round++ {
		room, err := freeRoom(r.db.WithContext(ctx), agentID)
		if err != nil || room == 0 {
			return assigned, err
		}
		waiting, err := waitingFor(r.db.WithContext(ctx), agentID, room)
		if err != nil || len(waiting) == 0 {
			return assigned, err
		}
		progress := false
		for _, w := range waiting {
			ok, full, err := r.assignOne(ctx, agentID, w)
			if err != nil {
				return assigned, err
			}
			if full {
				return assigned, nil
			}
			if ok {
				assigned = append(assigned, w.ID)
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	return assigned, nil
}

// assignOne gives one waiting ticket to an agent in its own transaction.
// full reports that the agent can take no more (offline or at capacity).
func (r *Router) assignOne(ctx context.Context, agentID int64, w waitingTicket) (ok, full bool, err error) {
	now := time.Now().UTC()
	err = r.db.Tx(ctx, func(tx *gorm.DB) error {
		up, err := raiseLoad(tx, agentID, now)
		if err != nil {
			return err
		}
		if !up {
			full = true
			return nil
		}
		ok, err = claimTicket(tx, w.ID, agentID, w.QueueID, now)
		if err != nil {
			return err
		}
		if !ok {
			return errTaken // roll back the raised load
		}
		return nil
	})
	if errors.Is(err, errTaken) {
		return false, false, nil
	}
	return ok, full, err
}

// assignBest tries candidates best first until one accepts; cands is
// updated as loads change and is emptied of agents that are full.
func assignBest(tx *gorm.DB, cands *[]candidate, ticketID, queueID int64, now time.Time) (int64, error) {
	for len(*cands) > 0 {
		c := *cands
		sortCandidates(c)
		best := &c[0]
		up, err := raiseLoad(tx, best.ID, now)
		if err != nil {
			return 0, err
		}
		if !up { // went offline or full meanwhile: next candidate
			*cands = c[1:]
			continue
		}
		ok, err := claimTicket(tx, ticketID, best.ID, queueID, now)
		if err != nil {
			return 0, err
		}
		if !ok {
			// Someone assigned the ticket first: give the load back.
			return 0, lowerLoad(tx, best.ID)
		}
		id := best.ID
		best.ActiveLoad++
		t := now
		best.LastAssignedAt = &t
		if best.ActiveLoad >= best.Capacity {
			*cands = c[1:]
		}
		return id, nil
	}
	return 0, nil
}

// candidate is an online agent of a queue with room.
type candidate struct {
	ID             int64
	Capacity       int
	ActiveLoad     int
	LastAssignedAt *time.Time
}

// sortCandidates orders by load/capacity, then longest since last
// assignment (never assigned first), then id.
func sortCandidates(c []candidate) {
	sort.SliceStable(c, func(i, j int) bool {
		a, b := c[i], c[j]
		if l, r := a.ActiveLoad*b.Capacity, b.ActiveLoad*a.Capacity; l != r {
			return l < r
		}
		switch {
		case a.LastAssignedAt == nil && b.LastAssignedAt != nil:
			return true
		case a.LastAssignedAt != nil && b.LastAssignedAt == nil:
			return false
		case a.LastAssignedAt != nil && !a.LastAssignedAt.Equal(*b.LastAssignedAt):
			return a.LastAssignedAt.Before(*b.LastAssignedAt)
		}
		return a.ID < b.ID
	})
}
