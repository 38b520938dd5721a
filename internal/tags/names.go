package tags

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on tags.
const (
	MaxNameRunes  = 40
	MaxTagsPerSet = 20
)

// Normalize turns a tag as typed into its stored name: trimmed, inner
// whitespace runs made one space, lower case. It answers false for a
// name that is empty, too long, or holds anything but letters, digits,
// spaces and - _ . / (so a tag never carries markup or control
// characters, whatever the client sent).
func Normalize(raw string) (string, bool) {
	if !utf8.ValidString(raw) {
		return "", false
	}
	name := strings.ToLower(strings.Join(strings.Fields(raw), " "))
	if name == "" || utf8.RuneCountInString(name) > MaxNameRunes {
		return "", false
	}
	for _, r := range name {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '-', r == '_', r == '.', r == '/':
		default:
			return "", false
		}
	}
	return name, true
}

// normalizeSet normalizes names, drops repeats and keeps the first
// order. bad lists the names that are not valid tags.
func normalizeSet(names []string) (out []string, bad []string) {
	seen := map[string]bool{}
	for _, n := range names {
		v, ok := Normalize(n)
		if !ok {
			bad = append(bad, n)
			continue
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, bad
}

// Normalize for wrap-up codes: lower-case letters, digits, - and _, 1–32
// characters (they are what reports group by and filters name).
const maxCodeLen = 32

// NormalizeCode checks a wrap-up code as given and returns it lower-cased.
func NormalizeCode(raw string) (string, bool) {
	c := strings.ToLower(strings.TrimSpace(raw))
	if c == "" || len(c) > maxCodeLen {
		return "", false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' && b != '_' {
			return "", false
		}
	}
	return c, true
}
