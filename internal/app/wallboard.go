package app

import (
	"tanggap/internal/audit"
	"tanggap/internal/db"
	"tanggap/internal/wallboard"
)

// The wallboard and the admin screens' audit log.
func newWallboard(d *db.DB, thresholds string) (*wallboard.Service, error) {
	th, err := wallboard.ParseThresholds(thresholds)
	if err != nil {
		return nil, err
	}
	return wallboard.New(wallboard.Opts{DB: d, Thresholds: th}), nil
}

func newAudit(d *db.DB) *audit.Service { return audit.New(d) }
