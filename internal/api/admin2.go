package api

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/voice"
	"tanggap/internal/apperr"
	"tanggap/internal/category"
	"tanggap/internal/httpx"
)

// Admin screens, continued: complaint categories and the IVR menu. Every
// change is under /api/v1/admin, so auditAdmin records it.

// IVRMenus is the menu in force of the phone channel and its replacement.
type IVRMenus interface {
	MenuState(ctx context.Context) (voice.MenuState, error)
	ApplyMenu(ctx context.Context, data []byte, agentID int64) (voice.MenuState, error)
}

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
	saved, err := s.o.Categories.Save(c.UserContext(), req)
	if err != nil {
		return err
	}
	if req.ID == 0 {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(fiber.Map{"category": saved})
}

func (s *Server) handleIVRMenu(c *fiber.Ctx) error {
	st, err := s.o.IVR.MenuState(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

type menuRequest struct {
	Body string `json:"body"`
}

// handleCheckIVRMenu checks a menu without applying it (not a change, so
// outside /admin and not audited).
func (s *Server) handleCheckIVRMenu(c *fiber.Ctx) error {
	var req menuRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	m, problems := voice.CheckMenu([]byte(req.Body))
	if len(problems) > 0 {
		return s.menuProblems(c, problems)
	}
	return c.JSON(fiber.Map{"valid": true, "tree": voice.TreeOf(m)})
}

// handleApplyIVRMenu applies a menu when it is valid: new calls take it.
func (s *Server) handleApplyIVRMenu(c *fiber.Ctx) error {
	var req menuRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.o.IVR.ApplyMenu(c.UserContext(), []byte(req.Body), current(c).ID)
	var mp *voice.ErrMenuProblems
	if errors.As(err, &mp) {
		return s.menuProblems(c, mp.Problems)
	}
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// menuProblems is the refusal of a menu: the usual error shape with every
// problem, its path and line.
func (s *Server) menuProblems(c *fiber.Ctx, problems []voice.MenuProblem) error {
	return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{
		"code":     apperr.CodeValidation,
		"message":  s.o.Locale.T(s.o.Lang(c), "admin.ivr_invalid", "n", len(problems)),
		"problems": problems,
	}})
}
