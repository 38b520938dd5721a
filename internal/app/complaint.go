package app

import (
	"log/slog"

	"tanggap/internal/bus"
	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// unitQueues are the work units' queues, made at setup with the others.
func unitQueues(cfg config.Config) []routing.QueueSpec {
	specs := make([]routing.QueueSpec, 0, len(cfg.Complaint.Units))
	for _, u := range cfg.Complaint.Units {
		specs = append(specs, routing.QueueSpec{Code: u.Code, Name: u.Name})
	}
	return specs
}

// newComplaints builds the complaint lifecycle (issue 18); it reads no
// database (the units' queues are made at setup: unitQueues).
func newComplaints(cfg config.Config, d *db.DB, events complaint.Events, tickets *ticket.Service, router *routing.Router, log *slog.Logger) (*complaint.Service, error) {
	c := cfg.Complaint
	units := make([]complaint.Unit, 0, len(c.Units))
	for _, u := range c.Units {
		units = append(units, complaint.Unit{Code: u.Code, Name: u.Name})
	}
	roles := make([]domain.Role, 0, len(c.RevealRoles))
	for _, r := range c.RevealRoles {
		roles = append(roles, domain.Role(r))
	}
	return complaint.New(complaint.Opts{
		DB: d, Events: events, Tickets: tickets, Transfers: router, Log: log, Units: units, Zone: c.TimeZone,
		Deadlines: complaint.Deadlines{VerifyDays: c.VerifyDays, FollowDays: c.FollowUpDays, CloseDays: c.CloseDays,
			CeilingDays: c.CeilingDays, CeilingWarnDays: c.CeilingWarnDays},
		SensitiveCategories: c.SensitiveCategories, RevealRoles: roles, PINCost: cfg.PasswordCost,
	}), nil
}

// Complaints is the complaint lifecycle (tests advance its clocks with
// Tick).
func (a *App) Complaints() *complaint.Service { return a.complaints }

// Bus is the app's bus (tests hear its events).
func (a *App) Bus() *bus.Bus { return a.bus }
