package hours

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// indonesian reads the Indonesian day words and the codes, as the admin
// screen takes them.
func indonesian(w string) (time.Weekday, bool) {
	for i, word := range []string{"min", "sen", "sel", "rab", "kam", "jum", "sab"} {
		if w == word {
			return time.Weekday(i), true
		}
	}
	return DayCode(w)
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string][]string
		line int
		why  string
		at   string
	}{
		{name: "days in words and codes, split shifts, dotted times", text: "sen 08:00-12:00 13:00-17:00\n\n  FRI 08.00-11.30\n",
			want: map[string][]string{"mon": {"08:00-12:00", "13:00-17:00"}, "fri": {"08:00-11:30"}}},
		{name: "a day named alone is closed", text: "sab", want: map[string][]string{"sat": {}}},
		{name: "spaced and en dashes", text: "sen 08:00 - 12:00 13.00–17.00", want: map[string][]string{"mon": {"08:00-12:00", "13:00-17:00"}}},
		{name: "a day on two lines has both lines' shifts", text: "sen 08:00-12:00\nsen 13:00-16:00",
			want: map[string][]string{"mon": {"08:00-12:00", "13:00-16:00"}}},
		{name: "nothing typed is no hours", text: " \n\t\n", want: map[string][]string{}},
		{name: "an unknown day names its line", text: "sen 08:00-16:00\n\nmonday 08:00-16:00", line: 3, why: ReasonDay, at: "monday"},
		{name: "a shift not written as HH:MM-HH:MM", text: "sen 8-16", line: 1, why: ReasonInterval, at: "8-16"},
		{name: "a shift ending before it starts", text: "sen 08:00-12:00\nsel 17:00-08:00", line: 2, why: ReasonOrder, at: "17:00-08:00"},
		{name: "a shift past midnight", text: "sen 22:00-24:30", line: 1, why: ReasonInterval, at: "22:00-24:30"},
		{name: "overlapping shifts across lines", text: "sen 08:00-12:00\nsel 08:00-12:00\nsen 11:00-13:00", line: 3, why: ReasonOverlap, at: "11:00-13:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseText(tc.text, indonesian)
			if tc.why == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				if _, err := ParseWeek(got); err != nil {
					t.Fatalf("ParseWeek refuses ParseText's %v: %v", got, err)
				}
				return
			}
			var le *LineError
			if !errors.As(err, &le) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want a *LineError", err)
			}
			if le.Line != tc.line || le.Reason != tc.why || le.Text != tc.at {
				t.Fatalf("got line %d %s %q, want line %d %s %q", le.Line, le.Reason, le.Text, tc.line, tc.why, tc.at)
			}
		})
	}
}

func FuzzParseText(f *testing.F) {
	f.Add("sen 08:00-12:00 13:00-17:00\njum 08.00-11.00")
	f.Add("mon 17:00-08:00")
	f.Add("sab\n\nsab 00:00-24:00")
	f.Add("rab 08:00-12:00-13:00 1:5-2:00")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseText(s, indonesian)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 || le.Line > strings.Count(s, "\n")+1 {
				t.Fatalf("error %v names no line of %q", err, s)
			}
			return
		}
		// What it accepts, the API's own check accepts too.
		if _, err := ParseWeek(m); err != nil {
			t.Fatalf("ParseText(%q) = %v, which ParseWeek refuses: %v", s, m, err)
		}
	})
}
