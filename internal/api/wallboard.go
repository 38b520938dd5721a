package api

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bulk"
	"tanggap/internal/domain"
	"tanggap/internal/httpx"
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
// another agent or back to a queue, through the bulk transfer (the same
// checks and one transfer per ticket, audited and pushed like any other).
// A request refused as a whole (no target) is answered 422; when every
// ticket is refused for the same reason (unknown agent or queue, no
// room), that reason is the answer, with its status; otherwise 200 with the moved ids and each refused ticket with its
// status, code and message.
func (s *Server) handleMoveTickets(c *fiber.Ctx) error {
	id, err := pathAgentID(c)
	if err != nil {
		return err
	}
	var req struct {
		AgentID int64  `json:"agent_id"`
		Queue   string `json:"queue"`
		Note    string `json:"note"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if (req.AgentID == 0 && req.Queue == "") || req.AgentID == id {
		ve := &apperr.ValidationError{}
		ve.Add("agent_id", "validation.required")
		return ve
	}
	ctx := c.UserContext()
	ids, err := s.o.Wallboard.OpenTickets(ctx, id)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return c.JSON(fiber.Map{"moved": []int64{}, "refused": []bulkResult{}})
	}
	lang := s.o.Lang(c)
	moved, refused := []int64{}, []bulkResult{}
	var errs []error
	for lo := 0; lo < len(ids); lo += bulk.MaxTickets {
		chunk := ids[lo:min(lo+bulk.MaxTickets, len(ids))]
		results, err := s.o.Bulk.Apply(ctx, current(c), bulk.Request{IDs: chunk, Action: bulk.ActionTransfer, AgentID: req.AgentID, Queue: req.Queue, Note: req.Note})
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err == nil {
				moved = append(moved, r.ID)
				continue
			}
			status, code, msg := s.describe(lang, r.Err)
			if status >= 500 {
				s.o.Log.Error("moving an agent's tickets failed on a ticket", "request_id", requestID(c), "ticket_id", r.ID, "err", r.Err)
			}
			refused = append(refused, bulkResult{ID: r.ID, Status: status, Code: code, Message: msg})
			errs = append(errs, r.Err)
		}
	}
	refusedIDs := make([]int64, 0, len(refused))
	for _, r := range refused {
		refusedIDs = append(refusedIDs, r.ID)
	}
	s.audit(c, "wallboard.move", fmt.Sprintf("agent %d → agent %d queue %q: moved %v, refused %v", id, req.AgentID, req.Queue, moved, refusedIDs))
	if len(moved) == 0 && len(refused) > 0 && sameReason(refused) {
		return errs[0]
	}
	return c.JSON(fiber.Map{"moved": moved, "refused": refused})
}

// sameReason: every refusal has one status and code.
func sameReason(rs []bulkResult) bool {
	for _, r := range rs[1:] {
		if r.Status != rs[0].Status || r.Code != rs[0].Code {
			return false
		}
	}
	return true
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
