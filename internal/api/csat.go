package api

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/csat"
	"tanggap/internal/httpx"
)

// Customer satisfaction (routes in routes.go, block "csat"): the report,
// low-rating alerts, a ticket's ratings, the agent's own figures, and the
// citizen's rating card.

// reportZone is the time zone of report dates given as YYYY-MM-DD.
var reportZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return l
	}
	return time.FixedZone("WIB", 7*3600)
}()

// csatErr gives the satisfaction errors their public code.
func csatErr(err error) error {
	switch {
	case errors.Is(err, csat.ErrBadToken), errors.Is(err, csat.ErrNotFound):
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeCSATBadLink, Err: err}
	case errors.Is(err, csat.ErrExpired):
		return &apperr.Coded{Status: fiber.StatusGone, Code: apperr.CodeCSATExpired, Err: err}
	case errors.Is(err, csat.ErrAlreadyRated):
		return &apperr.Coded{Status: fiber.StatusConflict, Code: apperr.CodeCSATAlreadyRated, Err: err}
	case errors.Is(err, csat.ErrNotRated):
		return &apperr.Coded{Status: fiber.StatusConflict, Code: apperr.CodeCSATNotRated, Err: err}
	case errors.Is(err, csat.ErrAlreadyCommented):
		return &apperr.Coded{Status: fiber.StatusConflict, Code: apperr.CodeCSATAlreadyCommented, Err: err}
	case errors.Is(err, csat.ErrNoSurvey):
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeCSATNoSurvey, Err: err}
	case errors.Is(err, csat.ErrBadRating):
		var ve apperr.ValidationError
		ve.Add("rating", "csat.rating_invalid")
		return ve.Err()
	case errors.Is(err, csat.ErrBadQuery):
		return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: err}
	}
	return err
}

// handleCSATReport: GET /api/v1/reports/csat?from=&to=&group_by=&format=csv.
func (s *Server) handleCSATReport(c *fiber.Ctx) error {
	q, err := csat.ParseReportQuery(c.Query("from"), c.Query("to"), c.Query("group_by"), reportZone, time.Now())
	if err != nil {
		return csatErr(err)
	}
	rep, err := s.o.CSAT.Report(c.UserContext(), q)
	if err != nil {
		return csatErr(err)
	}
	switch c.Query("format") {
	case "", "json":
		return c.JSON(rep)
	case "csv":
		// The period's last day is the one before its end (an exclusive
		// instant: the day after "to", or now).
		csvDownload(c, csvName("csat", q.From.In(reportZone).Format(time.DateOnly),
			q.To.Add(-time.Nanosecond).In(reportZone).Format(time.DateOnly), string(q.GroupBy)))
		return c.Send(append([]byte(utf8BOM), rep.CSV()...))
	}
	return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest}
}

// handleCSATAlerts: GET /api/v1/csat/alerts — the latest low ratings of
// the supervisor's queues (every queue for admins).
func (s *Server) handleCSATAlerts(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, err := s.o.CSAT.Alerts(c.UserContext(), current(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"alerts": list})
}

// handleTicketCSAT: GET /api/v1/tickets/:id/csat — the ticket's ratings,
// for whoever may see the ticket.
func (s *Server) handleTicketCSAT(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	if _, err := s.o.Tickets.Summary(c.UserContext(), current(c), id); err != nil {
		return err
	}
	list, err := s.o.CSAT.TicketRatings(c.UserContext(), id)
	if err != nil {
		return err
	}
	// Only the ratings: the survey link is the citizen's own (it answers
	// for them), and reading never makes a survey.
	return c.JSON(fiber.Map{"ratings": list})
}

// handleMyCSAT: GET /api/v1/agents/me/csat?days= — the agent's own
// average and % satisfied.
func (s *Server) handleMyCSAT(c *fiber.Ctx) error {
	days, _ := strconv.Atoi(c.Query("days"))
	f, err := s.o.CSAT.AgentFigures(c.UserContext(), current(c).ID, days)
	if err != nil {
		return err
	}
	return c.JSON(f)
}

// handlePublicSurvey: GET /api/v1/public/csat/:token — what the rating
// card shows (tracking number, expiry, whether it is rated and commented).
func (s *Server) handlePublicSurvey(c *fiber.Ctx) error {
	open, err := s.o.CSAT.Survey(c.UserContext(), c.Params("token"))
	if err != nil {
		return csatErr(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(open)
}

// handlePublicRate: POST /api/v1/public/csat/:token {rating, comment} —
// the answer; without a rating, {comment} alone is the one comment added
// to a survey rated without one.
func (s *Server) handlePublicRate(c *fiber.Ctx) error {
	var req struct {
		Rating  *int   `json:"rating"`
		Comment string `json:"comment"`
		From    string `json:"from"` // "status_page" when rated on the status page after a lookup
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	by := csat.ByLink
	if req.From == csat.ByStatus {
		by = csat.ByStatus
	}
	if req.Rating == nil {
		err := s.o.CSAT.AddComment(c.UserContext(), c.Params("token"), req.Comment, by)
		switch {
		case errors.Is(err, csat.ErrNoComment), errors.Is(err, csat.ErrBadRating):
			var ve apperr.ValidationError
			ve.Add("comment", "csat.comment_invalid")
			return ve.Err()
		case err != nil:
			return csatErr(err)
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"commented": true})
	}
	if err := s.o.CSAT.Rate(c.UserContext(), c.Params("token"), csat.Answer{Rating: *req.Rating, Comment: req.Comment}, by); err != nil {
		return csatErr(err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"rated": true, "rating": *req.Rating})
}
