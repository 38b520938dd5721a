package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// RequestObserver is told of every HTTP request once it has its status
// (internal/metrics implements it).
type RequestObserver interface {
	Request(route, method string, status int, d time.Duration)
}

// respond turns an error into its response at once, through the one
// error handler, so a middleware around it sees the status the client gets.
func respond(c *fiber.Ctx, err error) {
	if herr := c.App().ErrorHandler(c, err); herr != nil {
		_ = c.SendStatus(fiber.StatusInternalServerError)
	}
}

// observe reports each request by its route pattern ("/api/v1/tickets/:id<int>"),
// not its path, so ids do not become labels. An error is turned into its
// response here, by the one error handler, so the status observed is the
// one the client gets.
//
// An observer that can be paused (metrics.Metrics.SetRecording) is asked
// first: paused, the request goes on as if no observer were set.
func observe(o RequestObserver) fiber.Handler {
	r, _ := o.(interface{ Recording() bool })
	return func(c *fiber.Ctx) error {
		if r != nil && !r.Recording() {
			return c.Next()
		}
		start := time.Now()
		if err := c.Next(); err != nil {
			respond(c, err)
		}
		route, method := c.Route().Path, methodLabel(c.Method())
		if c.Response().StatusCode() == fiber.StatusNotFound && route == "/" {
			route = "unmatched"
		}
		o.Request(route, method, c.Response().StatusCode(), time.Since(start))
		return nil
	}
}

// methodLabel is the method as a label: c.Method() points into fasthttp's
// buffers, reused by the next request on the connection, so the label is
// one of the constant names or, for another method, a copy.
func methodLabel(m string) string {
	for _, known := range [...]string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodPut, fiber.MethodDelete, fiber.MethodHead, fiber.MethodOptions} {
		if m == known {
			return known
		}
	}
	return strings.Clone(m)
}
