package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
)

// ConsoleSocket upgrades an authenticated request to the agents' push
// socket (internal/consolews); the session's token lets it re-check the
// session while the socket stays open.
type ConsoleSocket interface {
	Serve(c *fiber.Ctx, viewer agent.Agent, token string) error
}

// handleConsoleSocket hands a signed-in console to the push socket. The
// session was checked by authed, so a request without one got 401 before
// any upgrade. A plain GET is the console's probe (socket.js: is there a
// socket here, is the session alive): 204 says yes to both, without the
// refusal a websocket handshake lacking its headers would get.
func (s *Server) handleConsoleSocket(c *fiber.Ctx) error {
	if !strings.EqualFold(c.Get(fiber.HeaderUpgrade), "websocket") {
		return c.SendStatus(fiber.StatusNoContent)
	}
	token, _ := c.Locals(localToken).(string)
	return s.o.ConsoleSocket.Serve(c, current(c), token)
}
