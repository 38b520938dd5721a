package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/httpx"
	"tanggap/internal/ticket"
)

// Conversations carries the agent's side of a live conversation to the
// citizen: typing, and read marks (the live-chat gateway implements it).
type Conversations interface {
	AgentTyping(ctx context.Context, trackingNumber, agentName string, on bool) error
	AgentRead(ctx context.Context, trackingNumber string) error
}

// handleTyping tells the citizen the agent is (not) typing:
// {"on": true|false}. Only for tickets the agent may see.
func (s *Server) handleTyping(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var body struct {
		On bool `json:"on"`
	}
	if err := httpx.DecodeJSON(c, &body); err != nil {
		return err
	}
	relay := TypingRelay{Tickets: s.o.Tickets, Conversations: s.o.Conversations}
	if err := relay.AgentTyping(c.UserContext(), current(c), id, body.On); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// TypingRelay tells the citizen that an agent is (not) typing on a ticket
// the agent may see. The typing route and the console socket both go
// through it, so both say the same to the citizen.
type TypingRelay struct {
	Tickets       *ticket.Service
	Conversations Conversations
}

// AgentTyping relays viewer's typing on ticket id (a no-op on channels
// without a live conversation).
func (r TypingRelay) AgentTyping(ctx context.Context, viewer agent.Agent, id int64, on bool) error {
	d, err := r.Tickets.Summary(ctx, viewer, id)
	if err != nil {
		return err
	}
	if r.Conversations != nil && d.Channel == "livechat" {
		return r.Conversations.AgentTyping(ctx, d.TrackingNumber, viewer.Name, on)
	}
	return nil
}

// handleRead marks the citizen's messages so far as read by the agent.
func (s *Server) handleRead(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	d, err := s.o.Tickets.Summary(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	if s.o.Conversations != nil && d.Channel == "livechat" {
		if err := s.o.Conversations.AgentRead(c.UserContext(), d.TrackingNumber); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}
