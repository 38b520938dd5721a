package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/canned"
	"tanggap/internal/locale"
	"tanggap/internal/ticket"
)

// The error handler and the per-ticket outcomes of bulk actions come from one
// mapping: the same error gets the same status, code and words in both.
func TestOneMappingForEveryAnswer(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	ve := &apperr.ValidationError{}
	ve.Add("status", "validation.required")
	ve.Add("body", "validation.required")
	cases := []struct {
		name   string
		err    error
		status int
		code   string
		reason string // what a bulk outcome says
	}{
		{"catalog", fmt.Errorf("reply: %w", ticket.ErrClosed), fiber.StatusConflict, apperr.CodeTicketClosed,
			cat.T("id-ID", "error.ticket_closed")},
		{"validation names its first field by name", ve, fiber.StatusUnprocessableEntity, apperr.CodeValidation,
			cat.T("id-ID", "validation.required")},
		{"refusal gives its reason", &refusal{err: errors.New("queue in use"), field: "queue",
			FieldError: apperr.FieldError{Key: "routing.queue_in_use", Args: []any{"detail", "3 tiket"}}},
			fiber.StatusInternalServerError, apperr.CodeInternal, cat.T("id-ID", "routing.queue_in_use", "detail", "3 tiket")},
		{"explained", &apperr.Explained{Status: fiber.StatusConflict, Code: "complaint_in_progress", Key: "error.ticket_closed"},
			fiber.StatusConflict, "complaint_in_progress", cat.T("id-ID", "error.ticket_closed")},
		{"a request out of time is worth a retry", fmt.Errorf("read: %w", context.DeadlineExceeded),
			fiber.StatusServiceUnavailable, apperr.CodeUnavailable, cat.T("id-ID", "error."+apperr.CodeUnavailable)},
		{"unknown stays internal", errors.New("boom"), fiber.StatusInternalServerError, apperr.CodeInternal,
			cat.T("id-ID", "error."+apperr.CodeInternal)},
	}
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(cat, func(*fiber.Ctx) string { return "id-ID" }, slog.New(slog.DiscardHandler))})
	var current error
	app.Get("/", func(*fiber.Ctx) error { return current })
	s := &Server{o: Opts{Locale: cat}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, reason := s.describe("id-ID", tc.err)
			if status != tc.status || code != tc.code || reason != tc.reason {
				t.Fatalf("bulk outcome = %d %s %q, want %d %s %q", status, code, reason, tc.status, tc.code, tc.reason)
			}
			current = tc.err
			resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
			if err != nil {
				t.Fatal(err)
			}
			var body errorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || body.Error.Code != tc.code {
				t.Fatalf("answer = %d %s, want %d %s", resp.StatusCode, body.Error.Code, tc.status, tc.code)
			}
			if body.Error.Message == "" || (len(body.Error.Fields) == 0 && body.Error.Message != tc.reason) {
				t.Fatalf("answer message %q, fields %v; the bulk outcome says %q", body.Error.Message, body.Error.Fields, tc.reason)
			}
			if tc.status == fiber.StatusServiceUnavailable && resp.Header.Get(fiber.HeaderRetryAfter) == "" {
				t.Fatal("a 503 says when to retry")
			}
		})
	}
}

// A macro stopped halfway says why in the failed step's own words.
func TestMacroPartialGivesTheStepsOwnReason(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	why := &apperr.Explained{Status: fiber.StatusConflict, Code: "x", Key: "error.ticket_closed"}
	a := classify(cat, "id-ID", &canned.PartialError{Applied: []string{"reply"}, Failed: "status", Err: why})
	if a.status != fiber.StatusConflict || a.Code != apperr.CodeMacroPartial {
		t.Fatalf("got %d %s", a.status, a.Code)
	}
	if !strings.Contains(a.Fields["macro"], cat.T("id-ID", "error.ticket_closed")) {
		t.Fatalf("macro reason %q lacks the step's own words", a.Fields["macro"])
	}
	// A refused field says what is wrong with it, not only "fix the form".
	ve := &apperr.ValidationError{}
	ve.Add("body", "validation.required")
	a = classify(cat, "id-ID", &canned.PartialError{Applied: []string{"status"}, Failed: "reply", Err: ve})
	if !strings.Contains(a.Fields["macro"], cat.T("id-ID", "validation.required")) {
		t.Fatalf("macro reason %q lacks the field's reason", a.Fields["macro"])
	}
}
