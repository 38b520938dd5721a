package reports

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestReportQueriesUseIndexes: every statement a report request, the
// incremental refresh and the export run is served by an index on both
// dialects (no table read whole), naming the index it must use.
func TestReportQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	a, b := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rollup := []string{"report_daily_pkey", "sqlite_autoindex_report_daily_1"}
	created := []string{"tickets_created_idx"}
	// The encoded resolution-time counts: a range of the primary key on
	// dim and day (or month), not a walk of the whole key.
	resolution := []string{"report_resolution_pkey|sqlite_autoindex_report_resolution_1", "Index Cond: ((dim = |(dim=? AND day>?"}
	resolutionMonth := []string{"report_resolution_month_pkey|sqlite_autoindex_report_resolution_month_1"}
	for _, c := range []struct {
		name, q string
		args    []any
		want    []string // every one of these must appear; each entry may list alternatives with |
	}{
		{"a report by value", qByValue, []any{DimChannel, "2026-11-01", "2026-11-30"}, []string{strings.Join(rollup, "|")}},
		{"a report by day", qByDay, []any{DimAll, "2026-11-01", "2026-11-30"}, []string{strings.Join(rollup, "|")}},
		{"one value per day", qDayOfValue, []any{DimCalls, "2026-11-01", "2026-11-30", "inbound"}, []string{strings.Join(rollup, "|")}},
		{"where the first refresh starts", qFirstTicket, nil, created},
		{"tickets changed since the mark", qChangedTickets, []any{a, b}, []string{"tickets_updated_idx"}},
		{"agent actions since the mark", qChangedByAudit, []any{a, b}, []string{"audit_log_created_idx", "tickets_pkey|INTEGER PRIMARY KEY|tickets_created_idx"}},
		{"first responses due since the mark", qDueFirstResponse, []any{a, b}, []string{"tickets_first_response_open_idx"}},
		{"resolutions due since the mark", qDueResolution, []any{a, b}, []string{"tickets_sla_open_idx"}},
		{"a day's tickets", qDayTickets, []any{a, b}, created},
		{"a day's messages", qDayMessages, []any{a, b}, []string{"tickets_created_idx", "messages_ticket_idx"}},
		{"a day's agent actions", qDayAudit, []any{a, b}, []string{"tickets_created_idx", "audit_log_ticket_idx"}},
		{"a day's wrap-up codes", qDayWrapups, []any{a, b}, []string{"tickets_created_idx", "ticket_wrapups_pkey|sqlite_autoindex_ticket_wrapups_1"}},
		{"a day's calls", qDayCalls, []any{a, b}, []string{"voice_calls_started_idx"}},
		{"resolution times by value", qResByValue, []any{DimQueue, "2026-11-01", "2026-11-30"}, resolution},
		{"resolution times by whole month", qResByMonth, []any{DimQueue, "2026-10", "2026-11"}, append(resolutionMonth, "Index Cond: ((dim = |(dim=? AND month>?")},
		{"a day's resolution times (refresh)", qResDayRows, []any{resolutionDims, "2026-11-01"}, []string{resolution[0], "Index Cond: ((dim = ANY|(dim=? AND day=?"}},
		{"a month's resolution times of changed values (refresh)", qResMonthRows, []any{DimQueue, "2026-11", []string{"1", "2"}}, append(resolutionMonth, "Index Cond: ((dim = |(dim=? AND month=? AND value=?")},
		{"dropping a day's emptied values (refresh)", qResDayDrop, []any{DimQueue, "2026-11-01", []string{"1", "2"}}, []string{resolution[0], "Index Cond: ((dim = |(dim=? AND day=? AND value=?"}},
		{"dropping a month's emptied values (refresh)", qResMonthDrop, []any{DimQueue, "2026-11", []string{"1", "2"}}, append(resolutionMonth, "Index Cond: ((dim = |(dim=? AND month=? AND value=?")},
		{"resolution quantiles by day", qResDays, []any{DimAll, "2026-11-01", "2026-11-30"}, []string{"report_resolution_day_pkey|USING PRIMARY KEY", "Index Cond: ((dim = |PRIMARY KEY (dim=? AND day>?"}},
		{"the per-ticket export", qExport, []any{a, b}, []string{"tickets_created_idx", "messages_ticket_idx", "audit_log_ticket_idx"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.Contains(c.name, "PostgreSQL") && !testenv.UsingPostgres() {
				t.Skip("PostgreSQL only")
			}
			plan := testenv.Plan(t, d, c.q, c.args...)
			t.Logf("plan:\n%s", plan)
			for _, w := range c.want {
				found := false
				for _, alt := range strings.Split(w, "|") {
					found = found || strings.Contains(plan, alt)
				}
				if !found {
					t.Errorf("%s does not use %s:\n%s", c.name, w, plan)
				}
			}
			if strings.Contains(plan, "Seq Scan") || scansTable(plan) {
				t.Errorf("%s reads a table whole:\n%s", c.name, plan)
			}
		})
	}
}

// scansTable reports an SQLite plan line that reads a whole table.
func scansTable(plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "USING") && !strings.Contains(line, "CONSTANT ROW") {
			return true
		}
	}
	return false
}
