package livechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/reopen"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Run follows the core's ticket events until ctx ends:
//
//   - one instance (a NATS queue group) turns each event into the
//     visitor's log: "agent joined" when the ticket gets an assignee,
//     "solved" when it is solved or closed (after the visitor last
//     wrote), "reopened" when a solved one is open again. The appends are conditional
//     on the visitor row, so a repeat or a race with the backstop below
//     appends once;
//   - every instance refreshes the queue position of its own waiting
//     visitors after an event (at most once a second) and every
//     QueueEvery as a backstop for lost events, and checks the tickets
//     of its visitors then too.
func (a *Adapter) Run(ctx context.Context) error {
	nc := a.o.Bus.NC
	subject := a.o.Bus.Names.Event(bus.EntityTicket, "*")
	// The visitor's own typing changes nothing in the ticket.
	typing := a.o.Bus.Names.EventSubject(bus.TicketTyping{})
	work := make(chan int64, 1024)
	qsub, err := nc.QueueSubscribe(subject, "livechat", func(m *nats.Msg) {
		if m.Subject == typing {
			return
		}
		// Every ticket event starts with its scope.
		var ev bus.Scope
		if json.Unmarshal(m.Data, &ev) == nil && ev.TicketID > 0 {
			select {
			case work <- ev.TicketID:
			default: // overloaded: the backstop catches up
			}
		}
	})
	if err != nil {
		return fmt.Errorf("livechat: subscribe events: %w", err)
	}
	defer qsub.Unsubscribe()
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		if m.Subject != typing {
			a.markDirty()
		}
	})
	if err != nil {
		return fmt.Errorf("livechat: subscribe events: %w", err)
	}
	defer sub.Unsubscribe()

	tick := time.NewTicker(a.o.QueueEvery)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-work:
			a.ticketChanged(ctx, id)
		case <-a.dirty:
			if wait := refreshGap - time.Since(last); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil
				case <-t.C:
				}
			}
			last = time.Now()
			a.refreshLocal(ctx)
		case <-tick.C:
			last = time.Now()
			a.refreshLocal(ctx)
		}
	}
}

// refreshGap is the least time between two refreshes after events: under
// load, events come by the hundred each second, and each refresh reads
// the queue of every waiting visitor of this instance.
const refreshGap = 2 * time.Second

func (a *Adapter) markDirty() {
	select {
	case a.dirty <- struct{}{}:
	default:
	}
}

// ticketChanged brings the visitor of a live-chat ticket up to date.
func (a *Adapter) ticketChanged(ctx context.Context, ticketID int64) {
	ctx, cancel := context.WithTimeout(ctx, frameTimeout)
	defer cancel()
	t, err := a.o.Tickets.Brief(ctx, ticketID)
	if err != nil {
		if !errors.Is(err, ticket.ErrNotFound) {
			a.log.Warn("livechat ticket event", "ticket_id", ticketID, "err", err)
		}
		return
	}
	v, err := a.store.visitorByTN(ctx, t.TrackingNumber)
	if errors.Is(err, ErrVisitorNotFound) {
		return // not a live-chat conversation (or an old one)
	}
	if err != nil {
		a.log.Warn("livechat ticket event", "ticket_id", ticketID, "err", err)
		return
	}
	a.syncTicket(ctx, v, t)
}

// syncTicket appends the "agent joined", "solved" and "reopened" entries
// the ticket calls for. Each append's condition is checked on the locked
// visitor row.
func (a *Adapter) syncTicket(ctx context.Context, v visitorRow, t ticket.Brief) {
	if v.TrackingNumber != t.TrackingNumber {
		return
	}
	now := time.Now().UTC()
	ended := t.Status == domain.StatusSolved || t.Status == domain.StatusClosed
	if v.State == "solved" && !ended {
		// The ticket may have been read before the solve the visitor's
		// row tells (an event handled while another instance appended
		// the solve): only a read after the visitor's may say reopened.
		fresh, err := a.o.Tickets.Brief(ctx, t.ID)
		if err != nil {
			a.log.Warn("livechat reopened", "err", err)
			return
		}
		t = fresh
		ended = t.Status == domain.StatusSolved || t.Status == domain.StatusClosed
	}
	if v.State == "solved" && !ended {
		// Reopened without the citizen writing (an agent reopened it, or
		// the citizen's message was stored on it while this gateway read
		// it as solved): the widget takes messages and shows the queue
		// again.
		row, fresh, _, err := a.appendEntry(ctx, v.ID, newEntry{kind: KindReopened, tn: t.TrackingNumber},
			change{set: "state = 'open'", where: "tracking_number = ? AND state = 'solved'", whereArgs: []any{t.TrackingNumber}}, now)
		if err != nil {
			a.log.Warn("livechat reopened", "err", err)
			return
		}
		if fresh {
			a.publish(v.ID, row)
		}
		v.State = "open"
	}
	if v.State != "open" {
		return
	}
	if t.AssigneeID != nil && (v.AgentID == nil || *v.AgentID != *t.AssigneeID) && t.Status != domain.StatusSolved && t.Status != domain.StatusClosed {
		row, fresh, _, err := a.appendEntry(ctx, v.ID, newEntry{kind: KindAgent, tn: t.TrackingNumber, body: entryBody{Agent: t.AssigneeName}},
			change{set: "agent_id = ?", setArgs: []any{*t.AssigneeID}, where: "tracking_number = ? AND state = 'open' AND (agent_id IS NULL OR agent_id <> ?)",
				whereArgs: []any{t.TrackingNumber, *t.AssigneeID}}, now)
		if err != nil {
			a.log.Warn("livechat agent joined", "err", err)
		} else if fresh {
			a.publish(v.ID, row)
		}
	}
	if ended {
		row, fresh, _, err := a.appendEntry(ctx, v.ID, newEntry{kind: KindSolved, tn: t.TrackingNumber}, solvedChange(t), now)
		if err != nil {
			a.log.Warn("livechat solved", "err", err)
		} else if fresh {
			a.publish(v.ID, row)
		}
	}
}

// solvedChange marks the visitor's open conversation solved, only for a
// solve after the visitor last wrote (see wroteChange): a message to a
// solved conversation reopens its ticket once the core stores it, and a
// read of the ticket taken before that still says solved.
func solvedChange(t ticket.Brief) change {
	ch := change{set: "state = 'solved'", where: "tracking_number = ? AND state = 'open'", whereArgs: []any{t.TrackingNumber}}
	if t.SolvedAt != nil {
		ch.where += " AND (wrote_at IS NULL OR wrote_at < ?)"
		ch.whereArgs = append(ch.whereArgs, t.SolvedAt.UTC())
	}
	return ch
}

// wroteChange is the visitor's message written at now: its conversation
// is open (again), and when it was written is kept for solvedChange.
func wroteChange(now time.Time) change {
	return change{set: "state = 'open', wrote_at = ?", setArgs: []any{now.UTC()}}
}

// refreshLocal checks the tickets of the open conversations of the
// visitors connected here and sends the waiting ones their queue
// position: two set-based reads per 500 visitors, then one EstimateWaits,
// which reads each queue's line once for all of them (and shares it for a
// second with every other caller: routing.Metrics).
func (a *Adapter) refreshLocal(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var ids []string
	for _, name := range a.fan.Topics() {
		if vid, ok := strings.CutPrefix(name, "livechat.v."); ok {
			ids = append(ids, vid)
		}
	}
	for len(ids) > 0 && ctx.Err() == nil {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		vs, err := a.store.visitors(ctx, chunk)
		if err != nil {
			a.log.Warn("livechat queue refresh", "err", err)
			return
		}
		var tns []string
		for _, v := range vs {
			if v.State != "none" {
				// Solved ones too: a reopen whose event was lost.
				tns = append(tns, v.TrackingNumber)
			}
		}
		ts, err := a.o.Tickets.Briefs(ctx, tns)
		if err != nil {
			a.log.Warn("livechat queue refresh", "err", err)
			return
		}
		var waiting []int64
		for _, v := range vs {
			if t, ok := ts[v.TrackingNumber]; ok && v.State != "none" && t.AssigneeID == nil &&
				t.Status != domain.StatusSolved && t.Status != domain.StatusClosed {
				waiting = append(waiting, t.ID)
			}
		}
		// One read of each queue's line for all the waiting visitors.
		var waits map[int64]routing.WaitEstimate
		opens := opensTexts{tx: a.o.Locale, now: time.Now()}
		if len(waiting) > 0 {
			if waits, err = a.o.Router.EstimateWaits(ctx, waiting); err != nil {
				a.log.Warn("livechat queue position", "err", err)
			}
		}
		for _, v := range vs {
			t, ok := ts[v.TrackingNumber]
			if v.State == "none" || !ok {
				continue // no conversation, or the core has not stored it yet
			}
			a.syncTicket(ctx, v, t)
			if t.Status == domain.StatusSolved || t.Status == domain.StatusClosed {
				continue
			}
			q := Queue{V: ProtocolVersion, Type: TypeQueue, TN: t.TrackingNumber, Assigned: t.AssigneeID != nil, Open: true}
			if !q.Assigned {
				w, ok := waits[t.ID]
				if !ok {
					continue // the estimate failed (logged above)
				}
				// Open is false exactly when the agent's console says the
				// queue is closed: outside business hours with nobody online.
				q.Position, q.WaitSeconds, q.AgentsOnline, q.Open, q.Assigned = w.Position, int(w.Estimated/time.Second), w.AgentsOnline, !w.Closed, w.AgentID != 0
				if !q.Open && !w.OpensAt.IsZero() {
					q.Opens = opens.of(w.OpensAt)
				}
			}
			frame := encode(q)
			for _, c := range a.fan.Local(topic(v.ID)) {
				c.Send(frame)
			}
		}
	}
}

// opensTexts words the openings of the closed queues for one refresh:
// once per opening (the visitors of one queue share it), in every
// language, with the launcher's sentence (reopen.Opens), so the widget
// says when agents are back as the chat page does.
type opensTexts struct {
	tx   reopen.Texts
	now  time.Time
	done map[time.Time]map[string]string
}

func (o *opensTexts) of(at time.Time) map[string]string {
	if t, ok := o.done[at]; ok {
		return t
	}
	t := make(map[string]string, len(locale.Languages()))
	for _, lang := range locale.Languages() {
		t[lang] = reopen.Opens(o.tx, lang, o.now, at)
	}
	if o.done == nil {
		o.done = map[time.Time]map[string]string{}
	}
	o.done[at] = t
	return t
}

// AgentTyping tells the visitor of a conversation that its agent is (not)
// typing. Typing is not kept: a widget that is away misses nothing.
func (a *Adapter) AgentTyping(ctx context.Context, trackingNumber, agentName string, on bool) error {
	v, err := a.store.visitorByTN(ctx, trackingNumber)
	if errors.Is(err, ErrVisitorNotFound) {
		return nil // not a live chat, or an earlier conversation
	}
	if err != nil {
		return err
	}
	return a.fan.Publish(topic(v.ID), encode(Typing{V: ProtocolVersion, Type: TypeTyping, On: on, Agent: agentName}))
}

// AgentRead marks the visitor's messages so far as read by the agent.
func (a *Adapter) AgentRead(ctx context.Context, trackingNumber string) error {
	v, err := a.store.visitorByTN(ctx, trackingNumber)
	if errors.Is(err, ErrVisitorNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// Only when a visitor message came after the last read mark.
	row, fresh, _, err := a.appendEntry(ctx, v.ID, newEntry{kind: KindRead},
		change{where: `EXISTS (SELECT 1 FROM livechat_log l WHERE l.visitor_id = livechat_visitors.id AND l.kind = 'msg'
  AND l.seq > COALESCE((SELECT MAX(r.seq) FROM livechat_log r WHERE r.visitor_id = livechat_visitors.id AND r.kind = 'read'), 0))`},
		time.Now().UTC())
	if err != nil {
		return err
	}
	if fresh {
		a.publish(v.ID, row)
	}
	return nil
}
