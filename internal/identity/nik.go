package identity

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"tanggap/internal/mask"
)

// NIK layout (Dukcapil; region codes per Kepmendagri, see provinces):
//
//	PP RR DD  ddmmyy  SSSS
//	│  │  │   │       └ serial within region and birth date, from 0001
//	│  │  │   └ birth date; women have 40 added to the day
//	│  │  └ kecamatan (district), 01..99
//	│  └ kabupaten 01..69 or kota 71..99 (never 00 or 70)
//	└ province
const (
	nikLen      = 16
	maxNIKInput = 64
	femaleShift = 40
	// maxAge bounds a plausible birth date. The two-digit year already puts
	// every date in the last hundred years (see resolveYear); the bound is
	// checked anyway so the rule stays true if the resolution ever changes.
	maxAge = 120
)

// NIK is a parsed Nomor Induk Kependudukan.
//
// The region codes say where the NIK was issued, not where the citizen
// lives now. Log it through LogValue (slog does so automatically), which
// masks everything but the region.
type NIK struct {
	// Number is the 16 digits, no separators.
	Number string
	// ProvinceCode is digits 1-2, a key of Provinces.
	ProvinceCode string
	// RegencyCode is digits 1-4 (kabupaten/kota, with its province).
	RegencyCode string
	// DistrictCode is digits 1-6 (kecamatan, with its regency).
	DistrictCode string
	// BirthDate is the date of birth at midnight UTC; only the date means
	// anything.
	BirthDate time.Time
	// Female is true when 40 was added to the birth day.
	Female bool
	// Serial is digits 13-16.
	Serial string
}

// LogValue masks the NIK for structured logs: region only.
func (n NIK) LogValue() slog.Value {
	return slog.StringValue(mask.NIK(n.Number))
}

// ParseNIK validates a NIK against today's date in Indonesia's easternmost
// time zone (WIT, UTC+9), whatever the server's own: a birth date that is
// today anywhere in Indonesia is plausible. See ParseNIKAt.
func ParseNIK(s string) (NIK, error) {
	return ParseNIKAt(s, time.Now().In(wit))
}

// wit is UTC+9 (Maluku, Papua): the first of Indonesia's zones to reach a
// new day. Indonesia keeps no daylight saving time.
var wit = time.FixedZone("WIT", 9*3600)

// ParseNIKAt validates a NIK as of now. Spaces, dashes and dots between
// digits are ignored. It returns an error wrapping ErrNIKFormat (not 16
// digits; regency, district or serial that cannot exist), ErrNIKProvince
// (unknown province code) or ErrNIKBirthDate (not a calendar date, or not
// plausible as of now).
//
// The birth year has two digits; it is resolved to the latest year that
// does not put the birth date after now's calendar date (in now's
// location). Centenarians are therefore read as children; that ambiguity is
// in the NIK itself.
func ParseNIKAt(s string, now time.Time) (NIK, error) {
	if len(s) > maxNIKInput {
		return NIK{}, fmt.Errorf("%w: too long", ErrNIKFormat)
	}
	num, err := nikDigits(s)
	if err != nil {
		return NIK{}, err
	}
	n := NIK{
		Number:       num,
		ProvinceCode: num[:2],
		RegencyCode:  num[:4],
		DistrictCode: num[:6],
		Serial:       num[12:],
	}
	if _, ok := provinceByCode[n.ProvinceCode]; !ok {
		return NIK{}, fmt.Errorf("%w: province code not in the Kemendagri table", ErrNIKProvince)
	}
	if r := num[2:4]; r == "00" || r == "70" {
		return NIK{}, fmt.Errorf("%w: regency code %s is never assigned", ErrNIKFormat, r)
	}
	if num[4:6] == "00" {
		return NIK{}, fmt.Errorf("%w: district code 00 is never assigned", ErrNIKFormat)
	}
	if n.Serial == "0000" {
		return NIK{}, fmt.Errorf("%w: serial 0000 is never assigned", ErrNIKFormat)
	}
	n.BirthDate, n.Female, err = nikBirthDate(num[6:12], now)
	if err != nil {
		return NIK{}, err
	}
	return n, nil
}

// nikDigits strips separators and checks for exactly 16 ASCII digits.
func nikDigits(s string) (string, error) {
	var b strings.Builder
	b.Grow(nikLen)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if b.Len() == nikLen {
				return "", fmt.Errorf("%w: more than %d digits", ErrNIKFormat, nikLen)
			}
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '-' || c == '.':
		default:
			return "", fmt.Errorf("%w: unexpected character", ErrNIKFormat)
		}
	}
	if b.Len() != nikLen {
		return "", fmt.Errorf("%w: want %d digits", ErrNIKFormat, nikLen)
	}
	return b.String(), nil
}

// nikBirthDate decodes ddmmyy (day +40 for women) as of now.
func nikBirthDate(ddmmyy string, now time.Time) (time.Time, bool, error) {
	day := atoi2(ddmmyy[0:2])
	month := atoi2(ddmmyy[2:4])
	yy := atoi2(ddmmyy[4:6])
	female := day > femaleShift
	if female {
		day -= femaleShift
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return time.Time{}, false, fmt.Errorf("%w: day or month out of range", ErrNIKBirthDate)
	}
	ty, tm, td := now.Date()
	today := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	year := resolveYear(yy, month, day, ty, int(tm), td)
	born := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalizes 31 April to 1 May and 29 February of a common
	// year to 1 March; a date that moved did not exist.
	if born.Day() != day || int(born.Month()) != month {
		return time.Time{}, false, fmt.Errorf("%w: no such calendar date", ErrNIKBirthDate)
	}
	if born.After(today) || born.Before(today.AddDate(-maxAge, 0, 0)) {
		return time.Time{}, false, fmt.Errorf("%w: implausible age", ErrNIKBirthDate)
	}
	return born, female, nil
}

// resolveYear picks the latest year ending in yy whose (month, day) is not
// after today. Comparing tuples, not times, keeps 29 February from being
// normalized into March before the century is chosen.
func resolveYear(yy, month, day, ty, tm, td int) int {
	year := ty - ty%100 + yy
	if year > ty || year == ty && (month > tm || month == tm && day > td) {
		year -= 100
	}
	return year
}

// atoi2 converts two ASCII digits already checked by nikDigits.
func atoi2(s string) int {
	return int(s[0]-'0')*10 + int(s[1]-'0')
}
