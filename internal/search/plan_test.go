package search

import (
	"strings"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// TestSearchStatementsUseIndexes: every statement a search runs reads its
// source through an index on both dialects (EXPLAIN with sequential scans
// forbidden on PostgreSQL), for an agent and for an admin; so do the
// saved views' statements.
func TestSearchStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	viewers := map[string]agent.Agent{
		"agent": {ID: 1, Role: domain.RoleAgent, QueueIDs: []int64{1, 2}},
		"admin": {ID: 2, Role: domain.RoleAdmin},
	}
	pg := d.Dialect == db.Postgres
	// The walk reads tickets in inbox order (an agent's queues or their
	// own tickets; everything for an admin), then each one's messages.
	walkIndex := map[string]string{
		"agent": "tickets_queue_inbox_idx,tickets_assignee_inbox_idx,tickets_inbox_idx|VIRTUAL TABLE INDEX",
		"admin": "tickets_inbox_idx|VIRTUAL TABLE INDEX",
	}
	for who, v := range viewers {
		cases := []struct {
			name string
			sql  string
			args []any
			want string // on PostgreSQL | on SQLite (a comma between alternatives)
		}{}
		add := func(name, want string, sql string, args []any) {
			cases = append(cases, struct {
				name string
				sql  string
				args []any
				want string
			}{name, sql, args, want})
		}
		s, a := trackingSQL(v, "1234-5678-9012-3456")
		add("tracking number", "tickets_tracking_number_key|sqlite_autoindex_tickets", s, a)
		s, a = identitySQL(v, "phone", "+6281234567890", 21)
		add("phone", "contact_identities_kind_value_key|sqlite_autoindex_contact_identities", s, a)
		s, a = nameSQL(d.Dialect, v, []string{"siti", "amin"}, 21)
		add("name", "contacts_name_tsv_idx|VIRTUAL TABLE INDEX", s, a)
		s, a = messageSQL(d.Dialect, v, []string{"insentif", "belum"}, false, 21)
		add("message words", "messages_body_tsv_idx,tickets_queue_inbox_idx|VIRTUAL TABLE INDEX", s, a)
		s, a = messageSQL(d.Dialect, v, []string{"insentif", "bel"}, true, 21)
		add("message words, the last a broad prefix", "messages_body_tsv_idx,tickets_queue_inbox_idx|VIRTUAL TABLE INDEX", s, a)
		s, a = manySQL(d.Dialect, []string{"insentif", "belum"}, ManyMatches+1, false, false)
		add("count of message matches", "messages_body_tsv_idx|VIRTUAL TABLE INDEX", s, a)
		s, a = manySQL(d.Dialect, []string{"insentif", "bel"}, ManyMatches+1, false, true)
		add("count of message matches, the last a broad prefix", "messages_body_tsv_idx|VIRTUAL TABLE INDEX", s, a)
		s, a = manySQL(d.Dialect, []string{"insentif", "belum"}, ManyMatches+1, true, false)
		add("count of message matches, the last word exact", "messages_body_tsv_idx|VIRTUAL TABLE INDEX", s, a)
		if pg {
			s, a = rankedFewSQL(v, []string{"insentif", "belum"}, false, MessageCandidates+1, MessageCandidates, 21)
			add("message words counted and ranked at once", "messages_body_tsv_idx|", s, a)
			s, a = rankedFewSQL(v, []string{"insentif", "bel"}, true, MessageCandidates+1, MessageCandidates, 21)
			add("message words counted and ranked at once, the last a broad prefix", "messages_body_tsv_idx|", s, a)
		}
		s, a = messageWalkSQL(d.Dialect, v, []string{"insentif", "belum"}, 840, 21)
		add("message words, newest first", walkIndex[who], s, a)
		s, a = viewsSQL(7)
		add("saved views", "saved_views_owner_idx|saved_views_owner_idx", s, a)
		for _, c := range cases {
			plan := testenv.Plan(t, d, c.sql, c.args...)
			want := strings.Split(c.want, "|")
			w := want[1]
			if pg {
				w = want[0]
			}
			found := false
			for _, alt := range strings.Split(w, ",") {
				found = found || strings.Contains(plan, alt)
			}
			if c.name == "name" && !strings.Contains(plan, "tickets_contact_idx") {
				// A name's tickets are read per contact, never by
				// walking the viewer's tickets to join them.
				t.Errorf("%s, %s: the tickets not read through tickets_contact_idx:\n%s", who, c.name, plan)
			}
			if pg && strings.HasSuffix(c.name, "newest first") && (!strings.Contains(plan, "messages_ticket_idx") || sortsAbove(plan, "Nested Loop")) {
				// The walk streams: the viewer's tickets in order (an
				// index, or a few of them sorted), each one's messages by
				// their index until n match, nothing sorted after.
				t.Errorf("%s, %s: not a walk along tickets and messages_ticket_idx:\n%s", who, c.name, plan)
			}
			if !found || strings.Contains(plan, "Seq Scan on tickets") || strings.Contains(plan, "Seq Scan on messages") ||
				strings.Contains(plan, "Seq Scan on contacts") || hasFullScan(plan) {
				t.Errorf("%s, %s: not served by %s:\n%s", who, c.name, w, plan)
			}
		}
	}
}

// hasFullScan: an SQLite plan line that reads a whole table without an
// index ("SCAN t", not "SCAN t USING INDEX …" nor a virtual table).
func hasFullScan(plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		for _, table := range []string{"t", "m", "ci", "tickets", "messages", "contacts", "saved_views"} {
			if line == "SCAN "+table {
				return true
			}
		}
	}
	return false
}

// sortsAbove: plan sorts before (above) its first node named node.
func sortsAbove(plan, node string) bool {
	at := strings.Index(plan, node)
	sort := strings.Index(plan, "Sort")
	return at < 0 || (sort >= 0 && sort < at)
}
