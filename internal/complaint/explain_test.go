package complaint

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// TestQueriesUseIndexes: every statement a request or a scheduler tick
// runs is served by an index, on the dialect under test (SQLite by
// default, PostgreSQL with TEST_DATABASE_URL; the plan is asked with
// sequential scans off there, so a table scan means no index can serve).
func TestQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for _, c := range []struct {
		name  string
		q     string
		args  []any
		index []string // one of these must be named, per dialect
	}{
		{"complaint by ticket", sqlGet, []any{1}, []string{"complaints_pkey", "sqlite_autoindex_complaints", "INTEGER PRIMARY KEY", "PRIMARY KEY"}},
		{"timeline", sqlSteps, []any{1}, []string{"complaint_steps_ticket_idx"}},
		{"intake by key", sqlIntake, []any{"form-x"}, []string{"complaint_intakes_pkey", "sqlite_autoindex_complaint_intakes"}},
		{"new form tickets (tick)", sqlFormTickets, []any{0, 200}, []string{"tickets_channel_id_idx"}},
		{"form ticket (link on read)", sqlFormTicket, []any{1}, []string{"messages_channel_provider_key", "sqlite_autoindex_messages", "messages_ticket_idx"}},
		{"cursor", sqlCursor, []any{"link"}, []string{"complaint_cursors_pkey", "sqlite_autoindex_complaint_cursors"}},
		{"holidays", sqlHolidays, []any{"2026-01-01", "2027-12-31"}, []string{"holidays_pkey", "sqlite_autoindex_holidays"}},
		{"ticket by tracking number", sqlTicketByTracking, []any{"1234-5678-9012-3456"}, []string{"tickets_tracking_number_key", "sqlite_autoindex_tickets"}},
		{"incomplete complaints answered (tick)", sqlIncompleteAnswered, []any{200}, []string{"complaints_incomplete_idx"}},
		{"first answer after the request (tick)", sqlFirstAnswer, []any{1, now}, []string{"messages_ticket_idx"}},
		{"closing day (tick)", sqlCloseDue, []any{now, 200}, []string{"complaints_close_due_idx"}},
		{"ceiling near (tick)", sqlCeilingNear, []any{now, now, 200}, []string{"complaints_ceiling_idx"}},
		{"event scope (ticket by id)", sqlTicketScope, []any{1}, []string{"tickets_pkey", "INTEGER PRIMARY KEY", "PRIMARY KEY"}},
		{"event stage", sqlStage, []any{1}, []string{"complaints_pkey", "sqlite_autoindex_complaints", "INTEGER PRIMARY KEY", "PRIMARY KEY"}},
		{"escalated list", sqlEscalated, []any{200}, []string{"complaints_ceiling_idx"}},
		{"pin ceiling given back", sqlPINGiveBack, []any{"x"}, []string{"complaint_pin_failures_pkey", "sqlite_autoindex_complaint_pin_failures"}},
		{"pin attempts of a network cleared", sqlPINClientCleared, []any{"x", "y"}, []string{"complaint_pin_client_failures_pkey", "sqlite_autoindex_complaint_pin_client_failures"}},
		{"pin network known", sqlPINKnown, []any{"x", "y"}, []string{"complaint_pin_client_failures_pkey", "sqlite_autoindex_complaint_pin_client_failures"}},
		{"pin network windows ended (tick)", sqlPINClientStale, []any{now, now}, []string{"complaint_pin_client_failures_window_idx"}},
		{"pin attempt windows ended (tick)", sqlPINFailsStale, []any{now}, []string{"complaint_pin_failures_window_idx"}},
		{"sealed pins expired (tick)", sqlSealedStale, []any{now}, []string{"complaint_intakes_sealed_idx"}},
		{"category offered (treat as complaint)", sqlCategoryOffered, []any{"pelatihan"}, []string{"complaint_categories_code_key", "sqlite_autoindex_complaint_categories"}},
		{"ticket province (treat as complaint)", sqlTicketProvince, []any{1}, []string{"tickets_pkey", "INTEGER PRIMARY KEY", "PRIMARY KEY"}},
		{"report period", `SELECT kind, COUNT(*) FROM complaints WHERE received_at >= ? AND received_at < ? GROUP BY kind`, []any{now, now}, []string{"complaints_received_idx"}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		named := false
		for _, ix := range c.index {
			if strings.Contains(plan, ix) {
				named = true
			}
		}
		if !named || tableScan(d, plan) {
			t.Errorf("%s: not served by %v:\n%s", c.name, c.index, plan)
		}
	}
}

// tableScan reports a full scan of a table in a plan.
func tableScan(d *db.DB, plan string) bool {
	if d.Dialect == db.Postgres {
		return strings.Contains(plan, "Seq Scan")
	}
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, " USING ") {
			return true
		}
	}
	return false
}
