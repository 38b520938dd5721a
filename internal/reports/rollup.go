package reports

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/hours"
)

const markDaily = "daily"

// dims are the rollup's dimensions, for replacing a day's rows on the
// primary key (dim, day, value).
var dims = []any{DimAll, DimChannel, DimCategory, DimProvince, DimQueue, DimHour, DimAgent, DimWrapup, DimCalls}

// Refresh folds the changes since the last refresh into the rollup: the
// days between the mark (less Overlap) and now, and the days of older
// tickets that changed since then, are recomputed from the raw rows. The
// first refresh builds every day that has tickets. It returns the days
// rebuilt.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now().UTC()
	mark, ok, err := s.mark(ctx)
	if err != nil {
		return 0, err
	}
	days := map[string]bool{}
	if !ok {
		mark = now
		err := db.Query(s.o.DB.WithContext(ctx), qFirstTicket, nil, func(rows *sql.Rows) error { return rows.Scan(&mark) })
		if err != nil {
			return 0, fmt.Errorf("reports: first ticket: %w", err)
		}
	} else {
		mark = mark.Add(-s.o.Overlap)
	}
	for d := s.dayStart(mark); !d.After(now); d = d.AddDate(0, 0, 1) {
		days[d.Format(time.DateOnly)] = true
	}
	if ok {
		changed, err := s.changedDays(ctx, mark, s.dayStart(mark), now)
		if err != nil {
			return 0, err
		}
		for _, d := range changed {
			days[d] = true
		}
	}
	cals, err := s.calendars(ctx)
	if err != nil {
		return 0, err
	}
	list := make([]string, 0, len(days))
	for d := range days {
		list = append(list, d)
	}
	slices.Sort(list)
	for _, d := range list {
		if err := s.rebuildDay(ctx, d, cals); err != nil {
			return 0, err
		}
	}
	if err := s.setMark(ctx, now); err != nil {
		return 0, err
	}
	return len(list), nil
}

// AsOf is the time of the last refresh (zero before the first).
func (s *Service) AsOf(ctx context.Context) (time.Time, error) {
	m, _, err := s.mark(ctx)
	return m, err
}

func (s *Service) dayStart(t time.Time) time.Time {
	l := t.In(s.o.Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.o.Zone)
}

func (s *Service) mark(ctx context.Context) (time.Time, bool, error) {
	var m []time.Time
	err := s.o.DB.WithContext(ctx).Raw(`SELECT mark FROM report_marks WHERE name = ?`, markDaily).Scan(&m).Error
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reports: mark: %w", err)
	}
	if len(m) == 0 {
		return time.Time{}, false, nil
	}
	return m[0].UTC(), true, nil
}

// setMark records how far the rollup has read.
//
//	INSERT INTO report_marks (name, mark) VALUES (?, ?)
//	ON CONFLICT (name) DO UPDATE SET mark = excluded.mark
func (s *Service) setMark(ctx context.Context, at time.Time) error {
	err := s.o.DB.WithContext(ctx).Exec(`INSERT INTO report_marks (name, mark) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET mark = excluded.mark`, markDaily, at).Error
	if err != nil {
		return fmt.Errorf("reports: set mark: %w", err)
	}
	return nil
}

// qDayTickets reads a day's tickets with the shared rules' flags (rules.go).
var qDayTickets = `SELECT id, channel, category, province_code, COALESCE(queue_id, 0), COALESCE(assignee_id, 0), status, sla_breached,
		created_at, first_response_at, solved_at, closed_at, first_response_due_at, resolution_due_at,
		` + AbandonedSQL("") + `, ` + FirstResponseDueSQL("") + `, ` + FirstResponseMetSQL("") + `
		FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`

// Queries of the incremental refresh (EXPLAIN-tested).
const (
	// The oldest ticket: where the first refresh starts.
	qFirstTicket = `SELECT created_at FROM tickets ORDER BY created_at LIMIT 1`
	// Tickets created before the recent days that changed since the mark.
	qChangedTickets = `SELECT created_at FROM tickets WHERE updated_at >= ? AND created_at < ?`
	// Tickets an agent acted on (transfer, status, wrap-up) since the mark.
	qChangedByAudit = `SELECT t.created_at FROM audit_log a JOIN tickets t ON t.id = a.ticket_id WHERE a.created_at >= ? AND t.created_at < ?`
	// Open tickets whose SLA targets fell due since the mark: the SLA clock
	// marks the breach without touching updated_at.
	qDueFirstResponse = `SELECT created_at FROM tickets WHERE first_response_due_at >= ? AND first_response_due_at <= ?
		AND first_response_at IS NULL AND status IN ('new', 'open', 'pending')`
	qDueResolution = `SELECT created_at FROM tickets WHERE resolution_due_at >= ? AND resolution_due_at <= ? AND status IN ('new', 'open', 'pending')`
	qDayMessages   = `SELECT m.ticket_id, m.direction, m.created_at, COALESCE(m.agent_id, 0) FROM tickets t JOIN messages m ON m.ticket_id = t.id
		WHERE t.created_at >= ? AND t.created_at < ? AND m.direction IN ('in', 'out') ORDER BY m.ticket_id, m.created_at, m.id`
	// CROSS JOIN: SQLite's documented way to keep the day's tickets as the
	// outer loop; otherwise it may walk every audit row of those actions
	// ever (audit_log_action_created_idx). PostgreSQL treats it as a join.
	qDayAudit = `SELECT a.ticket_id, a.action, a.detail, COALESCE(a.agent_id, 0) FROM tickets t CROSS JOIN audit_log a
		WHERE a.ticket_id = t.id AND t.created_at >= ? AND t.created_at < ? AND a.action IN ('ticket.transfer', 'ticket.status')`
	qDayWrapups = `SELECT w.ticket_id, c.code FROM tickets t JOIN ticket_wrapups w ON w.ticket_id = t.id JOIN wrapup_codes c ON c.id = w.code_id
		WHERE t.created_at >= ? AND t.created_at < ?`
	qDayCalls = `SELECT outcome FROM voice_calls WHERE started_at >= ? AND started_at < ? AND direction = 'inbound'`
)

func (s *Service) changedDays(ctx context.Context, since, before, now time.Time) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	scan := func(rows *sql.Rows) error {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return err
		}
		d := at.In(s.o.Zone).Format(time.DateOnly)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
		return nil
	}
	tx := s.o.DB.WithContext(ctx)
	if err := db.Query(tx, qChangedTickets, []any{since, before}, scan); err != nil {
		return nil, fmt.Errorf("reports: changed tickets: %w", err)
	}
	if err := db.Query(tx, qChangedByAudit, []any{since, before}, scan); err != nil {
		return nil, fmt.Errorf("reports: changed by agents: %w", err)
	}
	for _, q := range []string{qDueFirstResponse, qDueResolution} {
		if err := db.Query(tx, q, []any{since, now}, scan); err != nil {
			return nil, fmt.Errorf("reports: targets due: %w", err)
		}
	}
	return out, nil
}

// calendars are the queues' business calendars (queue id → calendar); a
// queue without valid hours is always open.
func (s *Service) calendars(ctx context.Context) (map[int64]*hours.Calendar, error) {
	var holidays []string
	tx := s.o.DB.WithContext(ctx)
	if err := tx.Raw(`SELECT day FROM holidays ORDER BY day`).Scan(&holidays).Error; err != nil {
		return nil, fmt.Errorf("reports: holidays: %w", err)
	}
	var qs []struct {
		ID       int64
		TimeZone string
		Hours    string
	}
	if err := tx.Raw(`SELECT id, time_zone, hours FROM queues`).Scan(&qs).Error; err != nil {
		return nil, fmt.Errorf("reports: queues: %w", err)
	}
	out := make(map[int64]*hours.Calendar, len(qs))
	for _, q := range qs {
		out[q.ID] = hours.Always()
		if q.Hours == "" {
			continue
		}
		w, err := hours.ParseWeekJSON(q.Hours)
		if err != nil {
			continue
		}
		if cal, err := hours.New(q.TimeZone, w, holidays); err == nil {
			out[q.ID] = cal
		}
	}
	return out, nil
}

// dayTickets reads the tickets created in [from, to) with their messages,
// agent actions and wrap-up codes.
func (s *Service) dayTickets(ctx context.Context, from, to time.Time) ([]*ticketRow, error) {
	tx := s.o.DB.WithContext(ctx)
	var list []*ticketRow
	byID := map[int64]*ticketRow{}
	err := db.Query(tx, qDayTickets, []any{from, to}, func(rows *sql.Rows) error {
		t := &ticketRow{}
		var fr, so, cl, frd, rd sql.NullTime
		if err := rows.Scan(&t.ID, &t.Channel, &t.Category, &t.Province, &t.QueueID, &t.AssigneeID, &t.Status, &t.SLABreached,
			&t.CreatedAt, &fr, &so, &cl, &frd, &rd, &t.ruleAbandoned, &t.ruleFRTDue, &t.ruleFRTMet); err != nil {
			return err
		}
		t.FirstResponse, t.SolvedAt, t.ClosedAt, t.FRTDue, t.ResDue = ptr(fr), ptr(so), ptr(cl), ptr(frd), ptr(rd)
		list = append(list, t)
		byID[t.ID] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: tickets: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	err = db.Query(tx, qDayMessages, []any{from, to}, func(rows *sql.Rows) error {
		var id, agentID int64
		var dir string
		var at time.Time
		if err := rows.Scan(&id, &dir, &at, &agentID); err != nil {
			return err
		}
		if t := byID[id]; t != nil {
			t.Messages = append(t.Messages, msg{Out: dir == "out", At: at, Agent: agentID})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: messages: %w", err)
	}
	err = db.Query(tx, qDayAudit, []any{from, to}, func(rows *sql.Rows) error {
		var id, actor int64
		var action, detail string
		if err := rows.Scan(&id, &action, &detail, &actor); err != nil {
			return err
		}
		t := byID[id]
		switch {
		case t == nil:
		case action == "ticket.transfer":
			t.Transfers++
			if t.TransfersBy == nil {
				t.TransfersBy = map[int64]int64{}
			}
			t.TransfersBy[actor]++
		case isReopen(detail):
			t.Reopened = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: agent actions: %w", err)
	}
	err = db.Query(tx, qDayWrapups, []any{from, to}, func(rows *sql.Rows) error {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		if t := byID[id]; t != nil {
			t.Wrapup = code
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: wrap-up codes: %w", err)
	}
	return list, nil
}

func ptr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

type rollKey struct{ dim, value string }

// rebuildDay recomputes one day's rollup rows from the raw rows and
// replaces them in one transaction.
func (s *Service) rebuildDay(ctx context.Context, day string, cals map[int64]*hours.Calendar) error {
	start, err := time.ParseInLocation(time.DateOnly, day, s.o.Zone)
	if err != nil {
		return fmt.Errorf("reports: day %q: %w", day, err)
	}
	end := start.AddDate(0, 0, 1)
	list, err := s.dayTickets(ctx, start.UTC(), end.UTC())
	if err != nil {
		return err
	}
	agg := map[rollKey]*Figures{}
	var order []rollKey
	var hist histogram
	add := func(k rollKey, f Figures) {
		cur := agg[k]
		if cur == nil {
			cur = &Figures{}
			agg[k] = cur
			order = append(order, k)
		}
		cur.add(f)
	}
	for _, t := range list {
		cal := cals[t.QueueID]
		if cal == nil {
			cal = hours.Always()
		}
		f := t.figures(cal)
		keys := t.keys(s.o.Zone)
		for _, k := range keys {
			if k[0] == DimAgent {
				continue // each agent's own share, below
			}
			add(rollKey{k[0], k[1]}, f)
		}
		for agentID, share := range t.agentShares(f) {
			add(rollKey{DimAgent, strconv.FormatInt(agentID, 10)}, share)
		}
		if f.Resolved == 1 {
			hist.addTicket(keys, f.ResSec)
		}
	}
	var calls Figures
	err = db.Query(s.o.DB.WithContext(ctx), qDayCalls, []any{start.UTC(), end.UTC()}, func(rows *sql.Rows) error {
		var outcome string
		if err := rows.Scan(&outcome); err != nil {
			return err
		}
		calls.Tickets++
		if outcome == OutcomeAbandoned {
			calls.Abandoned++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reports: calls: %w", err)
	}
	if calls.Tickets > 0 {
		add(rollKey{DimCalls, "inbound"}, calls)
	}
	return s.o.DB.Tx(ctx, func(tx *gorm.DB) error {
		if db.IsPostgres(tx) {
			// One rebuild of the rollup at a time across instances.
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(7402150015)`).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`DELETE FROM report_daily WHERE dim IN ? AND day = ?`, dims, day).Error; err != nil {
			return fmt.Errorf("reports: clear %s: %w", day, err)
		}
		if err := hist.write(tx, day); err != nil {
			return err
		}
		const cols = nColumns + 3
		return db.Chunks(len(order), cols, func(lo, hi int) error {
			args := make([]any, 0, (hi-lo)*cols)
			for _, k := range order[lo:hi] {
				args = append(args, k.dim, day, k.value)
				args = append(args, agg[k].values()...)
			}
			q := `INSERT INTO report_daily (dim, day, value, ` + columns + `) VALUES ` + db.Tuples(hi-lo, cols)
			if err := tx.Exec(q, args...).Error; err != nil {
				return fmt.Errorf("reports: write %s: %w", day, err)
			}
			return nil
		})
	})
}
