package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/domain"
)

// Complaint configures the public-service complaint lifecycle
// (internal/complaint). Day counts are working days.
type Complaint struct {
	VerifyDays      int
	FollowUpDays    int
	CloseDays       int
	CeilingDays     int
	CeilingWarnDays int
	// Units are the work units complaints are disposed to: queue code →
	// name, in order. Each becomes a queue (its team's).
	Units []ComplaintUnit
	// SensitiveCategories make a complaint confidential unless the
	// citizen chooses otherwise.
	SensitiveCategories []string
	// RevealRoles may reveal a confidential complainant (with a reason,
	// audited).
	RevealRoles []string
	TimeZone    string
	// TickInterval: how often the lifecycle's clocks are advanced.
	TickInterval time.Duration
}

// ComplaintUnit is one work unit.
type ComplaintUnit struct{ Code, Name string }

func defaultComplaint() Complaint {
	return Complaint{VerifyDays: 3, FollowUpDays: 5, CloseDays: 10, CeilingDays: 60, CeilingWarnDays: 10,
		RevealRoles: []string{"supervisor", "admin"}, TimeZone: "WIB", TickInterval: 30 * time.Second}
}

// parseComplaint reads the COMPLAINT_* variables into r, adding problems to p.
func parseComplaint(get func(string) string, r *Complaint, p *Problems) {
	for _, v := range []struct {
		name string
		dst  *int
		min  int
	}{
		{"COMPLAINT_VERIFY_DAYS", &r.VerifyDays, 1}, {"COMPLAINT_FOLLOWUP_DAYS", &r.FollowUpDays, 1},
		{"COMPLAINT_CLOSE_DAYS", &r.CloseDays, 1}, {"COMPLAINT_CEILING_DAYS", &r.CeilingDays, 1},
		{"COMPLAINT_CEILING_WARN_DAYS", &r.CeilingWarnDays, 0},
	} {
		if s := get(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < v.min || n > 365 {
				*p = append(*p, fmt.Sprintf("%s: %q is not a number of working days (%d to 365)", v.name, s, v.min))
				continue
			}
			*v.dst = n
		}
	}
	if r.CeilingWarnDays >= r.CeilingDays {
		*p = append(*p, "COMPLAINT_CEILING_WARN_DAYS must be less than COMPLAINT_CEILING_DAYS")
	}
	eachPair(get("COMPLAINT_UNITS"), func(item, code, name string, ok bool) {
		if !ok || !domain.ValidCode(code) || name == "" {
			*p = append(*p, fmt.Sprintf("COMPLAINT_UNITS: %q must be queue-code:Name", item))
			return
		}
		r.Units = append(r.Units, ComplaintUnit{Code: code, Name: name})
	})
	if s := get("COMPLAINT_SENSITIVE_CATEGORIES"); s != "" {
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "" {
				if !domain.ValidCode(c) {
					*p = append(*p, fmt.Sprintf("COMPLAINT_SENSITIVE_CATEGORIES: %q is not a category code", c))
				}
				r.SensitiveCategories = append(r.SensitiveCategories, c)
			}
		}
	}
	if s := get("COMPLAINT_REVEAL_ROLES"); s != "" {
		r.RevealRoles = nil
		for _, role := range strings.Split(s, ",") {
			switch role = strings.TrimSpace(role); role {
			case "agent", "supervisor", "admin":
				r.RevealRoles = append(r.RevealRoles, role)
			case "":
			default:
				*p = append(*p, fmt.Sprintf("COMPLAINT_REVEAL_ROLES: %q is not agent, supervisor or admin", role))
			}
		}
	}
	if s := get("COMPLAINT_TIME_ZONE"); s != "" {
		r.TimeZone = s
	}
	switch strings.ToUpper(r.TimeZone) {
	case "WIB", "WITA", "WIT", "ASIA/JAKARTA", "ASIA/MAKASSAR", "ASIA/JAYAPURA":
	default:
		*p = append(*p, fmt.Sprintf("COMPLAINT_TIME_ZONE: %q is not WIB, WITA or WIT", r.TimeZone))
	}
	if s := get("COMPLAINT_TICK_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 100*time.Millisecond {
			*p = append(*p, fmt.Sprintf("COMPLAINT_TICK_INTERVAL: %q is not a duration of at least 100ms", s))
		} else {
			r.TickInterval = d
		}
	}
}
