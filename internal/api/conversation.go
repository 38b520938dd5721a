package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/agent"
	"tanggap/internal/httpx"
	"tanggap/internal/ticket"
)

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
	relay := TypingRelay{Tickets: s.o.Tickets, Adapters: s.o.Adapters}
	if err := relay.AgentTyping(c.UserContext(), current(c), id, body.On); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// TypingRelay tells the citizen that an agent is (not) typing on a ticket
// the agent may see. The typing route and the console socket both go
// through it, so both say the same to the citizen.
type TypingRelay struct {
	Tickets *ticket.Service
	// Adapters: the channel's adapter relays when it implements
	// channels.Conversation.
	Adapters []channels.Adapter
}

// AgentTyping relays viewer's typing on ticket id (a no-op on channels
// without a live conversation).
func (r TypingRelay) AgentTyping(ctx context.Context, viewer agent.Agent, id int64, on bool) error {
	d, err := r.Tickets.Summary(ctx, viewer, id)
	if err != nil {
		return err
	}
	if conv := conversation(r.Adapters, d.Channel); conv != nil {
		return conv.AgentTyping(ctx, d.TrackingNumber, viewer.Name, on)
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
	if conv := conversation(s.o.Adapters, d.Channel); conv != nil {
		if err := conv.AgentRead(c.UserContext(), d.TrackingNumber); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}
