package complaint

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// GroupBy names a report's rows.
var groupColumns = map[string]string{"kind": "kind", "category": "category", "province": "province_code", "unit": "unit"}

// ReportRow is one group's figures over a period.
type ReportRow struct {
	Group string `json:"group"`
	// Received: complaints received in the period; the other figures
	// count those complaints.
	Received           int `json:"received"`
	Verified           int `json:"verified"`
	CompletedByCitizen int `json:"completed_by_citizen"`
	Disposed           int `json:"disposed"`
	AnsweredInTime     int `json:"answered_in_time"`
	Answered           int `json:"answered"`
	Closed             int `json:"closed"`
	NotAuthority       int `json:"not_authority"`
	Archived           int `json:"archived"`
	Reopened           int `json:"reopened"`
	OverCeiling        int `json:"over_ceiling"`
}

// Report is the periodic complaint-handling report.
type Report struct {
	From    time.Time   `json:"from"`
	To      time.Time   `json:"to"`
	GroupBy string      `json:"group_by"`
	Rows    []ReportRow `json:"rows"`
	Total   ReportRow   `json:"total"`
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 400

// Report counts the complaints received in [from, to) by group
// (kind, category, province, unit). "Disposed per unit" is the unit
// grouping's Disposed.
//
//	complaints_received_idx (received_at) range, grouped in the database
func (s *Service) Report(ctx context.Context, from, to time.Time, groupBy string) (Report, error) {
	col, ok := groupColumns[groupBy]
	if !ok {
		return Report{}, fmt.Errorf("%w: group_by %q (kind, category, province, unit)", ErrInvalid, groupBy)
	}
	if !to.After(from) || to.Sub(from) > MaxReportDays*24*time.Hour {
		return Report{}, fmt.Errorf("%w: period (from before to, at most %d days)", ErrInvalid, MaxReportDays)
	}
	now := s.now()
	var rows []ReportRow
	// col comes from groupColumns, never from the caller.
	err := s.o.DB.WithContext(ctx).Raw(`SELECT `+col+` AS "group", COUNT(*) AS received,
		SUM(CASE WHEN verified_at IS NOT NULL THEN 1 ELSE 0 END) AS verified,
		SUM(CASE WHEN completed_by_citizen THEN 1 ELSE 0 END) AS completed_by_citizen,
		SUM(CASE WHEN disposed_at IS NOT NULL THEN 1 ELSE 0 END) AS disposed,
		SUM(CASE WHEN answered_in_time THEN 1 ELSE 0 END) AS answered_in_time,
		SUM(CASE WHEN answered_at IS NOT NULL OR published_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
		SUM(CASE WHEN stage = 'closed' THEN 1 ELSE 0 END) AS closed,
		SUM(CASE WHEN stage = 'not_authority' THEN 1 ELSE 0 END) AS not_authority,
		SUM(CASE WHEN stage = 'archived' THEN 1 ELSE 0 END) AS archived,
		SUM(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END) AS reopened,
		SUM(CASE WHEN ceiling_at IS NOT NULL AND ((closed_at IS NULL AND ceiling_at < ?) OR closed_at > ceiling_at) THEN 1 ELSE 0 END) AS over_ceiling
		FROM complaints WHERE received_at >= ? AND received_at < ? GROUP BY `+col, now, from.UTC(), to.UTC()).Scan(&rows).Error
	if err != nil {
		return Report{}, fmt.Errorf("complaint: report: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Group < rows[j].Group })
	out := Report{From: from.UTC(), To: to.UTC(), GroupBy: groupBy, Rows: rows}
	if out.Rows == nil {
		out.Rows = []ReportRow{}
	}
	for _, r := range rows {
		t := &out.Total
		t.Received += r.Received
		t.Verified += r.Verified
		t.CompletedByCitizen += r.CompletedByCitizen
		t.Disposed += r.Disposed
		t.AnsweredInTime += r.AnsweredInTime
		t.Answered += r.Answered
		t.Closed += r.Closed
		t.NotAuthority += r.NotAuthority
		t.Archived += r.Archived
		t.Reopened += r.Reopened
		t.OverCeiling += r.OverCeiling
	}
	out.Total.Group = "total"
	return out, nil
}

// Escalated lists open complaints past their ceiling for supervisors (no
// identities: ids, stage, unit and due times only).
func (s *Service) Escalated(ctx context.Context) ([]View, error) {
	list, err := s.store.escalatedList(ctx, 200)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(list))
	for _, r := range list {
		out = append(out, View{TicketID: r.TicketID, Kind: r.Kind, Stage: r.Stage, Unit: r.Unit, UnitName: s.units[r.Unit].Name,
			ReceivedAt: r.ReceivedAt, CompleteAt: r.CompleteAt, Escalated: true, Confidential: r.Confidential, Anonymous: r.Anonymous})
	}
	return out, nil
}
