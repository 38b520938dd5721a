package complaint

import (
	"context"
	"time"

	"tanggap/internal/hours"
	"tanggap/internal/identity"
)

// workWeek is Monday to Friday, whole days: a working day is 24 hours of
// calendar time, so "3 working days" from Wednesday 10:00 is Monday 10:00
// and a weekend, holiday or cuti bersama in between does not count.
var workWeek = func() hours.Week {
	var w hours.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []hours.Interval{{Start: 0, End: 24 * 60}}
	}
	return w
}()

const workDay = 24 * time.Hour

// zoneOf is the zone a complaint's days are counted in: its province's,
// else the configured one.
func (s *Service) zoneOf(province string) string {
	if z := identity.ProvinceTimeZone(province); z != "" && province != "" {
		return z
	}
	if s.o.Zone != "" {
		return s.o.Zone
	}
	return "Asia/Jakarta"
}

// calendar is the working-day calendar of a zone with the holidays (both
// national days and cuti bersama) from a year before around to two years
// after.
//
//	SELECT day FROM holidays WHERE day >= ? AND day <= ?   -- primary key range
func (s *Service) calendar(ctx context.Context, zone string, around time.Time) (*hours.Calendar, error) {
	days, err := s.store.holidays(ctx, around.AddDate(-1, 0, 0), around.AddDate(2, 0, 0))
	if err != nil {
		return nil, err
	}
	return hours.New(zone, workWeek, days)
}

// AddWorkingDays is t plus n working days on the calendar.
func AddWorkingDays(cal *hours.Calendar, t time.Time, n int) time.Time {
	return cal.Add(t, time.Duration(n)*workDay).UTC()
}

// WorkingDaysLeft is the working time from now to due in (fractional)
// working days; negative when due has passed.
func WorkingDaysLeft(cal *hours.Calendar, now, due time.Time) float64 {
	if due.Before(now) {
		return -float64(cal.Between(due, now)) / float64(workDay)
	}
	return float64(cal.Between(now, due)) / float64(workDay)
}
