package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/auth"
	"tanggap/internal/httpx"
)

// loginLimit bounds failed sign-ins per client address (only failures
// count, so a right password is never what uses the budget up). A browser
// that is a known device of the account it signs in to is exempt: agents
// behind one office address are not locked out by someone else's
// guessing there. The per-account limit (auth.SignIn) applies to all.
func (s *Server) loginLimit() fiber.Handler {
	return httpx.LimitUnless(s.o.LoginFailuresPerMinute, true, func(c *fiber.Ctx) bool {
		var req struct {
			Email string `json:"email"`
		}
		if json.Unmarshal(c.Body(), &req) != nil || req.Email == "" {
			return false
		}
		name := s.o.Auth.DeviceCookieName(req.Email)
		return name != "" && s.o.Auth.KnownDevice(req.Email, c.Cookies(name))
	})
}

// throttled reports the wait of a per-account refusal.
func throttled(err error) (time.Duration, bool) {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return te.RetryAfter, true
	}
	return 0, false
}
