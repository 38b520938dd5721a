package tags

import (
	"strings"
	"testing"

	"tanggap/internal/testenv"
)

// TestRequestQueriesUseIndexes: every statement a console request runs
// (a ticket's tags, a list page's tags, the tags named in a change, a
// queue's wrap-up codes, the required rule, the chosen code and the solve
// check) is served by an index on both dialects: no table is scanned.
func TestRequestQueriesUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	for _, c := range []struct {
		name, q string
		args    []any
		want    []string // any of these index names (PostgreSQL, SQLite)
	}{
		{"tags by name", sqlTagsByName, []any{[]string{"bansos", "verifikasi"}}, []string{"tags_name_key", "sqlite_autoindex_tags_1"}},
		{"a ticket's tags", sqlTagsOfTicket, []any{42}, []string{"ticket_tags_pkey", "sqlite_autoindex_ticket_tags_1"}},
		{"a queue's codes", sqlCodesFor, []any{3}, []string{"wrapup_codes_queue_code_idx"}},
		{"the queue's rule", sqlRequired, []any{3}, []string{"queue_wrapup_rules_pkey", "sqlite_autoindex_queue_wrapup_rules_1"}},
		{"the chosen code", sqlChosen, []any{42}, []string{"ticket_wrapups_pkey", "sqlite_autoindex_ticket_wrapups_1"}},
		{"the solve check", sqlHasValid, []any{42, 3}, []string{"ticket_wrapups_pkey", "sqlite_autoindex_ticket_wrapups_1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := testenv.Plan(t, d, c.q, c.args...)
			found := false
			for _, w := range c.want {
				found = found || strings.Contains(plan, w)
			}
			if !found || strings.Contains(plan, "Seq Scan") || scansTable(plan) {
				t.Errorf("%s is not served by %v:\n%s", c.name, c.want, plan)
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
