package consolews

import (
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// watchers keeps the collision marks: which console users view or type on
// which ticket, on this instance (local) and on the others (remote).
//
// Across instances: each instance publishes its own marks of a ticket on
// bus.Names.ConsoleViewers whenever they change, and all of its marks
// ("full") every heartbeat. A receiver keeps another instance's marks for
// two of that instance's heartbeats; a full announcement also drops the
// tickets it no longer names. So a lost announcement is repaired by the
// next heartbeat, and the marks of an instance that died expire. A new
// instance asks the others to announce at once.
//
// Concurrency: mu guards both maps and every viewer's ticket, typing and
// lastSent. Frames are sent under mu (Send never blocks); NATS publishes
// happen after it is released.
type watchers struct {
	g      *Gateway
	mu     sync.Mutex
	local  map[int64]map[*viewer]struct{}
	remote map[int64]map[string]remoteMarks // ticket → instance → its marks
}

type remoteMarks struct {
	marks   []mark
	expires time.Time
}

// announcement is what an instance publishes about its marks.
type announcement struct {
	Instance    string        `json:"instance"`
	HeartbeatMS int64         `json:"heartbeat_ms"`
	Full        bool          `json:"full,omitempty"` // every ticket with marks here: the others have none
	Ask         bool          `json:"ask,omitempty"`  // a new instance: everyone please announce
	Tickets     []ticketMarks `json:"tickets,omitempty"`
}

type ticketMarks struct {
	TicketID int64  `json:"ticket_id"`
	Viewers  []mark `json:"viewers"`
}

func newWatchers(g *Gateway) *watchers {
	return &watchers{g: g, local: map[int64]map[*viewer]struct{}{}, remote: map[int64]map[string]remoteMarks{}}
}

// set records that v now views ticket (0: none), typing or not, and tells
// whoever sees a change.
func (w *watchers) set(v *viewer, ticket int64, typing bool) {
	w.mu.Lock()
	old := v.ticket
	if old == ticket && v.typing == typing {
		w.mu.Unlock()
		return
	}
	var changed []int64
	if old != ticket {
		if old != 0 {
			remove(w.local, old, v)
			changed = append(changed, old)
		}
		if ticket != 0 {
			add(w.local, ticket, v)
		}
		v.lastSent = ""
	}
	v.ticket, v.typing = ticket, typing
	if ticket != 0 {
		changed = append(changed, ticket)
	}
	msg := w.newAnnouncement()
	for _, id := range changed {
		msg.Tickets = append(msg.Tickets, ticketMarks{TicketID: id, Viewers: w.localMarks(id)})
		w.notify(id, time.Now())
	}
	w.mu.Unlock()
	w.publish(msg)
}

// announceAll publishes every local mark (each heartbeat).
func (w *watchers) announceAll() {
	w.mu.Lock()
	msg := w.newAnnouncement()
	msg.Full = true
	for id := range w.local {
		msg.Tickets = append(msg.Tickets, ticketMarks{TicketID: id, Viewers: w.localMarks(id)})
	}
	w.mu.Unlock()
	w.publish(msg)
}

// withdraw tells the others that this instance has no marks any more.
func (w *watchers) withdraw() {
	msg := w.newAnnouncement()
	msg.Full = true
	w.publish(msg)
}

// ask requests every other instance's marks (at start).
func (w *watchers) ask() {
	msg := w.newAnnouncement()
	msg.Ask = true
	w.publish(msg)
}

// expire drops the marks of instances that went silent.
func (w *watchers) expire(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, byInst := range w.remote {
		gone := false
		for inst, rm := range byInst {
			if now.After(rm.expires) {
				delete(byInst, inst)
				gone = true
			}
		}
		if len(byInst) == 0 {
			delete(w.remote, id)
		}
		if gone {
			w.notify(id, now)
		}
	}
}

// onAnnounce takes another instance's marks.
func (w *watchers) onAnnounce(m *nats.Msg) {
	var a announcement
	if err := json.Unmarshal(m.Data, &a); err != nil || a.Instance == "" || a.Instance == w.g.instance {
		return
	}
	if a.Ask {
		w.announceAll()
		return
	}
	now := time.Now()
	hb := time.Duration(a.HeartbeatMS) * time.Millisecond
	if hb <= 0 {
		hb = w.g.o.Heartbeat
	}
	expires := now.Add(2 * hb)
	w.mu.Lock()
	defer w.mu.Unlock()
	touched := map[int64]bool{}
	if a.Full {
		for id, byInst := range w.remote {
			if _, had := byInst[a.Instance]; had {
				delete(byInst, a.Instance)
				if len(byInst) == 0 {
					delete(w.remote, id)
				}
				touched[id] = true
			}
		}
	}
	for _, t := range a.Tickets {
		if len(t.Viewers) == 0 {
			if byInst := w.remote[t.TicketID]; byInst != nil {
				delete(byInst, a.Instance)
				if len(byInst) == 0 {
					delete(w.remote, t.TicketID)
				}
			}
		} else {
			byInst := w.remote[t.TicketID]
			if byInst == nil {
				byInst = map[string]remoteMarks{}
				w.remote[t.TicketID] = byInst
			}
			byInst[a.Instance] = remoteMarks{marks: t.Viewers, expires: expires}
		}
		touched[t.TicketID] = true
	}
	for id := range touched {
		w.notify(id, now)
	}
}

// notify sends each local viewer of ticket id the marks of everyone else
// on it, when they differ from what that viewer last got. The caller
// holds mu.
func (w *watchers) notify(id int64, now time.Time) {
	vs := w.local[id]
	if len(vs) == 0 {
		return
	}
	all := w.localMarks(id)
	for _, rm := range w.remote[id] {
		if now.After(rm.expires) {
			continue
		}
		all = merge(all, rm.marks)
	}
	for v := range vs {
		others := make([]mark, 0, len(all))
		for _, mk := range all {
			if mk.AgentID != v.id {
				others = append(others, mk)
			}
		}
		b, err := json.Marshal(viewersFrame{Type: "viewers", TicketID: id, Viewers: others})
		if err != nil || string(b) == v.lastSent {
			continue
		}
		v.lastSent = string(b)
		v.conn.Send(b)
	}
}

// localMarks are this instance's marks on ticket id, one per agent (an
// agent with two consoles on it types if either does). The caller holds mu.
func (w *watchers) localMarks(id int64) []mark {
	var out []mark
	for v := range w.local[id] {
		out = merge(out, []mark{{AgentID: v.id, Name: v.name, Typing: v.typing}})
	}
	if out == nil {
		out = []mark{}
	}
	return out
}

// merge adds marks to a list sorted by agent id, one entry per agent.
func merge(list, marks []mark) []mark {
	for _, mk := range marks {
		i, found := slices.BinarySearchFunc(list, mk.AgentID, func(x mark, id int64) int {
			switch {
			case x.AgentID < id:
				return -1
			case x.AgentID > id:
				return 1
			}
			return 0
		})
		if found {
			list[i].Typing = list[i].Typing || mk.Typing
			continue
		}
		list = slices.Insert(list, i, mk)
	}
	return list
}

func (w *watchers) newAnnouncement() announcement {
	return announcement{Instance: w.g.instance, HeartbeatMS: w.g.o.Heartbeat.Milliseconds()}
}

func (w *watchers) publish(a announcement) {
	b, err := json.Marshal(a)
	if err == nil {
		err = w.g.o.NC.Publish(w.g.o.Names.ConsoleViewers(), b)
	}
	if err != nil && !w.g.closing.Load() {
		w.g.o.Log.Warn("console viewers announce", "err", err)
	}
}
