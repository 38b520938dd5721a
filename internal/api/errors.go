package api

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/auth"
	"tanggap/internal/bulk"
	"tanggap/internal/bus"
	"tanggap/internal/canned"
	"tanggap/internal/category"
	"tanggap/internal/contact"
	"tanggap/internal/dsr"
	"tanggap/internal/locale"
	"tanggap/internal/refused"
	"tanggap/internal/routing"
	"tanggap/internal/tags"
	"tanggap/internal/ticket"
)

// errForbiddenRole is returned when an agent's role does not allow a route.
var errForbiddenRole = errors.New("api: role not allowed")

// catalog maps domain errors to their public shape. It is the one place an
// error becomes an HTTP status; message keys are error.<code>.
var catalog = []struct {
	err    error
	status int
	code   string
}{
	{ticket.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{ticket.ErrMessageNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{agent.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{attachment.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{attachment.ErrInvalidKey, fiber.StatusNotFound, apperr.CodeNotFound},
	{ticket.ErrForbidden, fiber.StatusForbidden, apperr.CodeForbidden},
	{errForbiddenRole, fiber.StatusForbidden, apperr.CodeForbidden},
	{ticket.ErrClosed, fiber.StatusConflict, apperr.CodeTicketClosed},
	{ticket.ErrInvalidStatusChange, fiber.StatusConflict, apperr.CodeInvalidStatusChange},
	{ticket.ErrWindowClosed, fiber.StatusConflict, apperr.CodeReplyWindowClosed},
	{ticket.ErrReplyCollision, fiber.StatusConflict, apperr.CodeReplyCollision},
	{agent.ErrEmailTaken, fiber.StatusConflict, apperr.CodeConflict},
	{agent.ErrRoleNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{agent.ErrRoleExists, fiber.StatusConflict, apperr.CodeConflict},
	{agent.ErrRoleInUse, fiber.StatusConflict, apperr.CodeRoleInUse},
	{agent.ErrRoleBuiltIn, fiber.StatusConflict, apperr.CodeRoleBuiltIn},
	{agent.ErrRoleLockout, fiber.StatusConflict, apperr.CodeRoleLockout},
	{auth.ErrInvalidCredentials, fiber.StatusUnauthorized, apperr.CodeInvalidCredentials},
	{auth.ErrUnauthenticated, fiber.StatusUnauthorized, apperr.CodeUnauthorized},
	{auth.ErrThrottled, fiber.StatusTooManyRequests, apperr.CodeRateLimited},
	{bus.ErrUnavailable, fiber.StatusServiceUnavailable, apperr.CodeUnavailable},
	{errStarting, fiber.StatusServiceUnavailable, apperr.CodeUnavailable}, // starting.go
	{routing.ErrTicketNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{routing.ErrAgentNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{routing.ErrUnknownQueue, fiber.StatusNotFound, apperr.CodeNotFound},
	{routing.ErrForbidden, fiber.StatusForbidden, apperr.CodeForbidden},
	{routing.ErrNoCapacity, fiber.StatusConflict, apperr.CodeNoCapacity},
	{routing.ErrQueueInUse, fiber.StatusConflict, apperr.CodeQueueInUse},
	{routing.ErrTicketInactive, fiber.StatusConflict, apperr.CodeTicketInactive},
	{routing.ErrConflict, fiber.StatusConflict, apperr.CodeConflict},
	{routing.ErrInvalid, fiber.StatusUnprocessableEntity, apperr.CodeValidation},
	// personal-data protection: frozen tickets, subject requests, sealed files
	{ticket.ErrRestricted, fiber.StatusLocked, apperr.CodeProcessingRestricted},
	{dsr.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{refused.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{dsr.ErrReason, fiber.StatusUnprocessableEntity, apperr.CodeValidation},
	{attachment.ErrKeyUnknown, fiber.StatusInternalServerError, apperr.CodeFileUnreadable},
	{attachment.ErrDecrypt, fiber.StatusInternalServerError, apperr.CodeFileUnreadable},
	// tags
	{tags.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{tags.ErrWrapupRequired, fiber.StatusConflict, apperr.CodeWrapupRequired},
	{tags.ErrCodeTaken, fiber.StatusConflict, apperr.CodeConflict},
	{bulk.ErrSupervisorOnly, fiber.StatusForbidden, apperr.CodeForbidden},
	// Canned replies and macros.
	{canned.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{canned.ErrForbidden, fiber.StatusForbidden, apperr.CodeForbidden},
	{canned.ErrNoTagger, fiber.StatusUnprocessableEntity, apperr.CodeTagsUnavailable},
	// The citizen's whole history.
	{contact.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{contact.ErrMergeNotFound, fiber.StatusNotFound, apperr.CodeNotFound},
	{contact.ErrForbidden, fiber.StatusForbidden, apperr.CodeForbidden},
	{contact.ErrSameContact, fiber.StatusUnprocessableEntity, apperr.CodeContactSame},
	{contact.ErrMerged, fiber.StatusConflict, apperr.CodeContactMerged},
	{contact.ErrMergeUndone, fiber.StatusConflict, apperr.CodeContactMergeUndone},
	{contact.ErrMergedSince, fiber.StatusConflict, apperr.CodeContactMergedSince},
	{contact.ErrSplitMismatch, fiber.StatusConflict, apperr.CodeContactSplitMismatch},
	{category.ErrNotFound, fiber.StatusNotFound, apperr.CodeNotFound}, // admin screens
}

// refusal is a domain error whose reason the caller has to act on (which
// queues still point at a queue, how many tickets it holds). The catalog
// still gives its status and code; the answer adds the reason, rendered
// from the FieldError, under fields[field].
type refusal struct {
	err   error
	field string
	apperr.FieldError
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// errorHandler renders every error returned by a handler or middleware.
// Internal details never reach the client; 5xx are logged with the request id.
func errorHandler(cat *locale.Catalog, lang func(*fiber.Ctx) string, log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		l := lang(c)
		status, code := fiber.StatusInternalServerError, apperr.CodeInternal
		var fields map[string]string
		msgKey, msgArgs := "", []any(nil)

		var ve *apperr.ValidationError
		var explained *apperr.Explained
		var coded *apperr.Coded
		var fe *fiber.Error
		var partial *canned.PartialError
		switch {
		case errors.As(err, &partial):
			status, code = fiber.StatusConflict, apperr.CodeMacroPartial
			fields = partialFields(cat, l, partial)
		case errors.As(err, &ve):
			status, code = fiber.StatusUnprocessableEntity, apperr.CodeValidation
			fields = make(map[string]string, len(ve.Fields))
			for name, f := range ve.Fields {
				fields[name] = cat.T(l, f.Key, f.Args...)
			}
		case errors.As(err, &explained):
			status, code, msgKey, msgArgs = explained.Status, explained.Code, explained.Key, explained.Args
		case errors.As(err, &coded):
			status, code = coded.Status, coded.Code
		case errors.As(err, &fe):
			status, code = fe.Code, codeForStatus(fe.Code)
		default:
			for _, e := range catalog {
				if errors.Is(err, e.err) {
					status, code = e.status, e.code
					break
				}
			}
			var rf *refusal
			var clash *ticket.Collision
			switch {
			case errors.As(err, &rf):
				fields = map[string]string{rf.field: cat.T(l, rf.Key, rf.Args...)}
			case errors.As(err, &clash):
				// A reply held: who answered the citizen meanwhile.
				fields = map[string]string{"body": cat.T(l, "console.reply_collision", "name", clash.Agent)}
			}
		}
		if status >= 500 {
			log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err)
		}
		if status == fiber.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, "5")
		}
		if msgKey == "" {
			msgKey = "error." + code
		}
		return c.Status(status).JSON(errorBody{Error: errorDetail{Code: code, Message: cat.T(l, msgKey, msgArgs...), Fields: fields}})
	}
}

func codeForStatus(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return apperr.CodeBadRequest
	case fiber.StatusUnauthorized:
		return apperr.CodeUnauthorized
	case fiber.StatusForbidden:
		return apperr.CodeForbidden
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return apperr.CodeNotFound
	case fiber.StatusRequestEntityTooLarge:
		return apperr.CodeTooLarge
	case fiber.StatusUnsupportedMediaType:
		return apperr.CodeUnsupportedMediaType
	case fiber.StatusTooManyRequests:
		return apperr.CodeRateLimited
	case fiber.StatusServiceUnavailable:
		return apperr.CodeUnavailable
	}
	if status >= 500 {
		return apperr.CodeInternal
	}
	return apperr.CodeBadRequest
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals("requestid").(string); ok {
		return v
	}
	return ""
}

// partialFields says what a macro that stopped did: the steps applied,
// the one that failed and why (that error's own message).
func partialFields(cat *locale.Catalog, l string, pe *canned.PartialError) map[string]string {
	why := apperr.CodeInternal
	var ve *apperr.ValidationError
	if errors.As(pe.Err, &ve) {
		why = apperr.CodeValidation
	}
	for _, e := range catalog {
		if errors.Is(pe.Err, e.err) {
			why = e.code
			break
		}
	}
	steps := make([]string, 0, len(pe.Applied))
	for _, s := range pe.Applied {
		steps = append(steps, cat.T(l, "macros.step_"+s))
	}
	return map[string]string{"macro": cat.T(l, "macros.partial", "applied", strings.Join(steps, ", "),
		"failed", cat.T(l, "macros.step_"+pe.Failed), "reason", cat.T(l, "error."+why))}
}
