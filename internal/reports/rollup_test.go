package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/hours"
	"tanggap/internal/testenv"
)

// rawTicket is a ticket as the test reads it, straight from the tables.
type rawTicket struct {
	id                                  int64
	channel, category, province, wrapup string
	queue, agent                        int64
	status, breached                    string
	created                             time.Time
	frt, solved, closed, frtDue, resDue *time.Time
	msgs                                []rawMsg
	transfers                           int
	transfersBy                         map[int64]int // by the agent who made them
	reopened                            bool
}

type rawMsg struct {
	dir   string
	at    time.Time
	agent int64
}

// by is who a ticket's message or figure counts for in the agents
// report: its author, or the assignee when none is recorded.
func (r *rawTicket) by(agent int64) string {
	if agent == 0 {
		agent = r.agent
	}
	return strconv.FormatInt(agent, 10)
}

// firstResponder is the author of the first agent message.
func (r *rawTicket) firstResponder() string {
	for _, m := range r.msgs {
		if m.dir == "out" {
			return r.by(m.agent)
		}
	}
	return r.by(0)
}

func nt(v sql.NullTime) *time.Time {
	if !v.Valid {
		return nil
	}
	return &v.Time
}

// readRaw reads every ticket with its messages, agent actions and wrap-up
// code, one simple statement per table.
func readRaw(t *testing.T, d *db.DB) []*rawTicket {
	t.Helper()
	byID := map[int64]*rawTicket{}
	var list []*rawTicket
	rows, err := d.Raw(`SELECT id, channel, category, province_code, queue_id, assignee_id, status, sla_breached, created_at,
		first_response_at, solved_at, closed_at, first_response_due_at, resolution_due_at FROM tickets`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		r := &rawTicket{}
		var q, a sql.NullInt64
		var f, s, c, fd, rd sql.NullTime
		if err := rows.Scan(&r.id, &r.channel, &r.category, &r.province, &q, &a, &r.status, &r.breached, &r.created, &f, &s, &c, &fd, &rd); err != nil {
			t.Fatal(err)
		}
		r.queue, r.agent = q.Int64, a.Int64
		r.frt, r.solved, r.closed, r.frtDue, r.resDue = nt(f), nt(s), nt(c), nt(fd), nt(rd)
		byID[r.id] = r
		list = append(list, r)
	}
	rows.Close()
	rows, err = d.Raw(`SELECT ticket_id, direction, created_at, COALESCE(agent_id, 0) FROM messages ORDER BY created_at, id`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var m rawMsg
		if err := rows.Scan(&id, &m.dir, &m.at, &m.agent); err != nil {
			t.Fatal(err)
		}
		byID[id].msgs = append(byID[id].msgs, m)
	}
	rows.Close()
	rows, err = d.Raw(`SELECT ticket_id, action, detail, COALESCE(agent_id, 0) FROM audit_log WHERE ticket_id IS NOT NULL`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, actor int64
		var action, detail string
		if err := rows.Scan(&id, &action, &detail, &actor); err != nil {
			t.Fatal(err)
		}
		if action == "ticket.transfer" {
			r := byID[id]
			r.transfers++
			if r.transfersBy == nil {
				r.transfersBy = map[int64]int{}
			}
			r.transfersBy[actor]++
		}
		if action == "ticket.status" && (strings.HasPrefix(detail, "solved -> ") || strings.HasPrefix(detail, "closed -> ")) &&
			!strings.HasSuffix(detail, "-> solved") && !strings.HasSuffix(detail, "-> closed") {
			byID[id].reopened = true
		}
	}
	rows.Close()
	rows, err = d.Raw(`SELECT w.ticket_id, c.code FROM ticket_wrapups w, wrapup_codes c WHERE c.id = w.code_id`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			t.Fatal(err)
		}
		byID[id].wrapup = code
	}
	rows.Close()
	return list
}

// expected computes a report's column from the raw tickets of [from, to]
// (days in WIB), per group key: the definitions written out again, ticket
// by ticket.
func expected(t *testing.T, list []*rawTicket, cals map[int64]*hours.Calendar, group, col string, from, to time.Time) map[string]*float64 {
	t.Helper()
	type acc struct {
		n, sum, part float64
		xs           []float64
	}
	accs := map[string]*acc{}
	end := to.AddDate(0, 0, 1)
	for _, r := range list {
		if r.created.Before(from) || !r.created.Before(end) {
			continue
		}
		var k string
		switch group {
		case GroupDay:
			k = r.created.In(wib).Format(time.DateOnly)
		case GroupHour:
			k = r.created.In(wib).Format("15")
		case GroupChannel:
			k = r.channel
		case GroupCategory:
			k = r.category
		case GroupProvince:
			k = r.province
		case GroupQueue:
			k = strconv.FormatInt(r.queue, 10)
		case GroupAgent:
			k = strconv.FormatInt(r.agent, 10)
		case GroupWrapup:
			k = r.wrapup
		}
		get := func(k string) *acc {
			a := accs[k]
			if a == nil {
				a = &acc{}
				accs[k] = a
			}
			return a
		}
		a := get(k)
		// The agents report credits each agent's own work (agentShares):
		// the first response to its author, each reply to its author,
		// each transfer to whoever made it.
		agents := group == GroupAgent
		cal := cals[r.queue]
		if cal == nil {
			cal = hours.Always()
		}
		done := r.solved
		if done == nil {
			done = r.closed
		}
		sec := func(a, b time.Time) float64 { return math.Floor(b.Sub(a).Seconds()) }
		switch col {
		case "tickets":
			a.n++
		case "responded", "frt_avg_s", "frt_business_avg_s":
			if r.frt != nil {
				a := a
				if agents {
					a = get(r.firstResponder())
				}
				a.n++
				a.sum += map[string]float64{"responded": 0, "frt_avg_s": sec(r.created, *r.frt), "frt_business_avg_s": math.Floor(cal.Between(r.created, *r.frt).Seconds())}[col]
			}
		case "replies", "response_avg_s":
			var wait *time.Time
			for i, m := range r.msgs {
				if m.dir == "in" && wait == nil {
					wait = &r.msgs[i].at
				}
				if m.dir == "out" && wait != nil {
					a := a
					if agents {
						a = get(r.by(m.agent))
					}
					a.n++
					a.sum += sec(*wait, m.at)
					wait = nil
				}
			}
		case "resolved", "resolution_avg_s", "resolution_business_avg_s", "resolution_median_s", "resolution_p90_s":
			if done != nil {
				a.n++
				a.sum += map[string]float64{"resolution_avg_s": sec(r.created, *done), "resolution_business_avg_s": math.Floor(cal.Between(r.created, *done).Seconds())}[col]
				a.xs = append(a.xs, threeDigits(sec(r.created, *done)))
			}
		case "handled", "handle_avg_s":
			if done != nil && r.frt != nil {
				a.n++
				a.sum += sec(*r.frt, *done)
			}
		case "reopened":
			if r.reopened {
				a.n++
			}
		case "reopen_pct":
			if done != nil {
				a.n++
			}
			if r.reopened {
				a.part++
			}
		case "transferred", "transfers", "transfer_pct":
			a.n++
			if r.transfers > 0 {
				a.part++
			}
			if agents {
				for actor, n := range r.transfersBy {
					b := get(r.by(actor))
					if actor == 0 {
						b = get("0") // no agent's: the system's
					}
					b.sum += float64(n)
				}
				break
			}
			a.sum += float64(r.transfers)
		case "frt_sla_due", "frt_sla_met_pct":
			if r.frtDue != nil && (r.frt != nil || strings.Contains(r.breached, "first_response")) {
				a := a
				if agents && r.frt != nil {
					a = get(r.firstResponder())
				}
				a.n++
				if r.frt != nil && !r.frt.After(*r.frtDue) {
					a.part++
				}
			}
		case "resolution_sla_due", "resolution_sla_met_pct":
			if r.resDue != nil && (done != nil || strings.Contains(r.breached, "resolution")) {
				a.n++
				if done != nil && !done.After(*r.resDue) {
					a.part++
				}
			}
		case "abandoned":
			if r.channel == "livechat" && (r.status == "solved" || r.status == "closed") && r.frt == nil {
				a.n++
			}
		default:
			t.Fatalf("no raw definition of %s", col)
		}
	}
	out := map[string]*float64{}
	for k, a := range accs {
		var v float64
		switch {
		case slices.Contains([]string{"tickets", "responded", "replies", "resolved", "handled", "reopened", "frt_sla_due", "resolution_sla_due", "abandoned"}, col):
			v = a.n
		case col == "transferred":
			v = a.part
		case col == "transfers":
			v = a.sum
		case strings.HasSuffix(col, "_pct"):
			if a.n == 0 {
				out[k] = nil
				continue
			}
			v = 100 * a.part / a.n
		case col == "resolution_median_s" || col == "resolution_p90_s":
			if len(a.xs) == 0 {
				out[k] = nil
				continue
			}
			slices.Sort(a.xs)
			p := 0.5
			if col == "resolution_p90_s" {
				p = 0.9
			}
			pos := p * float64(len(a.xs)-1)
			lo := int(math.Floor(pos))
			hi := min(lo+1, len(a.xs)-1)
			v = a.xs[lo] + (a.xs[hi]-a.xs[lo])*(pos-float64(lo))
		default:
			if a.n == 0 {
				out[k] = nil
				continue
			}
			v = a.sum / a.n
		}
		v = math.Round(v*100) / 100
		out[k] = &v
	}
	return out
}

// threeDigits rounds whole seconds down to three significant digits, the
// rounding the reports state for the median and p90, written out on the
// decimal digits.
func threeDigits(s float64) float64 {
	d := []byte(strconv.FormatFloat(s, 'f', 0, 64))
	for i := 3; i < len(d); i++ {
		d[i] = '0'
	}
	v, _ := strconv.ParseFloat(string(d), 64)
	return v
}

func fmtp(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// compare checks every report, grouping and column (and the previous
// period) against the figures computed from the raw rows.
func compare(t *testing.T, s *Service, d *db.DB, from, to time.Time) (quantiles int) {
	t.Helper()
	ctx := context.Background()
	list := readRaw(t, d)
	cals, err := s.calendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range Names() {
		def := reportDefs[name]
		if def.abandonment {
			continue
		}
		for _, g := range def.groups {
			q := Query{Name: name, From: from, To: to, GroupBy: g}
			res, err := s.Run(ctx, q, "id-ID")
			if err != nil {
				t.Fatalf("%s by %s: %v", name, g, err)
			}
			pf, pt := q.Previous()
			for ci, c := range res.Columns {
				want := expected(t, list, cals, g, c.Key, from, to)
				wantPrev := expected(t, list, cals, g, c.Key, pf, pt)
				for _, row := range res.Rows {
					k := row.Key
					pk := k
					if g == GroupDay {
						day, _ := time.ParseInLocation(time.DateOnly, k, wib)
						pk = day.AddDate(0, 0, -q.Days()).Format(time.DateOnly)
					}
					w, ok := want[k]
					if !ok && !strings.HasSuffix(c.Key, "_s") && !strings.HasSuffix(c.Key, "_pct") {
						zero := 0.0
						w = &zero
					}
					if w != nil && (c.Key == "resolution_median_s" || c.Key == "resolution_p90_s") {
						quantiles++
					}
					if fmtp(w) != fmtp(row.Values[ci]) {
						t.Errorf("%s by %s, %s, %s: rollup %s, raw rows %s", name, g, k, c.Key, fmtp(row.Values[ci]), fmtp(w))
					}
					wp, ok := wantPrev[pk]
					if !ok && !strings.HasSuffix(c.Key, "_s") && !strings.HasSuffix(c.Key, "_pct") {
						zero := 0.0
						wp = &zero
					}
					if fmtp(wp) != fmtp(row.Previous[ci]) {
						t.Errorf("%s by %s, %s, %s (previous period): rollup %s, raw rows %s", name, g, k, c.Key, fmtp(row.Previous[ci]), fmtp(wp))
					}
					checked++
				}
				// The total row: every ticket of the period, whatever its group.
				for _, tot := range []struct {
					got  *float64
					want map[string]*float64
					what string
				}{{res.Total.Values[ci], expected(t, list, cals, "", c.Key, from, to), ""}, {res.Total.Previous[ci], expected(t, list, cals, "", c.Key, pf, pt), " (previous period)"}} {
					w, ok := tot.want[""]
					if !ok && !strings.HasSuffix(c.Key, "_s") && !strings.HasSuffix(c.Key, "_pct") {
						zero := 0.0
						w = &zero
					}
					if fmtp(w) != fmtp(tot.got) {
						t.Errorf("%s by %s, total, %s%s: rollup %s, raw rows %s", name, g, c.Key, tot.what, fmtp(tot.got), fmtp(w))
					}
					if w != nil && (c.Key == "resolution_median_s" || c.Key == "resolution_p90_s") {
						quantiles++
					}
					checked++
				}
				for k, w := range want {
					if !slices.ContainsFunc(res.Rows, func(r Row) bool { return r.Key == k }) {
						t.Errorf("%s by %s: no row %q (raw rows: %s = %s)", name, g, k, c.Key, fmtp(w))
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d figures compared", checked)
	}
	checked += compareDayQuantiles(t, d, list, cals, from, to)
	t.Logf("%d figures equal (%d of them a median or p90 of the resolution time)", checked, quantiles)
	return quantiles
}

// compareDayQuantiles checks every day's stored median and p90 of each
// dimension and value (report_resolution_day) in from..to against the
// ones sorted from the raw rows, and that no group of a day with resolved
// tickets lacks them. It returns the figures compared.
func compareDayQuantiles(t *testing.T, d *db.DB, list []*rawTicket, cals map[int64]*hours.Calendar, from, to time.Time) int {
	t.Helper()
	type key struct{ dim, day, value string }
	stored := map[key][2]float64{}
	rows, err := d.Raw(`SELECT dim, day, value, med, p90 FROM report_resolution_day WHERE day >= ? AND day <= ?`,
		from.Format(time.DateOnly), to.Format(time.DateOnly)).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k key
		var v [2]float64
		if err := rows.Scan(&k.dim, &k.day, &k.value, &v[0], &v[1]); err != nil {
			t.Fatal(err)
		}
		stored[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	checked := 0
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		ds := day.Format(time.DateOnly)
		for _, dim := range resolutionDims {
			group := dim.(string)
			if group == DimAll {
				group = ""
			}
			for ci, col := range []string{"resolution_median_s", "resolution_p90_s"} {
				for value, w := range expected(t, list, cals, group, col, day, day) {
					if w == nil {
						continue
					}
					got, ok := stored[key{dim.(string), ds, value}]
					if !ok {
						t.Errorf("no stored %s of %s %q on %s (raw rows %s)", col, dim, value, ds, fmtp(w))
						continue
					}
					if fmtp(w) != fmtp(&got[ci]) {
						t.Errorf("stored %s of %s %q on %s: %s, raw rows %s", col, dim, value, ds, fmtp(&got[ci]), fmtp(w))
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no stored day median or p90 compared")
	}
	if len(stored) != checked/2 {
		t.Errorf("%d stored day quantiles, %d groups with resolved tickets in the raw rows", len(stored), checked/2)
	}
	t.Logf("%d stored day medians and p90s equal", checked)
	return checked
}

func TestRollupEqualsRawRows(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	clock := now
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Now: func() time.Time { return clock }})
	w := seed(t, d, now, 20, 600, 1)
	if n, err := s.Refresh(ctx); err != nil || n < 20 {
		t.Fatalf("first refresh: %d days, %v", n, err)
	}
	to := time.Date(2026, 11, 20, 0, 0, 0, 0, wib)
	from := to.AddDate(0, 0, -9)
	compare(t, s, d, from, to)

	// A refresh rebuilds the recent days; one whose tickets did not change
	// writes nothing: its stored median, set aside here, stays as it was.
	today := now.In(wib).Format(time.DateOnly)
	var med float64
	if err := d.Raw(`SELECT med FROM report_resolution_day WHERE dim = ? AND day = ? AND value = ''`, DimAll, today).Row().Scan(&med); err != nil {
		t.Fatalf("no stored median of %s: %v", today, err)
	}
	exec(t, d, `UPDATE report_resolution_day SET med = -1 WHERE dim = ? AND day = ? AND value = ''`, DimAll, today)
	if n, err := s.Refresh(ctx); err != nil || n == 0 {
		t.Fatalf("refresh with nothing changed: %d days, %v", n, err)
	}
	var after float64
	d.Raw(`SELECT med FROM report_resolution_day WHERE dim = ? AND day = ? AND value = ''`, DimAll, today).Row().Scan(&after)
	if after != -1 {
		t.Errorf("a refresh with nothing changed rewrote the median of %s (%v)", today, after)
	}
	exec(t, d, `UPDATE report_resolution_day SET med = ? WHERE dim = ? AND day = ? AND value = ''`, med, DimAll, today)

	// Changes after the refresh: old tickets solved, transferred, reopened,
	// given a wrap-up code; new tickets arrive. An incremental refresh
	// folds them in.
	clock = now.Add(2 * time.Hour)
	at := clock.Add(-time.Hour)
	for i, id := range w.tickets[:12] {
		switch i % 4 {
		case 0:
			exec(t, d, `UPDATE tickets SET status = 'solved', solved_at = ?, updated_at = ? WHERE id = ? AND solved_at IS NULL`, at, at, id)
		case 1:
			exec(t, d, `INSERT INTO audit_log (action, ticket_id, detail, created_at) VALUES ('ticket.transfer', ?, 'a -> b', ?)`, id, at)
		case 2:
			exec(t, d, `INSERT INTO audit_log (action, ticket_id, detail, created_at) VALUES ('ticket.status', ?, 'closed -> open', ?)`, id, at)
		case 3:
			exec(t, d, `DELETE FROM ticket_wrapups WHERE ticket_id = ?`, id)
			exec(t, d, `INSERT INTO ticket_wrapups (ticket_id, code_id, created_at) VALUES (?, ?, ?)`, id, w.codes[0], at)
			exec(t, d, `INSERT INTO audit_log (action, ticket_id, detail, created_at) VALUES ('ticket.wrapup', ?, 'x', ?)`, id, at)
		}
	}
	seed(t, d, clock, 1, 40, 2)
	n, err := s.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("incremental refresh rebuilt %d days", n)
	if n >= 21 {
		t.Errorf("the incremental refresh rebuilt %d days: every day, not the changed ones", n)
	}
	compare(t, s, d, from, to.AddDate(0, 0, 1))
	// A resolved ticket given to a new agent and taken back: the agent's
	// November count of its resolution time falls back to 0, and with only
	// an unresolved ticket left the agent has no median.
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, wib).UTC()
	var solvedID, openID, agent int64
	d.Raw(`SELECT id FROM tickets WHERE solved_at IS NOT NULL AND created_at >= ? ORDER BY id LIMIT 1`, nov).Scan(&solvedID)
	d.Raw(`SELECT id FROM tickets WHERE solved_at IS NULL AND closed_at IS NULL AND created_at >= ? ORDER BY id LIMIT 1`, nov).Scan(&openID)
	d.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES ('pindah@example.org', 'Pindah', 'x', 'agent', ?, ?) RETURNING id`, clock, clock).Scan(&agent)
	if solvedID == 0 || openID == 0 || agent == 0 {
		t.Fatalf("no November tickets to move (%d, %d) or no agent %d", solvedID, openID, agent)
	}
	novMonth := nov.In(wib).Format("2006-01")
	for i, ids := range [][]int64{{solvedID, openID}, {solvedID}} {
		clock = clock.Add(time.Hour)
		to := any(agent)
		if i == 1 {
			to = nil
		}
		exec(t, d, `UPDATE tickets SET assignee_id = ?, updated_at = ? WHERE id IN ?`, to, clock.Add(-time.Minute), ids)
		if _, err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		// The agent's November counts: the moved ticket's, then none (the
		// row is gone: counts of 0 are not kept).
		var rows int64
		d.Raw(`SELECT COUNT(*) FROM report_resolution_month WHERE dim = ? AND month = ? AND value = ?`, DimAgent, novMonth, strconv.FormatInt(agent, 10)).Scan(&rows)
		if want := int64(1 - i); rows != want {
			t.Fatalf("step %d: %d November count rows of the moved agent, want %d", i, rows, want)
		}
	}
	// A whole month reads the month's resolution times, which the
	// incremental refresh changed by the rebuilt days' differences.
	if n := compare(t, s, d, time.Date(2026, 11, 1, 0, 0, 0, 0, wib), time.Date(2026, 11, 30, 0, 0, 0, 0, wib)); n == 0 {
		t.Fatal("no median or p90 of the resolution time compared over November")
	}
	// Most of a month: the month's counts less those of the days left out
	// (November 1 has tickets), and the previous period likewise.
	if n := compare(t, s, d, time.Date(2026, 11, 2, 0, 0, 0, 0, wib), time.Date(2026, 11, 29, 0, 0, 0, 0, wib)); n == 0 {
		t.Fatal("no median or p90 of the resolution time compared over November 2-29")
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if err := d.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAbandonmentCountsChatsAndCalls(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Now: func() time.Time { return now }})
	seed(t, d, now, 5, 200, 3)
	if _, err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 14, 0, 0, 0, 0, wib)
	to := time.Date(2026, 11, 20, 0, 0, 0, 0, wib)
	res, err := s.Run(ctx, Query{Name: "abandonment", From: from, To: to, GroupBy: GroupDay}, "id-ID")
	if err != nil {
		t.Fatal(err)
	}
	var chats, chatsGone, calls, callsGone int64
	start, end := from.UTC(), to.AddDate(0, 0, 1).UTC()
	d.Raw(`SELECT COUNT(*) FROM tickets WHERE channel = 'livechat' AND created_at >= ? AND created_at < ?`, start, end).Scan(&chats)
	d.Raw(`SELECT COUNT(*) FROM tickets WHERE channel = 'livechat' AND status IN ('solved', 'closed') AND first_response_at IS NULL AND created_at >= ? AND created_at < ?`, start, end).Scan(&chatsGone)
	d.Raw(`SELECT COUNT(*) FROM voice_calls WHERE direction = 'inbound' AND started_at >= ? AND started_at < ?`, start, end).Scan(&calls)
	d.Raw(`SELECT COUNT(*) FROM voice_calls WHERE direction = 'inbound' AND outcome = 'abandoned' AND started_at >= ? AND started_at < ?`, start, end).Scan(&callsGone)
	got := fmt.Sprintf("%s %s %s %s", fmtp(res.Total.Values[0]), fmtp(res.Total.Values[1]), fmtp(res.Total.Values[3]), fmtp(res.Total.Values[4]))
	want := fmt.Sprintf("%d.00 %d.00 %d.00 %d.00", chats, chatsGone, calls, callsGone)
	if got != want || calls == 0 || chatsGone == 0 {
		t.Fatalf("chats, abandoned, calls, abandoned = %s, raw rows %s", got, want)
	}
	if len(res.Rows) != 7 {
		t.Fatalf("%d rows for 7 days", len(res.Rows))
	}
}

func TestRoundResolutionKeepsThreeDigits(t *testing.T) {
	for _, c := range []struct {
		name    string
		in, out int64
	}{
		{"a negative time counts as none", -5, 0},
		{"below 1,000 s every second counts", 999, 999},
		{"1,000 s stays", 1000, 1000},
		{"below 10,000 s to 10 s", 1234, 1230},
		{"just below 10,000 s", 9999, 9990},
		{"below 100,000 s to 100 s", 86_399, 86_300},
		{"a few days to 1,000 s", 259_199, 259_000},
		{"sixty days to 10,000 s", 5_184_000, 5_180_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := RoundResolution(c.in); got != c.out {
				t.Errorf("RoundResolution(%d) = %d, want %d", c.in, got, c.out)
			}
			if c.in >= 0 && threeDigits(float64(c.in)) != float64(c.out) {
				t.Errorf("the test's rounding of %d is %v, want %d", c.in, threeDigits(float64(c.in)), c.out)
			}
		})
	}
}

func TestSplitMonthsReadsAtMostHalfAMonthOfDays(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.ParseInLocation(time.DateOnly, s, wib)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"one whole month", "2026-11-01", "2026-11-30", "months 2026-11..2026-11"},
		{"a month less its first and last day", "2026-11-02", "2026-11-29", "months 2026-11..2026-11, minus days 2026-11-01..2026-11-01, minus days 2026-11-30..2026-11-30"},
		{"the previous period of November", "2026-10-02", "2026-10-31", "months 2026-10..2026-10, minus days 2026-10-01..2026-10-01"},
		{"thirty days across two months", "2026-10-17", "2026-11-15", "days 2026-10-17..2026-10-31, days 2026-11-01..2026-11-15"},
		{"days, a whole month, days", "2026-10-17", "2026-12-02", "days 2026-10-17..2026-10-31, months 2026-11..2026-11, days 2026-12-01..2026-12-02"},
		{"two whole months then days", "2026-10-01", "2026-12-02", "months 2026-10..2026-10, months 2026-11..2026-11, days 2026-12-01..2026-12-02"},
		{"days then a whole February", "2027-01-30", "2027-02-28", "days 2027-01-30..2027-01-31, months 2027-02..2027-02"},
		{"one day", "2026-11-30", "2026-11-30", "days 2026-11-30..2026-11-30"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range splitMonths(d(c.from), d(c.to)) {
				kind := "days"
				if p.months {
					kind = "months"
				}
				if p.minus {
					kind = "minus " + kind
				}
				got = append(got, kind+" "+p.lo+".."+p.hi)
			}
			if strings.Join(got, ", ") != c.want {
				t.Errorf("splitMonths(%s, %s) = %s, want %s", c.from, c.to, strings.Join(got, ", "), c.want)
			}
		})
	}
}
