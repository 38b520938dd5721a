package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/webhooks"
)

// watchWebhooks counts the outcome of every request under /webhooks/ for
// the admins' channel health: a 2xx is an accepted delivery, a refusal
// the adapter named (channels.RefuseWebhook) or a 4xx is a refused one.
// Counting is in memory (webhooks.Service); nothing here reads or writes
// the database.
func (s *Server) watchWebhooks(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		respond(c, err) // the status is the error's, as the client sees it
	}
	// /webhooks/<channel>/...: an unknown channel is not kept.
	channel, _, _ := strings.Cut(strings.TrimPrefix(c.Path(), "/webhooks/"), "/")
	status := c.Response().StatusCode()
	reason, named := c.Locals(channels.WebhookRefusal).(string)
	switch {
	case named:
		s.o.Webhooks.Refused(channel, reason)
	case status >= 200 && status < 300:
		s.o.Webhooks.Accepted(channel)
	case status == fiber.StatusUnauthorized:
		s.o.Webhooks.Refused(channel, webhooks.ReasonSignature)
	case status == fiber.StatusRequestEntityTooLarge:
		s.o.Webhooks.Refused(channel, webhooks.ReasonTooLarge)
	case status == fiber.StatusUnsupportedMediaType:
		s.o.Webhooks.Refused(channel, webhooks.ReasonEncoding)
	case status == fiber.StatusNotFound, status == fiber.StatusMethodNotAllowed, status == fiber.StatusTooManyRequests:
		// No such webhook, or held back: not a delivery of the channel.
	case status >= 400 && status < 500:
		s.o.Webhooks.Refused(channel, webhooks.ReasonPayload)
	}
	return nil
}

// handleWebhookHealth: GET /api/v1/admin/webhooks — per channel, the
// webhook deliveries refused since refused_since (the start of the oldest
// whole hour of the last day), the last refusal's time and reason, and the
// last accepted delivery's time.
func (s *Server) handleWebhookHealth(c *fiber.Ctx) error {
	h, since, err := s.o.Webhooks.Summary(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"channels": h, "refused_since": since})
}
