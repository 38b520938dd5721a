package api

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/httpx"
	"tanggap/internal/search"
	"tanggap/internal/ticket"
	"tanggap/internal/viewaudit"
)

// Search and views: GET /api/v1/search, the ticket list's filters, and
// /api/v1/views (see routes.go, "search and views").

// searchErr gives the search package's errors their public code.
func searchErr(err error) error {
	switch {
	case errors.Is(err, search.ErrViewNotFound):
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeNotFound, Err: err}
	case errors.Is(err, search.ErrForbidden):
		return &apperr.Coded{Status: fiber.StatusForbidden, Code: apperr.CodeForbidden, Err: err}
	}
	return err
}

// listFilter reads the ticket list's filters from the query string.
func listFilter(c *fiber.Ctx) (ticket.Filter, error) {
	f := ticket.Filter{
		Scope: c.Query("scope"), Status: c.Query("status"), Channel: c.Query("channel"),
		Priority: c.Query("priority"), Category: c.Query("category"), Province: c.Query("province"),
		Tag: c.Query("tag"), Wrapup: c.Query("wrapup"), Assignee: c.Query("assignee"), SLA: c.Query("sla"),
		Cursor: c.Query("cursor"),
	}
	var ve apperr.ValidationError
	f.Limit, _ = strconv.Atoi(c.Query("limit"))
	if v := c.Query("queue_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			ve.Add("queue_id", "validation.invalid")
		}
		f.QueueID = id
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := c.Query(p.name)
		if v == "" {
			continue
		}
		t, err := parseDay(v)
		if err != nil {
			ve.Add(p.name, "validation.invalid")
			continue
		}
		*p.dst = &t
	}
	return f, ve.Err()
}

// parseDay reads an RFC 3339 time or a date (midnight UTC).
func parseDay(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

func (s *Server) handleSearch(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	offset, _ := strconv.Atoi(c.Query("offset"))
	r, err := s.o.Search.Search(c.UserContext(), current(c), c.Query("q"), limit, offset)
	if err != nil {
		return err
	}
	if s.auditing() {
		shown := make([]viewaudit.View, len(r.Results))
		for i := range r.Results {
			t := &r.Results[i].Ticket
			shown[i] = viewaudit.View{TicketID: &t.ID, ContactID: &t.ContactID}
		}
		s.auditShown(c, viewaudit.KindSearch, shown)
	}
	return c.JSON(r)
}

func (s *Server) handleListViews(c *fiber.Ctx) error {
	vs, err := s.o.Search.Views(c.UserContext(), current(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"views": vs})
}

func (s *Server) handleViewCounts(c *fiber.Ctx) error {
	counts, err := s.o.Search.Counts(c.UserContext(), current(c))
	if err != nil {
		return err
	}
	out := make(map[string]int, len(counts))
	for id, n := range counts {
		out[strconv.FormatInt(id, 10)] = n
	}
	return c.JSON(fiber.Map{"counts": out, "cap": ticket.CountCap})
}

func (s *Server) handleCreateView(c *fiber.Ctx) error {
	var in search.ViewInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.o.Search.CreateView(c.UserContext(), current(c), in)
	if err != nil {
		return searchErr(err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"view": v})
}

func viewID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, searchErr(search.ErrViewNotFound)
	}
	return id, nil
}

func (s *Server) handleUpdateView(c *fiber.Ctx) error {
	id, err := viewID(c)
	if err != nil {
		return err
	}
	var in search.ViewInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.o.Search.UpdateView(c.UserContext(), current(c), id, in)
	if err != nil {
		return searchErr(err)
	}
	return c.JSON(fiber.Map{"view": v})
}

func (s *Server) handleDeleteView(c *fiber.Ctx) error {
	id, err := viewID(c)
	if err != nil {
		return err
	}
	if err := s.o.Search.DeleteView(c.UserContext(), current(c), id); err != nil {
		return searchErr(err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleViewTickets(c *fiber.Ctx) error {
	id, err := viewID(c)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	p, err := s.o.Search.ViewTickets(c.UserContext(), current(c), id, c.Query("cursor"), limit)
	if err != nil {
		return searchErr(err)
	}
	s.auditListed(c, p.Tickets)
	return c.JSON(p)
}
