package whatsapp

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
	"tanggap/internal/httpx"
)

var _ channels.ConsoleActions = (*Adapter)(nil)

// ConsoleRoutes adds the WhatsApp channel's admin screen: its approved
// templates (admins; every change under /api/v1/admin is audited by the
// core).
func (a *Adapter) ConsoleRoutes(con channels.Console) {
	if a.o.Templates == nil {
		return
	}
	con.Route(http.MethodGet, "/api/v1/admin/whatsapp-templates", channels.Admins, a.handleTemplates)
	con.Route(http.MethodPost, "/api/v1/admin/whatsapp-templates", channels.Admins, a.handleSaveTemplate(con))
	con.Route(http.MethodPut, "/api/v1/admin/whatsapp-templates/:id<int>", channels.Admins, a.handleSaveTemplate(con))
}

// templateRequest is a template as the screen sends it.
type templateRequest struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Purpose  string   `json:"purpose"`
	Params   []string `json:"params"`
	Active   *bool    `json:"active"`
}

func (a *Adapter) handleTemplates(c *fiber.Ctx) error {
	list, err := a.o.Templates.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"templates": list, "purposes": Purposes})
}

func (a *Adapter) handleSaveTemplate(con channels.Console) fiber.Handler {
	return func(c *fiber.Ctx) error { return a.saveTemplate(con, c) }
}

func (a *Adapter) saveTemplate(con channels.Console, c *fiber.Ctx) error {
	var req templateRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	t := Template{Name: req.Name, Language: req.Language, Purpose: Purpose(req.Purpose), Params: nonNil(req.Params), Active: req.Active == nil || *req.Active}
	status := fiber.StatusCreated
	if c.Params("id") != "" {
		id, err := c.ParamsInt("id")
		if err != nil || id <= 0 {
			return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeNotFound, Err: ErrTemplateNotFound}
		}
		t.ID, status = int64(id), fiber.StatusOK
	}
	var before *Template
	if t.ID != 0 {
		// The old one, for the audit line's old values (a short list).
		list, err := a.o.Templates.List(c.UserContext())
		if err != nil {
			return err
		}
		for i := range list {
			if list[i].ID == t.ID {
				before = &list[i]
			}
		}
	}
	saved, err := a.o.Templates.Save(c.UserContext(), t)
	if errors.Is(err, ErrTemplateNotFound) {
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeNotFound, Err: err}
	}
	if err != nil {
		return err
	}
	if before != nil {
		con.Changed(c, before, saved)
	}
	return c.Status(status).JSON(fiber.Map{"template": saved})
}
