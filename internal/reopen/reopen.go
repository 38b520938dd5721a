// Package reopen says when a closed queue opens again, as a citizen is
// told it at the moment they meet the closed door: "hari ini pukul 08.00
// WIB", "besok …", the weekday within a week, else the date. The
// launcher writes it beside a closed channel, the chat widget under a
// message written after hours, and the phone line speaks it, so all say
// the same.
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
// calendar's) and lang, to be read: beyond a week, the date in digits.
func When(tx Texts, lang string, now, at time.Time) string {
	return when(tx, lang, now, at, at.Format("02-01-2006"))
}

// Opens is the sentence a closed channel shows beside it, When in
// launcher.opens_at: "Buka lagi besok pukul 08.00 WIB." The launcher's
// menu (and so the chat page) and the chat widget's queue line both say
// it, in the same words.
func Opens(tx Texts, lang string, now, at time.Time) string {
	return tx.T(lang, "launcher.opens_at", "when", When(tx, lang, now, at))
}

// Spoken is When to be heard (the phone line's text to speech): beyond a
// week the date is the day and the month's name ("5 Januari"), which a
// voice reads well, where "05-01-2027" is read out digit by digit.
func Spoken(tx Texts, lang string, now, at time.Time) string {
	return when(tx, lang, now, at, tx.T(lang, "reopen.date_spoken", "d", at.Day(), "month", tx.T(lang, monthKeys[at.Month()-1])))
}

func when(tx Texts, lang string, now, at time.Time, date string) string {
	loc := at.Location()
	clock := Clock(tx, lang, at)
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
		return tx.T(lang, "launcher.on_date", "date", date, "time", clock)
	}
}

// Clock is at's time of day with its zone: "08.00 WIB".
func Clock(tx Texts, lang string, at time.Time) string {
	return tx.T(lang, "launcher.clock", "hh", fmt.Sprintf("%02d", at.Hour()), "mm", fmt.Sprintf("%02d", at.Minute()),
		"zone", at.Format("MST"))
}

// The months' names, January first.
var monthKeys = [12]string{locale.Key("reopen.month_1"), locale.Key("reopen.month_2"), locale.Key("reopen.month_3"),
	locale.Key("reopen.month_4"), locale.Key("reopen.month_5"), locale.Key("reopen.month_6"), locale.Key("reopen.month_7"),
	locale.Key("reopen.month_8"), locale.Key("reopen.month_9"), locale.Key("reopen.month_10"), locale.Key("reopen.month_11"),
	locale.Key("reopen.month_12")}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
