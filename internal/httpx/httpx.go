// Package httpx holds the small request helpers that the API and the
// channel adapters share, so both answer bad input and floods the same way:
// JSON body decoding and per-client rate limits. Errors they return are
// rendered by the API's one error handler.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"tanggap/internal/apperr"
)

// ErrRateLimited is returned when a client sends too many requests.
var ErrRateLimited = errors.New("httpx: too many requests")

// DecodeJSON reads a JSON request body into v: 415 when the body is not
// declared JSON, 400 when it does not decode.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEApplicationJSON) {
		return &apperr.Coded{Status: fiber.StatusUnsupportedMediaType, Code: apperr.CodeUnsupportedMediaType,
			Err: fmt.Errorf("httpx: want %s", fiber.MIMEApplicationJSON)}
	}
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("httpx: %w", err)}
	}
	return nil
}

// Limit bounds requests per client address and minute (0: no limit).
// With failedOnly, only answers of 400 and above count: put Rendered
// between the limiter and the handler, or a returned error still looks
// like a 200 to the limiter.
func Limit(perMinute int, failedOnly bool) fiber.Handler {
	if perMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:                    perMinute,
		Expiration:             time.Minute,
		SkipSuccessfulRequests: failedOnly,
		LimitReached: func(*fiber.Ctx) error {
			return &apperr.Coded{Status: fiber.StatusTooManyRequests, Code: apperr.CodeRateLimited, Err: ErrRateLimited}
		},
	})
}

// LimitUnless is Limit for the requests skip does not exempt (skip runs
// before the request is counted).
func LimitUnless(perMinute int, failedOnly bool, skip func(*fiber.Ctx) bool) fiber.Handler {
	if perMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:                    perMinute,
		Expiration:             time.Minute,
		SkipSuccessfulRequests: failedOnly,
		Next:                   skip,
		LimitReached: func(*fiber.Ctx) error {
			return &apperr.Coded{Status: fiber.StatusTooManyRequests, Code: apperr.CodeRateLimited, Err: ErrRateLimited}
		},
	})
}

// Rendered turns the next handler's error into its response right away,
// so middleware before it sees the real status (404 for a wrong pair)
// rather than the 200 a response has until the app's error handler runs.
func Rendered(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return c.App().ErrorHandler(c, err)
	}
	return nil
}
