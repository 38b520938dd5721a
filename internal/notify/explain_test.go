package notify

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// Every statement run per event, job or callback is served by an index,
// on both dialects.
func TestPerEventStatementsUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for _, c := range []struct {
		name, q string
		args    []any
		table   string
	}{
		{"ticket", qTicket, []any{1}, "tickets"},
		{"citizen's language", qFirstInbound, []any{1}, "messages"},
		{"citizen's last message", qLastInbound, []any{1}, "messages"},
		{"reply", qMessage, []any{1}, "messages"},
		{"status transition", qTicketStatus, []any{1}, "tickets"},
		{"transition taken up, survey link", qNoticeSeen, []any{"status:1:2:solved"}, "notify_notices"},
		{"claim: the row of an event and route", qByKey, []any{"reply:1", "email"}, "notify_deliveries"},
		{"start sending", qStartSend, []any{now, 1}, "notify_deliveries"},
		{"settle", qSettle, []any{"sent", "x", "", now, 1, "sending"}, "notify_deliveries"},
		{"provider status or bounce: the row it names", qByID, []any{1}, "notify_deliveries"},
		{"status callback", qByProvider, []any{"sms", "SM1"}, "notify_deliveries"},
		{"the ticket's notifications", qByTicket, []any{1}, "notify_deliveries"},
		{"catch-up sweep", qSweep, []any{now.Add(-time.Hour), now, now.Add(-time.Hour), now.Add(-time.Hour), 0, sweepPage}, "tickets"},
		{"catch-up sweep of replies", qSweepReplies, []any{now.Add(-time.Hour), now, now.Add(-time.Hour), now.Add(-time.Hour), 0, sweepPage}, "messages"},
		{"early sms status", qEarly, []any{"SM1", now}, "notify_early_sms"},
		{"early sms statuses expired", qEarlyPurge, []any{now}, "notify_early_sms"},
		{"status link", qReporter, []any{"2612-0000-0000-0001"}, "tickets"},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		t.Logf("%s:\n%s", c.name, plan)
		if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN "+c.table+"\n") || strings.HasSuffix(plan, "SCAN "+c.table) ||
			strings.Contains(plan, "USE TEMP B-TREE") {
			t.Errorf("%s reads the whole table or sorts:\n%s", c.name, plan)
		}
		if !strings.Contains(plan, "Index") && !strings.Contains(plan, "INDEX") && !strings.Contains(plan, "PRIMARY KEY") {
			t.Errorf("%s uses no index:\n%s", c.name, plan)
		}
	}
}
