package voice

import (
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
)

// The IVR menu's admin screen: the menu in force, a check, and applying a
// new one (ConsoleRoutes; admins only; the apply is audited by the core,
// as every change under /api/v1/admin).

type menuRequest struct {
	Body string `json:"body"`
}

func (a *Adapter) handleMenu(c *fiber.Ctx) error {
	st, err := a.MenuState(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func readMenuRequest(c *fiber.Ctx) (menuRequest, error) {
	var req menuRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		ve := &apperr.ValidationError{}
		ve.Add("body", "validation.invalid")
		return req, ve
	}
	return req, nil
}

func (a *Adapter) handleCheckMenu(c *fiber.Ctx) error {
	req, err := readMenuRequest(c)
	if err != nil {
		return err
	}
	m, problems := CheckMenu([]byte(req.Body))
	if len(problems) > 0 {
		return a.menuProblems(c, problems)
	}
	return c.JSON(fiber.Map{"valid": true, "tree": TreeOf(m)})
}

func (a *Adapter) handleApplyMenu(con channels.Console) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req, err := readMenuRequest(c)
		if err != nil {
			return err
		}
		st, err := a.ApplyMenu(c.UserContext(), []byte(req.Body), con.Viewer(c).ID)
		var mp *ErrMenuProblems
		if errors.As(err, &mp) {
			return a.menuProblems(c, mp.Problems)
		}
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

// menuProblems is the refusal of a menu: the API's error shape with every
// problem, its path and line, told in the admin's language (the console's
// language choice, as every admin screen).
func (a *Adapter) menuProblems(c *fiber.Ctx, problems []MenuProblem) error {
	lang := "id-ID"
	if a.o.Lang != nil {
		lang = a.o.Lang(c)
	}
	msg := "invalid menu"
	if a.o.Texts != nil {
		msg = a.o.Texts.T(lang, "admin.ivr_invalid", "n", len(problems))
		problems = Localize(a.o.Texts, lang, problems)
	}
	return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{
		"code": apperr.CodeValidation, "message": msg, "problems": problems,
	}})
}
