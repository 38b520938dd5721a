package viewaudit

import (
	"context"
	"sync"
	"time"
)

// ListEvery is how often a ticket list records the same citizen for the
// same agent (KindList). The console reads its list again after pushed
// changes, every few seconds on a busy queue, and the ticket stays on
// the page: one row per citizen per read would be millions of rows a day
// repeating the same fact. Once per agent and ticket within ListEvery
// (per instance) still answers "who saw this citizen, and when", to the
// hour.
const ListEvery = time.Hour

// listed remembers when each agent's lists last recorded each ticket.
type listed struct {
	mu    sync.Mutex
	at    map[listKey]time.Time
	swept time.Time
	// now is time.Now (tests move it).
	now func() time.Time
}

type listKey struct{ agent, ticket int64 }

// due returns the views of shown not recorded for agent within
// ListEvery; the caller records them, then calls done.
func (l *listed) due(agent int64, shown []View, now time.Time) []View {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []View
	for _, v := range shown {
		if v.TicketID == nil {
			continue
		}
		if at, ok := l.at[listKey{agent, *v.TicketID}]; ok && now.Sub(at) < ListEvery {
			continue
		}
		out = append(out, v)
	}
	return out
}

// done notes views recorded at now, and forgets entries older than
// ListEvery at most once per ListEvery, so the map holds about one
// window of what agents were shown.
func (l *listed) done(agent int64, views []View, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.at == nil {
		l.at = map[listKey]time.Time{}
	}
	for _, v := range views {
		l.at[listKey{agent, *v.TicketID}] = now
	}
	if now.Sub(l.swept) >= ListEvery {
		for k, at := range l.at {
			if now.Sub(at) >= ListEvery {
				delete(l.at, k)
			}
		}
		l.swept = now
	}
}

// RecordListed records that a ticket list (the inbox, a filtered list, a
// saved view) showed agentID the tickets of shown, each with its
// contact: one view of kind KindList per ticket not recorded for that
// agent within ListEvery. A view Record could not take is not noted, so
// the next read of the list records it.
func (r *Recorder) RecordListed(ctx context.Context, agentID int64, shown []View) error {
	if r.paused.Load() || len(shown) == 0 {
		return nil
	}
	at := r.list.now()
	fresh := r.list.due(agentID, shown, at)
	for i := range fresh {
		fresh[i].AgentID, fresh[i].Kind, fresh[i].At = agentID, KindList, at.UTC()
		if err := r.Record(ctx, fresh[i]); err != nil {
			r.list.done(agentID, fresh[:i], at)
			return err
		}
	}
	r.list.done(agentID, fresh, at)
	return nil
}
