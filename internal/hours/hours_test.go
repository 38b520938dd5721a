package hours

import (
	"errors"
	"testing"
	"time"
)

// office: weekdays 08:00-12:00 and 13:00-17:00 (lunch break), Saturday
// 08:00-12:00; 17 August 2026 (Monday) is a holiday and 18 August a joint
// leave day.
func office(t *testing.T, zone string) *Calendar {
	t.Helper()
	split := []string{"08:00-12:00", "13:00-17:00"}
	w, err := ParseWeek(map[string][]string{"mon": split, "tue": split, "wed": split, "thu": split, "fri": split, "sat": {"08:00-12:00"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(zone, w, []string{"2026-08-17", "2026-08-18"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nights: open 22:00-24:00 and 00:00-06:00 every day (a night desk).
func nights(t *testing.T) *Calendar {
	t.Helper()
	n := []string{"00:00-06:00", "22:00-24:00"}
	w, err := ParseWeek(map[string][]string{"sun": n, "mon": n, "tue": n, "wed": n, "thu": n, "fri": n, "sat": n})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New("WIB", w, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tm(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := LoadZone(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAdd(t *testing.T) {
	cases := []struct {
		name  string
		cal   func(*testing.T) *Calendar
		zone  string
		start string
		d     time.Duration
		want  string
	}{
		{"inside one interval", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 09:00", time.Hour, "2026-08-05 10:00"},
		{"skips the lunch break", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 11:30", time.Hour, "2026-08-05 13:30"},
		{"ends exactly at closing", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 16:00", time.Hour, "2026-08-05 17:00"},
		{"spans the night to the next morning", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 16:00", 2 * time.Hour, "2026-08-06 09:00"},
		{"starts before opening", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 05:00", 30 * time.Minute, "2026-08-05 08:30"},
		{"starts at lunch", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-05 12:15", 30 * time.Minute, "2026-08-05 13:30"},
		{"Friday evening over the weekend (Saturday half day)", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-07 16:00", 6 * time.Hour, "2026-08-10 09:00"},
		{"Saturday afternoon waits for Monday", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-08 14:00", time.Hour, "2026-08-10 09:00"},
		{"holiday and joint leave day are skipped", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-15 11:00", 2 * time.Hour, "2026-08-19 09:00"},
		{"WITA calendar, instant given in UTC", func(t *testing.T) *Calendar { return office(t, "WITA") }, "UTC", "2026-08-05 00:30", time.Hour, "2026-08-05 01:30"},
		{"WIT calendar: 09:00 WIB is 11:00 WIT", func(t *testing.T) *Calendar { return office(t, "WIT") }, "WIB", "2026-08-05 09:00", 2 * time.Hour, "2026-08-05 12:00"},
		{"night desk crosses midnight", nights, "WIB", "2026-08-05 23:00", 2 * time.Hour, "2026-08-06 01:00"},
		{"night desk: daytime waits for 22:00", nights, "WIB", "2026-08-05 12:00", 3 * time.Hour, "2026-08-06 01:00"},
		{"always open adds wall time", func(*testing.T) *Calendar { return Always() }, "WIB", "2026-08-17 23:00", 2 * time.Hour, "2026-08-18 01:00"},
		{"zero duration is the start", func(t *testing.T) *Calendar { return office(t, "WIB") }, "WIB", "2026-08-08 14:00", 0, "2026-08-08 14:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal(t).Add(tm(t, tc.zone, tc.start), tc.d)
			want := tm(t, tc.zone, tc.want)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %s) = %s, want %s", tc.start, tc.d, got.In(want.Location()), want)
			}
		})
	}
}

func TestBetweenIsTheInverseOfAdd(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want time.Duration
	}{
		{"same interval", "2026-08-05 09:00", "2026-08-05 10:30", 90 * time.Minute},
		{"over lunch", "2026-08-05 11:00", "2026-08-05 14:00", 2 * time.Hour},
		{"over a night", "2026-08-05 16:00", "2026-08-06 09:00", 2 * time.Hour},
		{"over a weekend and two days off", "2026-08-14 16:00", "2026-08-19 09:00", time.Hour + 4*time.Hour + time.Hour},
		{"closed the whole span", "2026-08-05 18:00", "2026-08-06 07:00", 0},
		{"reversed span is zero", "2026-08-06 10:00", "2026-08-05 10:00", 0},
	}
	c := office(t, "WIB")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tm(t, "WIB", tc.a), tm(t, "WIB", tc.b)
			if got := c.Between(a, b); got != tc.want {
				t.Fatalf("Between = %s, want %s", got, tc.want)
			}
		})
	}
	// Round trip: Between(t, Add(t, d)) == d from arbitrary starts.
	start := tm(t, "WIB", "2026-08-01 00:00")
	for i := 0; i < 300; i++ {
		from := start.Add(time.Duration(i*97) * time.Minute)
		d := time.Duration(i%41) * 17 * time.Minute
		if got := c.Between(from, c.Add(from, d)); got != d {
			t.Fatalf("Between(%s, Add(%s)) = %s, want %s", from, d, got, d)
		}
	}
}

func TestOpen(t *testing.T) {
	c := office(t, "WIB")
	cases := []struct {
		at   string
		want bool
	}{
		{"2026-08-05 08:00", true},
		{"2026-08-05 12:00", false}, // end is exclusive
		{"2026-08-05 12:59", false},
		{"2026-08-05 13:00", true},
		{"2026-08-05 17:00", false},
		{"2026-08-08 11:59", true},  // Saturday morning
		{"2026-08-09 10:00", false}, // Sunday
		{"2026-08-17 10:00", false}, // Independence Day
		{"2026-08-18 10:00", false}, // joint leave
	}
	for _, tc := range cases {
		if got := c.Open(tm(t, "WIB", tc.at)); got != tc.want {
			t.Errorf("Open(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if !Always().Open(time.Now()) || !(*Calendar)(nil).Open(time.Now()) {
		t.Error("an always-open calendar is closed")
	}
}

func TestNextOpen(t *testing.T) {
	c := office(t, "WIB")
	cases := []struct{ at, want string }{
		{"2026-08-05 09:30", "2026-08-05 09:30"}, // open now
		{"2026-08-05 12:10", "2026-08-05 13:00"}, // lunch
		{"2026-08-05 18:00", "2026-08-06 08:00"}, // evening
		{"2026-08-08 12:30", "2026-08-10 08:00"}, // Saturday noon: Monday
		{"2026-08-16 10:00", "2026-08-19 08:00"}, // Sunday, Independence Day, joint leave
	}
	for _, tc := range cases {
		got := c.NextOpen(tm(t, "WIB", tc.at))
		if want := tm(t, "WIB", tc.want); !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %s, want %s", tc.at, got.In(c.Location()), tc.want)
		}
	}
	now := time.Now()
	if got := Always().NextOpen(now); !got.Equal(now) {
		t.Errorf("an always-open calendar opens at %s, want now", got)
	}
}

func TestInvalidSchedules(t *testing.T) {
	cases := []struct {
		name string
		json string
	}{
		{"unknown day", `{"funday": ["08:00-12:00"]}`},
		{"no dash", `{"mon": ["08:00"]}`},
		{"end before start", `{"mon": ["12:00-08:00"]}`},
		{"past midnight", `{"mon": ["22:00-25:00"]}`},
		{"bad minutes", `{"mon": ["08:7-09:00"]}`},
		{"overlap", `{"mon": ["08:00-12:00", "11:00-13:00"]}`},
		{"not an object", `["08:00-12:00"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseWeekJSON(tc.json); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := New("WIB", Week{}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty week: err = %v", err)
	}
	if _, err := New("Mars/Olympus", Week{1: {{0, 60}}}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad zone: err = %v", err)
	}
	if _, err := New("WIB", Week{1: {{0, 60}}}, []string{"17-08-2026"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad holiday: err = %v", err)
	}
}

func FuzzParseWeekJSON(f *testing.F) {
	f.Add(`{"mon": ["08:00-12:00", "13:00-17:00"]}`)
	f.Add(`{"sun": ["00:00-24:00"]}`)
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeekJSON(s)
		if err != nil {
			return
		}
		for _, day := range w {
			for i, iv := range day {
				if iv.Start < 0 || iv.End > 1440 || iv.Start >= iv.End || (i > 0 && iv.Start < day[i-1].End) {
					t.Fatalf("accepted a bad interval %+v in %q", iv, s)
				}
			}
		}
	})
}

// TestAddAYearOfBusinessTime: the longest target the SLA settings accept
// (365 days of 24 business hours) on a calendar open eight hours a
// weekday lies more than four calendar years ahead; the walk must reach
// it, not stop after a fixed number of days and answer an earlier time.
func TestAddAYearOfBusinessTime(t *testing.T) {
	day := []string{"08:00-16:00"}
	w, err := ParseWeek(map[string][]string{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New("WIB", w, nil)
	if err != nil {
		t.Fatal(err)
	}
	const year = 365 * 24 * time.Hour        // 219 weeks of 40 hours
	from := tm(t, "WIB", "2026-08-03 08:00") // a Monday
	want := tm(t, "WIB", "2026-08-03 16:00").AddDate(0, 0, 218*7+4)
	if got := c.Add(from, year); !got.Equal(want) {
		t.Fatalf("Add(%s, 365 days) = %s, want %s (Friday of the 219th week)", from, got, want)
	}
	// With holidays and a half-day Saturday, the round trip holds too.
	o := office(t, "WIB")
	for _, s := range []string{"2026-08-03 08:00", "2026-08-15 11:00", "2026-12-31 23:59"} {
		from := tm(t, "WIB", s)
		if got := o.Between(from, o.Add(from, year)); got != year {
			t.Fatalf("Between(%s, Add(%s, 365 days)) = %s, want %s", s, s, got, year)
		}
	}
}
