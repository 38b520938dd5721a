package complaint

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// MaxCategoryRunes bounds a category code an agent gives.
const MaxCategoryRunes = 64

// sqlTicketProvince reads the ticket's province (primary key).
const sqlTicketProvince = `SELECT province_code FROM tickets WHERE id = ?`

// sqlCategoryOffered reads whether a catalog category is offered (the
// code's unique index).
const sqlCategoryOffered = `SELECT active FROM complaint_categories WHERE code = ?`

// Adopt brings a ticket that is not in the lifecycle into it: a complaint
// that arrived by WhatsApp, live chat or phone, which the agent treats as
// one (kind and category). Its clocks run from the ticket's received time
// on the working-day calendar of its province, like a form complaint's;
// the citizen follows it on the status page by its tracking number. A
// ticket already in the lifecycle is ErrStage; two agents adopting one
// ticket at once store one complaint (INSERT … ON CONFLICT DO NOTHING),
// the other gets ErrStage.
//
// Adopting needs the complaints.adopt permission (ErrForbidden without
// it), and the ticket must be still worked (new, open or pending: a solved
// one is reopened first, 409 ticket_inactive), and the category (given, else the ticket's) must be one the
// catalog (complaint_categories) offers: a validation error says whether
// it is missing, unknown or no longer offered, so the complaint report
// only counts categories the program knows.
func (s *Service) Adopt(ctx context.Context, viewer agent.Agent, ticketID int64, kindCode, category string) (View, error) {
	if !viewer.Can(permission.ComplaintsAdopt) {
		return View{}, ErrForbidden
	}
	sum, err := s.o.Tickets.Summary(ctx, viewer, ticketID)
	if err != nil {
		return View{}, err
	}
	if err := ticket.CheckNotRestricted(ctx, s.o.DB.DB, ticketID); err != nil {
		return View{}, err // the citizen restricted processing
	}
	var ve apperr.ValidationError
	kind, err := ParseKind(trim(kindCode))
	if err != nil {
		ve.Add("kind", "validation.invalid")
	}
	category = trim(category)
	if category == "" {
		category = sum.Category
	}
	if utf8.RuneCountInString(category) > MaxCategoryRunes {
		ve.Add("category", "validation.too_long", "max", MaxCategoryRunes)
	}
	if err := ve.Err(); err != nil {
		return View{}, err
	}
	if !sum.Status.Active() {
		// A complaint's ticket ends with its lifecycle (Guard): a solved
		// one is reopened first, a closed one stays a closed conversation.
		return View{}, &apperr.Explained{Status: http.StatusConflict, Code: apperr.CodeTicketInactive,
			Key: "lifecycle.adopt.inactive_" + string(sum.Status), Err: routing.ErrTicketInactive}
	}
	if _, err := s.ensure(ctx, ticketID); err == nil {
		return View{}, ErrStage // already in the lifecycle
	} else if !isNoComplaint(err) {
		return View{}, err
	}
	if err := s.checkCategory(ctx, category); err != nil {
		return View{}, err
	}
	var province []string
	if err := s.o.DB.WithContext(ctx).Raw(sqlTicketProvince, ticketID).Scan(&province).Error; err != nil {
		return View{}, fmt.Errorf("complaint: adopt: %w", err)
	}
	r := record{TicketID: ticketID, Kind: kind, Stage: StageVerification, Category: category,
		ReceivedAt: sum.CreatedAt.UTC(), UpdatedAt: s.now()}
	if len(province) > 0 {
		r.ProvinceCode = province[0]
	}
	r.TimeZone = s.zoneOf(r.ProvinceCode)
	cal, err := s.calendar(ctx, r.TimeZone, r.ReceivedAt)
	if err != nil {
		return View{}, err
	}
	due := AddWorkingDays(cal, r.ReceivedAt, s.o.Deadlines.VerifyDays)
	ceiling := AddWorkingDays(cal, r.ReceivedAt, s.o.Deadlines.CeilingDays)
	complete := r.ReceivedAt
	r.DueAt, r.CeilingAt, r.CompleteAt = &due, &ceiling, &complete
	by := viewer.ID
	inserted, err := s.store.insertNew(ctx, r, stepRow{TicketID: ticketID, Step: "received", AgentID: &by,
		Detail: "treated as a complaint (" + sum.Channel + ")", CreatedAt: r.ReceivedAt})
	if err != nil {
		return View{}, err
	}
	if !inserted {
		return View{}, ErrStage
	}
	s.changed(ctx, ticketID, "received")
	return s.View(ctx, viewer, ticketID)
}

// checkCategory accepts a category the catalog offers; a validation error
// on "category" names why another is refused.
func (s *Service) checkCategory(ctx context.Context, code string) error {
	var ve apperr.ValidationError
	if code == "" {
		ve.Add("category", "lifecycle.adopt.category_required")
		return ve.Err()
	}
	var active []bool
	if err := s.o.DB.WithContext(ctx).Raw(sqlCategoryOffered, code).Scan(&active).Error; err != nil {
		return fmt.Errorf("complaint: adopt: category: %w", err)
	}
	switch {
	case len(active) == 0:
		ve.Add("category", "lifecycle.adopt.category_unknown", "code", code)
	case !active[0]:
		ve.Add("category", "lifecycle.adopt.category_inactive", "code", code)
	}
	return ve.Err()
}
