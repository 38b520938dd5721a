package contact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrittenForms(t *testing.T) {
	cases := []struct {
		name, kind, value string
		want              []string
	}{
		{"an E.164 mobile number in every way Indonesians write it", KindPhone, "+6281234567890",
			[]string{"+6281234567890", "6281234567890", "081234567890", "81234567890", "+62 81234567890"}},
		{"a national number finds its E.164 form", KindPhone, "0812-3456-7890", []string{"+6281234567890", "081234567890"}},
		{"an e-mail in capitals finds its normalized form", KindEmail, " Budi@Example.ID", []string{"budi@example.id"}},
		{"a NIK with spaces finds its digits", KindNIK, "320101 250390 0001", []string{"3201012503900001", "32.01.01.250390.0001"}},
		{"a value that is no phone is kept as is", KindPhone, "bukan nomor", []string{"bukan nomor"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := writtenForms(c.kind, c.value)
			for _, w := range c.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("forms of %q = %q, want %q among them", c.value, got, w)
				}
			}
		})
	}
}

// FuzzWrittenForms: the written forms of any stored value (identities are
// outside input) never panic, keep the value itself, hold no empty or
// repeated entry and stay few and short.
func FuzzWrittenForms(f *testing.F) {
	for _, s := range []string{"+6281234567890", "0812-3456-7890", "62 812 3456 7890", "Budi@Example.ID", "320101 250390 0001", "", "\xff\xfe", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, kind := range []string{KindPhone, KindEmail, KindNIK, KindVisitor} {
			got := writtenForms(kind, v)
			if len(got) > 8 {
				t.Fatalf("%s %q: %d forms", kind, v, len(got))
			}
			seen := map[string]bool{}
			for _, g := range got {
				if g == "" || seen[g] {
					t.Fatalf("%s %q: empty or repeated form in %q", kind, v, got)
				}
				seen[g] = true
				if len(g) > len(v)+8 && utf8.ValidString(v) {
					t.Fatalf("%s %q: form %q longer than the value allows", kind, v, g)
				}
			}
			if v != "" && kind != KindVisitor && !seen[v] {
				t.Fatalf("%s %q: the stored value itself is missing from %q", kind, v, got)
			}
		}
	})
}
