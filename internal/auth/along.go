package auth

import (
	"context"
	"sync"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
)

// AuthenticateAlong is Authenticate with a read of the request's own sent
// in the same round trip as the session's (db.Reads: one on PostgreSQL).
// The read has to be chosen before the session is read, so build makes it
// for the agent this session had on this instance's previous request (its
// last-known scope); on a session's first request here there is none, and
// the session is read alone (built is false).
//
// Nothing remembered decides anything: the session is read on every
// call, and the agent returned is the one read now. A session ended
// (logout, deactivation) on any instance is ErrUnauthenticated here on its
// next request; a changed role or queue list comes back in the agent. The
// caller uses the read's result only when it was built for an agent whose
// scope equals the returned one's (built is that agent), and otherwise
// reads again for the returned agent.
func (s *Service) AuthenticateAlong(ctx context.Context, token string, build func(last agent.Agent) (db.Read, error)) (a, built agent.Agent, read bool, err error) {
	if token == "" || len(token) > 128 {
		return agent.Agent{}, agent.Agent{}, false, ErrUnauthenticated
	}
	h := hash(token)
	last, known := s.recent.get(h)
	var extra db.Read
	if known {
		if extra, err = build(last); err != nil {
			known = false // the caller meets the error again with the agent read now
		}
	}
	var found bool
	reads := []db.Read{s.agents.SessionRead(h, time.Now().UTC(), &a, &found)}
	if known {
		reads = append(reads, extra)
	}
	if err := s.store.db.Reads(ctx, reads...); err != nil {
		return agent.Agent{}, agent.Agent{}, false, err
	}
	if !found {
		s.recent.forget(h)
		return agent.Agent{}, agent.Agent{}, false, ErrUnauthenticated
	}
	s.recent.put(h, a)
	if !known {
		return a, agent.Agent{}, false, nil
	}
	return a, last, true, nil
}

// recentCap bounds the sessions remembered per instance (an entry is one
// agent: a few hundred bytes).
const recentCap = 10000

// recent remembers, per session (by token hash), the agent it had on this
// instance's last request: only to choose which read goes with the next
// session read (AuthenticateAlong), never to answer one.
type recent struct {
	mu sync.Mutex
	m  map[string]agent.Agent
}

func (r *recent) get(h string) (agent.Agent, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.m[h]
	return a, ok
}

func (r *recent) put(h string, a agent.Agent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]agent.Agent)
	}
	if _, ok := r.m[h]; !ok && len(r.m) >= recentCap {
		for k := range r.m { // any one: a forgotten session only reads alone once
			delete(r.m, k)
			break
		}
	}
	r.m[h] = a
}

func (r *recent) forget(h string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, h)
}
