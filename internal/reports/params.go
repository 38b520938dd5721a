package reports

import (
	"errors"
	"slices"
	"strings"
	"time"

	"tanggap/internal/apperr"
)

// ErrUnknownReport: no report has this name.
var ErrUnknownReport = errors.New("reports: unknown report")

// MaxDays bounds a report's range.
const MaxDays = 366

// Query is a parsed report request.
type Query struct {
	Name    string
	From    time.Time // first day, midnight in the reporting zone
	To      time.Time // last day (inclusive), midnight
	GroupBy string    // "" for the totals only
	CSV     bool
	SVG     bool // the report's chart
}

// Days is the number of days in the range.
func (q Query) Days() int { return int(q.To.Sub(q.From).Hours()/24+0.5) + 1 }

// Previous is the period of equal length just before q.
func (q Query) Previous() (from, to time.Time) {
	n := q.Days()
	return q.From.AddDate(0, 0, -n), q.From.AddDate(0, 0, -1)
}

// Params are the raw query parameters of GET /api/v1/reports/:name.
type Params struct {
	Name, From, To, GroupBy, Format string
}

// Parse checks a report request (Export: the per-ticket CSV): from and to are days (YYYY-MM-DD, to
// inclusive; default the last 30 days up to today), at most MaxDays
// apart; group_by is one the report offers; format is json (default) or
// csv or svg (the chart). Every problem is listed at once.
func (s *Service) Parse(p Params) (Query, error) {
	def, ok := reportDefs[p.Name]
	if !ok {
		return Query{}, ErrUnknownReport
	}
	ve := &apperr.ValidationError{}
	today := s.dayStart(s.o.Now())
	q := Query{Name: p.Name, To: today, From: today.AddDate(0, 0, -29)}
	day := func(field, v string, into *time.Time) {
		if v == "" {
			return
		}
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), s.o.Zone)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			ve.Add(field, "validation.invalid")
			return
		}
		*into = t
	}
	day("from", p.From, &q.From)
	day("to", p.To, &q.To)
	if !ve.Has("from") && !ve.Has("to") {
		if q.To.Before(q.From) {
			ve.Add("to", "reports.range_reversed")
		} else if q.Days() > MaxDays {
			ve.Add("to", "reports.range_too_long", "max", MaxDays)
		}
	}
	q.GroupBy = def.defaultGroup
	if p.GroupBy != "" {
		q.GroupBy = p.GroupBy
	}
	if q.GroupBy != "" && !slices.Contains(def.groups, q.GroupBy) {
		ve.Add("group_by", "validation.invalid")
	}
	switch p.Format {
	case "", "json":
		if def.export {
			q.CSV = true // the per-ticket export is CSV only
		}
	case "csv":
		q.CSV = true
	case "svg":
		q.SVG = !def.export
		if def.export {
			ve.Add("format", "validation.invalid")
		}
	default:
		ve.Add("format", "validation.invalid")
	}
	if err := ve.Err(); err != nil {
		return Query{}, err
	}
	return q, nil
}
