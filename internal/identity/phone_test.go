package identity

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

var (
	e164Re      = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	idMobileRe  = regexp.MustCompile(`^\+628[1-9][0-9]{7,10}$`)
	idFixedRe   = regexp.MustCompile(`^\+62[2-79][0-9]{7,10}$`)
	digitsRunRe = regexp.MustCompile(`[0-9]{5,}`)
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means ErrPhoneInvalid
	}{
		// Mobile, every way citizens write it.
		{"national mobile", "081234567890", "+6281234567890"},
		{"national mobile with dashes", "0812-3456-7890", "+6281234567890"},
		{"national mobile with dots", "0812.3456.7890", "+6281234567890"},
		{"international with plus and spaces", "+62 812 3456 7890", "+6281234567890"},
		{"international without plus as copied from WhatsApp", "6281234567890", "+6281234567890"},
		{"international with parenthesised country code", "(+62) 812-3456-7890", "+6281234567890"},
		{"trunk zero kept after country code", "+62 (0)812 3456 7890", "+6281234567890"},
		{"trunk zero kept after country code without plus", "62 0812 3456 7890", "+6281234567890"},
		{"mobile missing its trunk zero", "812 3456 7890", "+6281234567890"},
		{"digits without plus are Indonesian, not Japan (+81)", "81312345678", "+6281312345678"},
		{"already E.164 re-normalizes to itself", "+6281234567890", "+6281234567890"},
		{"surrounding and no-break spaces", "\u00a0 0812 3456 7890\t", "+6281234567890"},
		{"shortest mobile (9-digit NSN)", "0811 123 456", "+62811123456"},
		{"longest mobile (12-digit NSN)", "0812 3456 78901", "+62812345678901"},
		{"satellite range 0868", "0868 1234 5678", "+6286812345678"},
		// Fixed lines: citizens call from home and offices too.
		{"Jakarta 8-digit subscriber", "(021) 5551-2345", "+622155512345"},
		{"Jakarta 7-digit subscriber", "021-555-1234", "+62215551234"},
		{"Jakarta international with trunk zero", "+62 (0)21 5551 2345", "+622155512345"},
		{"Surabaya", "031 8471234", "+62318471234"},
		{"Yogyakarta three-digit area code", "0274 512345", "+62274512345"},
		{"Denpasar international", "+62 361 234567", "+62361234567"},
		{"Jayapura", "0967 531234", "+62967531234"},
		{"rural five-digit subscriber", "0632 21234", "+6263221234"},
		// Foreign numbers only in international form.
		{"US number", "+1 (415) 555-2671", "+14155552671"},
		{"UK number", "+44 20 7946 0958", "+442079460958"},
		{"Malaysian mobile", "+60 12-345 6789", "+60123456789"},
		{"foreign 15 digits (E.164 maximum)", "+123456789012345", "+123456789012345"},
		{"foreign 8 digits (minimum)", "+12345678", "+12345678"},

		{"empty", "", ""},
		{"only separators", " - ( ) ", ""},
		{"only plus", "+", ""},
		{"words", "nomor saya", ""},
		{"letter inside", "0812345678g0", ""},
		{"extension", "021 5551234 ext 12", ""},
		{"two numbers", "021-5551234 / 5551235", ""},
		{"full-width digits", "０８１２３４５６７８９０", ""},
		{"double plus", "++6281234567890", ""},
		{"plus in the middle", "62+81234567890", ""},
		{"mobile too short", "0812 345 67", ""},
		{"mobile too long", "0812 3456 789012", ""},
		{"toll-free 0800", "0800 1234 567", ""},
		{"premium 0809", "0809 1234 5678", ""},
		{"short code", "14045", ""},
		{"country code then short code", "+62 14045", ""},
		{"country code alone", "+62", ""},
		{"country code and trunk zero only", "+62 0", ""},
		{"double trunk zero", "00 812 3456 7890", ""},
		{"Jakarta too short", "021 123456", ""},
		{"Jakarta too long", "021 123456789", ""},
		{"three-digit area too short", "0274 1234", ""},
		{"three-digit area too long", "0274 123456789", ""},
		{"national number without trunk zero and not mobile", "215551234", ""},
		{"foreign without plus is ambiguous", "14155552671", ""},
		{"foreign too short", "+1234567", ""},
		{"foreign too long", "+1234567890123456", ""},
		{"country code starting with zero", "+0123456789", ""},
		{"oversized input", strings.Repeat("0812 ", 20), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrPhoneInvalid) {
					t.Fatalf("NormalizePhone(%q) = %q, %v; want ErrPhoneInvalid", tc.in, got, err)
				}
				if got != "" {
					t.Errorf("NormalizePhone(%q) returned %q alongside an error", tc.in, got)
				}
				assertNoDigitsLeak(t, err)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalizeWaID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Indonesian mobile", "6281234567890", "+6281234567890"},
		{"E.164 re-normalizes to itself", "+6281234567890", "+6281234567890"},
		{"Indonesian landline on WhatsApp Business", "622155512345", "+622155512345"},
		{"US", "14155552671", "+14155552671"},
		{"UK", "447911123456", "+447911123456"},
		{"Singapore 10 digits", "6591234567", "+6591234567"},

		{"empty", "", ""},
		{"plus only", "+", ""},
		{"spaces are not sent by the provider", "62 812 3456 7890", ""},
		{"dashes are not sent by the provider", "62-812-3456-7890", ""},
		{"national form is not a wa_id", "081234567890", ""},
		{"trunk zero after country code", "6208123456789", ""},
		{"Indonesian toll-free", "628001234567", ""},
		{"Indonesian mobile too long", "62812345678901234", ""},
		{"Indonesian mobile too short", "6281234567", ""},
		{"too short", "1234567", ""},
		{"too long", "1234567890123456", ""},
		{"letters", "62812abc67890", ""},
		{"double plus", "++6281234567890", ""},
		{"oversized", strings.Repeat("6", 100), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeWaID(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrPhoneInvalid) {
					t.Fatalf("NormalizeWaID(%q) = %q, %v; want ErrPhoneInvalid", tc.in, got, err)
				}
				assertNoDigitsLeak(t, err)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeWaID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// assertNoDigitsLeak fails when an error message carries a run of digits
// that could be (part of) the personal number it rejected.
func assertNoDigitsLeak(t *testing.T, err error) {
	t.Helper()
	if m := digitsRunRe.FindString(err.Error()); m != "" {
		t.Errorf("error %q leaks digits %q", err, m)
	}
}

// checkPhoneInvariants holds for every successful NormalizePhone or
// NormalizeWaID result.
func checkPhoneInvariants(t *testing.T, in, out string) {
	t.Helper()
	if !e164Re.MatchString(out) {
		t.Fatalf("%q → %q: not E.164", in, out)
	}
	if strings.HasPrefix(out, "+62") && !idMobileRe.MatchString(out) && !idFixedRe.MatchString(out) {
		t.Fatalf("%q → %q: Indonesian number of neither mobile nor fixed shape", in, out)
	}
	again, err := NormalizePhone(out)
	if err != nil || again != out {
		t.Fatalf("%q → %q, which re-normalizes to %q, %v", in, out, again, err)
	}
	again, err = NormalizeWaID(out)
	if err != nil || again != out {
		t.Fatalf("%q → %q, which NormalizeWaID reads as %q, %v", in, out, again, err)
	}
}

func TestPhoneInvariantsOnTableCases(t *testing.T) {
	// The fuzz invariants must hold on the hand-written valid cases too,
	// so a regression shows up in a plain `go test`.
	for _, in := range []string{"081234567890", "(021) 5551-2345", "+44 20 7946 0958", "0811 123 456", "0632 21234"} {
		out, err := NormalizePhone(in)
		if err != nil {
			t.Fatalf("NormalizePhone(%q): %v", in, err)
		}
		checkPhoneInvariants(t, in, out)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"081234567890", "+62 812 3456 7890", "6281234567890", "+62 (0)21 5551 2345",
		"812 3456 7890", "(021) 5551-2345", "0274 512345", "+1 415 555 2671", "+",
		"", "0800 1234 567", "++62", "62+8", "0", "62", "620", "8", "+0", "\u00a0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizePhone(in)
		if err != nil {
			if !errors.Is(err, ErrPhoneInvalid) || out != "" {
				t.Fatalf("%q: got %q, %v", in, out, err)
			}
			return
		}
		checkPhoneInvariants(t, in, out)
	})
}

func FuzzNormalizeWaID(f *testing.F) {
	for _, s := range []string{
		"6281234567890", "+6281234567890", "14155552671", "622155512345", "6208123456789",
		"", "+", "0", "62", "1234567", "123456789012345", "1234567890123456",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeWaID(in)
		if err != nil {
			if !errors.Is(err, ErrPhoneInvalid) || out != "" {
				t.Fatalf("%q: got %q, %v", in, out, err)
			}
			return
		}
		checkPhoneInvariants(t, in, out)
		// A wa_id is never rewritten, only prefixed.
		if strings.TrimPrefix(out, "+") != strings.TrimPrefix(in, "+") {
			t.Fatalf("%q → %q: digits changed", in, out)
		}
	})
}
