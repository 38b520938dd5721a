package consolews

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/realtime"
	"tanggap/internal/ticket"
)

// Who receives an event (the scope rule):
//   - an event about a ticket (it carries ticket_id): admins; agents and
//     supervisors who are members of the ticket's queue, or of the queue
//     the event moved it out of (previous_queue_id); the ticket's
//     assignee; and the agent the event took it from
//     (previous_assignee_id), so whoever lost a ticket hears it;
//   - agent events (agent.presence): every signed-in console, since any of
//     them may transfer to that agent;
//   - role events (role.updated): admins; the consoles of that role's
//     holders are re-scoped at once (rescope);
//   - queue events (queue.metrics): supervisors and admins;
//   - complaint ceiling events (complaint.escalated, complaint.warning):
//     the ticket's audience and every supervisor and admin;
//   - notification events: only the consoles of recipient_id, and only
//     while that agent may see the event's ticket (deliverTo);
//   - anything else: admins only.
//
// The event's own scope fields decide. The payload goes out unchanged.

// eventScope is the little of an event the filter reads. queue_id and
// assignee_id are pointers: an event that lacks them (some publishers
// today) is resolved from the ticket, see resolve.
type eventScope struct {
	TicketID         int64  `json:"ticket_id"`
	QueueID          *int64 `json:"queue_id"`
	AssigneeID       *int64 `json:"assignee_id"`
	PreviousAssignee int64  `json:"previous_assignee_id"`
	PreviousQueue    int64  `json:"previous_queue_id"`
	AgentID          int64  `json:"agent_id"`     // agent events: whose
	Role             string `json:"role"`         // role events: which
	RecipientID      int64  `json:"recipient_id"` // notification events: for whom
}

// scope is a ticket's audience at the time of one event.
type scope struct {
	queue, assignee, previous int64
	previousQueue             int64 // of this event only, never cached
}

// mayView is the scope rule for one agent (also used for view frames).
func mayView(a agent.Agent, s scope) bool {
	if a.Can(permission.QueuesAll) {
		return true
	}
	if (s.assignee != 0 && s.assignee == a.ID) || (s.previous != 0 && s.previous == a.ID) {
		return true
	}
	for _, q := range a.QueueIDs {
		if (s.queue != 0 && q == s.queue) || (s.previousQueue != 0 && q == s.previousQueue) {
			return true
		}
	}
	return false
}

// onEvent is the events subscription's callback: nats.go calls it on one
// goroutine per subscription, in order, so events reach each console in
// the order this instance received them.
func (g *Gateway) onEvent(m *nats.Msg) {
	defer g.eventDone()
	if g.closing.Load() {
		return
	}
	name, ok := g.o.Names.EventName(m.Subject)
	if !ok {
		return
	}
	var es eventScope
	if err := json.Unmarshal(m.Data, &es); err != nil {
		g.o.Log.Warn("console event not JSON", "event", name, "err", err)
		return
	}
	if span := g.pushSpan(m, name); span != nil {
		defer span.End()
	}
	entity, action, _ := strings.Cut(name, ".")
	// Encoded once, the same bytes for every console.
	frame := realtime.Prepare(eventFrame(name, m.Data))
	switch {
	case entity == bus.EntityNotification:
		g.deliverTo(frame, es.RecipientID, g.resolve(entity, es))
	case entity == bus.EntityComplaint && action != bus.ActionUpdated:
		// Ceiling warnings and escalations: supervisors' and admins'
		// boards, and the ticket's audience.
		g.deliver(frame, g.resolve(entity, es), g.boards)
	case es.TicketID > 0:
		g.deliver(frame, g.resolve(entity, es))
	case entity == bus.EntityAgent:
		g.deliverAll(frame)
		if es.AgentID > 0 {
			g.requestRecheck(es.AgentID)
		}
	case entity == bus.EntityQueue, entity == bus.EntityCall:
		g.deliverSet(frame, g.boards)
	case entity == bus.EntityRole:
		g.deliverSet(frame, g.admins)
		if es.Role != "" {
			g.requestRoleRecheck(domain.Role(es.Role))
		}
	default:
		g.deliverSet(frame, g.admins)
	}
}

// deliver sends a ticket event to its audience, and to every console of
// the extra sets, once per console.
func (g *Gateway) deliver(frame realtime.Prepared, s scope, extra ...map[*viewer]struct{}) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	g.epoch++
	e := g.epoch
	send := func(set map[*viewer]struct{}) {
		for v := range set {
			if v.seen != e {
				v.seen = e
				g.queue(v, frame)
			}
		}
	}
	send(g.admins)
	if s.queue != 0 {
		send(g.byQueue[s.queue])
	}
	if s.previousQueue != 0 {
		send(g.byQueue[s.previousQueue])
	}
	if s.assignee != 0 {
		send(g.byAgent[s.assignee])
	}
	if s.previous != 0 {
		send(g.byAgent[s.previous])
	}
	for _, set := range extra {
		send(set)
	}
}

// deliverTo sends an event meant for one agent to that agent's consoles,
// if the agent may see the ticket it concerns.
func (g *Gateway) deliverTo(frame realtime.Prepared, agentID int64, s scope) {
	if agentID == 0 {
		return
	}
	for _, v := range g.viewersOf(agentID) {
		if mayView(g.agentOf(v), s) {
			g.queue(v, frame)
		}
	}
}

func (g *Gateway) deliverSet(frame realtime.Prepared, set map[*viewer]struct{}) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for v := range set {
		g.queue(v, frame)
	}
}

func (g *Gateway) deliverAll(frame realtime.Prepared) { g.deliverSet(frame, g.viewers) }

// A run of events is held (their frames queued, no writer started) while
// further events wait in the subscription, for at most maxHold from the
// first one held, or maxHeld events. A console whose queue is half full
// has its writer started at once, whatever the run: holding alone never
// fills a console's queue.
//
// Why by time: the ingest publishes a committed batch's events together,
// so events come in bursts (up to some 200 in 100 ms at 500 citizen
// messages/s). A write to a socket costs about as much whether it carries
// one frame or several (the system call and the kernel's TCP work: half
// of the server's CPU under BenchmarkConsoleFanoutIngest), and every
// console in a burst's queues gets one write per flush. Cut every 16
// events, a burst cost each of them a write per cut, and the burst's last
// events waited behind all of them (the slowest frames were late already
// at their flush). A lone event is still written at once.
const (
	maxHold = 5 * time.Millisecond
	maxHeld = 512
)

// queue puts an event's frame in v's send queue without starting its
// writer: eventDone starts the writers of every console queued to once
// the events that arrived together are all queued, and each writer then
// puts its console's run on the socket in one system call (one write per
// console per run of events instead of one per frame). A console whose
// queue is half full gets its writer started now. Only the events
// callback calls it.
func (g *Gateway) queue(v *viewer, frame realtime.Prepared) {
	if !v.conn.Queue(frame) {
		return
	}
	if waiting, limit := v.conn.Backlog(); waiting*2 >= limit {
		v.conn.Flush()
	}
	if !v.queued {
		v.queued = true
		g.dirty = append(g.dirty, v)
	}
}

// eventDone ends the handling of one event: when no further event waits
// in the subscription, or the run held is maxHold old or maxHeld long,
// the writers of the consoles queued to start. A run of events published
// together (a committed ingest batch) thus reaches each console in one
// write, and a lone event is written at once.
func (g *Gateway) eventDone() {
	if g.held == 0 {
		g.heldSince = time.Now()
	}
	g.held++
	if g.held < maxHeld && g.eventsWaiting() && time.Since(g.heldSince) < maxHold {
		return
	}
	g.held = 0
	for i, v := range g.dirty {
		v.queued = false
		v.conn.Flush()
		g.dirty[i] = nil
	}
	g.dirty = g.dirty[:0]
}

// eventsWaiting reports whether another event is already waiting in the
// events subscription. nats.go counts the message being handled as
// pending until its callback returns, so another one waits when more
// than one is pending; were it counted out sooner, a run would only be
// flushed one event early, never held.
func (g *Gateway) eventsWaiting() bool {
	sub := g.events.Load()
	if sub == nil {
		return false
	}
	n, _, err := sub.Pending()
	return err == nil && n > 1
}

// resolve is the audience of a ticket event. An event that carries
// queue_id and assignee_id is taken at its word (and remembered for the
// ticket). One that lacks either is resolved with ONE indexed read of the
// ticket (by primary key), kept in a small LRU: a later event of the same
// ticket that carries the fields replaces the entry, and a later ticket.*
// event without them drops it first (it may have moved the ticket), so
// the cache never outlives a change it was told about. Once every
// publisher sends the catalog's scope fields, the read never happens.
//
// Only the events that describe the ticket as it is now (ticket.*,
// message.*, sla.*: published with the ticket's current queue and
// assignee) are remembered. Others carry the scope of their own moment
// (a satisfaction event names the queue and agent the ticket was solved
// in, which it may have left since): they are delivered by it, and a
// later event without the fields is not.
func (g *Gateway) resolve(entity string, es eventScope) scope {
	if es.QueueID != nil && es.AssigneeID != nil {
		s := scope{queue: *es.QueueID, assignee: *es.AssigneeID}
		if entity == bus.EntityTicket || entity == bus.EntityMessage || entity == bus.EntitySLA {
			g.scopes.put(es.TicketID, s)
		}
		s.previous, s.previousQueue = es.PreviousAssignee, es.PreviousQueue
		return s
	}
	if entity == "ticket" {
		g.scopes.drop(es.TicketID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, _ := g.scopeOf(ctx, es.TicketID) // unknown: admins only
	if es.QueueID != nil {
		s.queue = *es.QueueID
	}
	if es.AssigneeID != nil {
		s.assignee = *es.AssigneeID
	}
	s.previous, s.previousQueue = es.PreviousAssignee, es.PreviousQueue
	return s
}

// scopeOf is a ticket's queue and assignee from the cache or one read.
func (g *Gateway) scopeOf(ctx context.Context, id int64) (scope, bool) {
	if s, ok := g.scopes.get(id); ok {
		return s, true
	}
	ts, err := g.o.Scopes.Scope(ctx, id)
	if err != nil {
		if !errors.Is(err, ticket.ErrNotFound) {
			g.o.Log.Warn("console ticket scope", "ticket", id, "err", err)
		}
		return scope{}, false
	}
	s := scope{queue: ts.QueueID, assignee: ts.AssigneeID}
	g.scopes.put(id, s)
	return s, true
}

// scopeCache is a small LRU of tickets' queue and assignee.
type scopeCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are *scopeEntry
	byID  map[int64]*list.Element
}

type scopeEntry struct {
	id int64
	s  scope
}

func newScopeCache(max int) *scopeCache {
	return &scopeCache{max: max, order: list.New(), byID: map[int64]*list.Element{}}
}

func (c *scopeCache) get(id int64) (scope, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byID[id]
	if e == nil {
		return scope{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*scopeEntry).s, true
}

func (c *scopeCache) put(id int64, s scope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.byID[id]; e != nil {
		e.Value.(*scopeEntry).s = s
		c.order.MoveToFront(e)
		return
	}
	c.byID[id] = c.order.PushFront(&scopeEntry{id: id, s: s})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*scopeEntry).id)
	}
}

func (c *scopeCache) drop(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.byID[id]; e != nil {
		c.order.Remove(e)
		delete(c.byID, id)
	}
}
