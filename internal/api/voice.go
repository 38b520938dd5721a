package api

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/voice"
	"tanggap/internal/httpx"
	"tanggap/internal/routing"
)

// Voice is the phone channel's console side: the callback line, calling a
// citizen back, and call counts for supervisors.
type Voice interface {
	CallBack(ctx context.Context, phone string, agentID int64, target string) (voice.Callback, error)
	Callbacks(ctx context.Context) ([]voice.Callback, error)
	Stats(ctx context.Context, since time.Time) (voice.Stats, error)
}

// handleCallBack calls the ticket's citizen back. The agent must be able
// to see the ticket; the number called is the contact's phone.
func (s *Server) handleCallBack(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		// To is the agent's own number or SIP address the citizen is
		// connected to once they answer (empty: the menu's transfer).
		To string `json:"to"`
	}
	if len(c.Body()) > 0 {
		if err := httpx.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	me := current(c)
	d, err := s.o.Tickets.Get(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	if s.o.Router != nil && d.AssigneeID == nil && d.Status.Active() {
		// The agent who calls back takes the waiting ticket, so routing
		// does not hand it to someone else during the call and the call
		// counts against the agent's voice capacity. An agent who cannot
		// take it (offline, at capacity, not in its queue) may still call:
		// the callback line itself stops two calls to one citizen.
		err := s.o.Router.Claim(c.UserContext(), actor(c), id)
		if err != nil && !errors.Is(err, routing.ErrNoCapacity) && !errors.Is(err, routing.ErrForbidden) {
			return err
		}
	}
	cb, err := s.o.Voice.CallBack(c.UserContext(), d.Contact.Phone, me.ID, req.To)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"callback": cb})
}

func (s *Server) handleCallbacks(c *fiber.Ctx) error {
	list, err := s.o.Voice.Callbacks(c.UserContext())
	if err != nil {
		return err
	}
	if list == nil {
		list = []voice.Callback{}
	}
	return c.JSON(fiber.Map{"callbacks": list})
}

// handleVoiceStats counts calls since ?since= (RFC 3339; default: the last
// 24 hours).
func (s *Server) handleVoiceStats(c *fiber.Ctx) error {
	since := time.Now().Add(-24 * time.Hour)
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "since must be an RFC 3339 time")
		}
		since = t
	}
	st, err := s.o.Voice.Stats(c.UserContext(), since)
	if err != nil {
		return err
	}
	return c.JSON(st)
}
