package hours

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The week as an admin types it: one day a line, the day's word then its
// shifts ("sen 08:00-12:00 13:00-17:00"). A problem names its line.

// Reasons a line of a typed week is refused (LineError.Reason).
const (
	ReasonDay      = "day"      // the first word is no day
	ReasonInterval = "interval" // a shift is not HH:MM-HH:MM
	ReasonOrder    = "order"    // a shift does not end after it starts
	ReasonOverlap  = "overlap"  // a shift overlaps another of its day
)

// LineError is what ParseText refused: the line (from 1), why (a Reason)
// and the word or shift at fault. It is an ErrInvalid.
type LineError struct {
	Line   int
	Reason string
	Text   string
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%v: line %d: %s %q", ErrInvalid, e.Line, e.Reason, e.Text)
}

func (e *LineError) Unwrap() error { return ErrInvalid }

// dotClock is "08.00", the usual way of writing a time in Indonesia.
var dotClock = regexp.MustCompile(`\b(\d{1,2})\.(\d{2})\b`)

// dash is a shift's dash as people type it: spaced, or an en or em dash
// ("08:00 – 12:00"); day words hold none.
var dash = regexp.MustCompile(`\s*[-\x{2013}\x{2014}]\s*`)

// ParseText reads a week typed one day a line into ParseWeek's form
// (day codes, shifts as "HH:MM-HH:MM"). day reads a line's first word (a
// day's code or its word in the admin's language); "08.00" reads as
// "08:00", a spaced or en dash a plain one; blank lines are skipped; a day named alone is closed, and a day
// on two lines has the shifts of both. The first problem is returned as a
// *LineError.
func ParseText(text string, day func(word string) (time.Weekday, bool)) (map[string][]string, error) {
	out := map[string][]string{}
	var week Week
	for i, line := range strings.Split(text, "\n") {
		words := strings.Fields(dash.ReplaceAllString(line, "-"))
		if len(words) == 0 {
			continue
		}
		n := i + 1
		d, ok := day(strings.ToLower(words[0]))
		if !ok || d < time.Sunday || d > time.Saturday {
			return nil, &LineError{Line: n, Reason: ReasonDay, Text: words[0]}
		}
		code := dayKeys[d]
		if _, ok := out[code]; !ok {
			out[code] = []string{}
		}
		for _, w := range words[1:] {
			s := dotClock.ReplaceAllString(w, "$1:$2")
			a, b, ok := strings.Cut(s, "-")
			start, err1 := parseClock(a)
			end, err2 := parseClock(b)
			switch {
			case !ok || err1 != nil || err2 != nil:
				return nil, &LineError{Line: n, Reason: ReasonInterval, Text: w}
			case start >= end:
				return nil, &LineError{Line: n, Reason: ReasonOrder, Text: w}
			}
			for _, iv := range week[d] {
				if start < iv.End && iv.Start < end {
					return nil, &LineError{Line: n, Reason: ReasonOverlap, Text: w}
				}
			}
			week[d] = append(week[d], Interval{start, end})
			out[code] = append(out[code], fmt.Sprintf("%02d:%02d-%02d:%02d", start/60, start%60, end/60, end%60))
		}
	}
	return out, nil
}

// DayCode reads a day's code ("mon"), the day ParseWeek keys it by.
func DayCode(code string) (time.Weekday, bool) {
	d, ok := dayNames[strings.ToLower(code)]
	return d, ok
}
