package csat

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// TestRequestQueriesUseIndexes: every statement run per request or per
// event (the solve's ticket and survey, a token's survey, the answer, a
// comment after it and its survey's alert, the phone call's ticket, a ticket's ratings, an
// agent's figures, the alerts, the queue's supervisors, the report in each
// grouping) is served by an index on both dialects: no table is scanned.
func TestRequestQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	cases := []struct {
		name, q string
		args    []any
		want    string // an index the plan must name ("" : any)
	}{
		{"the solved ticket", sqlTicket, []any{42}, ""},
		{"a solve's survey", sqlSurveyByRound, []any{42, "solve:1"}, "csat_surveys"},
		{"a token's survey", sqlSurveyByID, []any{42}, ""},
		{"a ticket's latest solve", sqlLatestSolveSurvey, []any{42}, "csat_surveys"},
		{"the answer", sqlResponse, []any{42}, ""},
		{"a comment after the rating", sqlAddComment, []any{"lama", "link", now, 42}, ""},
		{"a survey's alert", sqlAlertBySurvey, []any{42}, "csat_alerts"},
		{"a rated call since the solve", sqlCallSince, []any{42, now}, "csat_surveys"},
		{"a ticket's ratings", sqlTicketRatings, []any{42}, "csat_responses_ticket_idx"},
		{"an agent's figures", sqlAgentFigures, []any{4, 42, now}, "csat_responses_agent_idx"},
		{"every alert", sqlAlertsAll, []any{50}, "csat_alerts_created_idx"},
		{"a supervisor's alerts", sqlAlertsQueues, []any{[]int64{1, 2}, 50}, "csat_alerts_queue_idx"},
		{"the queue's supervisors", sqlSupervisors, []any{1}, ""},
		{"a call's ticket", sqlCallTicket, []any{"voice", "CA1:agent"}, ""},
		{"the citizen's phone", sqlContactPhone, []any{42}, "contact_identities"},
		{"the last message", sqlLastInbound, []any{42}, "messages_ticket_idx"},
	}
	for g := range groupSQL {
		cases = append(cases, struct {
			name, q string
			args    []any
			want    string
		}{"report by " + string(g), reportSQL(g), []any{4, now.Add(-time.Hour), now}, "csat_surveys_created_idx"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := testenv.Plan(t, d, c.q, c.args...)
			if strings.Contains(plan, "Seq Scan") || scansTable(plan) || (c.want != "" && !strings.Contains(plan, c.want)) {
				t.Errorf("%s is not served by an index (%s):\n%s", c.name, c.want, plan)
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

// The statements a comment after the rating (its write and its survey's
// alert) and the alert lists run stay
// on their indexes on filled tables (100,000 solved tickets, each with its
// survey and answer, every fifth answer low with its alert, on PostgreSQL;
// 5,000 on SQLite),
// where a planner would rather scan than look up if the index were lost.
func TestCommentAndAlertsReadIndexesOnFilledTables(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tid := f.ticket("whatsapp", "32")
	n := 100000
	if f.db.Dialect == db.SQLite {
		n = 5000
	}
	// A ticket of the same citizen per survey, as after many solves.
	f.must(f.db.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, assignee_id, province_code, created_at, updated_at, last_message_at, solved_at)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
SELECT 'FT-' || i, contact_id, channel, category, status, priority, queue_id, assignee_id, province_code, created_at, updated_at, last_message_at, solved_at
FROM s, tickets WHERE tickets.id = ?`, n, tid).Error)
	f.must(f.db.Exec(`INSERT INTO csat_surveys (ticket_id, round, channel, queue_id, agent_id, created_at, expires_at)
SELECT id, 'solve:1', 'whatsapp', queue_id, assignee_id, created_at, ? FROM tickets WHERE id <> ?`, f.now.Add(time.Hour), tid).Error)
	f.must(f.db.Exec(`INSERT INTO csat_responses (survey_id, ticket_id, agent_id, rating, comment, answered_by, created_at)
SELECT id, ticket_id, agent_id, 1 + id % 5, CASE WHEN id % 2 = 0 THEN 'lama' ELSE '' END, 'whatsapp', created_at FROM csat_surveys`).Error)
	f.must(f.db.Exec(`INSERT INTO csat_alerts (survey_id, ticket_id, queue_id, rating, created_at)
SELECT survey_id, ticket_id, ?, rating, created_at FROM csat_responses WHERE rating = 1`, f.queue).Error)
	f.must(f.db.Exec(`ANALYZE`).Error)

	cases := []struct {
		name, q string
		args    []any
		want    []string // the plan names one of these indexes
	}{
		{"a comment after the rating", sqlAddComment, []any{"lama", "link", f.now, n / 2}, []string{"csat_responses_pkey", "PRIMARY KEY", "sqlite_autoindex_csat_responses"}},
		{"a comment's alert", sqlAlertBySurvey, []any{n / 2}, []string{"csat_alerts_survey_id_key", "sqlite_autoindex_csat_alerts"}},
		{"every alert", sqlAlertsAll, []any{50}, []string{"csat_alerts_created_idx"}},
		{"a supervisor's alerts", sqlAlertsQueues, []any{[]int64{f.queue}, 50}, []string{"csat_alerts_queue_idx", "csat_alerts_created_idx"}},
	}
	for _, c := range cases {
		plan := testenv.PlanOnData(t, f.db, c.q, c.args...)
		t.Logf("%s, on %d answers:\n%s", c.name, n, plan)
		named := false
		for _, w := range c.want {
			named = named || strings.Contains(plan, w)
		}
		if !named || strings.Contains(plan, "Seq Scan") || scansTable(plan) {
			t.Errorf("%s is not served by an index (%v) on %d answers:\n%s", c.name, c.want, n, plan)
		}
	}
}
