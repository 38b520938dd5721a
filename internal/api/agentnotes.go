package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/httpx"
	"tanggap/internal/notes"
)

// Internal notes, mentions and the agent's notifications (internal/notes).

func (s *Server) handleAddNote(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.o.Notes.Post(c.UserContext(), current(c), id, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(n)
}

// mentionable is a colleague a note on this ticket may mention.
type mentionable struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// handleMentionable lists who may be mentioned on a ticket: the agents
// who may see it (a mention of anyone else is refused), the viewer aside.
func (s *Server) handleMentionable(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	list, err := s.o.Notes.Mentionable(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	out := make([]mentionable, 0, len(list))
	for _, a := range list {
		out = append(out, mentionable{ID: a.ID, Name: a.Name, Handle: notes.Handle(a)})
	}
	return c.JSON(fiber.Map{"agents": out})
}

func (s *Server) handleNotifications(c *fiber.Ctx) error {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	limit, _ := strconv.Atoi(c.Query("limit"))
	unread := c.Query("unread") == "1" || c.Query("unread") == "true"
	p, err := s.o.Notes.List(c.UserContext(), current(c), notes.ListOpts{UnreadOnly: unread, Before: before, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) handleReadNotifications(c *fiber.Ctx) error {
	var req struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.o.Notes.MarkRead(c.UserContext(), current(c), req.IDs, req.All)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unread": n})
}
