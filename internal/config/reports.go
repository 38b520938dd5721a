package config

import (
	"fmt"
	"time"

	"tanggap/internal/hours"
)

// Reports configures the historical reports (internal/reports).
type Reports struct {
	// TimeZone: days and hours of day of the reports are counted in it.
	TimeZone string
	// RefreshInterval: how often the per-day rollup folds in changes (and
	// the previous month's report is generated once the month is over).
	RefreshInterval time.Duration
}

func defaultReports() Reports {
	return Reports{TimeZone: "Asia/Jakarta", RefreshInterval: time.Minute}
}

// parseReports reads the REPORTS_* variables into r, adding problems to p.
func parseReports(get func(string) string, r *Reports, p *Problems) {
	if s := get("REPORTS_TIME_ZONE"); s != "" {
		r.TimeZone = s
	}
	if _, err := hours.LoadZone(r.TimeZone); err != nil {
		*p = append(*p, fmt.Sprintf("REPORTS_TIME_ZONE: %q is not a time zone (e.g. Asia/Jakarta)", r.TimeZone))
	}
	if s := get("REPORTS_REFRESH_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 100*time.Millisecond {
			*p = append(*p, fmt.Sprintf("REPORTS_REFRESH_INTERVAL: %q is not a duration of at least 100ms (e.g. 1m)", s))
		} else {
			r.RefreshInterval = d
		}
	}
}
