package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// Column describes one column of a result.
type Column struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
}

// Row is one group of a result: its figures in the period and in the
// previous period (nil: undefined, such as an average over nothing).
type Row struct {
	Key      string     `json:"key"`
	Label    string     `json:"label"`
	Values   []*float64 `json:"values"`
	Previous []*float64 `json:"previous"`
}

// Result is a computed report.
type Result struct {
	Name     string    `json:"name"`
	GroupBy  string    `json:"group_by"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	PrevFrom string    `json:"previous_from"`
	PrevTo   string    `json:"previous_to"`
	AsOf     time.Time `json:"as_of"`
	Columns  []Column  `json:"columns"`
	Rows     []Row     `json:"rows"`
	Total    Row       `json:"total"`
}

// Rollup reads: one dimension's rows in a day range (primary key).
const (
	qByValue = `SELECT value, ` + sums + ` FROM report_daily WHERE dim = ? AND day >= ? AND day <= ? GROUP BY value`
	qByDay   = `SELECT day, ` + sums + ` FROM report_daily WHERE dim = ? AND day >= ? AND day <= ? GROUP BY day`
	sums     = `SUM(tickets), SUM(responded), SUM(frt_s), SUM(frt_biz_s), SUM(replies), SUM(reply_s), SUM(resolved), SUM(res_s), SUM(res_biz_s),
	SUM(handled), SUM(handle_s), SUM(reopened), SUM(transferred), SUM(transfers), SUM(frt_due), SUM(frt_met), SUM(res_due), SUM(res_met), SUM(abandoned)`
)

// sumRollup sums the rollup rows of dim over [from, to] grouped by value
// (or by day when byDay); keyed by value or day.
func (s *Service) sumRollup(ctx context.Context, dim string, byDay bool, from, to time.Time) (map[string]Figures, error) {
	q := qByValue
	if byDay {
		q = qByDay
	}
	out := map[string]Figures{}
	err := db.Query(s.o.DB.WithContext(ctx), q, []any{dim, from.Format(time.DateOnly), to.Format(time.DateOnly)}, func(rows *sql.Rows) error {
		var key string
		var f Figures
		if err := rows.Scan(append([]any{&key}, f.ptrs()...)...); err != nil {
			return err
		}
		out[key] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: rollup: %w", err)
	}
	return out, nil
}

// Run computes a report on the rollup (the median and p90 of the
// resolution time on its histograms, resolution.go), with the previous
// period.
func (s *Service) Run(ctx context.Context, q Query, lang string) (*Result, error) {
	def, ok := reportDefs[q.Name]
	if !ok || def.export {
		return nil, ErrUnknownReport
	}
	pf, pt := q.Previous()
	res := &Result{Name: q.Name, GroupBy: q.GroupBy, From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly),
		PrevFrom: pf.Format(time.DateOnly), PrevTo: pt.Format(time.DateOnly)}
	var err error
	if res.AsOf, err = s.AsOf(ctx); err != nil {
		return nil, err
	}
	if def.abandonment {
		return s.runAbandonment(ctx, q, res)
	}
	for _, c := range def.cols {
		res.Columns = append(res.Columns, Column{Key: c.Key, Kind: c.Kind})
	}
	cur, prev, err := s.periods(ctx, q.GroupBy, q.From, q.To, pf, pt)
	if err != nil {
		return nil, err
	}
	var curRaw, prevRaw map[string]q2
	if slices.ContainsFunc(def.cols, func(c column) bool { return c.raw > 0 }) {
		if curRaw, err = s.resolutionTimes(ctx, q.GroupBy, q.From, q.To); err != nil {
			return nil, err
		}
		if prevRaw, err = s.resolutionTimes(ctx, q.GroupBy, pf, pt); err != nil {
			return nil, err
		}
		if q.GroupBy == GroupDay {
			prevRaw = shiftDays(prevRaw, q.Days(), s.o.Zone)
		}
	}
	keys := make([]string, 0, len(cur))
	for k := range cur {
		keys = append(keys, k)
	}
	if q.GroupBy != "" {
		for k := range prev {
			if _, ok := cur[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	labels, err := s.labels(ctx, q.GroupBy, lang)
	if err != nil {
		return nil, err
	}
	sortKeys(q.GroupBy, keys, cur)
	var tot, totPrev Figures
	for _, k := range keys {
		tot.add(cur[k])
		totPrev.add(prev[k])
		if q.GroupBy == "" {
			continue
		}
		label := k
		if l, ok := labels[k]; ok {
			label = l
		}
		res.Rows = append(res.Rows, Row{Key: k, Label: label,
			Values: values(def.cols, cur[k], raw(curRaw, k)), Previous: values(def.cols, prev[k], raw(prevRaw, k))})
	}
	if q.GroupBy == GroupDay {
		// Every day of the range has a row, quiet days included.
		res.Rows = fillDays(res.Rows, q, def.cols)
	}
	res.Total = Row{Key: "total", Values: values(def.cols, tot, raw(curRaw, totalKey)), Previous: values(def.cols, totPrev, raw(prevRaw, totalKey))}
	return res, nil
}

// periods reads the rollup for the period and the previous one. Rows of
// the previous period are keyed like the current one: by value, or for
// days by the day's position in its period (so day 1 compares with day 1).
func (s *Service) periods(ctx context.Context, group string, from, to, pf, pt time.Time) (map[string]Figures, map[string]Figures, error) {
	byDay := group == GroupDay
	cur, err := s.sumRollup(ctx, dimOf(group), byDay, from, to)
	if err != nil {
		return nil, nil, err
	}
	prev, err := s.sumRollup(ctx, dimOf(group), byDay, pf, pt)
	if err != nil {
		return nil, nil, err
	}
	if byDay {
		prev = shiftDays(prev, int(from.Sub(pf).Hours()/24+0.5), s.o.Zone)
	}
	return cur, prev, nil
}

func raw(m map[string]q2, k string) *q2 {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

func values(cols []column, f Figures, raw *q2) []*float64 {
	out := make([]*float64, len(cols))
	for i, c := range cols {
		if c.raw > 0 {
			if raw != nil {
				v := raw.med
				if c.raw == 0.9 {
					v = raw.p90
				}
				out[i] = &v
			}
			continue
		}
		if v, ok := c.fn(f); ok {
			v = math.Round(v*100) / 100
			out[i] = &v
		}
	}
	return out
}

func sortKeys(group string, keys []string, cur map[string]Figures) {
	switch group {
	case GroupDay, GroupHour:
		sort.Strings(keys)
	case GroupQueue, GroupAgent:
		sort.Slice(keys, func(i, j int) bool {
			a, _ := strconv.ParseInt(keys[i], 10, 64)
			b, _ := strconv.ParseInt(keys[j], 10, 64)
			return a < b
		})
	default:
		// Biggest first, then by name.
		sort.Slice(keys, func(i, j int) bool {
			if cur[keys[i]].Tickets != cur[keys[j]].Tickets {
				return cur[keys[i]].Tickets > cur[keys[j]].Tickets
			}
			return keys[i] < keys[j]
		})
	}
}

func fillDays(rows []Row, q Query, cols []column) []Row {
	have := map[string]Row{}
	for _, r := range rows {
		have[r.Key] = r
	}
	out := make([]Row, 0, q.Days())
	for d := q.From; !d.After(q.To); d = d.AddDate(0, 0, 1) {
		k := d.Format(time.DateOnly)
		r, ok := have[k]
		if !ok {
			r = Row{Key: k, Label: k, Values: values(cols, Figures{}, nil), Previous: values(cols, Figures{}, nil)}
		}
		out = append(out, r)
	}
	return out
}

// runAbandonment: live chats that ended before an agent joined, and calls
// abandoned in the IVR or the queue, per day.
func (s *Service) runAbandonment(ctx context.Context, q Query, res *Result) (*Result, error) {
	for _, c := range abandonCols {
		res.Columns = append(res.Columns, Column{Key: c.Key, Kind: c.Kind})
	}
	pf, pt := q.Previous()
	// The per-day rollup of the chat channel and of calls.
	read := func(dim, value string, from, to time.Time) (map[string]Figures, error) {
		out := map[string]Figures{}
		err := db.Query(s.o.DB.WithContext(ctx), qDayOfValue, []any{dim, from.Format(time.DateOnly), to.Format(time.DateOnly), value}, func(rows *sql.Rows) error {
			var day string
			var f Figures
			if err := rows.Scan(append([]any{&day}, f.ptrs()...)...); err != nil {
				return err
			}
			out[day] = f
			return nil
		})
		return out, err
	}
	n := q.Days()
	chat, err := read(DimChannel, string(domain.ChannelLiveChat), q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("reports: chats: %w", err)
	}
	chatPrev, err := read(DimChannel, string(domain.ChannelLiveChat), pf, pt)
	if err != nil {
		return nil, fmt.Errorf("reports: chats: %w", err)
	}
	calls, err := read(DimCalls, "inbound", q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("reports: calls: %w", err)
	}
	callsPrev, err := read(DimCalls, "inbound", pf, pt)
	if err != nil {
		return nil, fmt.Errorf("reports: calls: %w", err)
	}
	row := func(ch, ca Figures) []*float64 {
		v := func(x float64) *float64 { return &x }
		out := []*float64{v(float64(ch.Tickets)), v(float64(ch.Abandoned)), nil, v(float64(ca.Tickets)), v(float64(ca.Abandoned)), nil}
		if ch.Tickets > 0 {
			out[2] = v(math.Round(10000*float64(ch.Abandoned)/float64(ch.Tickets)) / 100)
		}
		if ca.Tickets > 0 {
			out[5] = v(math.Round(10000*float64(ca.Abandoned)/float64(ca.Tickets)) / 100)
		}
		return out
	}
	var tc, tca, pc, pca Figures
	for d := q.From; !d.After(q.To); d = d.AddDate(0, 0, 1) {
		k := d.Format(time.DateOnly)
		pk := d.AddDate(0, 0, -n).Format(time.DateOnly)
		tc.add(chat[k])
		tca.add(calls[k])
		pc.add(chatPrev[pk])
		pca.add(callsPrev[pk])
		if q.GroupBy == GroupDay {
			res.Rows = append(res.Rows, Row{Key: k, Label: k, Values: row(chat[k], calls[k]), Previous: row(chatPrev[pk], callsPrev[pk])})
		}
	}
	res.Total = Row{Key: "total", Values: row(tc, tca), Previous: row(pc, pca)}
	return res, nil
}

// qDayOfValue: one value of one dimension, per day (primary key).
const qDayOfValue = `SELECT day, ` + sums + ` FROM report_daily WHERE dim = ? AND day >= ? AND day <= ? AND value = ? GROUP BY day`

// labels names the groups: queues and agents by name, wrap-up codes and
// complaint categories by their label in lang.
func (s *Service) labels(ctx context.Context, group, lang string) (map[string]string, error) {
	out := map[string]string{}
	tx := s.o.DB.WithContext(ctx)
	scan := func(rows *sql.Rows) error {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		if _, ok := out[k]; !ok && v != "" { // no label in lang: the code stands
			out[k] = v
		}
		return nil
	}
	var err error
	switch group {
	case GroupQueue:
		out["0"] = "-"
		err = db.Query(tx, `SELECT CAST(id AS TEXT), name FROM queues`, nil, scan)
	case GroupAgent:
		out["0"] = "-"
		err = db.Query(tx, `SELECT CAST(id AS TEXT), name FROM agents`, nil, scan)
	case GroupWrapup, GroupCategory:
		// Both keep a label per language beside the code.
		out[""] = "-"
		col := "label_id"
		if lang == "en-US" {
			col = "label_en"
		}
		table := map[string]string{GroupWrapup: "wrapup_codes", GroupCategory: "complaint_categories"}[group]
		err = db.Query(tx, `SELECT code, `+col+` FROM `+table+` ORDER BY id`, nil, scan)
	case GroupProvince:
		out[""] = "-"
	}
	if err != nil {
		return nil, fmt.Errorf("reports: labels: %w", err)
	}
	return out, nil
}

// shiftDays moves day keys n days later (the previous period's days onto
// the days they compare with); other keys stay.
func shiftDays[T any](m map[string]T, n int, zone *time.Location) map[string]T {
	out := make(map[string]T, len(m))
	for k, v := range m {
		d, err := time.ParseInLocation(time.DateOnly, k, zone)
		if err != nil {
			out[k] = v
			continue
		}
		out[d.AddDate(0, 0, n).Format(time.DateOnly)] = v
	}
	return out
}
