package reports

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"tanggap/internal/csvcell"
	"tanggap/internal/hours"
)

// qExport walks the tickets created in a range on tickets_created_idx,
// each with its counts from other tables (each a lookup on that table's
// ticket index). Rows come from a cursor: nothing is collected.
var qExport = `SELECT t.id, t.tracking_number, t.channel, t.category, t.province_code, COALESCE(t.queue_id, 0), COALESCE(q.name, ''),
	COALESCE(t.assignee_id, 0), COALESCE(a.name, ''), t.status, t.priority, t.sla_breached,
	t.created_at, t.first_response_at, t.solved_at, t.closed_at, t.first_response_due_at, t.resolution_due_at,
	(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in'),
	(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out'),
	(SELECT COUNT(*) FROM audit_log l WHERE l.ticket_id = t.id AND l.action = 'ticket.transfer'),
	(SELECT COUNT(*) FROM audit_log l WHERE l.ticket_id = t.id AND l.action = 'ticket.status' AND (l.detail LIKE 'solved -> %' OR l.detail LIKE 'closed -> %')
		AND l.detail NOT LIKE '% -> solved' AND l.detail NOT LIKE '% -> closed'),
	COALESCE((SELECT c.code FROM ticket_wrapups w JOIN wrapup_codes c ON c.id = w.code_id WHERE w.ticket_id = t.id), ''),
	` + AbandonedSQL("t.") + `, ` + FirstResponseDueSQL("t.") + `, ` + FirstResponseMetSQL("t.") + `
	FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id LEFT JOIN agents a ON a.id = t.assignee_id
	WHERE t.created_at >= ? AND t.created_at < ? ORDER BY t.created_at, t.id`

// ExportHeader names the per-ticket export's columns.
var ExportHeader = []string{"ticket_id", "tracking_number", "created_at", "channel", "category", "province", "queue_id", "queue",
	"agent_id", "agent", "status", "priority", "messages_in", "messages_out",
	"first_response_s", "first_response_business_s", "resolution_s", "resolution_business_s", "handle_s",
	"frt_sla", "resolution_sla", "reopened", "transfers", "wrapup_code", "abandoned"}

// Export writes one CSV row per ticket created in [from, to] (days) with
// its metrics, streaming from a rows cursor: memory stays flat however
// many tickets there are. SLA cells are met, missed or empty (no target,
// or not decided yet).
func (s *Service) Export(ctx context.Context, from, to time.Time, out io.Writer) (int, error) {
	cals, err := s.calendars(ctx)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(ExportHeader); err != nil {
		return 0, err
	}
	rows, err := s.o.DB.WithContext(ctx).Raw(qExport, from.UTC(), to.AddDate(0, 0, 1).UTC()).Rows()
	if err != nil {
		return 0, fmt.Errorf("reports: export: %w", err)
	}
	defer rows.Close()
	n := 0
	rec := make([]string, len(ExportHeader))
	for rows.Next() {
		var t ticketRow
		var tracking, queueName, agentName, priority string
		var in, outN, transfers, reopens int64
		var fr, so, cl, frd, rd sql.NullTime
		if err := rows.Scan(&t.ID, &tracking, &t.Channel, &t.Category, &t.Province, &t.QueueID, &queueName, &t.AssigneeID, &agentName,
			&t.Status, &priority, &t.SLABreached, &t.CreatedAt, &fr, &so, &cl, &frd, &rd, &in, &outN, &transfers, &reopens, &t.Wrapup,
			&t.ruleAbandoned, &t.ruleFRTDue, &t.ruleFRTMet); err != nil {
			return n, fmt.Errorf("reports: export: %w", err)
		}
		t.FirstResponse, t.SolvedAt, t.ClosedAt, t.FRTDue, t.ResDue = ptr(fr), ptr(so), ptr(cl), ptr(frd), ptr(rd)
		t.Transfers, t.Reopened = transfers, reopens > 0
		cal := cals[t.QueueID]
		if cal == nil {
			cal = hours.Always()
		}
		f := t.figures(cal)
		dur := func(ok int64, v int64) string {
			if ok == 0 {
				return ""
			}
			return strconv.FormatInt(v, 10)
		}
		sla := func(due, met int64) string {
			switch {
			case due == 0:
				return ""
			case met == 1:
				return "met"
			}
			return "missed"
		}
		rec = append(rec[:0], strconv.FormatInt(t.ID, 10), csvcell.Safe(tracking), t.CreatedAt.In(s.o.Zone).Format(time.RFC3339), t.Channel, csvcell.Safe(t.Category),
			csvcell.Safe(t.Province), strconv.FormatInt(t.QueueID, 10), csvcell.Safe(queueName), strconv.FormatInt(t.AssigneeID, 10), csvcell.Safe(agentName),
			string(t.Status), priority, strconv.FormatInt(in, 10), strconv.FormatInt(outN, 10),
			dur(f.Responded, f.FRTSec), dur(f.Responded, f.FRTBizSec), dur(f.Resolved, f.ResSec), dur(f.Resolved, f.ResBizSec), dur(f.Handled, f.HandleSec),
			sla(f.FRTDue, f.FRTMet), sla(f.ResDue, f.ResMet), yesNo(t.Reopened), strconv.FormatInt(t.Transfers, 10), csvcell.Safe(t.Wrapup), yesNo(f.Abandoned == 1))
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("reports: export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ExportName is the download's file name, in the pattern of the other
// CSV downloads (what, then the period's days as YYYY-MM-DD).
func ExportName(from, to time.Time) string {
	return "tiket_" + from.Format(time.DateOnly) + "_" + to.Format(time.DateOnly) + ".csv"
}
