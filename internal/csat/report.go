package csat

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"tanggap/internal/csvcell"
)

// The report counts surveys by when they were sent (the solve, or the end
// of the call) in [From, To), and for each group:
//
//	sent          surveys sent
//	responses     of those, the answered ones
//	response_rate responses / sent × 100
//	average       mean rating of the responses
//	satisfied_pct responses rated ≥ SatisfiedMin / responses × 100
//
// A phone solve whose caller rated the call on the keypad is not asked
// again; it is no survey and the report leaves it out.
//
// Percentages and the average are rounded to two decimals, so the
// program's figure ("88.92 % satisfied") comes out of:
//
//	SELECT 100.0 * SUM(CASE WHEN r.rating >= 4 THEN 1 ELSE 0 END) / COUNT(r.survey_id)
//	FROM csat_surveys s JOIN csat_responses r ON r.survey_id = s.id
//	WHERE s.created_at >= :from AND s.created_at < :to

// GroupBy is a report's grouping.
type GroupBy string

// Groupings.
const (
	ByChannel  GroupBy = "channel"
	ByQueue    GroupBy = "queue"
	ByAgent    GroupBy = "agent"
	ByCategory GroupBy = "category"
	ByProvince GroupBy = "province"
)

// groupSQL is each grouping's key and label expressions and joins.
var groupSQL = map[GroupBy]struct{ key, label, join string }{
	ByChannel:  {"s.channel", "s.channel", ""},
	ByQueue:    {"COALESCE(s.queue_id, 0)", "COALESCE(MAX(q.code), '')", " LEFT JOIN queues q ON q.id = s.queue_id"},
	ByAgent:    {"COALESCE(s.agent_id, 0)", "COALESCE(MAX(a.name), '')", " LEFT JOIN agents a ON a.id = s.agent_id"},
	ByCategory: {"s.category", "s.category", ""},
	ByProvince: {"s.province_code", "s.province_code", ""},
}

// reportSQL is the report's one statement for a grouping (served by
// csat_surveys_created_idx and the responses' primary key).
func reportSQL(g GroupBy) string {
	e := groupSQL[g]
	return `SELECT CAST(` + e.key + ` AS TEXT) AS k, ` + e.label + ` AS label, COUNT(*) AS sent, COUNT(r.survey_id) AS responses,
		COALESCE(SUM(r.rating), 0) AS total, COALESCE(SUM(CASE WHEN r.rating >= ? THEN 1 ELSE 0 END), 0) AS satisfied
		FROM csat_surveys s LEFT JOIN csat_responses r ON r.survey_id = s.id` + e.join + `
		WHERE s.created_at >= ? AND s.created_at < ? AND s.via <> '` + viaCovered + `' GROUP BY ` + e.key + ` ORDER BY 1`
}

// ReportQuery is what the report is asked for.
type ReportQuery struct {
	From, To time.Time
	GroupBy  GroupBy
}

// Line is one group of the report (or the total).
type Line struct {
	Key          string  `json:"key"`
	Label        string  `json:"label"`
	Sent         int     `json:"sent"`
	Responses    int     `json:"responses"`
	ResponseRate float64 `json:"response_rate"`
	Average      float64 `json:"average"`
	Satisfied    int     `json:"satisfied"`
	SatisfiedPct float64 `json:"satisfied_pct"`
}

// Report is the satisfaction report.
type Report struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	GroupBy      GroupBy   `json:"group_by"`
	SatisfiedMin int       `json:"satisfied_min"`
	Lines        []Line    `json:"lines"`
	Total        Line      `json:"total"`
}

// ParseReportQuery reads from, to (YYYY-MM-DD in loc, to inclusive, or
// RFC 3339 instants, to exclusive) and group_by. Empty from/to: the 30
// days up to now.
func ParseReportQuery(from, to, groupBy string, loc *time.Location, now time.Time) (ReportQuery, error) {
	q := ReportQuery{GroupBy: GroupBy(groupBy)}
	if q.GroupBy == "" {
		q.GroupBy = ByChannel
	}
	if _, ok := groupSQL[q.GroupBy]; !ok {
		return q, fmt.Errorf("%w: group_by", ErrBadQuery)
	}
	var err error
	if to == "" {
		q.To = now
	} else if q.To, err = parseInstant(to, loc, true); err != nil {
		return q, fmt.Errorf("%w: to", ErrBadQuery)
	}
	if from == "" {
		q.From = q.To.AddDate(0, 0, -30)
	} else if q.From, err = parseInstant(from, loc, false); err != nil {
		return q, fmt.Errorf("%w: from", ErrBadQuery)
	}
	if !q.From.Before(q.To) || q.To.Sub(q.From) > 3*366*24*time.Hour {
		return q, fmt.Errorf("%w: from must be before to, at most three years apart", ErrBadQuery)
	}
	q.From, q.To = q.From.UTC(), q.To.UTC()
	return q, nil
}

func parseInstant(s string, loc *time.Location, end bool) (time.Time, error) {
	if len(s) > 40 {
		return time.Time{}, ErrBadQuery
	}
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Year() < 2000 || t.Year() > 9000 {
		return time.Time{}, ErrBadQuery
	}
	return t, nil
}

// Report computes the report.
func (s *Service) Report(ctx context.Context, q ReportQuery) (Report, error) {
	if _, ok := groupSQL[q.GroupBy]; !ok {
		return Report{}, fmt.Errorf("%w: group_by", ErrBadQuery)
	}
	var rows []struct {
		K         string
		Label     string
		Sent      int
		Responses int
		Total     int
		Satisfied int
	}
	min := s.o.Config.SatisfiedMin
	if err := s.o.DB.WithContext(ctx).Raw(reportSQL(q.GroupBy), min, q.From, q.To).Scan(&rows).Error; err != nil {
		return Report{}, fmt.Errorf("csat: report: %w", err)
	}
	rep := Report{From: q.From, To: q.To, GroupBy: q.GroupBy, SatisfiedMin: min, Lines: make([]Line, 0, len(rows))}
	var total, sum int
	for _, r := range rows {
		rep.Lines = append(rep.Lines, line(r.K, r.Label, r.Sent, r.Responses, r.Total, r.Satisfied))
		rep.Total.Sent += r.Sent
		rep.Total.Responses += r.Responses
		rep.Total.Satisfied += r.Satisfied
		sum += r.Total
		total++
	}
	rep.Total = line("", "total", rep.Total.Sent, rep.Total.Responses, sum, rep.Total.Satisfied)
	return rep, nil
}

func line(key, label string, sent, responses, total, satisfied int) Line {
	l := Line{Key: key, Label: label, Sent: sent, Responses: responses, Satisfied: satisfied}
	if sent > 0 {
		l.ResponseRate = round2(100 * float64(responses) / float64(sent))
	}
	if responses > 0 {
		l.Average = round2(float64(total) / float64(responses))
		l.SatisfiedPct = round2(100 * float64(satisfied) / float64(responses))
	}
	return l
}

// CSV writes the report as CSV: a header, one line per group, the total.
func (r Report) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	_ = w.Write([]string{string(r.GroupBy), "label", "sent", "responses", "response_rate", "average", "satisfied", "satisfied_pct"})
	for _, l := range append(append([]Line{}, r.Lines...), r.Total) {
		_ = w.Write([]string{csvcell.Safe(l.Key), csvcell.Safe(l.Label), strconv.Itoa(l.Sent), strconv.Itoa(l.Responses), f(l.ResponseRate), f(l.Average),
			strconv.Itoa(l.Satisfied), f(l.SatisfiedPct)})
	}
	w.Flush()
	return b.Bytes()
}
