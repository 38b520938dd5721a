package sla

import (
	"testing"
	"time"

	"tanggap/internal/hours"
)

func office(t *testing.T) *hours.Calendar {
	t.Helper()
	split := []string{"08:00-12:00", "13:00-17:00"}
	w, err := hours.ParseWeek(map[string][]string{"mon": split, "tue": split, "wed": split, "thu": split, "fri": split})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hours.New("WIB", w, []string{"2026-08-17"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wib(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := hours.LoadZone("WIB")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStart(t *testing.T) {
	cal := office(t)
	p := Policy{FirstResponse: 2 * time.Hour, Resolution: 16 * time.Hour}
	cases := []struct {
		name            string
		at              string
		first, resolved string
	}{
		{"weekday morning", "2026-08-05 09:00", "2026-08-05 11:00", "2026-08-07 09:00"},
		{"after hours: the clock starts next morning", "2026-08-05 20:00", "2026-08-06 10:00", "2026-08-07 17:00"},
		{"Friday afternoon: due after the weekend and the holiday", "2026-08-14 16:00", "2026-08-18 09:00", "2026-08-19 16:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Start(cal, p, wib(t, tc.at))
			if !c.FirstResponseDue.Equal(wib(t, tc.first)) || !c.ResolutionDue.Equal(wib(t, tc.resolved)) {
				t.Fatalf("first %s resolution %s, want %s and %s", c.FirstResponseDue, c.ResolutionDue, tc.first, tc.resolved)
			}
		})
	}
	if c := Start(cal, Policy{}, wib(t, "2026-08-05 09:00")); !c.FirstResponseDue.IsZero() || !c.ResolutionDue.IsZero() {
		t.Fatalf("no targets gave due times %+v", c)
	}
}

func TestResume(t *testing.T) {
	cal := office(t)
	cases := []struct {
		name                 string
		due, paused, resumed string
		want                 string
	}{
		{"paused an hour inside business time", "2026-08-05 15:00", "2026-08-05 10:00", "2026-08-05 11:00", "2026-08-05 16:00"},
		{"paused from the last business hour: the due time moves by that hour only", "2026-08-06 10:00", "2026-08-05 16:00", "2026-08-06 08:00", "2026-08-06 11:00"},
		{"paused over the weekend: two business hours remained", "2026-08-10 09:00", "2026-08-07 16:00", "2026-08-10 14:00", "2026-08-10 16:00"},
		{"paused after the breach: due time stays", "2026-08-05 09:00", "2026-08-05 10:00", "2026-08-05 11:00", "2026-08-05 09:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Resume(cal, wib(t, tc.due), wib(t, tc.paused), wib(t, tc.resumed))
			if !got.Equal(wib(t, tc.want)) {
				t.Fatalf("Resume = %s, want %s", got.In(cal.Location()), tc.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	cal := office(t)
	due := wib(t, "2026-08-05 15:00")
	met := wib(t, "2026-08-05 14:00")
	late := wib(t, "2026-08-05 15:01")
	cases := []struct {
		name   string
		due    time.Time
		met    *time.Time
		paused bool
		now    string
		want   State
	}{
		{"no target", time.Time{}, nil, false, "2026-08-05 10:00", StateNone},
		{"far from due", due, nil, false, "2026-08-05 10:00", StateOK},
		{"within a fifth of a 4h target", due, nil, false, "2026-08-05 14:15", StateWarning},
		{"lunch does not count toward the window", due, nil, false, "2026-08-05 12:30", StateOK},
		{"past due", due, nil, false, "2026-08-05 15:00", StateBreached},
		{"met in time", due, &met, false, "2026-08-06 10:00", StateMet},
		{"met late", due, &late, false, "2026-08-06 10:00", StateBreached},
		{"paused before due", due, nil, true, "2026-08-05 14:30", StatePaused},
		{"paused past the old due time: it moves on resume", due, nil, true, "2026-08-05 16:00", StatePaused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(cal, tc.due, tc.met, 4*time.Hour, 0, tc.paused, wib(t, tc.now)); got != tc.want {
				t.Fatalf("Evaluate = %q, want %q", got, tc.want)
			}
		})
	}
}
