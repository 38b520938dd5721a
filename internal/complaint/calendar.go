package complaint

import (
	"context"
	"sync"
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

// DefaultCalendarTTL is how long a zone's calendar is kept: a holiday
// changed on another instance is seen within it.
const DefaultCalendarTTL = time.Minute

// calendars caches the working-day calendar per zone and year: views and
// ticks read it without the database. A holiday change through this
// process drops it at once (DropCalendars, wired to the routing settings'
// change notice, which other instances hear too); the TTL covers a lost
// notice.
type calendars struct {
	mu   sync.Mutex
	gen  uint64 // bumped by drop: a read begun before it is not kept
	byZY map[calKey]calEntry
}

type calKey struct {
	zone string
	year int
}

type calEntry struct {
	cal    *hours.Calendar
	loaded time.Time
}

// DropCalendars forgets every cached calendar, so the next view or tick
// reads the holidays again. Call it when holidays change.
func (s *Service) DropCalendars() {
	s.cals.mu.Lock()
	s.cals.gen++
	s.cals.byZY = nil
	s.cals.mu.Unlock()
}

func (s *Service) calendarTTL() time.Duration {
	if s.o.CalendarTTL > 0 {
		return s.o.CalendarTTL
	}
	return DefaultCalendarTTL
}

// calendar is the working-day calendar of a zone with the holidays (both
// national days and cuti bersama) from a year before the year of around
// to two years after it, cached per zone and year.
//
//	SELECT day FROM holidays WHERE day >= ? AND day <= ?   -- primary key range
func (s *Service) calendar(ctx context.Context, zone string, around time.Time) (*hours.Calendar, error) {
	k := calKey{zone: zone, year: around.UTC().Year()}
	now := time.Now()
	s.cals.mu.Lock()
	e, ok := s.cals.byZY[k]
	gen := s.cals.gen
	s.cals.mu.Unlock()
	if ok && now.Sub(e.loaded) < s.calendarTTL() {
		return e.cal, nil
	}
	from := time.Date(k.year-1, 1, 1, 0, 0, 0, 0, time.UTC)
	days, err := s.store.holidays(ctx, from, time.Date(k.year+2, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	cal, err := hours.New(zone, workWeek, days)
	if err != nil {
		return nil, err
	}
	s.cals.mu.Lock()
	if s.cals.gen == gen {
		if s.cals.byZY == nil {
			s.cals.byZY = map[calKey]calEntry{}
		}
		s.cals.byZY[k] = calEntry{cal: cal, loaded: now}
	}
	s.cals.mu.Unlock()
	return cal, nil
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
