package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"tanggap/internal/identity"
	"tanggap/internal/tracking"
)

// Limits of a query: longer input is cut, more words are dropped.
const (
	MaxQueryRunes = 200
	MaxWords      = 8
	MaxWordRunes  = 40
)

// Query is what a search box text was read as. Identifiers are in their
// stored (normalized) form; Words are lower-case runs of letters and
// digits, the only characters that ever reach a full-text query.
type Query struct {
	Tracking string   // canonical tracking number
	Phone    string   // E.164
	Email    string   // normalized address
	NIK      string   // 16 digits
	Words    []string // words of names and messages
}

// Empty reports whether q asks for nothing.
func (q Query) Empty() bool {
	return q.Tracking == "" && q.Phone == "" && q.Email == "" && q.NIK == "" && len(q.Words) == 0
}

// HasIdentifier reports whether q reads as an exact identifier.
func (q Query) HasIdentifier() bool {
	return q.Tracking != "" || q.Phone != "" || q.Email != "" || q.NIK != ""
}

// Parse reads a search box text. A tracking number is recognized with or
// without separators, a phone number in any form the identity package
// normalizes (0812…, +62 812…, 62812…), an e-mail address, and a NIK (16
// valid digits, separators allowed); one text may read as several (16
// digits may be a tracking number and a NIK). Text that is no identifier
// is split into words for names and message bodies. Parse never fails:
// hostile input only yields fewer words.
func Parse(s string) Query {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		s = string([]rune(s)[:MaxQueryRunes])
	}
	s = strings.TrimSpace(s)
	var q Query
	if s == "" {
		return q
	}
	if tn, err := tracking.Normalize(s); err == nil {
		q.Tracking = tn
	}
	if numberLike(s) {
		if n, err := identity.ParseNIK(s); err == nil {
			q.NIK = n.Number
		}
		if p, err := identity.NormalizePhone(s); err == nil {
			q.Phone = p
		}
	}
	if strings.Contains(s, "@") {
		if e, err := identity.NormalizeEmail(s); err == nil {
			q.Email = e
		}
	}
	if q.HasIdentifier() {
		return q
	}
	q.Words = words(s)
	return q
}

// numberLike: digits with the separators people write in numbers.
func numberLike(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == ' ':
		default:
			return false
		}
	}
	return digits >= 6
}

// words splits s into lower-case runs of letters and digits.
func words(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) {
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) > MaxWordRunes {
			w = string([]rune(w)[:MaxWordRunes])
		}
		// Lower-casing may produce characters that are not letters
		// (rare ligatures); keep only letters and digits.
		w = strings.Map(func(c rune) rune {
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				return c
			}
			return -1
		}, w)
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == MaxWords {
			break
		}
	}
	return out
}
