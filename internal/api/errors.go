package api

import (
	"context"
	"errors"
	"log/slog"
	"sort"
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
	{ticket.ErrChannelOff, fiber.StatusConflict, apperr.CodeChannelOff}, // ticket.ChannelOff names the channel
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
		a := classify(cat, lang(c), err)
		if a.status >= 500 {
			log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", a.status, "err", err)
		}
		if a.status == fiber.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, "5")
		}
		return c.Status(a.status).JSON(errorBody{Error: a.errorDetail})
	}
}

// answer is what an error becomes for a client: its status and the body's
// code, message and fields.
type answer struct {
	status int
	errorDetail
}

// classify is the one mapping from an error to what the client is told,
// used by the error handler and by answers that carry several outcomes
// (bulk actions, per-ticket results), so the two never disagree.
func classify(cat *locale.Catalog, l string, err error) answer {
	a := answer{status: fiber.StatusInternalServerError, errorDetail: errorDetail{Code: apperr.CodeInternal}}
	msgKey, msgArgs := "", []any(nil)

	var ve *apperr.ValidationError
	var explained *apperr.Explained
	var coded *apperr.Coded
	var fe *fiber.Error
	var partial *canned.PartialError
	switch {
	case errors.As(err, &partial):
		a.status, a.Code = fiber.StatusConflict, apperr.CodeMacroPartial
		a.Fields = partialFields(cat, l, partial)
	case errors.As(err, &ve):
		a.status, a.Code = fiber.StatusUnprocessableEntity, apperr.CodeValidation
		a.Fields = make(map[string]string, len(ve.Fields))
		for name, f := range ve.Fields {
			a.Fields[name] = cat.T(l, f.Key, f.Args...)
		}
	case errors.As(err, &explained):
		a.status, a.Code, msgKey, msgArgs = explained.Status, explained.Code, explained.Key, explained.Args
	case errors.As(err, &coded):
		a.status, a.Code = coded.Status, coded.Code
	case errors.As(err, &fe):
		a.status, a.Code = fe.Code, codeForStatus(fe.Code)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The request or the work it waited on ran out of time: worth a retry.
		a.status, a.Code = fiber.StatusServiceUnavailable, apperr.CodeUnavailable
	default:
		for _, e := range catalog {
			if errors.Is(err, e.err) {
				a.status, a.Code = e.status, e.code
				break
			}
		}
		var rf *refusal
		var clash *ticket.Collision
		switch {
		case errors.As(err, &rf):
			a.Fields = map[string]string{rf.field: cat.T(l, rf.Key, rf.Args...)}
		case errors.As(err, &clash):
			// A reply held: who answered the citizen meanwhile.
			a.Fields = map[string]string{"body": cat.T(l, "console.reply_collision", "name", clash.Agent)}
		}
	}
	if msgKey == "" {
		msgKey = "error." + a.Code
	}
	a.Message = cat.T(l, msgKey, msgArgs...)
	return a
}

// reason is an answer in one sentence, for a list of outcomes that has no
// room for fields: the first field's reason (by name, so it is the same
// every time) where there is one, else the message.
func (a answer) reason() string {
	if len(a.Fields) == 0 {
		return a.Message
	}
	names := make([]string, 0, len(a.Fields))
	for name := range a.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return a.Fields[names[0]]
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
// the one that failed and why (that error's own reason: a field's, who
// answered first, or its message).
func partialFields(cat *locale.Catalog, l string, pe *canned.PartialError) map[string]string {
	steps := make([]string, 0, len(pe.Applied))
	for _, s := range pe.Applied {
		steps = append(steps, cat.T(l, "macros.step_"+s))
	}
	return map[string]string{"macro": cat.T(l, "macros.partial", "applied", strings.Join(steps, ", "),
		"failed", cat.T(l, "macros.step_"+pe.Failed), "reason", classify(cat, l, pe.Err).reason())}
}
