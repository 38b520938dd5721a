package contact_test

import (
	"strings"
	"testing"

	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// TestHistoryStatementsUseIndexes: every statement of the contact panel,
// notes, merges, splits, duplicate suggestions and the ingest's merge
// check is served by an index on both dialects (the statements as
// history_store.go and ticket/contacts.go run them).
func TestHistoryStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	pk := func(table string) []string { return []string{table + "_pkey", "INTEGER PRIMARY KEY"} }
	for _, c := range []struct {
		name string
		q    string
		args []any
		want []string
	}{
		{"contact by id", `SELECT id, name, province_code, merged_into_id, created_at FROM contacts WHERE id = ?`, []any{1}, pk("contacts")},
		{"lock two contacts", `SELECT id, name, province_code, merged_into_id, created_at FROM contacts WHERE id IN (?, ?) ORDER BY id`, []any{1, 2}, pk("contacts")},
		{"panel tickets", ticket.HistorySQL, []any{1, 501}, []string{"tickets_contact_idx"}},
		{"panel identities", `SELECT id, kind, value, created_at FROM contact_identities WHERE contact_id = ?
ORDER BY CASE kind WHEN 'nik' THEN 0 WHEN 'phone' THEN 1 WHEN 'email' THEN 2 ELSE 3 END, id`, []any{1}, []string{"contact_identities_contact_idx"}},
		{"panel notes", `SELECT n.id, n.agent_id, a.name AS agent_name, n.body, n.created_at FROM contact_notes n
JOIN agents a ON a.id = n.agent_id WHERE n.contact_id = ?
ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, []any{1, 200}, []string{"contact_notes_contact_idx"}},
		{"merges into", `SELECT m.id FROM contact_merges m JOIN agents a ON a.id = m.agent_id LEFT JOIN agents u ON u.id = m.undone_by
WHERE m.into_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 50`, []any{1}, []string{"contact_merges_into_idx"}},
		{"merges from", `SELECT m.id FROM contact_merges m JOIN agents a ON a.id = m.agent_id LEFT JOIN agents u ON u.id = m.undone_by
WHERE m.from_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 50`, []any{1}, []string{"contact_merges_from_idx"}},
		{"merge items", `SELECT merge_id, kind, item_id FROM contact_merge_items WHERE merge_id IN (?, ?) ORDER BY merge_id, kind, item_id`, []any{1, 2},
			[]string{"contact_merge_items_pkey", "sqlite_autoindex_contact_merge_items"}},
		{"latest open merge", `SELECT id FROM contact_merges WHERE into_id = ? AND undone_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, []any{1},
			[]string{"contact_merges_into_idx"}},
		{"move identities", `UPDATE contact_identities SET contact_id = ? WHERE contact_id = ? RETURNING id`, []any{1, 2}, []string{"contact_identities_contact_idx"}},
		{"move notes", `UPDATE contact_notes SET contact_id = ? WHERE contact_id = ? RETURNING id`, []any{1, 2}, []string{"contact_notes_contact_idx"}},
		{"move tickets", `UPDATE tickets SET contact_id = ? WHERE contact_id = ? RETURNING id`, []any{1, 2}, []string{"tickets_contact_idx"}},
		{"move tickets back", `UPDATE tickets SET contact_id = ? WHERE contact_id = ? AND id IN (?, ?) RETURNING id`, []any{1, 2, 3, 4},
			[]string{"tickets_contact_idx", "tickets_pkey", "INTEGER PRIMARY KEY"}},
		{"same identity written differently", `SELECT contact_id, value FROM contact_identities WHERE kind = ? AND value IN (?, ?) AND contact_id <> ?`,
			[]any{"phone", "+6281234567890", "081234567890", 1}, []string{"contact_identities_kind_value_key", "sqlite_autoindex_contact_identities"}},
		{"same e-mail in other case", `SELECT contact_id, value FROM contact_identities WHERE kind = 'email' AND lower(value) IN (?, ?) AND contact_id <> ?`,
			[]any{"a@example.id", "b@example.id", 1}, []string{"contact_identities_lower_idx"}},
		{"tickets reported with a phone", `SELECT DISTINCT contact_id, reporter_phone AS value FROM tickets WHERE reporter_phone IN (?, ?) AND reporter_phone <> '' AND contact_id <> ? LIMIT 50`,
			[]any{"+6281234567890", "081234567890", 1}, []string{"tickets_reporter_phone_idx"}},
		{"tickets reported with an e-mail", `SELECT DISTINCT contact_id, reporter_email AS value FROM tickets WHERE reporter_email IN (?, ?) AND reporter_email <> '' AND contact_id <> ? LIMIT 50`,
			[]any{"a@example.id", "b@example.id", 1}, []string{"tickets_reporter_email_idx"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := testenv.Plan(t, d, c.q, c.args...)
			ok := false
			for _, w := range c.want {
				ok = ok || strings.Contains(plan, w)
			}
			if !ok {
				t.Errorf("%s: not served by %v:\n%s", c.name, c.want, plan)
			}
			for _, line := range strings.Split(plan, "\n") {
				line = strings.TrimSpace(line)
				if strings.Contains(line, "Seq Scan") || strings.HasPrefix(line, "SCAN ") {
					t.Errorf("%s: scans a table:\n%s", c.name, plan)
				}
			}
		})
	}
}
