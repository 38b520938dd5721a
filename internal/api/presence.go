package api

import (
	"context"
	"sync"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
)

// liveness throttles the sign of life every authenticated request gives
// (agent.Service.Touch): at most one write per agent and interval. The map
// holds one entry per agent who made a request; it is bounded by the
// number of agents, so nothing evicts.
type liveness struct {
	every time.Duration
	mu    sync.Mutex
	last  map[int64]time.Time
}

func newLiveness(every time.Duration) *liveness {
	return &liveness{every: every, last: map[int64]time.Time{}}
}

// due reports whether the agent's sign of life should be written now, and
// if so counts it as written.
func (l *liveness) due(agentID int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[agentID]; ok && now.Sub(t) < l.every {
		return false
	}
	l.last[agentID] = now
	return true
}

// forget makes the agent's next request write its sign of life (after a
// failed write, or a presence change that already wrote it).
func (l *liveness) forget(agentID int64) {
	l.mu.Lock()
	delete(l.last, agentID)
	l.mu.Unlock()
}

// touch records a sign of life of the agent's console, throttled. A
// failed write is logged, never the request's failure.
func (s *Server) touch(ctx context.Context, agentID int64) {
	if s.o.Agents == nil || !s.alive.due(agentID, time.Now()) {
		return
	}
	if err := s.o.Agents.Touch(ctx, agentID); err != nil {
		s.alive.forget(agentID)
		s.o.Log.Warn("record agent liveness", "agent_id", agentID, "err", err)
	}
}

// changePresence stores an agent's new presence and lets routing react as
// to any switch: coming online takes waiting tickets now, going offline
// gives tickets back to the queue (per ROUTING_RETURN_TICKETS).
func (s *Server) changePresence(ctx context.Context, agentID int64, presence domain.Presence) (agent.Agent, error) {
	a, err := s.o.Agents.SetPresence(ctx, agentID, presence)
	if err != nil {
		return agent.Agent{}, err
	}
	if s.o.Assigner == nil {
		return a, nil
	}
	if err := s.o.Assigner.PresenceChanged(ctx, a.ID, a.Presence); err != nil {
		s.o.Log.Warn("routing on presence change", "agent_id", a.ID, "err", err)
	}
	if fresh, err := s.o.Agents.Get(ctx, a.ID); err == nil {
		a = fresh
	}
	return a, nil
}
