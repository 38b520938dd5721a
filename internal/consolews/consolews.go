// Package consolews is the agents' push socket, GET /api/v1/ws: one
// websocket per open console on the realtime layer (internal/realtime),
// carrying the events of cc.events.> that the signed-in agent may see, and
// the collision marks (who else views or types on a ticket).
//
// Guarantees, and what keeps them:
//   - Only a live session connects: the request passed the API's session
//     check before the upgrade (401 otherwise), and a cookie session must
//     come from a page of this site (Origin). Every heartbeat the session
//     is checked again (and at once on an agent event of that agent): a
//     logged-out, expired or removed agent gets {"type":"bye"} and the
//     socket closes. The same check refreshes role and queue memberships.
//   - A role whose permissions change re-scopes its holders' consoles at
//     once, on every instance: role.updated (an event on core NATS, which
//     every gateway subscribes to) makes each gateway read those consoles'
//     sessions again before it handles the next role event, re-index them
//     under their new rights (events of a lost scope stop from the next
//     one on) and greet them again with hello, so the console refetches
//     what it shows under the new rights.
//   - No agent sees a ticket outside their scope: each event is delivered
//     through indexes of the viewers by queue and by agent id, built from
//     the session's agent (see scope.go for the rule).
//   - One subscription per instance: the events subject is subscribed
//     once and fanned out in process; a slow console is disconnected by
//     its bounded send queue, never holding up the others.
//   - Collision marks work across instances: each instance announces its
//     local marks on a core NATS subject on every change and again every
//     heartbeat; marks of an instance that went silent expire after two
//     of its heartbeats (see watch.go).
//
// The socket only pushes hints: the database stays the truth, and a
// console that (re)connects refetches what it shows. There is no replay.
package consolews

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/realtime"
	"tanggap/internal/ticket"
)

// Sessions checks the sessions of open consoles again, all at once: the
// agents of the live ones by token; an ended one is absent.
type Sessions interface {
	AuthenticateMany(ctx context.Context, tokens []string) (map[string]agent.Agent, error)
}

// Scopes reads a ticket's queue and assignee, for events that do not
// carry them.
type Scopes interface {
	Scope(ctx context.Context, ticketID int64) (ticket.Scope, error)
}

// Typing tells the citizen that an agent is (not) typing on a ticket, as
// POST /api/v1/tickets/:id/typing does.
type Typing interface {
	AgentTyping(ctx context.Context, viewer agent.Agent, ticketID int64, on bool) error
}

// Liveness records that the consoles of these agents are alive.
type Liveness interface {
	TouchMany(ctx context.Context, agentIDs []int64) error
}

// Opts configures a Gateway.
type Opts struct {
	NC       *nats.Conn
	Names    bus.Names
	Sessions Sessions
	Scopes   Scopes
	Typing   Typing
	Liveness Liveness
	// PublicURL's origin may open a socket, besides pages whose Origin
	// names the host the request was sent to.
	PublicURL string
	// Heartbeat paces the liveness touch, the session re-check and the
	// re-announce of collision marks (default 30 s).
	Heartbeat time.Duration
	// SendQueue is how many frames may wait for a slow console (default 64).
	SendQueue int
	// Realtime tunes the hub further (origins and the send queue are set
	// from above).
	Realtime realtime.Options
	Log      *slog.Logger
	// Tracer opens a span per event pushed that carries a trace (nil: none).
	Tracer trace.Tracer
}

// Gateway serves the push sockets of one instance.
type Gateway struct {
	o        Opts
	hub      *realtime.Hub
	scopes   *scopeCache
	watch    *watchers
	instance string

	// mu guards the indexes and every viewer's agent; the event dispatch
	// holds it for reading while it sends (Send never blocks).
	mu      sync.RWMutex
	viewers map[*viewer]struct{}
	byQueue map[int64]map[*viewer]struct{} // agents and supervisors, by their queues
	byAgent map[int64]map[*viewer]struct{} // everyone, by agent id
	admins  map[*viewer]struct{}           // see every event
	boards  map[*viewer]struct{}           // supervisors and admins: queue metrics

	// epoch marks the viewers one event was already sent to; dirty are
	// the viewers with frames queued whose writers are not started yet,
	// held the events handled since they last were, the first at
	// heldSince (see eventDone). Only the events subscription's callback
	// (one goroutine) touches them, viewer.seen and viewer.queued.
	epoch     uint64
	dirty     []*viewer
	held      int
	heldSince time.Time
	events    atomic.Pointer[nats.Subscription] // set once subscribed

	subs    []*nats.Subscription
	recheck chan int64
	// roles are the roles whose holders' consoles wait to be re-scoped
	// (guarded by rolesMu; rolesDue wakes Run). A set, not a bounded
	// queue, so no role change is ever dropped.
	rolesMu  sync.Mutex
	roles    map[domain.Role]struct{}
	rolesDue chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	closing  atomic.Bool
}

// viewer is one open console.
type viewer struct {
	conn   *realtime.Conn
	token  string
	id     int64  // the agent; fixed for the connection
	name   string // shown in collision marks
	a      agent.Agent
	seen   uint64 // see Gateway.epoch
	queued bool   // in Gateway.dirty
	queue  int    // its send queue when longer than Opts.SendQueue (SendQueue)

	// Collision state, guarded by watchers.mu.
	ticket   int64
	typing   bool
	lastSent string
}

// allQueuesFactor lengthens the send queue of a console that sees every
// queue (admins): it receives every event, so a burst of a busy hour (a
// committed ingest batch's events for a thousand agents) would fill the
// agents' queue length before its writer got the CPU, and the console
// would be closed as slow and refetch. A few such consoles cost a few
// KiB more each.
const allQueuesFactor = 8

// SendQueue is the viewer's send queue length for the hub
// (realtime.QueueSizer); 0 keeps the hub's.
func (v *viewer) SendQueue() int { return v.queue }

// New subscribes to the events and the collision marks of every instance.
// Run paces the heartbeat; Shutdown stops.
func New(o Opts) (*Gateway, error) {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 30 * time.Second
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 64
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ro := o.Realtime
	ro.SendQueue = o.SendQueue
	if pub, ok := realtime.NormalizeOrigin(o.PublicURL); ok {
		ro.AllowedOrigins = append([]string{pub}, ro.AllowedOrigins...)
	}
	if ro.MaxFrameBytes <= 0 {
		ro.MaxFrameBytes = 4 << 10
	}
	if ro.FramesPerSecond <= 0 {
		ro.FramesPerSecond, ro.Burst = 10, 40
	}
	if ro.Log == nil {
		ro.Log = o.Log
	}
	g := &Gateway{o: o, instance: nats.NewInbox(), scopes: newScopeCache(4096),
		viewers: map[*viewer]struct{}{}, byQueue: map[int64]map[*viewer]struct{}{},
		byAgent: map[int64]map[*viewer]struct{}{}, admins: map[*viewer]struct{}{}, boards: map[*viewer]struct{}{},
		recheck: make(chan int64, 256), stop: make(chan struct{}),
		roles: map[domain.Role]struct{}{}, rolesDue: make(chan struct{}, 1)}
	g.watch = newWatchers(g)
	g.hub = realtime.New(ro, g)
	sub, err := o.NC.Subscribe(o.Names.EventsAll(), g.onEvent)
	if err != nil {
		return nil, fmt.Errorf("consolews: subscribe events: %w", err)
	}
	g.events.Store(sub)
	g.subs = append(g.subs, sub)
	sub, err = o.NC.Subscribe(o.Names.ConsoleViewers(), g.watch.onAnnounce)
	if err != nil {
		g.unsubscribe()
		return nil, fmt.Errorf("consolews: subscribe viewers: %w", err)
	}
	g.subs = append(g.subs, sub)
	// The subscriptions keep nats.go's default pending limits: a stuck
	// dispatch drops events rather than growing without bound, and a
	// console that missed one refetches on its next change.
	if err := o.NC.Flush(); err != nil {
		g.unsubscribe()
		return nil, fmt.Errorf("consolews: subscribe: %w", err)
	}
	g.watch.ask()
	return g, nil
}

// Serve upgrades the request of a signed-in console (viewer, with the
// session's token). A session from the cookie must come from a page of
// this site: a browser always sends Origin on a websocket, so a cookie
// without one is refused, and the hub refuses a foreign Origin.
func (g *Gateway) Serve(c *fiber.Ctx, a agent.Agent, token string) error {
	if c.Get(fiber.HeaderAuthorization) == "" && c.Get(fiber.HeaderOrigin) == "" {
		return c.Status(fiber.StatusForbidden).SendString("origin not allowed")
	}
	// The token is kept for the re-checks: a copy, since fiber's strings
	// point into buffers fasthttp reuses for the next request.
	v := &viewer{token: strings.Clone(token), id: a.ID, name: a.Name, a: a}
	if a.Can(permission.QueuesAll) {
		v.queue = g.o.SendQueue * allQueuesFactor
	}
	return g.hub.ServeFiberWith(c, v)
}

// Hub is the websocket hub (for tests and benchmarks).
func (g *Gateway) Hub() *realtime.Hub { return g.hub }

// Run beats until ctx ends or Shutdown: every heartbeat each open
// console's agent is touched and its session checked again, and this
// instance's collision marks are announced again.
func (g *Gateway) Run(ctx context.Context) error {
	t := time.NewTicker(g.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-g.stop:
			return nil
		case <-t.C:
			g.beat(ctx)
		case id := <-g.recheck:
			g.checkSessions(ctx, g.viewersOf(id))
		case <-g.rolesDue:
			g.rescope(ctx)
		}
	}
}

// Shutdown stops the subscriptions, withdraws this instance's collision
// marks and closes every socket (close code 1013: come back later, which
// the console does on another instance).
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.stopOnce.Do(func() {
		g.closing.Store(true)
		close(g.stop)
		g.unsubscribe()
		g.watch.withdraw()
	})
	return g.hub.Shutdown(ctx)
}

func (g *Gateway) unsubscribe() {
	for _, s := range g.subs {
		if err := s.Unsubscribe(); err != nil && g.o.NC.IsConnected() {
			g.o.Log.Warn("console socket unsubscribe", "err", err)
		}
	}
	g.subs = nil
}

func (g *Gateway) beat(ctx context.Context) {
	// Sessions first: a console whose session ended does not count as
	// alive. Both steps are set-based, a few statements per heartbeat
	// whatever the number of consoles.
	g.checkSessions(ctx, g.snapshot())
	touched := map[int64]bool{}
	var ids []int64
	for _, v := range g.snapshot() {
		if touched[v.id] || closing(v.conn) {
			continue
		}
		touched[v.id] = true
		ids = append(ids, v.id)
	}
	if len(ids) > 0 {
		if err := g.o.Liveness.TouchMany(ctx, ids); err != nil && ctx.Err() == nil {
			g.o.Log.Warn("console liveness", "agents", len(ids), "err", err)
		}
	}
	g.watch.announceAll()
	g.watch.expire(time.Now())
}

func closing(c *realtime.Conn) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// checkSessions checks each viewer's session again: an ended one gets bye
// and is closed, a live one gets its agent (role, queues) refreshed. A
// failure to check (database down) keeps the sockets.
func (g *Gateway) checkSessions(ctx context.Context, vs []*viewer) {
	g.recheckSessions(ctx, vs, false)
}

// recheckSessions is checkSessions; greet sends each live console a new
// hello after its re-index (its rights changed: it refetches). It reports
// whether the check could be made.
func (g *Gateway) recheckSessions(ctx context.Context, vs []*viewer, greet bool) bool {
	if len(vs) == 0 {
		return true
	}
	tokens := make([]string, 0, len(vs))
	for _, v := range vs {
		tokens = append(tokens, v.token)
	}
	live, err := g.o.Sessions.AuthenticateMany(ctx, tokens)
	if err != nil {
		if ctx.Err() == nil {
			g.o.Log.Warn("console session check", "consoles", len(vs), "err", err)
		}
		return false
	}
	for _, v := range vs {
		a, ok := live[v.token]
		if !ok || a.ID != v.id {
			v.conn.Send(frameBye)
			v.conn.CloseWith(websocket.CloseNormalClosure, "session ended")
			continue
		}
		g.reindex(v, a, greet)
	}
	return true
}

// requestRoleRecheck asks Run to re-scope the consoles of a role's
// holders (role.updated).
func (g *Gateway) requestRoleRecheck(r domain.Role) {
	g.rolesMu.Lock()
	g.roles[r] = struct{}{}
	g.rolesMu.Unlock()
	select {
	case g.rolesDue <- struct{}{}:
	default: // already due: the set holds r
	}
}

// rescope reads again the sessions of every console whose agent holds a
// role that changed. A failed read (database down) keeps the roles due
// for the next heartbeat's full check, which re-indexes them too.
func (g *Gateway) rescope(ctx context.Context) {
	g.rolesMu.Lock()
	roles := g.roles
	g.roles = map[domain.Role]struct{}{}
	g.rolesMu.Unlock()
	var vs []*viewer
	g.mu.RLock()
	for v := range g.viewers {
		if _, ok := roles[v.a.Role]; ok {
			vs = append(vs, v)
		}
	}
	g.mu.RUnlock()
	g.recheckSessions(ctx, vs, true)
}

// Open registers a new console and greets it. hello is queued under the
// lock that event delivery takes, so it is always the first frame.
func (g *Gateway) Open(c *realtime.Conn) {
	v := c.State.(*viewer)
	v.conn = c
	g.mu.Lock()
	defer g.mu.Unlock()
	c.Send(g.hello(v))
	g.viewers[v] = struct{}{}
	g.index(v)
}

// Closed forgets a console and its collision marks.
func (g *Gateway) Closed(c *realtime.Conn) {
	v := c.State.(*viewer)
	g.watch.set(v, 0, false)
	g.mu.Lock()
	g.unindex(v)
	delete(g.viewers, v)
	g.mu.Unlock()
}

// Limited drops a frame over the rate limit: typing marks come again.
func (g *Gateway) Limited(*realtime.Conn, []byte) {}

// Frame handles one client frame (on the connection's reader goroutine).
func (g *Gateway) Frame(c *realtime.Conn, data []byte) {
	v := c.State.(*viewer)
	var f clientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		c.CloseWith(websocket.CloseUnsupportedData, "bad frame")
		return
	}
	switch f.Type {
	case "ping":
		c.Send(framePong)
	case "view":
		g.watch.set(v, g.visibleTicket(v, f.TicketID), false)
	case "typing":
		id := g.visibleTicket(v, f.TicketID)
		if id == 0 {
			g.watch.set(v, 0, false)
			return
		}
		g.watch.set(v, id, f.On)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := g.o.Typing.AgentTyping(ctx, g.agentOf(v), id, f.On); err != nil {
			g.o.Log.Debug("console typing relay", "agent", v.id, "ticket", id, "err", err)
		}
	}
}

// visibleTicket is id when the viewer may see that ticket now (its queue
// or its assignee, or every ticket for an admin), else 0: collision marks
// name colleagues, so they stay within the ticket's audience.
func (g *Gateway) visibleTicket(v *viewer, id int64) int64 {
	if id <= 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, ok := g.scopeOf(ctx, id)
	if !ok {
		return 0
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if mayView(v.a, s) {
		return id
	}
	return 0
}

func (g *Gateway) agentOf(v *viewer) agent.Agent {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return v.a
}

func (g *Gateway) snapshot() []*viewer {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]*viewer, 0, len(g.viewers))
	for v := range g.viewers {
		out = append(out, v)
	}
	return out
}

func (g *Gateway) viewersOf(agentID int64) []*viewer {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]*viewer, 0, len(g.byAgent[agentID]))
	for v := range g.byAgent[agentID] {
		out = append(out, v)
	}
	return out
}

// requestRecheck asks Run to check an agent's sessions soon (an agent
// event: presence or membership may have changed); a full queue drops the
// request, the next heartbeat checks anyway.
func (g *Gateway) requestRecheck(agentID int64) {
	g.mu.RLock()
	_, here := g.byAgent[agentID]
	g.mu.RUnlock()
	if !here {
		return
	}
	select {
	case g.recheck <- agentID:
	default:
	}
}

// reindex replaces a viewer's agent (role, queues) in the indexes; greet
// queues a new hello under the same lock, so it comes after every event
// of the old scope and before any of the new one.
func (g *Gateway) reindex(v *viewer, a agent.Agent, greet bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, open := g.viewers[v]; !open {
		return
	}
	g.unindex(v)
	v.a = a
	g.index(v)
	if greet {
		v.conn.Send(g.hello(v))
	}
}

// hello is the greeting of v's console; the caller holds mu.
func (g *Gateway) hello(v *viewer) []byte {
	b, _ := json.Marshal(helloFrame{Type: "hello", V: 1, AgentID: v.id, Role: v.a.Role,
		Permissions: v.a.Permissions().List(), HeartbeatSeconds: int(math.Ceil(g.o.Heartbeat.Seconds()))})
	return b
}

// index adds v to the indexes; the caller holds mu.
func (g *Gateway) index(v *viewer) {
	add(g.byAgent, v.id, v)
	if v.a.Can(permission.WallboardView) {
		g.boards[v] = struct{}{}
	}
	if v.a.Can(permission.QueuesAll) {
		g.admins[v] = struct{}{}
		return
	}
	for _, q := range v.a.QueueIDs {
		add(g.byQueue, q, v)
	}
}

// unindex removes v from the indexes; the caller holds mu.
func (g *Gateway) unindex(v *viewer) {
	remove(g.byAgent, v.id, v)
	delete(g.admins, v)
	delete(g.boards, v)
	for _, q := range v.a.QueueIDs {
		remove(g.byQueue, q, v)
	}
}

func add(m map[int64]map[*viewer]struct{}, k int64, v *viewer) {
	set := m[k]
	if set == nil {
		set = map[*viewer]struct{}{}
		m[k] = set
	}
	set[v] = struct{}{}
}

func remove(m map[int64]map[*viewer]struct{}, k int64, v *viewer) {
	if set := m[k]; set != nil {
		delete(set, v)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}
