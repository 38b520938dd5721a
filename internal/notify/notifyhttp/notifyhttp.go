// Package notifyhttp mounts the providers' status callbacks of citizen
// notifications (internal/notify) on the public HTTP server: Twilio's SMS
// status callback, signed like every Twilio webhook.
package notifyhttp

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/voice"
	"tanggap/internal/notify"
)

// Applier records a parsed status callback (notify.Service).
type Applier interface {
	ApplyTwilioStatus(ctx context.Context, st notify.TwilioStatus) error
}

// Hooks are the callback routes.
type Hooks struct {
	Notify Applier
	// TwilioAuthToken is the phone channel's account token: callbacks
	// without a valid X-Twilio-Signature are refused (403), and all of
	// them while it is empty.
	TwilioAuthToken string
	// PublicURL is the site root Twilio calls; the signature covers the
	// full URL.
	PublicURL string
	Log       *slog.Logger
}

// Mount adds POST notify.TwilioCallbackPath.
func (h *Hooks) Mount(r fiber.Router) {
	r.Post(notify.TwilioCallbackPath, h.handleTwilioStatus)
}

func (h *Hooks) handleTwilioStatus(c *fiber.Ctx) error {
	form, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return c.Status(fiber.StatusBadRequest).SendString("malformed form")
	}
	full := strings.TrimRight(h.PublicURL, "/") + notify.TwilioCallbackPath
	if h.TwilioAuthToken == "" || !voice.ValidSignature(h.TwilioAuthToken, full, form, c.Get("X-Twilio-Signature")) {
		return c.Status(fiber.StatusForbidden).SendString("forbidden")
	}
	st, err := notify.ParseTwilioStatus(form)
	if err != nil {
		h.log().Warn("notify: bad sms status callback", "err", err)
		return c.Status(fiber.StatusBadRequest).SendString("not a message status")
	}
	switch err := h.Notify.ApplyTwilioStatus(c.UserContext(), st); {
	case errors.Is(err, notify.ErrUnknownMessage):
		return c.SendStatus(fiber.StatusNoContent) // not ours: nothing to retry
	case err != nil:
		// The database failed us. Twilio does not call a status callback
		// again by default, so this status is lost (logged here); an SID
		// not recorded yet is no error (ApplyTwilioStatus keeps it).
		h.log().Warn("notify: sms status callback", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("try again")
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Hooks) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}
