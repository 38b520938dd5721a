package notify

import (
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
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
		{"mark a notice taken up", qNoticeInsert, []any{"reply:1", now, 1}, "tickets"},
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
		{"a reply's notice done", qNoticeDone, []any{"reply:1", now, now, 1}, "tickets"},
		{"replies a status notice waits for", qReplyAhead, []any{1, now.Add(-time.Minute), now}, "messages"},
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

// The reply sweep reads its partial index, not the messages table (the
// biggest one), as the planner chooses on a filled table: 100,000
// messages (5,000 on SQLite, whose planner picks the same from far
// fewer), half of them agent replies, one reply in fifty posted or failed.
func TestReplySweepReadsItsIndexOnAFilledTable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", email: "rini@warga.test"})
	n := 100000
	if f.d.Dialect == db.SQLite {
		n = 5000
	}
	old := time.Now().UTC().Add(-30 * 24 * time.Hour)
	must(t, f.d.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, delivery_status, created_at, updated_at)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
SELECT ?, CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 'webform', 'fill-' || i, 'isi',
	CASE WHEN i % 2 = 0 THEN '' WHEN i % 100 = 1 THEN 'posted' WHEN i % 100 = 3 THEN 'failed' ELSE 'delivered' END, ?, ?
FROM s`, n, tid, old, old).Error)
	must(t, f.d.Exec(`ANALYZE`).Error)
	now := time.Now().UTC()
	from := now.Add(-time.Hour)
	plan := testenv.PlanOnData(t, f.d, qSweepReplies, from, now, from, from, 0, sweepPage)
	t.Logf("on %d messages:\n%s", n, plan)
	if !strings.Contains(plan, "messages_notify_reply_idx") || strings.Contains(plan, "Seq Scan on messages") || strings.Contains(plan, "SCAN m\n") ||
		strings.HasSuffix(plan, "SCAN m") {
		t.Errorf("the reply sweep is not served by messages_notify_reply_idx on %d messages:\n%s", n, plan)
	}
	// A held status notice's look for replies ahead of it reads one
	// ticket's range of messages_ticket_idx, however many messages there
	// are (all of them here on one ticket: the worst case).
	ahead := testenv.PlanOnData(t, f.d, qReplyAhead, tid, from, now)
	t.Logf("replies ahead, on %d messages:\n%s", n, ahead)
	if !strings.Contains(ahead, "messages_ticket_idx") || strings.Contains(ahead, "Seq Scan on messages") || strings.Contains(ahead, "SCAN m\n") ||
		strings.HasSuffix(ahead, "SCAN m") || strings.Contains(ahead, "USE TEMP B-TREE") {
		t.Errorf("the replies-ahead look is not a range of messages_ticket_idx on %d messages:\n%s", n, ahead)
	}
}
