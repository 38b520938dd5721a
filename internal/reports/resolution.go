package reports

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// The median and p90 of the resolution time cannot be summed per day like
// the other figures, and sorting a month of ticket rows takes seconds at a
// million tickets. Instead each day keeps, per dimension and value, how
// many tickets were resolved in each duration (report_resolution), and
// each month the same counts summed (report_resolution_month), each
// group's counts encoded in one row (counts.go): a period's quantiles are
// read from the counts of its whole months and other days (at most half a
// month of days per month, splitMonths), a row per value and day or
// month, with the same interpolation as PostgreSQL's percentile_cont. A
// report by day reads each day's median and p90, stored when the day's
// counts change (report_resolution_day), and the counts only for its
// total.
//
// The rollup writes the counts inside the day's transaction, under its
// lock (Service.mu in a process, an advisory lock across instances on
// PostgreSQL; SQLite has one writer): a month's counts are read, changed
// by the day's difference and written back with nothing else writing them.
//
// Durations are rounded first (RoundResolution), so that a day holds at most
// a few thousand counts per value however many tickets it had; the
// reports state the rounding, and the median and p90 are exact for the
// rounded durations (TestRollupEqualsRawRowsOverAMonth).

// RoundResolution rounds whole seconds down to three significant digits:
// to the second below 1,000 s, to 10 s below 10,000 s, to 100 s below
// 100,000 s, and so on (less than 1 % off).
func RoundResolution(sec int64) int64 {
	if sec < 1000 {
		return max(sec, 0)
	}
	step := int64(1)
	for v := sec; v >= 1000; v /= 10 {
		step *= 10
	}
	return sec / step * step
}

// resolutionDims are the dimensions the resolution report is grouped by
// (the wrap-up code is not one of them).
var resolutionDims = []any{DimAll, DimChannel, DimCategory, DimProvince, DimQueue, DimHour, DimAgent}

// dimValue is a group of the resolution report: a dimension and its value.
type dimValue struct{ dim, value string }

// histogram counts one day's resolved tickets per dimension and value, in
// each rounded duration (seconds → tickets), groups in first-seen order
// for a stable write.
type histogram struct {
	n     map[dimValue]map[int64]int64
	order []dimValue
}

func (h *histogram) add(dim, value string, sec int64) {
	if h.n == nil {
		h.n = map[dimValue]map[int64]int64{}
	}
	g := dimValue{dim, value}
	if h.n[g] == nil {
		h.n[g] = map[int64]int64{}
		h.order = append(h.order, g)
	}
	h.n[g][sec]++
}

// addTicket counts a resolved ticket under each of its keys of a
// resolution dimension.
func (h *histogram) addTicket(keys [8][2]string, resSec int64) {
	sec := RoundResolution(resSec)
	for _, k := range keys {
		if k[0] != DimWrapup {
			h.add(k[0], k[1], sec)
		}
	}
}

// Each (dim, day, value) keeps its counts as ONE row, encoded (counts.go):
// a report reads a row per day and value, or per month and value, however
// many durations they hold.
const (
	// The day's rows being rebuilt, and the month's rows of the groups the
	// rebuild changed (primary keys).
	qResDayRows   = `SELECT dim, value, counts FROM report_resolution WHERE dim IN ? AND day = ?`
	qResMonthRows = `SELECT value, counts FROM report_resolution_month WHERE dim = ? AND month = ? AND value IN ?`
	// Writes on the primary keys.
	qResDayPut = `INSERT INTO report_resolution (dim, day, value, counts) VALUES %s
		ON CONFLICT (dim, day, value) DO UPDATE SET counts = excluded.counts`
	qResDayDrop  = `DELETE FROM report_resolution WHERE dim = ? AND day = ? AND value IN ?`
	qResMonthPut = `INSERT INTO report_resolution_month (dim, month, value, counts) VALUES %s
		ON CONFLICT (dim, month, value) DO UPDATE SET counts = excluded.counts`
	qResMonthDrop = `DELETE FROM report_resolution_month WHERE dim = ? AND month = ? AND value IN ?`
)

// write replaces the day's counts that changed inside the rollup's
// transaction (the caller holds the rollup's lock), adds their change to
// the month's counts, and rewrites the day's quantiles.
func (h *histogram) write(tx *gorm.DB, day string) error {
	enc := make(map[dimValue][]byte, len(h.order))
	for _, g := range h.order {
		enc[g] = encodeCounts(h.n[g])
	}
	old := map[dimValue][]byte{}
	err := db.Query(tx, qResDayRows, []any{resolutionDims, day}, func(rows *sql.Rows) error {
		var g dimValue
		var b []byte
		if err := rows.Scan(&g.dim, &g.value, &b); err != nil {
			return err
		}
		old[g] = b
		return nil
	})
	if err != nil {
		return fmt.Errorf("reports: read resolution times %s: %w", day, err)
	}
	// The groups whose counts changed: new or changed, then gone.
	var changed []dimValue
	for _, g := range h.order {
		if b, ok := old[g]; !ok || !bytes.Equal(b, enc[g]) {
			changed = append(changed, g)
		}
	}
	gone := make([]dimValue, 0, len(old))
	for g := range old {
		if _, ok := enc[g]; !ok {
			gone = append(gone, g)
		}
	}
	slices.SortFunc(gone, func(a, b dimValue) int { return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.value, b.value)) })
	changed = append(changed, gone...)
	if len(changed) == 0 {
		// The recent days are rebuilt on every refresh, mostly unchanged.
		return nil
	}
	if err := putCounts(tx, qResDayPut, qResDayDrop, day, changed, enc); err != nil {
		return fmt.Errorf("reports: write resolution times %s: %w", day, err)
	}
	if err := h.writeQuantiles(tx, day); err != nil {
		return err
	}
	// The month's counts of the changed groups, plus the day's change.
	month := day[:len("2006-01")]
	sums := make(map[dimValue][]byte, len(changed))
	for _, part := range byDim(changed) {
		values := make([]string, len(part))
		for i, g := range part {
			values[i] = g.value
		}
		dim := part[0].dim
		for _, chunk := range slices.Collect(slices.Chunk(values, db.MaxParams-2)) {
			err := db.Query(tx, qResMonthRows, []any{dim, month, chunk}, func(rows *sql.Rows) error {
				var v string
				var b []byte
				if err := rows.Scan(&v, &b); err != nil {
					return err
				}
				sums[dimValue{dim, v}] = b
				return nil
			})
			if err != nil {
				return fmt.Errorf("reports: read resolution times of %s: %w", month, err)
			}
		}
	}
	for _, g := range changed {
		c := map[int64]int64{}
		for _, add := range []struct {
			b    []byte
			sign int64
		}{{sums[g], 1}, {enc[g], 1}, {old[g], -1}} {
			if err := decodeCounts(add.b, func(sec, n int64) { c[sec] += add.sign * n }); err != nil {
				return fmt.Errorf("reports: resolution times of %s %s=%q: %w", month, g.dim, g.value, err)
			}
		}
		if b := encodeCounts(c); b != nil {
			sums[g] = b
		} else {
			delete(sums, g)
		}
	}
	if err := putCounts(tx, qResMonthPut, qResMonthDrop, month, changed, sums); err != nil {
		return fmt.Errorf("reports: write resolution times of %s: %w", month, err)
	}
	return nil
}

// putCounts writes the encoded counts of the groups at (day or month) key:
// a group with counts is upserted, one without is deleted.
func putCounts(tx *gorm.DB, put, drop, key string, groups []dimValue, enc map[dimValue][]byte) error {
	var rows []dimValue
	var gone []dimValue
	for _, g := range groups {
		if enc[g] != nil {
			rows = append(rows, g)
		} else {
			gone = append(gone, g)
		}
	}
	const cols = 4
	err := db.Chunks(len(rows), cols, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, g := range rows[lo:hi] {
			args = append(args, g.dim, key, g.value, enc[g])
		}
		// The groups of one statement are distinct.
		return tx.Exec(fmt.Sprintf(put, db.Tuples(hi-lo, cols)), args...).Error
	})
	if err != nil {
		return err
	}
	for _, part := range byDim(gone) {
		values := make([]string, len(part))
		for i, g := range part {
			values[i] = g.value
		}
		for _, chunk := range slices.Collect(slices.Chunk(values, db.MaxParams-2)) {
			if err := tx.Exec(drop, part[0].dim, key, chunk).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// byDim cuts groups into runs of one dimension each (in order of first
// appearance of the dimension).
func byDim(groups []dimValue) [][]dimValue {
	idx := map[string]int{}
	var out [][]dimValue
	for _, g := range groups {
		i, ok := idx[g.dim]
		if !ok {
			i = len(out)
			idx[g.dim] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], g)
	}
	return out
}

// writeQuantiles replaces the day's median and p90 per dimension and value
// (report_resolution_day), computed from the day's counts in hand, so
// that a report by day reads one row per day.
func (h *histogram) writeQuantiles(tx *gorm.DB, day string) error {
	if err := tx.Exec(`DELETE FROM report_resolution_day WHERE dim IN ? AND day = ?`, resolutionDims, day).Error; err != nil {
		return fmt.Errorf("reports: clear resolution quantiles %s: %w", day, err)
	}
	const cols = 5
	return db.Chunks(len(h.order), cols, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, g := range h.order[lo:hi] {
			// A day's counts are never 0: every key counts a ticket.
			q, _ := quantiles(h.n[g])
			args = append(args, g.dim, day, g.value, q.med, q.p90)
		}
		q := `INSERT INTO report_resolution_day (dim, day, value, med, p90) VALUES ` + db.Tuples(hi-lo, cols)
		if err := tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("reports: write resolution quantiles %s: %w", day, err)
		}
		return nil
	})
}

// Reads of a report (primary keys): the encoded counts of each value over
// days or over whole months, and the days' own quantiles of one value
// (report_resolution_day).
const (
	qResByValue = `SELECT value, counts FROM report_resolution WHERE dim = ? AND day >= ? AND day <= ?`
	qResByMonth = `SELECT value, counts FROM report_resolution_month WHERE dim = ? AND month >= ? AND month <= ?`
	qResDays    = `SELECT day, med, p90 FROM report_resolution_day WHERE dim = ? AND day >= ? AND day <= ? AND value = ''`
)

// q2 is a group's median and p90 of the resolution time, in seconds.
type q2 struct{ med, p90 float64 }

// resolutionTimes returns, per group key and in total (totalKey), the
// median and p90 of the rounded resolution time of the tickets created in
// [from, to] that are resolved, read in parts (splitMonths): whole months
// from the month's counts, other days from the days'.
func (s *Service) resolutionTimes(ctx context.Context, group string, from, to time.Time) (map[string]q2, error) {
	counts := map[string]map[int64]int64{}
	total := map[int64]int64{}
	read := func(q string, sign int64, lo, hi string) error {
		return db.Query(s.o.DB.WithContext(ctx), q, []any{dimOf(group), lo, hi}, func(rows *sql.Rows) error {
			var k string
			var b []byte
			if err := rows.Scan(&k, &b); err != nil {
				return err
			}
			s.readRows.Add(1)
			s.readBytes.Add(int64(len(k) + len(b)))
			c := counts[k]
			if c == nil {
				c = map[int64]int64{}
				counts[k] = c
			}
			return decodeCounts(b, func(sec, n int64) {
				s.readPairs.Add(1)
				c[sec] += sign * n
				// Every ticket counts under exactly one value of a
				// dimension: the values together are the total.
				total[sec] += sign * n
			})
		})
	}
	var err error
	for _, p := range splitMonths(from, to) {
		q, sign := qResByValue, int64(1)
		if p.months {
			q = qResByMonth
		}
		if p.minus {
			sign = -1
		}
		if err = read(q, sign, p.lo, p.hi); err != nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reports: resolution times: %w", err)
	}
	out := make(map[string]q2, len(counts)+1)
	if group == GroupDay {
		// Each day's figures were computed when the day was rebuilt; only
		// the period's total needs the counts (read above, of the totals).
		err := db.Query(s.o.DB.WithContext(ctx), qResDays, []any{DimAll, from.Format(time.DateOnly), to.Format(time.DateOnly)}, func(rows *sql.Rows) error {
			var day string
			var v q2
			if err := rows.Scan(&day, &v.med, &v.p90); err != nil {
				return err
			}
			out[day] = v
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reports: resolution times by day: %w", err)
		}
	} else if group != "" {
		for k, c := range counts {
			if v, ok := quantiles(c); ok {
				out[k] = v
			}
		}
	}
	if v, ok := quantiles(total); ok {
		out[totalKey] = v
	}
	return out, nil
}

// span is a part of a period: days lo..hi, or (months) whole months lo..hi;
// a minus span's counts are taken away (days of a whole month read that
// the period leaves out).
type span struct {
	months, minus bool
	lo, hi        string
}

// splitMonths cuts the days from..to into parts to read: per month, the
// whole month when the period covers it; the whole month less the days
// left out when those are fewer than the days covered; else the days
// covered. No part reads more than half a month of days.
func splitMonths(from, to time.Time) []span {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	days := func(a, b time.Time) int { return int(b.Sub(a).Hours()/24+0.5) + 1 }
	var out []span
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, from.Location()); !m.After(to); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, -1)
		lo, hi := m, end
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		in, all := days(lo, hi), days(m, end)
		if all-in >= in {
			out = append(out, span{lo: day(lo), hi: day(hi)})
			continue
		}
		out = append(out, span{months: true, lo: m.Format("2006-01"), hi: m.Format("2006-01")})
		if lo.After(m) {
			out = append(out, span{minus: true, lo: day(m), hi: day(lo.AddDate(0, 0, -1))})
		}
		if hi.Before(end) {
			out = append(out, span{minus: true, lo: day(hi.AddDate(0, 0, 1)), hi: day(end)})
		}
	}
	return out
}

// quantiles are the median and p90 of the durations counted in c (sec →
// tickets); ok is false when c counts none: a group whose counts fell to 0
// (its tickets moved to another group, or the days taken away from a
// month were all it had).
func quantiles(c map[int64]int64) (q2, bool) {
	type bin struct{ sec, n int64 }
	bins := make([]bin, 0, len(c))
	var n int64
	for sec, k := range c {
		if k != 0 {
			bins = append(bins, bin{sec, k})
			n += k
		}
	}
	if n == 0 {
		return q2{}, false
	}
	slices.SortFunc(bins, func(a, b bin) int { return cmp.Compare(a.sec, b.sec) })
	// at is the duration of rank r (0-based) in sorted order.
	at := func(r int64) float64 {
		for _, b := range bins {
			if r < b.n {
				return float64(b.sec)
			}
			r -= b.n
		}
		return float64(bins[len(bins)-1].sec)
	}
	return q2{percentileOf(at, n, 0.5), percentileOf(at, n, 0.9)}, true
}

// percentileOf interpolates between the closest ranks of n sorted values
// (as PostgreSQL's percentile_cont), at giving the value of a rank.
func percentileOf(at func(int64) float64, n int64, p float64) float64 {
	pos := p * float64(n-1)
	lo := int64(math.Floor(pos))
	hi := min(lo+1, n-1)
	a, b := at(lo), at(hi)
	return round2(a + (b-a)*(pos-float64(lo)))
}

// totalKey keys the totals among the groups (no group value has it).
const totalKey = "\x00total"

func round2(v float64) float64 { return math.Round(v*100) / 100 }
