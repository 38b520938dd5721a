package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/bulk"
	"tanggap/internal/httpx"
	"tanggap/internal/locale"
	"tanggap/internal/tags"
	"tanggap/internal/transcript"
)

// Tags and wrap-up codes, bulk actions and the printable transcript
// (routes in routes.go, block "tags").

// codeJSON is a wrap-up code with its label in the caller's language.
type codeJSON struct {
	tags.Code
	Label string `json:"label"`
}

func codeLabel(lang, labelID, labelEN string) string {
	if lang == locale.English && labelEN != "" {
		return labelEN
	}
	return labelID
}

func codesJSON(lang string, codes []tags.Code) []codeJSON {
	out := make([]codeJSON, 0, len(codes))
	for _, c := range codes {
		out = append(out, codeJSON{Code: c, Label: codeLabel(lang, c.LabelID, c.LabelEN)})
	}
	return out
}

type wrapupJSON struct {
	Required bool       `json:"required"`
	Chosen   *chosenRow `json:"chosen"`
	Codes    []codeJSON `json:"codes"`
}

type chosenRow struct {
	tags.Chosen
	Label string `json:"label"`
}

func toWrapupJSON(lang string, w tags.TicketWrapup) wrapupJSON {
	out := wrapupJSON{Required: w.Required, Codes: codesJSON(lang, w.Codes)}
	if w.Chosen != nil {
		out.Chosen = &chosenRow{Chosen: *w.Chosen, Label: codeLabel(lang, w.Chosen.LabelID, w.Chosen.LabelEN)}
	}
	return out
}

func (s *Server) handleListTags(c *fiber.Ctx) error {
	list, err := s.o.Tags.Tags(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tags": list, "may_create": s.o.Tags.MayCreate(current(c))})
}

func (s *Server) handleCreateTag(c *fiber.Ctx) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	tag, err := s.o.Tags.CreateTag(c.UserContext(), req.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tag": tag})
}

func (s *Server) handleRemoveTag(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	name, err := s.o.Tags.RemoveTag(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Locals(localAuditName, name) // the audit line names the tag that went, not "#4"
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleTicketTags(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	names, err := s.o.Tags.TicketTags(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tags": names})
}

func (s *Server) handleSetTicketTags(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Tags []string `json:"tags"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Tags == nil {
		ve := &apperr.ValidationError{}
		ve.Add("tags", "validation.required")
		return ve
	}
	names, err := s.o.Tags.SetTags(c.UserContext(), current(c), id, req.Tags)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tags": names})
}

func (s *Server) handleTicketWrapup(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	w, err := s.o.Tags.Wrapup(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"wrapup": toWrapupJSON(s.o.Lang(c), w)})
}

func (s *Server) handleSetTicketWrapup(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.o.Tags.SetWrapup(c.UserContext(), current(c), id, req.Code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"wrapup": toWrapupJSON(s.o.Lang(c), w)})
}

func (s *Server) handleListWrapupCodes(c *fiber.Ctx) error {
	codes, rules, err := s.o.Tags.Codes(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"codes": codesJSON(s.o.Lang(c), codes), "rules": rules})
}

func (s *Server) handleCreateWrapupCode(c *fiber.Ctx) error {
	var req tags.CodeInput
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	code, err := s.o.Tags.CreateCode(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"code": codeJSON{Code: code, Label: codeLabel(s.o.Lang(c), code.LabelID, code.LabelEN)}})
}

func (s *Server) handleUpdateWrapupCode(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req tags.CodeInput
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	codes, _, err := s.o.Tags.Codes(c.UserContext())
	if err != nil {
		return err
	}
	code, err := s.o.Tags.UpdateCode(c.UserContext(), id, req)
	if err != nil {
		return err
	}
	for _, old := range codes {
		if old.ID == id {
			auditChanged(c, wrapupAudit(old), wrapupAudit(code))
		}
	}
	return c.JSON(fiber.Map{"code": codeJSON{Code: code, Label: codeLabel(s.o.Lang(c), code.LabelID, code.LabelEN)}})
}

func (s *Server) handleRetireWrapupCode(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.o.Tags.RetireCode(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleSetWrapupRule(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Required *bool `json:"required"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Required == nil {
		ve := &apperr.ValidationError{}
		ve.Add("required", "validation.required")
		return ve
	}
	_, rules, err := s.o.Tags.Codes(c.UserContext())
	if err != nil {
		return err
	}
	before := map[string]any{"required": false}
	for _, r := range rules {
		if r.QueueID == id {
			before["required"] = r.Required
		}
	}
	rule, err := s.o.Tags.SetRequired(c.UserContext(), id, *req.Required)
	if err != nil {
		return err
	}
	auditChanged(c, before, map[string]any{"required": rule.Required})
	return c.JSON(fiber.Map{"rule": rule})
}

func pathID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, tags.ErrNotFound
	}
	return id, nil
}

// bulkResult is one ticket's outcome; a refusal carries the code and the
// message the single-ticket route would have answered.
type bulkResult struct {
	ID      int64  `json:"id"`
	OK      bool   `json:"ok"`
	Status  int    `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

func (s *Server) handleBulk(c *fiber.Ctx) error {
	var req bulk.Request
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	results, err := s.o.Bulk.Apply(c.UserContext(), current(c), req)
	if err != nil {
		return err
	}
	lang := s.o.Lang(c)
	out := make([]bulkResult, 0, len(results))
	done := 0
	for _, r := range results {
		if r.Err == nil {
			done++
			out = append(out, bulkResult{ID: r.ID, OK: true, Status: fiber.StatusOK})
			continue
		}
		status, code, msg := s.describe(lang, r.Err)
		if status >= 500 {
			s.o.Log.Error("bulk action failed on a ticket", "request_id", requestID(c), "ticket_id", r.ID, "action", req.Action, "err", r.Err)
		}
		out = append(out, bulkResult{ID: r.ID, Status: status, Code: code, Message: msg})
	}
	return c.JSON(fiber.Map{"results": out, "done": done, "failed": len(out) - done})
}

// describe is an error as one outcome among several: the error handler's
// status, code and reason.
func (s *Server) describe(lang string, err error) (int, string, string) {
	a := classify(s.o.Locale, lang, err)
	return a.status, a.Code, a.reason()
}

func (s *Server) handleTranscript(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	viewer := current(c)
	d, err := s.o.Tickets.Get(c.UserContext(), viewer, id)
	if err != nil {
		return err
	}
	var extra transcript.Extra
	if extra.Tags, err = s.o.Tags.TicketTags(c.UserContext(), viewer, id); err != nil {
		return err
	}
	w, err := s.o.Tags.Wrapup(c.UserContext(), viewer, id)
	if err != nil {
		return err
	}
	lang := s.o.Lang(c)
	if w.Chosen != nil {
		extra.Wrapup = codeLabel(lang, w.Chosen.LabelID, w.Chosen.LabelEN)
	}
	if err := s.o.Tickets.AuditView(c.UserContext(), viewer, "ticket.transcript", id); err != nil {
		return err
	}
	page, err := transcript.Render(s.o.Locale, lang, viewer, d, extra, time.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentSecurityPolicy, transcript.CSP)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(page)
}

// wrapupAudit is what a wrap-up code's audit line compares.
func wrapupAudit(c tags.Code) map[string]any {
	return map[string]any{"code": c.Code, "label_id": c.LabelID, "label_en": c.LabelEN, "active": c.Active}
}
