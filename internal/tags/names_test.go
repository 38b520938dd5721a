package tags

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"spaces collapse and case folds", "  Verifikasi   ULANG ", "verifikasi ulang", true},
		{"digits and separators kept", "bansos-2026/q1", "bansos-2026/q1", true},
		{"non-latin letters kept", "Pengaduan É", "pengaduan é", true},
		{"empty refused", "   ", "", false},
		{"markup refused", "<b>x</b>", "", false},
		{"control characters refused", "a\x00b", "", false},
		{"too long refused", strings.Repeat("a", MaxNameRunes+1), "", false},
		{"longest allowed", strings.Repeat("a", MaxNameRunes), strings.Repeat("a", MaxNameRunes), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Normalize(c.in)
			if got != c.want || ok != c.ok {
				t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestNormalizeCode(t *testing.T) {
	for in, want := range map[string]string{"Informasi": "informasi", " salah_sambung ": "salah_sambung", "a b": "", "": "", "kode!": ""} {
		got, ok := NormalizeCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"bansos", "  A  b ", "<script>", "\xff", "é", strings.Repeat("x", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Normalize(s)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", s, got)
			}
			return
		}
		if got == "" || utf8.RuneCountInString(got) > MaxNameRunes || strings.ContainsAny(got, "<>&\"'\n\t") {
			t.Fatalf("Normalize(%q) = %q", s, got)
		}
		if again, ok := Normalize(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if c, ok := NormalizeCode(s); ok && (c == "" || len(c) > maxCodeLen) {
			t.Fatalf("NormalizeCode(%q) = %q", s, c)
		}
	})
}
