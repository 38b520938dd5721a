package search

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"tanggap/internal/identity"
	"tanggap/internal/tracking"
)

func TestParse(t *testing.T) {
	// A tracking number that is not also a valid NIK: a random one
	// sometimes is (16 digits with a province code and a birth date), and
	// Parse then rightly reads both.
	tn := tracking.Generate()
	for {
		if _, err := identity.ParseNIK(tn); err != nil {
			break
		}
		tn = tracking.Generate()
	}
	bare := strings.ReplaceAll(tn, "-", "")
	cases := []struct {
		name string
		in   string
		want Query
	}{
		{"tracking number with dashes", tn, Query{Tracking: tn}},
		{"tracking number without separators", bare, Query{Tracking: tn}},
		{"tracking number with spaces", strings.ReplaceAll(tn, "-", " "), Query{Tracking: tn}},
		{"local mobile number", "0812-3456-7890", Query{Phone: "+6281234567890"}},
		{"international with spaces", "+62 812 3456 7890", Query{Phone: "+6281234567890"}},
		{"country code without plus", "6281234567890", Query{Phone: "+6281234567890"}},
		{"e-mail in capitals", " Siti.Aminah@Example.GO.ID ", Query{Email: "siti.aminah@example.go.id"}},
		{"NIK with dots", "3201.0125.0390.0001", Query{NIK: "3201012503900001"}},
		{"words of a message", "Insentif  BELUM cair!", Query{Words: []string{"insentif", "belum", "cair"}}},
		{"repeated words once", "cair cair Cair", Query{Words: []string{"cair"}}},
		{"operators are not words", `"a" OR b* NEAR(c) & !d | e:*`, Query{Words: []string{"a", "or", "b", "near", "c", "d", "e"}}},
		{"blank", "   ", Query{}},
		{"short number is a word", "12345", Query{Words: []string{"12345"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Parse(c.in)
			if got.Tracking != c.want.Tracking || got.Phone != c.want.Phone || got.Email != c.want.Email ||
				got.NIK != c.want.NIK || strings.Join(got.Words, ",") != strings.Join(c.want.Words, ",") {
				t.Fatalf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseBoundsWords(t *testing.T) {
	q := Parse(strings.Repeat("kata"+strings.Repeat("x", 100)+" ", 50))
	if len(q.Words) != 1 {
		t.Fatalf("want one distinct word, got %d", len(q.Words))
	}
	if n := utf8.RuneCountInString(q.Words[0]); n != MaxWordRunes {
		t.Fatalf("word of %d runes, want %d", n, MaxWordRunes)
	}
	q = Parse("a b c d e f g h i j k l")
	if len(q.Words) != MaxWords {
		t.Fatalf("got %d words, want %d", len(q.Words), MaxWords)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{tracking.Generate(), "0812 3456 7890", "+62 812-3456-7890", "a@b.co",
		"3201012503900001", "insentif belum cair", `"x" OR y*`, "\xff\xfe", "ǅ ß İ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		if len(q.Words) > MaxWords {
			t.Fatalf("%d words", len(q.Words))
		}
		if q.HasIdentifier() && len(q.Words) > 0 {
			t.Fatal("identifier and words at once")
		}
		for _, w := range q.Words {
			if w == "" || utf8.RuneCountInString(w) > MaxWordRunes || !utf8.ValidString(w) {
				t.Fatalf("bad word %q", w)
			}
			for _, c := range w {
				if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
					t.Fatalf("word %q carries %q", w, c)
				}
			}
		}
		if q.Tracking != "" {
			if tn, err := tracking.Normalize(q.Tracking); err != nil || tn != q.Tracking {
				t.Fatalf("tracking %q not canonical", q.Tracking)
			}
		}
		if q.Phone != "" {
			if p, err := identity.NormalizePhone(q.Phone); err != nil || p != q.Phone {
				t.Fatalf("phone %q not normalized", q.Phone)
			}
		}
		if q.NIK != "" {
			if n, err := identity.ParseNIK(q.NIK); err != nil || n.Number != q.NIK {
				t.Fatalf("NIK not normalized")
			}
		}
		if q.Email != "" {
			if e, err := identity.NormalizeEmail(q.Email); err != nil || e != q.Email {
				t.Fatalf("e-mail %q not normalized", q.Email)
			}
		}
		_ = pgQuery(q.Words, true)
		_ = ftsQuery(q.Words, true)
	})
}
