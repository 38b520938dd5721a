package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/httpx"
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
	viewer := current(c)
	d, err := s.o.Tickets.Summary(c.UserContext(), viewer, id)
	if err != nil {
		return err
	}
	if s.o.Conversations != nil && d.Channel == "livechat" {
		if err := s.o.Conversations.AgentTyping(c.UserContext(), d.TrackingNumber, viewer.Name, body.On); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
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
