// Package reopen says when a closed queue opens again, as a citizen is
// told it at the moment they meet the closed door: "hari ini pukul 08.00
// WIB", "besok …", the weekday within a week, else the date. The
// launcher writes it beside a closed channel and the phone line speaks it
// after hours, so both say the same.
package reopen

import (
	"fmt"
	"time"

	"tanggap/internal/locale"
)

// Texts renders translated text (the locale catalog).
type Texts interface {
	T(lang, key string, args ...any) string
}

// The weekday names, Sunday first (time.Weekday order).
var dayKeys = [7]string{locale.Key("launcher.day_sun"), locale.Key("launcher.day_mon"), locale.Key("launcher.day_tue"),
	locale.Key("launcher.day_wed"), locale.Key("launcher.day_thu"), locale.Key("launcher.day_fri"), locale.Key("launcher.day_sat")}

// DayKey is the locale key of a weekday's name.
func DayKey(d time.Weekday) string { return dayKeys[d] }

// When words at, the opening, relative to now, in at's zone (the
// calendar's) and lang.
func When(tx Texts, lang string, now, at time.Time) string {
	loc := at.Location()
	clock := tx.T(lang, "launcher.clock", "hh", fmt.Sprintf("%02d", at.Hour()), "mm", fmt.Sprintf("%02d", at.Minute()),
		"zone", at.Format("MST"))
	today := midnight(now.In(loc))
	days := int(midnight(at).Sub(today).Hours()/24 + 0.5)
	switch {
	case days <= 0:
		return tx.T(lang, "launcher.today", "time", clock)
	case days == 1:
		return tx.T(lang, "launcher.tomorrow", "time", clock)
	case days < 7:
		return tx.T(lang, "launcher.on_day", "day", tx.T(lang, DayKey(at.Weekday())), "time", clock)
	default:
		return tx.T(lang, "launcher.on_date", "date", at.Format("02-01-2006"), "time", clock)
	}
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
