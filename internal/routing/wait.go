package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"tanggap/internal/domain"
)

// ErrTicketNotFound: no ticket with that id.
var ErrTicketNotFound = errors.New("routing: ticket not found")

// WaitEstimate is where a ticket stands, in the terms a channel tells a
// citizen and the console tells an agent: both read it from EstimateWait,
// so they are told the same thing.
type WaitEstimate struct {
	QueueID int64
	// AgentID is the assigned agent; 0 while the ticket waits.
	AgentID int64
	// Position is 1 for the next ticket an agent of the queue gets (most
	// urgent, then oldest first); 0 when assigned or no longer waiting.
	Position int
	// Estimated is the expected time until an agent takes the ticket:
	// the tickets ahead, shared among the queue's online agents, times the
	// queue's recent handle time; while the queue is Closed, the time until
	// it opens comes first. 0 when assigned.
	Estimated time.Duration
	// AgentsOnline counts the queue's members who are online now.
	AgentsOnline int
	// Open reports whether the queue is within its business hours now
	// (holidays are closed).
	Open bool
	// OpensAt is when the queue's business hours start again, in the
	// queue's time zone (zero while Open).
	OpensAt time.Time
	// Closed: outside business hours with no member online, nobody takes
	// the ticket before OpensAt (QueueClosed). A channel says "closed,
	// opens at ...", never a position and minutes.
	Closed bool
}

// QueueClosed is the one rule by which citizens are told a queue is
// closed, whatever the channel (the chat's queue frame, the WhatsApp
// acknowledgement, the launcher's menu): outside its business hours
// (withinHours false) with none of its members online. Officers online
// after hours answer, so the queue is open then.
func QueueClosed(withinHours bool, agentsOnline int) bool {
	return !withinHours && agentsOnline == 0
}

// Handle time assumed for a queue that has not solved enough tickets yet.
const defaultHandleTime = 5 * time.Minute

// recentSolved is how many of a queue's latest solved tickets give its
// handle time.
const recentSolved = 50

// lineFresh is how long a queue's line (its waiting tickets in order, its
// online members and handle time) is shared before it is read again.
// Every waiting visitor and caller of the queue, and every console
// showing one of its tickets, reads the same line: the queue is read once
// per change (a gateway refreshes its visitors after ticket events, at
// most every few seconds) however many citizens wait in it.
const lineFresh = time.Second

// lineReadTimeout bounds one read of a line.
const lineReadTimeout = 10 * time.Second

// line is one queue's waiting tickets in the order they are handed out,
// read in one statement served by the waiting-ticket index.
type line struct {
	at           time.Time
	pos          map[int64]int // ticket id → position (1 = next)
	agentsOnline int
	handle       time.Duration
	err          error
	ready        chan struct{} // closed once the fields above are set
}

// lines is the shared, short-lived cache of the queues' lines; concurrent
// readers of one queue wait for the first one's read instead of reading
// it again.
//
// Concurrency: mu guards m; a line's fields are written once, before its
// ready channel is closed, and only read after.
type lines struct {
	mu sync.Mutex
	m  map[int64]*line
}

// line returns the queue's line, reading it when there is none fresher
// than lineFresh.
func (m *Metrics) line(ctx context.Context, queueID int64) (*line, error) {
	now := time.Now()
	m.lines.mu.Lock()
	if m.lines.m == nil {
		m.lines.m = map[int64]*line{}
	}
	l := m.lines.m[queueID]
	if l == nil || now.Sub(l.at) >= lineFresh {
		l = &line{at: now, ready: make(chan struct{})}
		m.lines.m[queueID] = l
		m.lines.mu.Unlock()
		// Others may wait for this read: it does not end with this
		// caller's request.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lineReadTimeout)
		m.readLine(rctx, queueID, l)
		cancel()
		close(l.ready)
	} else {
		m.lines.mu.Unlock()
	}
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		// Not kept: the next caller reads again.
		m.lines.mu.Lock()
		if m.lines.m[queueID] == l {
			delete(m.lines.m, queueID)
		}
		m.lines.mu.Unlock()
		return nil, l.err
	}
	return l, nil
}

// reread drops old as the queue's line, unless another caller replaced it
// already, and returns the queue's line read after that.
func (m *Metrics) reread(ctx context.Context, queueID int64, old *line) (*line, error) {
	m.lines.mu.Lock()
	if m.lines.m[queueID] == old {
		delete(m.lines.m, queueID)
	}
	m.lines.mu.Unlock()
	return m.line(ctx, queueID)
}

// readLine fills l with the queue's waiting tickets, online members and
// handle time.
func (m *Metrics) readLine(ctx context.Context, queueID int64, l *line) {
	tx := m.db.WithContext(ctx)
	waiting, err := waitingLine(tx, queueID)
	if err != nil {
		l.err = err
		return
	}
	// The order AssignWaiting hands tickets out in: most urgent, then
	// oldest, ties by id (priorities unknown to the domain rank as low, as
	// in SQL).
	rank := func(p domain.Priority) int {
		if slices.Contains(domain.ByUrgency, p) {
			return p.Rank()
		}
		return domain.PriorityLow.Rank()
	}
	slices.SortFunc(waiting, func(a, b lineTicket) int {
		if ra, rb := rank(a.Priority), rank(b.Priority); ra != rb {
			return ra - rb
		}
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	l.pos = make(map[int64]int, len(waiting))
	for i, t := range waiting {
		l.pos[t.ID] = i + 1
	}
	if l.agentsOnline, err = onlineMembers(tx, queueID); err != nil {
		l.err = err
		return
	}
	l.handle, l.err = handleTime(tx, queueID)
}

// EstimateWait reports a ticket's place in its queue and how long it may
// wait, on the queue's calendar.
func (m *Metrics) EstimateWait(ctx context.Context, ticketID int64) (WaitEstimate, error) {
	ws, err := m.EstimateWaits(ctx, []int64{ticketID})
	if err != nil {
		return WaitEstimate{}, err
	}
	w, ok := ws[ticketID]
	if !ok {
		return WaitEstimate{}, ErrTicketNotFound
	}
	return w, nil
}

// EstimateWaits is EstimateWait for many tickets at once: one read of the
// tickets, then each queue's shared line (see lineFresh). A ticket that
// does not exist is missing from the result.
func (m *Metrics) EstimateWaits(ctx context.Context, ticketIDs []int64) (map[int64]WaitEstimate, error) {
	rows, err := waitTickets(m.db.WithContext(ctx), ticketIDs)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make(map[int64]WaitEstimate, len(rows))
	for _, row := range rows {
		var w WaitEstimate
		if row.QueueID != nil {
			w.QueueID = *row.QueueID
		}
		if row.AssigneeID != nil {
			w.AgentID = *row.AssigneeID
		}
		cal, err := m.queues.calendarOf(ctx, &w.QueueID)
		if err != nil {
			return nil, err
		}
		w.Open = cal.Open(now)
		if !w.Open {
			w.OpensAt = cal.NextOpen(now.In(cal.Location()))
		}
		if w.QueueID == 0 {
			out[row.ID] = w
			continue
		}
		l, err := m.line(ctx, w.QueueID)
		if err != nil {
			return nil, err
		}
		w.AgentsOnline = l.agentsOnline
		w.Closed = QueueClosed(w.Open, w.AgentsOnline)
		if w.AgentID != 0 || !row.Status.Active() {
			out[row.ID] = w
			continue
		}
		// A waiting ticket missing from the line entered the queue after
		// the line was read: that is a change of the queue, so the line
		// is read again (once, shared with everyone asking meanwhile).
		// Should it still be missing, it goes behind the tickets in it.
		w.Position = l.pos[row.ID]
		if w.Position == 0 {
			if l, err = m.reread(ctx, w.QueueID, l); err != nil {
				return nil, err
			}
			w.AgentsOnline = l.agentsOnline
			w.Closed = QueueClosed(w.Open, w.AgentsOnline)
			w.Position = l.pos[row.ID]
		}
		if w.Position == 0 {
			w.Position = len(l.pos) + 1
		}
		w.Estimated = time.Duration(w.Position) * l.handle / time.Duration(max(w.AgentsOnline, 1))
		if w.Closed && !w.OpensAt.IsZero() {
			w.Estimated += w.OpensAt.Sub(now)
		}
		out[row.ID] = w
	}
	return out, nil
}

// AgentsOnline counts the members of the queue with that code who are
// online: the count of the queue's shared line, the one EstimateWaits
// tells its waiting citizens by, so it is read at most once a lineFresh
// however many ask (the launcher asks on every page view). An unknown
// code is ErrUnknownQueue: a count of none there would say nobody is
// online on a queue that does not exist.
func (m *Metrics) AgentsOnline(ctx context.Context, queueCode string) (int, error) {
	conf, err := m.queues.conf(ctx)
	if err != nil {
		return 0, err
	}
	id, ok := conf.byCode[queueCode]
	if !ok {
		return 0, fmt.Errorf("queue %q: %w", queueCode, ErrUnknownQueue)
	}
	l, err := m.line(ctx, id)
	if err != nil {
		return 0, err
	}
	return l.agentsOnline, nil
}
