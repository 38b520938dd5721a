package app

import (
	"context"
	"log/slog"

	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// newComplaints builds the complaint lifecycle (issue 18) and makes sure
// every work unit has its queue.
func newComplaints(ctx context.Context, cfg config.Config, d *db.DB, settings *routing.Settings, tickets *ticket.Service,
	router *routing.Router, log *slog.Logger) (*complaint.Service, error) {
	c := cfg.Complaint
	units := make([]complaint.Unit, 0, len(c.Units))
	specs := make([]routing.QueueSpec, 0, len(c.Units))
	for _, u := range c.Units {
		units = append(units, complaint.Unit{Code: u.Code, Name: u.Name})
		specs = append(specs, routing.QueueSpec{Code: u.Code, Name: u.Name})
	}
	if len(specs) > 0 {
		if err := settings.EnsureQueues(ctx, specs); err != nil {
			return nil, err
		}
	}
	roles := make([]domain.Role, 0, len(c.RevealRoles))
	for _, r := range c.RevealRoles {
		roles = append(roles, domain.Role(r))
	}
	return complaint.New(complaint.Opts{
		DB: d, Tickets: tickets, Transfers: router, Log: log, Units: units, Zone: c.TimeZone,
		Deadlines: complaint.Deadlines{VerifyDays: c.VerifyDays, FollowDays: c.FollowUpDays, CloseDays: c.CloseDays,
			CeilingDays: c.CeilingDays, CeilingWarnDays: c.CeilingWarnDays},
		SensitiveCategories: c.SensitiveCategories, RevealRoles: roles, PINCost: cfg.PasswordCost,
	}), nil
}

// Complaints is the complaint lifecycle (tests advance its clocks with
// Tick).
func (a *App) Complaints() *complaint.Service { return a.complaints }
