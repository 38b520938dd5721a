package testenv

import (
	"strings"
	"testing"

	"tanggap/internal/db"
)

// Plan returns the query plan of q with args on d as text: EXPLAIN on
// PostgreSQL (with sequential scans switched off, since a test table is
// tiny and the planner would rightly scan it: the plan then shows whether
// an index can serve the statement at all), EXPLAIN QUERY PLAN on SQLite.
func Plan(t testing.TB, d *db.DB, q string, args ...any) string {
	t.Helper()
	var plan []string
	if d.Dialect == db.Postgres {
		tx := d.Begin()
		defer tx.Rollback()
		if err := tx.Exec(`SET LOCAL enable_seqscan = off`).Error; err != nil {
			t.Fatal(err)
		}
		if err := tx.Raw(`EXPLAIN `+q, args...).Scan(&plan).Error; err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		return strings.Join(plan, "\n")
	}
	var rows []struct{ Detail string }
	if err := d.Raw(`EXPLAIN QUERY PLAN `+q, args...).Scan(&rows).Error; err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	for _, r := range rows {
		plan = append(plan, r.Detail)
	}
	return strings.Join(plan, "\n")
}

// PlanOnData is the plan the database really picks for q on the data in
// d's tables, nothing forbidden: for tables filled to production size
// (run ANALYZE after filling them).
func PlanOnData(t testing.TB, d *db.DB, q string, args ...any) string {
	t.Helper()
	var plan []string
	if d.Dialect == db.Postgres {
		if err := d.Raw(`EXPLAIN `+q, args...).Scan(&plan).Error; err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		return strings.Join(plan, "\n")
	}
	var rows []struct{ Detail string }
	if err := d.Raw(`EXPLAIN QUERY PLAN `+q, args...).Scan(&rows).Error; err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	for _, r := range rows {
		plan = append(plan, r.Detail)
	}
	return strings.Join(plan, "\n")
}
