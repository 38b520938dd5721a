package api

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/contact"
	"tanggap/internal/httpx"
	"tanggap/internal/viewaudit"
)

// Contacts is the citizen's whole history: the contact panel, notes on a
// contact, merges, splits and duplicate suggestions
// (contact.HistoryService implements it).
type Contacts interface {
	Panel(ctx context.Context, viewer agent.Agent, id int64) (contact.Panel, error)
	AddNote(ctx context.Context, viewer agent.Agent, contactID int64, body string) (contact.Note, error)
	Merge(ctx context.Context, viewer agent.Agent, intoID, fromID int64) (contact.Merge, error)
	Split(ctx context.Context, viewer agent.Agent, mergeID int64) (contact.Merge, error)
	LatestMerge(ctx context.Context, contactID int64) (int64, error)
	Duplicates(ctx context.Context, viewer agent.Agent, contactID int64) ([]contact.Duplicate, error)
}

func contactID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, contact.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleContactPanel(c *fiber.Ctx) error {
	id, err := contactID(c)
	if err != nil {
		return err
	}
	p, err := s.o.Contacts.Panel(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) handleContactNote(c *fiber.Ctx) error {
	id, err := contactID(c)
	if err != nil {
		return err
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.o.Contacts.AddNote(c.UserContext(), current(c), id, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(n)
}

func (s *Server) handleContactMerge(c *fiber.Ctx) error {
	id, err := contactID(c)
	if err != nil {
		return err
	}
	var req struct {
		From int64 `json:"from"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.From <= 0 {
		return contact.ErrNotFound
	}
	m, err := s.o.Contacts.Merge(c.UserContext(), current(c), id, req.From)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// handleContactSplit undoes the merge named in the body ({"merge_id": n})
// or, without one, the newest merge into the contact not yet split.
func (s *Server) handleContactSplit(c *fiber.Ctx) error {
	id, err := contactID(c)
	if err != nil {
		return err
	}
	var req struct {
		MergeID int64 `json:"merge_id"`
	}
	if len(c.Body()) > 0 {
		if err := httpx.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	if req.MergeID == 0 {
		if req.MergeID, err = s.o.Contacts.LatestMerge(c.UserContext(), id); err != nil {
			return err
		}
	}
	return s.split(c, req.MergeID)
}

func (s *Server) handleMergeUndo(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return contact.ErrMergeNotFound
	}
	return s.split(c, id)
}

func (s *Server) split(c *fiber.Ctx, mergeID int64) error {
	m, err := s.o.Contacts.Split(c.UserContext(), current(c), mergeID)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *Server) handleContactDuplicates(c *fiber.Ctx) error {
	id, err := contactID(c)
	if err != nil {
		return err
	}
	d, err := s.o.Contacts.Duplicates(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	if s.auditing() {
		shown := make([]viewaudit.View, len(d))
		for i := range d {
			shown[i] = viewaudit.View{ContactID: &d[i].ContactID}
		}
		s.auditShown(c, viewaudit.KindDuplicate, shown)
	}
	return c.JSON(fiber.Map{"duplicates": d})
}
