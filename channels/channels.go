// Package channels holds the contract every channel adapter implements and
// the delivery loop that feeds agent replies to them. An adapter is the only
// code that knows its provider's format: it mounts the provider's webhooks
// (or our own pages), publishes normalized inbound envelopes, and delivers
// outbound ones.
package channels

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/envelope"
)

// Adapter is one channel.
type Adapter interface {
	// Channel names the channel; it picks the subjects the adapter uses.
	Channel() envelope.Channel
	// Mount adds the adapter's routes (webhooks, pages, API) to the app.
	Mount(r fiber.Router)
	// Deliver hands one agent reply to the provider and reports the outcome.
	// A returned error means "try again later" unless it is Permanent.
	Deliver(ctx context.Context, out envelope.Outbound) (envelope.Receipt, error)
}

// permanentError marks a delivery failure that retrying cannot fix.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent wraps err so the delivery loop records the reply as failed
// instead of retrying it.
func Permanent(err error) error { return &permanentError{err: err} }

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// WebhookRefusal is the request local (fiber Ctx.Locals) under which an
// adapter names why it refused a webhook delivery, with a webhooks.Reason
// code, when its answer's status does not tell (a 403, or a 200 a provider
// needs even for bad input). See RefuseWebhook.
const WebhookRefusal = "tanggap.webhook_refusal"

// RefuseWebhook names why the adapter refused this webhook delivery, for
// the admins' channel health.
func RefuseWebhook(c *fiber.Ctx, reason string) { c.Locals(WebhookRefusal, reason) }
