package api

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
	"tanggap/internal/routing"
)

// Wallboard handlers: the board on demand (the socket pushes the same as
// queue.wallboard), not-ready reasons, and the supervisor's actions on an
// agent (presence, moving all their tickets). Reassigning or taking over
// one ticket is POST /api/v1/tickets/:id/assign.

func (s *Server) handleWallboard(c *fiber.Ctx) error {
	b, err := s.o.Wallboard.Board(c.UserContext(), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (s *Server) handleNotReadyReasons(c *fiber.Ctx) error {
	list, err := s.o.Wallboard.Reasons(c.UserContext(), false)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"reasons": list})
}

func pathAgentID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, agent.ErrNotFound
	}
	return id, nil
}

// setState sets an agent's presence with its not-ready reason (away
// only; ” otherwise). The reason is stored first, so the presence
// event's board shows it.
func (s *Server) setState(c *fiber.Ctx, agentID int64, presence domain.Presence, reason string) (agent.Agent, error) {
	ctx := c.UserContext()
	if presence != domain.PresenceAway {
		reason = ""
	}
	if reason != "" {
		ok, err := s.o.Wallboard.ActiveReason(ctx, reason)
		if err != nil {
			return agent.Agent{}, err
		}
		if !ok {
			ve := &apperr.ValidationError{}
			ve.Add("reason", "validation.invalid")
			return agent.Agent{}, ve
		}
	}
	switch presence {
	case domain.PresenceOnline, domain.PresenceAway, domain.PresenceBusy, domain.PresenceOffline:
	default:
		ve := &apperr.ValidationError{}
		ve.Add("presence", "validation.invalid")
		return agent.Agent{}, ve
	}
	if err := s.o.Agents.SetNotReadyReason(ctx, agentID, reason); err != nil {
		return agent.Agent{}, err
	}
	return s.changePresence(ctx, agentID, presence)
}

type stateRequest struct {
	Presence domain.Presence `json:"presence"`
	Reason   string          `json:"reason"`
}

// handleSetMyState: the agent's own presence with a not-ready reason.
func (s *Server) handleSetMyState(c *fiber.Ctx) error {
	var req stateRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.setState(c, current(c).ID, req.Presence, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agent": toAgentJSON(a), "reason": req.Reason})
}

// handleSetAgentState: a supervisor sets another agent's presence.
func (s *Server) handleSetAgentState(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	var req stateRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.setState(c, id, req.Presence, req.Reason)
	if err != nil {
		return err
	}
	s.audit(c, "wallboard.presence", fmt.Sprintf("agent %d: %s %s", id, req.Presence, req.Reason))
	return c.JSON(fiber.Map{"agent": toAgentJSON(a)})
}

// handleMoveTickets: a supervisor moves every open ticket of an agent to
// another agent or back to a queue. Each move is a transfer (audited and
// pushed like any other); the answer counts the moved and the refused.
func (s *Server) handleMoveTickets(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	var req struct {
		AgentID int64  `json:"agent_id"`
		Queue   string `json:"queue"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if (req.AgentID == 0 && req.Queue == "") || req.AgentID == id {
		ve := &apperr.ValidationError{}
		ve.Add("agent_id", "validation.required")
		return ve
	}
	ids, err := s.o.Wallboard.OpenTickets(c.UserContext(), id)
	if err != nil {
		return err
	}
	moved, failed := []int64{}, []int64{}
	for _, tid := range ids {
		err := s.o.Work.Transfer(c.UserContext(), actor(c), tid, routing.Target{AgentID: req.AgentID, Queue: req.Queue}, "")
		if err != nil {
			if !errors.Is(err, routing.ErrInvalid) && !isClientError(err) {
				return err
			}
			failed = append(failed, tid)
			continue
		}
		moved = append(moved, tid)
	}
	s.audit(c, "wallboard.move", fmt.Sprintf("agent %d → agent %d queue %q: moved %v, refused %v", id, req.AgentID, req.Queue, moved, failed))
	return c.JSON(fiber.Map{"moved": moved, "refused": failed})
}

// isClientError: an error the error handler answers with a 4xx.
func isClientError(err error) bool {
	var ve *apperr.ValidationError
	if errors.As(err, &ve) {
		return true
	}
	for _, m := range catalog {
		if errors.Is(err, m.err) {
			return m.status < 500
		}
	}
	return false
}

// audit records a change in the audit log; a failure is logged, the
// change stands.
func (s *Server) audit(c *fiber.Ctx, action, detail string) {
	if s.o.Audit == nil {
		return
	}
	if err := s.o.Audit.Record(c.UserContext(), current(c).ID, action, detail); err != nil {
		s.o.Log.Warn("audit", "action", action, "err", err)
	}
}
