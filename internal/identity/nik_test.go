package identity

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fixedNow is the "today" of the NIK tests: 15 June 2025, 23:30 in Jakarta
// (already the 15th there, still the 15th in UTC).
var fixedNow = time.Date(2025, time.June, 15, 23, 30, 0, 0, time.FixedZone("WIB", 7*3600))

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseNIKAt(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		now     time.Time // zero: fixedNow
		want    NIK       // checked when wantErr is nil
		wantErr error
	}{
		{
			name: "man born 25 March 1990 in Kabupaten Bogor",
			in:   "3201012503900001",
			want: NIK{Number: "3201012503900001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(1990, time.March, 25), Female: false, Serial: "0001"},
		},
		{
			name: "woman: 40 added to the day",
			in:   "3201016503900002",
			want: NIK{Number: "3201016503900002", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(1990, time.March, 25), Female: true, Serial: "0002"},
		},
		{
			name: "separators as printed or typed are ignored",
			in:   " 3171 0101 0185 0123 ",
			want: NIK{Number: "3171010101850123", ProvinceCode: "31", RegencyCode: "3171", DistrictCode: "317101",
				BirthDate: date(1985, time.January, 1), Serial: "0123"},
		},
		{
			name: "dots and dashes are ignored",
			in:   "31.71.01-010185-0123",
			want: NIK{Number: "3171010101850123", ProvinceCode: "31", RegencyCode: "3171", DistrictCode: "317101",
				BirthDate: date(1985, time.January, 1), Serial: "0123"},
		},
		{
			name: "new Papua province (Papua Pegunungan, 95)",
			in:   "9501014107000001",
			want: NIK{Number: "9501014107000001", ProvinceCode: "95", RegencyCode: "9501", DistrictCode: "950101",
				BirthDate: date(2000, time.July, 1), Female: true, Serial: "0001"},
		},
		{
			name: "woman born on the 31st (day 71)",
			in:   "7371017112990001",
			want: NIK{Number: "7371017112990001", ProvinceCode: "73", RegencyCode: "7371", DistrictCode: "737101",
				BirthDate: date(1999, time.December, 31), Female: true, Serial: "0001"},
		},
		{
			name: "kota code 99 is allowed",
			in:   "3299011001800001",
			want: NIK{Number: "3299011001800001", ProvinceCode: "32", RegencyCode: "3299", DistrictCode: "329901",
				BirthDate: date(1980, time.January, 10), Serial: "0001"},
		},
		{
			name: "born today: year in this century",
			in:   "3201011506250001",
			want: NIK{Number: "3201011506250001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(2025, time.June, 15), Serial: "0001"},
		},
		{
			name: "birthday later this year: previous century",
			in:   "3201011606250001",
			want: NIK{Number: "3201011606250001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(1925, time.June, 16), Serial: "0001"},
		},
		{
			name: "29 February of a leap year",
			in:   "3201016902960001",
			want: NIK{Number: "3201016902960001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(1996, time.February, 29), Female: true, Serial: "0001"},
		},
		{
			name: "29 February 2000 (divisible by 400, leap)",
			in:   "3201012902000001",
			want: NIK{Number: "3201012902000001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(2000, time.February, 29), Serial: "0001"},
		},
		{
			name:    "29 February 1900 is not a date (century chosen before the calendar check)",
			in:      "3201012902000001",
			now:     time.Date(2000, time.January, 15, 12, 0, 0, 0, time.UTC),
			wantErr: ErrNIKBirthDate,
		},
		{
			name: "'now' is read in its own location: 16 June in Jakarta while still 15 June in UTC",
			in:   "3201011606250001",
			now:  time.Date(2025, time.June, 16, 1, 0, 0, 0, time.FixedZone("WIB", 7*3600)),
			want: NIK{Number: "3201011606250001", ProvinceCode: "32", RegencyCode: "3201", DistrictCode: "320101",
				BirthDate: date(2025, time.June, 16), Serial: "0001"},
		},

		{name: "15 digits", in: "320101250390001", wantErr: ErrNIKFormat},
		{name: "17 digits", in: "32010125039000011", wantErr: ErrNIKFormat},
		{name: "empty", in: "", wantErr: ErrNIKFormat},
		{name: "letter", in: "320101250390000O", wantErr: ErrNIKFormat},
		{name: "full-width digits", in: "３２０１０１２５０３９０００１", wantErr: ErrNIKFormat},
		{name: "oversized input", in: strings.Repeat(" ", 100) + "3201012503900001", wantErr: ErrNIKFormat},
		{name: "regency 00", in: "3200012503900001", wantErr: ErrNIKFormat},
		{name: "regency 70 (between kabupaten 01-69 and kota 71-99)", in: "3270012503900001", wantErr: ErrNIKFormat},
		{name: "district 00", in: "3201002503900001", wantErr: ErrNIKFormat},
		{name: "serial 0000", in: "3201012503900000", wantErr: ErrNIKFormat},

		{name: "province 00", in: "0001012503900001", wantErr: ErrNIKProvince},
		{name: "province 10 (unused)", in: "1001012503900001", wantErr: ErrNIKProvince},
		{name: "province 54 (Timor Timur, gone before NIKs existed)", in: "5401012503900001", wantErr: ErrNIKProvince},
		{name: "province 97 (a BPS code, not Kemendagri)", in: "9701012503900001", wantErr: ErrNIKProvince},
		{name: "province 99", in: "9901012503900001", wantErr: ErrNIKProvince},

		{name: "day 00", in: "3201010003900001", wantErr: ErrNIKBirthDate},
		{name: "day 32", in: "3201013203900001", wantErr: ErrNIKBirthDate},
		{name: "day 40 (neither man nor woman)", in: "3201014003900001", wantErr: ErrNIKBirthDate},
		{name: "day 72 (woman, 32nd)", in: "3201017203900001", wantErr: ErrNIKBirthDate},
		{name: "day 99", in: "3201019903900001", wantErr: ErrNIKBirthDate},
		{name: "month 00", in: "3201012500900001", wantErr: ErrNIKBirthDate},
		{name: "month 13", in: "3201012513900001", wantErr: ErrNIKBirthDate},
		{name: "31 April", in: "3201013104900001", wantErr: ErrNIKBirthDate},
		{name: "29 February 2001", in: "3201012902010001", wantErr: ErrNIKBirthDate},
		{name: "woman, 30 February", in: "3201017002900001", wantErr: ErrNIKBirthDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = fixedNow
			}
			got, err := ParseNIKAt(tc.in, now)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ParseNIKAt(%q) = %+v, %v; want %v", tc.in, got, err, tc.wantErr)
				}
				if got != (NIK{}) {
					t.Errorf("ParseNIKAt(%q) returned %+v alongside an error", tc.in, got)
				}
				assertNoDigitsLeak(t, err)
				return
			}
			if err != nil {
				t.Fatalf("ParseNIKAt(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseNIKAt(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			checkNIKInvariants(t, tc.in, got, now)
		})
	}
}

func TestParseNIKErrorsAreDistinct(t *testing.T) {
	// Callers show different messages for each; one error must not match
	// another's sentinel.
	sentinels := []error{ErrNIKFormat, ErrNIKProvince, ErrNIKBirthDate}
	for _, in := range []string{"123", "1001012503900001", "3201013203900001"} {
		_, err := ParseNIKAt(in, fixedNow)
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("ParseNIKAt(%q) = %v matches %d sentinels, want 1", in, err, n)
		}
	}
}

func TestParseNIKUsesTheClock(t *testing.T) {
	// 1 January 1980 is in the past, and less than 100 years ago, until
	// 2080; ParseNIK must read the real clock, not a zero time.
	n, err := ParseNIK("3201010101800001")
	if err != nil {
		t.Fatalf("ParseNIK: %v", err)
	}
	if want := date(1980, time.January, 1); !n.BirthDate.Equal(want) {
		t.Fatalf("BirthDate = %v, want %v", n.BirthDate, want)
	}
}

// TestParseNIKTakesTodayInIndonesia: a child born today in Jayapura (UTC+9)
// is not refused as born in the future by a server whose clock is in UTC,
// where the date changes nine hours later.
func TestParseNIKTakesTodayInIndonesia(t *testing.T) {
	today := time.Now().In(wit)
	nik := fmt.Sprintf("910101%02d%02d%02d0001", today.Day(), int(today.Month()), today.Year()%100)
	n, err := ParseNIK(nik)
	if err != nil {
		t.Fatalf("ParseNIK(%s) born today in WIT (%s): %v", nik, today.Format(time.DateOnly), err)
	}
	if want := date(today.Year(), today.Month(), today.Day()); !n.BirthDate.Equal(want) {
		t.Fatalf("BirthDate = %v, want %v", n.BirthDate, want)
	}
}

func TestNIKLogValueIsMasked(t *testing.T) {
	n, err := ParseNIKAt("3201016503900002", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("contact", "nik", n)
	line := buf.String()
	if strings.Contains(line, n.Number) || strings.Contains(line, "650390") {
		t.Fatalf("log line leaks the NIK: %s", line)
	}
	if !strings.Contains(line, "nik=320101**********") {
		t.Fatalf("log line lacks the masked NIK: %s", line)
	}
}

// checkNIKInvariants holds for every successfully parsed NIK.
func checkNIKInvariants(t *testing.T, in string, n NIK, now time.Time) {
	t.Helper()
	if len(n.Number) != 16 || strings.Trim(n.Number, "0123456789") != "" {
		t.Fatalf("%q: Number %q is not 16 digits", in, n.Number)
	}
	if n.ProvinceCode != n.Number[:2] || n.RegencyCode != n.Number[:4] ||
		n.DistrictCode != n.Number[:6] || n.Serial != n.Number[12:] {
		t.Fatalf("%q: parts do not match the number: %+v", in, n)
	}
	if _, ok := ProvinceName(n.ProvinceCode); !ok {
		t.Fatalf("%q: unknown province %q accepted", in, n.ProvinceCode)
	}
	if n.Serial == "0000" || n.Number[2:4] == "00" || n.Number[4:6] == "00" {
		t.Fatalf("%q: unassigned code accepted: %+v", in, n)
	}
	y, m, d := now.Date()
	today := date(y, m, d)
	if n.BirthDate.After(today) || n.BirthDate.Before(today.AddDate(-120, 0, 0)) {
		t.Fatalf("%q: birth date %v implausible as of %v", in, n.BirthDate, today)
	}
	if n.BirthDate.Location() != time.UTC || n.BirthDate.Hour() != 0 || n.BirthDate.Minute() != 0 {
		t.Fatalf("%q: birth date %v is not a UTC date", in, n.BirthDate)
	}
	day := int(n.Number[6]-'0')*10 + int(n.Number[7]-'0')
	wantDay := day
	if day > 40 {
		wantDay -= 40
	}
	if n.Female != (day > 40) || n.BirthDate.Day() != wantDay {
		t.Fatalf("%q: day digits %02d disagree with %v female=%v", in, day, n.BirthDate, n.Female)
	}
	again, err := ParseNIKAt(n.Number, now)
	if err != nil || again != n {
		t.Fatalf("%q: Number %q re-parses to %+v, %v", in, n.Number, again, err)
	}
}

func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{
		"3201012503900001", "3201016503900002", " 3171 0101 0185 0123 ", "31.71.01-010185-0123",
		"9501014107000001", "3201012902000001", "3201012902010001", "3200012503900001",
		"1001012503900001", "3201014003900001", "3201013104900001", "", "0000000000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseNIKAt(in, fixedNow)
		if err != nil {
			if n != (NIK{}) {
				t.Fatalf("%q: %+v returned with error %v", in, n, err)
			}
			if !errors.Is(err, ErrNIKFormat) && !errors.Is(err, ErrNIKProvince) && !errors.Is(err, ErrNIKBirthDate) {
				t.Fatalf("%q: error %v wraps no sentinel", in, err)
			}
			return
		}
		checkNIKInvariants(t, in, n, fixedNow)
	})
}
