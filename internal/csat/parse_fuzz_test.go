package csat

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzKey = tokenKey([]byte("fuzz-secret-fuzz-secret-fuzz-secret"))

// FuzzParseButton: a WhatsApp button or list reply id is a survey choice
// only in the exact form ButtonID makes; anything else is an error, never
// a panic, and a parsed id round-trips.
func FuzzParseButton(f *testing.F) {
	s := &Service{key: fuzzKey}
	tok := s.sign(7, time.Unix(1800000000, 0))
	for _, seed := range []string{ButtonID(tok, 5), ButtonID(tok, 1), "csat:", "csat::5", "csat:x:9", "ya", "csat:" + tok + ":55", strings.Repeat("csat:", 40)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		tk, r, err := ParseButton(id)
		if err != nil {
			if !errors.Is(err, ErrBadToken) && !errors.Is(err, ErrBadRating) {
				t.Fatalf("%q: unexpected error %v", id, err)
			}
			return
		}
		if r < 1 || r > 5 || ButtonID(tk, r) != id {
			t.Fatalf("%q parsed as %q %d", id, tk, r)
		}
		if _, _, err := parseToken(fuzzKey, tk); err == nil && tk != tok {
			t.Fatalf("%q: a token we did not sign was accepted", tk)
		}
	})
}

// FuzzParseDigit: the keypad answer is one digit 1–5.
func FuzzParseDigit(f *testing.F) {
	for _, seed := range []string{"1", "5", "0", "6", "#", "*", "12", "", " 3 ", "٣"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, digits string) {
		r, err := ParseDigit(digits)
		if err != nil {
			if !errors.Is(err, ErrBadRating) {
				t.Fatalf("%q: %v", digits, err)
			}
			return
		}
		if r < 1 || r > 5 || strings.TrimSpace(digits) != string(rune('0'+r)) {
			t.Fatalf("%q parsed as %d", digits, r)
		}
	})
}

// FuzzParseToken: only tokens we signed parse, and they give back what
// was signed.
func FuzzParseToken(f *testing.F) {
	s := &Service{key: fuzzKey}
	good := s.sign(42, time.Unix(1800000000, 0))
	for _, seed := range []string{good, good[:10], good + "A", "." + good, "AAAA.BBBB", strings.Repeat("A", 100)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		id, exp, err := parseToken(fuzzKey, tok)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("%q: %v", tok, err)
			}
			return
		}
		if s.sign(id, exp) != tok {
			t.Fatalf("%q accepted but signs as %q", tok, s.sign(id, exp))
		}
	})
}

// FuzzParseAnswer: the survey form's rating and comment.
func FuzzParseAnswer(f *testing.F) {
	f.Add(5, "terima kasih")
	f.Add(0, "")
	f.Add(6, "x")
	f.Add(3, strings.Repeat("a", 1001))
	f.Add(2, "bad\x00byte")
	f.Add(4, "\xff\xfe")
	f.Fuzz(func(t *testing.T, rating int, comment string) {
		a, err := ParseAnswer(rating, comment)
		if err != nil {
			if !errors.Is(err, ErrBadRating) {
				t.Fatalf("%d %q: %v", rating, comment, err)
			}
			return
		}
		if a.Rating < 1 || a.Rating > 5 || !utf8.ValidString(a.Comment) || utf8.RuneCountInString(a.Comment) > MaxCommentRunes {
			t.Fatalf("accepted %+v", a)
		}
	})
}

// FuzzParseReportQuery: the report's period and grouping.
func FuzzParseReportQuery(f *testing.F) {
	f.Add("2026-11-01", "2026-11-30", "channel")
	f.Add("", "", "")
	f.Add("2026-13-01", "x", "agent")
	f.Add("2026-11-01T00:00:00Z", "2026-11-02T00:00:00+07:00", "province")
	f.Add("2026-11-02", "2026-11-01", "queue")
	f.Add("1", "2", "; DROP TABLE")
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to, group string) {
		q, err := ParseReportQuery(from, to, group, time.UTC, now)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("%q %q %q: %v", from, to, group, err)
			}
			return
		}
		if _, ok := groupSQL[q.GroupBy]; !ok || !q.From.Before(q.To) {
			t.Fatalf("accepted %+v", q)
		}
	})
}
