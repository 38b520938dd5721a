package csat

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestRequestQueriesUseIndexes: every statement run per request or per
// event (the solve's ticket and survey, a token's survey, the answer, a
// comment after it, the phone call's ticket, a ticket's ratings, an
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
