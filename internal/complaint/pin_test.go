package complaint

import (
	"context"
	"errors"
	"testing"

	"tanggap/internal/testenv"
)

// FuzzNormalizePIN: a typed PIN is accepted only as exactly PINDigits
// digits (spaces and dashes aside), and FormatPIN of it reads back.
func FuzzNormalizePIN(f *testing.F) {
	for _, s := range []string{"1234-5678", "1234 5678", "12345678", "123456789", "", "١٢٣٤٥٦٧٨", "1234-567x", "--------12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, ok := NormalizePIN(in)
		if !ok {
			return
		}
		if len(d) != PINDigits {
			t.Fatalf("%q -> %q", in, d)
		}
		for _, r := range d {
			if r < '0' || r > '9' {
				t.Fatalf("%q -> %q", in, d)
			}
		}
		if back, ok := NormalizePIN(FormatPIN(d)); !ok || back != d {
			t.Fatalf("format round trip %q -> %q", d, back)
		}
	})
}

// FuzzOpenWithPIN: any tracking number and PIN a stranger types gets
// ErrNotFound (never another error, never a complaint).
func FuzzOpenWithPIN(f *testing.F) {
	f.Add("1234-5678-9012-3456", "1234-5678")
	f.Add("", "")
	f.Add("'; DROP TABLE complaints; --", "00000000")
	f.Add("0000000000000000", "\x00")
	d := testenv.DB(f)
	s := New(Opts{DB: d, PINCost: 4})
	f.Fuzz(func(t *testing.T, tn, pin string) {
		_, err := s.OpenWithPIN(context.Background(), tn, pin)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("OpenWithPIN(%q, %q) = %v, want ErrNotFound", tn, pin, err)
		}
	})
}
