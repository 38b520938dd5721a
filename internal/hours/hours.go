// Package hours is a business-hours calendar: a weekly schedule with
// several open intervals per day in one Indonesian time zone (WIB, WITA,
// WIT), minus holidays. It answers "is it open now", "what time is it after
// this much business time", and "how much business time lies between two
// instants" — the arithmetic SLA clocks run on. It has no I/O: holidays
// are handed in as data loaded per year.
package hours

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the three zones must resolve on hosts without a zoneinfo database
)

// ErrInvalid is wrapped by every schedule or zone error.
var ErrInvalid = errors.New("hours: invalid")

// Zones accepted besides IANA names.
var zoneAliases = map[string]string{"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

// LoadZone resolves WIB/WITA/WIT or an IANA name; "" is WIB.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = "WIB"
	}
	if a, ok := zoneAliases[strings.ToUpper(name)]; ok {
		name = a
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: time zone %q", ErrInvalid, name)
	}
	return loc, nil
}

// Interval is an open span of a day in minutes after midnight; End may be
// 1440 (midnight of the next day).
type Interval struct{ Start, End int }

// Week holds each weekday's intervals, indexed by time.Weekday, sorted and
// not overlapping.
type Week [7][]Interval

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWeek reads {"mon": ["08:00-12:00", "13:00-17:00"], ...}. Days not
// named are closed. An interval may not cross midnight: a night shift is
// "22:00-24:00" on one day and "00:00-06:00" on the next.
func ParseWeek(m map[string][]string) (Week, error) {
	var w Week
	for name, spans := range m {
		day, ok := dayNames[strings.ToLower(name)]
		if !ok {
			return Week{}, fmt.Errorf("%w: day %q", ErrInvalid, name)
		}
		for _, s := range spans {
			iv, err := parseInterval(s)
			if err != nil {
				return Week{}, err
			}
			w[day] = append(w[day], iv)
		}
		sort.Slice(w[day], func(i, j int) bool { return w[day][i].Start < w[day][j].Start })
		for i := 1; i < len(w[day]); i++ {
			if w[day][i].Start < w[day][i-1].End {
				return Week{}, fmt.Errorf("%w: overlapping intervals on %s", ErrInvalid, name)
			}
		}
	}
	return w, nil
}

// ParseWeekJSON is ParseWeek of a JSON object.
func ParseWeekJSON(s string) (Week, error) {
	var m map[string][]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return Week{}, fmt.Errorf("%w: schedule is not a JSON object of day → [\"HH:MM-HH:MM\"]", ErrInvalid)
	}
	return ParseWeek(m)
}

func parseInterval(s string) (Interval, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Interval{}, fmt.Errorf("%w: interval %q is not HH:MM-HH:MM", ErrInvalid, s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil || start >= end {
		return Interval{}, fmt.Errorf("%w: interval %q", ErrInvalid, s)
	}
	return Interval{start, end}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, ErrInvalid
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, ErrInvalid
	}
	return hh*60 + mm, nil
}

// Calendar is a week in a zone minus holidays. The zero Calendar and one
// made by Always are open around the clock.
type Calendar struct {
	loc      *time.Location
	week     Week
	holidays map[string]bool // YYYY-MM-DD in loc
	always   bool
}

// Always is a calendar open every minute, holidays included.
func Always() *Calendar { return &Calendar{loc: time.UTC, always: true} }

// New builds a calendar. holidays are dates "YYYY-MM-DD" (in the calendar's
// zone). A week with no open interval is refused: nothing could ever be due.
func New(zone string, week Week, holidays []string) (*Calendar, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return nil, err
	}
	open := false
	for _, d := range week {
		if len(d) > 0 {
			open = true
		}
	}
	if !open {
		return nil, fmt.Errorf("%w: the week has no open hours", ErrInvalid)
	}
	h := make(map[string]bool, len(holidays))
	for _, d := range holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, fmt.Errorf("%w: holiday %q is not YYYY-MM-DD", ErrInvalid, d)
		}
		h[d] = true
	}
	return &Calendar{loc: loc, week: week, holidays: h}, nil
}

// Location is the calendar's zone.
func (c *Calendar) Location() *time.Location {
	if c == nil || c.loc == nil {
		return time.UTC
	}
	return c.loc
}

func (c *Calendar) isAlways() bool { return c == nil || c.always }

// maxDays bounds the search for the next open instant: a calendar open at
// least one day a week never needs more than a year and a bit, even
// across a run of holidays.
const maxDays = 800

// maxWalkDays bounds a walk through business time (Add, Between). Its
// length follows the duration, not the calendar: a year of business time
// on an eight-hour weekday calendar is more than four calendar years, so
// a bound of maxDays would end such a walk early. A century is past any
// target the SLA settings accept (365 days) on any calendar open a few
// hours a week.
const maxWalkDays = 100 * 366

// dayIntervals returns the open spans of the day starting at midnight d.
func (c *Calendar) dayIntervals(d time.Time) []Interval {
	if c.holidays[d.Format(time.DateOnly)] {
		return nil
	}
	return c.week[d.Weekday()]
}

func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

func at(day time.Time, minutes int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minutes, 0, 0, day.Location())
}

// Open reports whether t falls in an open interval.
func (c *Calendar) Open(t time.Time) bool {
	if c.isAlways() {
		return true
	}
	day := midnight(t, c.loc)
	for _, iv := range c.dayIntervals(day) {
		if !t.Before(at(day, iv.Start)) && t.Before(at(day, iv.End)) {
			return true
		}
	}
	return false
}

// NextOpen returns the first instant at or after t when the calendar is
// open: t itself when it is open now, else the start of the next open
// interval (holidays skipped). The zero time means never (not for a
// calendar New accepted).
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c.Open(t) {
		return t
	}
	day := midnight(t, c.loc)
	for i := 0; i < maxDays; i++ {
		for _, iv := range c.dayIntervals(day) {
			if start := at(day, iv.Start); !start.Before(t) {
				return start.In(t.Location())
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// Add returns the instant d of business time after t. Time outside the
// open intervals does not count, so a 4-hour target set on Friday at 16:00
// on an 08:00-17:00 weekday calendar falls due on Monday at 11:00.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	if c.isAlways() || d <= 0 {
		return t.Add(max(d, 0))
	}
	day := midnight(t, c.loc)
	for i := 0; i < maxWalkDays; i++ {
		for _, iv := range c.dayIntervals(day) {
			start, end := at(day, iv.Start), at(day, iv.End)
			if start.Before(t) {
				start = t
			}
			if !start.Before(end) {
				continue
			}
			if span := end.Sub(start); d <= span {
				return start.Add(d).In(t.Location())
			} else {
				d -= span
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	// Only for a target more than a century of calendar time away: the
	// bound, a century from t, stands for never.
	return t.Add(time.Duration(maxWalkDays) * 24 * time.Hour)
}

// Between is the business time in [a, b); 0 when b is not after a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.isAlways() {
		return b.Sub(a)
	}
	var sum time.Duration
	day := midnight(a, c.loc)
	for i := 0; i < maxWalkDays && day.Before(b); i++ {
		for _, iv := range c.dayIntervals(day) {
			start, end := at(day, iv.Start), at(day, iv.End)
			if start.Before(a) {
				start = a
			}
			if end.After(b) {
				end = b
			}
			if start.Before(end) {
				sum += end.Sub(start)
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return sum
}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Strings is the week in ParseWeek's form (open days only).
func (w Week) Strings() map[string][]string {
	out := map[string][]string{}
	for d, ivs := range w {
		for _, iv := range ivs {
			out[dayKeys[d]] = append(out[dayKeys[d]], fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60))
		}
	}
	return out
}
