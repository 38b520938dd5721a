package app

import (
	"log/slog"

	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/hours"
	"tanggap/internal/locale"
	"tanggap/internal/reports"
)

// newReports builds the historical reports on the configured zone (the
// zone was checked when the configuration was read).
func newReports(cfg config.Config, d *db.DB, cat *locale.Catalog, log *slog.Logger) (*reports.Service, error) {
	zone, err := hours.LoadZone(cfg.Reports.TimeZone)
	if err != nil {
		return nil, err
	}
	return reports.New(reports.Opts{DB: d, Log: log, Zone: zone, Texts: cat}), nil
}
