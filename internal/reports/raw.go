package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"tanggap/internal/db"
)

// The median and p90 of the resolution time cannot be summed per day:
// they are read from the ticket rows created in the range
// (tickets_created_idx). PostgreSQL computes them (percentile_cont over
// whole seconds); on SQLite the seconds are read and the same
// interpolation is done here.
const (
	qResolutionPG = `SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY sec), percentile_cont(0.9) WITHIN GROUP (ORDER BY sec)
		FROM (SELECT %s AS k, FLOOR(EXTRACT(EPOCH FROM (COALESCE(solved_at, closed_at) - created_at))) AS sec
			FROM tickets WHERE created_at >= ? AND created_at < ? AND COALESCE(solved_at, closed_at) IS NOT NULL) r
		GROUP BY GROUPING SETS ((k), ())`
	qResolutionRows = `SELECT channel, category, province_code, COALESCE(queue_id, 0), COALESCE(assignee_id, 0), created_at, solved_at, closed_at
		FROM tickets WHERE created_at >= ? AND created_at < ? AND COALESCE(solved_at, closed_at) IS NOT NULL`
)

// pgKey is the grouping expression of a report on PostgreSQL; day and
// hour take the reporting zone's name as their first argument.
func pgKey(group string) string {
	switch group {
	case GroupDay:
		return `to_char(created_at AT TIME ZONE CAST(? AS TEXT), 'YYYY-MM-DD')`
	case GroupHour:
		return `to_char(created_at AT TIME ZONE CAST(? AS TEXT), 'HH24')`
	case GroupChannel:
		return `channel`
	case GroupCategory:
		return `category`
	case GroupProvince:
		return `province_code`
	case GroupQueue:
		return `CAST(COALESCE(queue_id, 0) AS TEXT)`
	case GroupAgent:
		return `CAST(COALESCE(assignee_id, 0) AS TEXT)`
	}
	return `''`
}

// q2 is a group's median and p90 of the resolution time, in seconds.
type q2 struct{ med, p90 float64 }

// resolutionTimes returns, per group key and in total (key ""), the
// median and p90 of the resolution time of the tickets created in
// [from, to] that are resolved.
func (s *Service) resolutionTimes(ctx context.Context, group string, from, to time.Time) (map[string]q2, error) {
	start, end := from.UTC(), to.AddDate(0, 0, 1).UTC()
	out := map[string]q2{}
	tx := s.o.DB.WithContext(ctx)
	if s.o.DB.Dialect == db.Postgres {
		// One pass: the groups and the total (the grouping set () whose
		// key is NULL).
		var args []any
		if group == GroupDay || group == GroupHour {
			args = []any{s.o.Zone.String()}
		}
		err := db.Query(tx, fmt.Sprintf(qResolutionPG, pgKey(group)), append(args, start, end), func(rows *sql.Rows) error {
			var k sql.NullString
			var med, p90 sql.NullFloat64
			if err := rows.Scan(&k, &med, &p90); err != nil {
				return err
			}
			if !med.Valid || !p90.Valid {
				return nil // the total over no resolved ticket
			}
			v := q2{round2(med.Float64), round2(p90.Float64)}
			key := k.String
			if !k.Valid {
				key = totalKey
			}
			out[key] = v
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reports: resolution times: %w", err)
		}
		return out, nil
	}
	secs := map[string][]float64{}
	err := db.Query(tx, qResolutionRows, []any{start, end}, func(rows *sql.Rows) error {
		var ch, cat, prov string
		var queue, agent int64
		var created time.Time
		var solved, closed sql.NullTime
		if err := rows.Scan(&ch, &cat, &prov, &queue, &agent, &created, &solved, &closed); err != nil {
			return err
		}
		done := solved.Time
		if !solved.Valid {
			done = closed.Time
		}
		sec := math.Floor(done.Sub(created).Seconds())
		var k string
		switch group {
		case GroupDay:
			k = created.In(s.o.Zone).Format(time.DateOnly)
		case GroupHour:
			k = created.In(s.o.Zone).Format("15")
		case GroupChannel:
			k = ch
		case GroupCategory:
			k = cat
		case GroupProvince:
			k = prov
		case GroupQueue:
			k = strconv.FormatInt(queue, 10)
		case GroupAgent:
			k = strconv.FormatInt(agent, 10)
		}
		secs[k] = append(secs[k], sec)
		secs[totalKey] = append(secs[totalKey], sec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: resolution times: %w", err)
	}
	for k, xs := range secs {
		slices.Sort(xs)
		out[k] = q2{percentile(xs, 0.5), percentile(xs, 0.9)}
	}
	return out, nil
}

// totalKey keys the totals among the groups (no group value has it).
const totalKey = "\x00total"

func round2(v float64) float64 { return math.Round(v*100) / 100 }
