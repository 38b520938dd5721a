package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/canned"
	"tanggap/internal/httpx"
	"tanggap/internal/ticket"
)

// Canned replies and macros (internal/canned).

func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, canned.ErrNotFound
	}
	return id, nil
}

// handleListCanned lists the viewer's canned replies; with ?ticket_id=
// each carries its body filled for that ticket (the reply box's preview).
func (s *Server) handleListCanned(c *fiber.Ctx) error {
	o := canned.ListOpts{Q: c.Query("q"), Lang: c.Query("lang")}
	if v := c.Query("ticket_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return ticket.ErrNotFound
		}
		o.TicketID = id
	}
	list, err := s.o.Canned.List(c.UserContext(), current(c), o)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"canned_responses": list, "variables": canned.Variables})
}

func (s *Server) handleGetCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	r, err := s.o.Canned.Get(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) handleCreateCanned(c *fiber.Ctx) error {
	var d canned.Draft
	if err := httpx.DecodeJSON(c, &d); err != nil {
		return err
	}
	r, err := s.o.Canned.Create(c.UserContext(), current(c), d)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) handleUpdateCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	var d canned.Draft
	if err := httpx.DecodeJSON(c, &d); err != nil {
		return err
	}
	before, err := s.o.Canned.Get(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	r, err := s.o.Canned.Update(c.UserContext(), current(c), id, d)
	if err != nil {
		return err
	}
	auditChanged(c, cannedAudit(before), cannedAudit(r))
	return c.JSON(r)
}

func (s *Server) handleDeleteCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	if r, err := s.o.Canned.Get(c.UserContext(), current(c), id); err == nil {
		c.Locals(localAuditName, r.Title) // the line names what went, not "#4"
	}
	if err := s.o.Canned.Delete(c.UserContext(), current(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleUseCanned fills a canned reply for a ticket (and counts the use).
func (s *Server) handleUseCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	var req struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.o.Canned.Use(c.UserContext(), current(c), id, req.TicketID)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) handleListMacros(c *fiber.Ctx) error {
	list, err := s.o.Canned.Macros(c.UserContext(), current(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"macros": list})
}

func (s *Server) handleSaveMacro(c *fiber.Ctx) error {
	var id int64
	var err error
	if c.Params("mid") != "" {
		if id, err = idParam(c, "mid"); err != nil {
			return err
		}
	}
	var d canned.MacroDraft
	if err := httpx.DecodeJSON(c, &d); err != nil {
		return err
	}
	var before canned.Macro
	if id != 0 {
		if before, err = s.o.Canned.Macro(c.UserContext(), current(c), id); err != nil {
			return err
		}
	}
	m, err := s.o.Canned.SaveMacro(c.UserContext(), current(c), id, d)
	if err != nil {
		return err
	}
	if id != 0 {
		auditChanged(c, s.macroAudit(c, before), s.macroAudit(c, m))
	}
	status := fiber.StatusOK
	if id == 0 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(m)
}

func (s *Server) handleDeleteMacro(c *fiber.Ctx) error {
	id, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	if m, err := s.o.Canned.Macro(c.UserContext(), current(c), id); err == nil {
		c.Locals(localAuditName, m.Name)
	}
	if err := s.o.Canned.DeleteMacro(c.UserContext(), current(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleApplyMacro(c *fiber.Ctx) error {
	tid, err := ticketID(c)
	if err != nil {
		return err
	}
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	out, err := s.o.Canned.Apply(c.UserContext(), current(c), tid, mid)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// cannedAudit is what a canned reply's audit line compares: its words,
// shortcut, language and queue (by name), not its use count.
func cannedAudit(r canned.Response) map[string]any {
	return map[string]any{"title": r.Title, "shortcut": r.Shortcut, "lang": r.Lang, "queue": r.Queue, "body": r.Body}
}

// macroAudit is what a macro's audit line compares, its canned reply and
// the agent it transfers to by name (the line reads without a look-up,
// and as they were named then).
func (s *Server) macroAudit(c *fiber.Ctx, m canned.Macro) map[string]any {
	out := map[string]any{"name": m.Name, "queue": m.Queue, "status": m.Status, "priority": m.Priority, "tags": m.Tags,
		"transfer_queue": m.TransferQueue, "canned": nil, "transfer_agent": nil}
	if m.CannedID != nil {
		out["canned"] = "#" + strconv.FormatInt(*m.CannedID, 10)
		if r, err := s.o.Canned.Get(c.UserContext(), current(c), *m.CannedID); err == nil {
			out["canned"] = r.Title
		}
	}
	if m.TransferAgent != nil {
		out["transfer_agent"] = "#" + strconv.FormatInt(*m.TransferAgent, 10)
		if a, err := s.o.Agents.Get(c.UserContext(), *m.TransferAgent); err == nil {
			out["transfer_agent"] = a.Name
		}
	}
	return out
}
