package voice

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
	"tanggap/internal/httpx"
)

var _ channels.ConsoleActions = (*Adapter)(nil)

// ConsoleRoutes adds the phone channel's console side: calling a ticket's
// citizen back, the callback line, and call counts for supervisors.
func (a *Adapter) ConsoleRoutes(con channels.Console) {
	con.Route(http.MethodPost, "/api/v1/tickets/:id<int>/callback", channels.AnyAgent, a.handleCallBack(con))
	con.Route(http.MethodGet, "/api/v1/voice/callbacks", channels.AnyAgent, a.handleCallbacks(con))
	con.Route(http.MethodGet, "/api/v1/voice/stats", channels.Supervisors, a.handleStats)
	// The IVR menu's admin screen (menuhttp.go).
	con.Route(http.MethodGet, "/api/v1/admin/ivr-menu", channels.Admins, a.handleMenu)
	con.Route(http.MethodPut, "/api/v1/admin/ivr-menu", channels.Admins, a.handleApplyMenu(con))
	con.Route(http.MethodPost, "/api/v1/ivr-menu/check", channels.Admins, a.handleCheckMenu) // not a change: not audited
}

// consoleErrors give the callback API's errors their public shape.
var consoleErrors = []struct {
	err    error
	status int
	code   string
}{
	{ErrNoPhone, fiber.StatusUnprocessableEntity, apperr.CodeNoPhone},
	{ErrCallbackInProgress, fiber.StatusConflict, apperr.CodeCallbackInProgress},
	{ErrProvider, fiber.StatusBadGateway, apperr.CodeProviderFailed},
}

func consoleError(err error) error {
	// The agent's "to": a field error the console shows beside it.
	switch {
	case errors.Is(err, ErrInvalidTarget):
		ve := &apperr.ValidationError{}
		ve.Add("to", "voice.callback_to_invalid")
		return ve
	case errors.Is(err, ErrTargetNotAllowed):
		ve := &apperr.ValidationError{}
		ve.Add("to", "voice.callback_to_not_allowed")
		return ve
	}
	for _, e := range consoleErrors {
		if errors.Is(err, e.err) {
			return &apperr.Coded{Status: e.status, Code: e.code, Err: err}
		}
	}
	return err
}

// handleCallBack calls the ticket's citizen back. The agent must be able
// to see the ticket; the number called is the contact's phone.
func (a *Adapter) handleCallBack(con channels.Console) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := c.ParamsInt("id")
		if err != nil || id <= 0 {
			return fiber.ErrNotFound
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
		// A target off the allow-list is refused before anything
		// changes (the ticket is not taken, nobody is called).
		if to := strings.TrimSpace(req.To); to != "" {
			if _, err := a.targets.check(to); err != nil {
				return consoleError(err)
			}
		}
		t, err := con.Ticket(c, int64(id))
		if err != nil {
			return err
		}
		// The agent who calls back takes the waiting ticket, so routing
		// does not hand it to someone else during the call and the call
		// counts against the agent's voice capacity. An agent who cannot
		// take it (offline, at capacity, not in its queue) may still call:
		// the callback line itself stops two calls to one citizen.
		if err := con.TakeWaiting(c, t); err != nil {
			return err
		}
		cb, err := a.CallBack(c.UserContext(), t.ContactPhone, con.Viewer(c).ID, req.To)
		if err != nil {
			return consoleError(err)
		}
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"callback": cb})
	}
}

// handleCallbacks lists the callback line as the viewer may see it:
// supervisors and admins the whole line with the numbers; agents of the
// callback queue the whole line with the numbers masked (they call back
// from the ticket, which shows the number to whoever may see it); other
// agents only the requests they are calling now, masked.
func (a *Adapter) handleCallbacks(con channels.Console) fiber.Handler {
	return func(c *fiber.Ctx) error {
		list, err := a.CallbacksFor(c.UserContext(), con.Viewer(c))
		if err != nil {
			return err
		}
		if list == nil {
			list = []Callback{}
		}
		return c.JSON(fiber.Map{"callbacks": list})
	}
}

// handleStats counts calls since ?since= (RFC 3339; default: the last 24
// hours).
func (a *Adapter) handleStats(c *fiber.Ctx) error {
	since := time.Now().Add(-24 * time.Hour)
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "since must be an RFC 3339 time")
		}
		since = t
	}
	st, err := a.Stats(c.UserContext(), since)
	if err != nil {
		return err
	}
	return c.JSON(st)
}
