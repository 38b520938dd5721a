package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/notify"
)

// Citizen notifications (routes in routes.go, block "notify"): the
// ticket's notifications for the console. The providers' status callbacks
// are mounted by internal/notify/notifyhttp (Opts.NotifyHooks).

// Notifications lists a ticket's citizen notifications (notify.Service).
type Notifications interface {
	Deliveries(ctx context.Context, ticketID int64) ([]notify.Delivery, error)
}

// handleTicketNotifications: GET /api/v1/tickets/:id/notifications, for
// those who may see the ticket.
func (s *Server) handleTicketNotifications(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	if _, err := s.o.Tickets.Summary(c.UserContext(), current(c), id); err != nil {
		return err
	}
	list, err := s.o.Notify.Deliveries(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": list})
}
