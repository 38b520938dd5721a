package api

import (
	"github.com/gofiber/fiber/v2"

	"tanggap/internal/domain"
	"tanggap/internal/routing"
)

// transferTarget is a colleague a ticket may be transferred to.
type transferTarget struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name"`
	Presence domain.Presence `json:"presence"`
	QueueIDs []int64         `json:"queue_ids"`
}

// handleTransferTargets lists whom and where any signed-in console user
// may transfer a ticket: the other agents (name, presence, queues; no
// emails or loads) and the queues in routing by name.
func (s *Server) handleTransferTargets(c *fiber.Ctx) error {
	me := current(c)
	list, err := s.o.Agents.List(c.UserContext())
	if err != nil {
		return err
	}
	agents := make([]transferTarget, 0, len(list))
	for _, a := range list {
		if a.ID == me.ID {
			continue
		}
		q := a.QueueIDs
		if q == nil {
			q = []int64{}
		}
		agents = append(agents, transferTarget{ID: a.ID, Name: a.Name, Presence: a.Presence, QueueIDs: q})
	}
	queues, err := s.o.Queues.QueueNames(c.UserContext())
	if err != nil {
		return err
	}
	if queues == nil {
		queues = []routing.QueueName{}
	}
	return c.JSON(fiber.Map{"agents": agents, "queues": queues})
}
