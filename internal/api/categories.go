package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/category"
	"tanggap/internal/httpx"
)

// Admin screens, continued: complaint categories. Every change is under
// /api/v1/admin, so auditAdmin records it (the IVR menu's routes are the
// phone channel's own console routes, under /api/v1/admin too).

func (s *Server) handleAdminCategories(c *fiber.Ctx) error {
	list, err := s.o.Categories.List(c.UserContext())
	if err != nil {
		return err
	}
	if list == nil {
		list = []category.Category{}
	}
	return c.JSON(fiber.Map{"categories": list})
}

// handleAdminSaveCategory creates (POST) or changes (PUT /:id) a category.
func (s *Server) handleAdminSaveCategory(c *fiber.Ctx) error {
	var req category.Category
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.ID = 0
	if p := c.Params("id"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return fiber.ErrNotFound
		}
		req.ID = id
	}
	var before *category.Category
	if req.ID != 0 {
		// The list is short (a program's complaint categories): the old
		// one for the audit line's old values.
		list, err := s.o.Categories.List(c.UserContext())
		if err != nil {
			return err
		}
		for i := range list {
			if list[i].ID == req.ID {
				before = &list[i]
			}
		}
	}
	saved, err := s.o.Categories.Save(c.UserContext(), req)
	if err != nil {
		return err
	}
	if before != nil {
		auditChanged(c, before, saved)
	}
	if req.ID == 0 {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(fiber.Map{"category": saved})
}
