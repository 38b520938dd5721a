package mask

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// PreviewRunes bounds Preview's output (before the ellipsis).
const PreviewRunes = 80

var (
	// emailLike is anything around an "@" that is not blank.
	emailLike = regexp.MustCompile(`[^\s@]+@[^\s@]+`)
	// digitRun is a run of digits that may be broken by spaces, dots,
	// dashes, slashes or parentheses ("0812 3456 7890", "+62-812-...").
	digitRun = regexp.MustCompile(`\+?\d(?:[\d .()/-]*\d)?`)
)

// Preview is a short one-line excerpt of a message or subject for a live
// screen (the events on cc.events): at most PreviewRunes characters,
// blanks collapsed, every e-mail address masked as Email does and every
// run of five or more digits (phone numbers, NIKs, account numbers, even
// written with separators) replaced by stars. Names in free text cannot
// be told from other words; the excerpt is short so that a body never
// travels whole. Invalid UTF-8 becomes U+FFFD.
func Preview(s string) string {
	// Only the start is shown: bound the work on huge bodies (a few
	// bytes more than shown, so a number cut at the end is still seen
	// whole enough to be masked).
	if limit := 8 * PreviewRunes; len(s) > limit {
		s = s[:limit]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = emailLike.ReplaceAllStringFunc(s, Email)
	s = digitRun.ReplaceAllStringFunc(s, func(m string) string {
		n := 0
		for _, c := range m {
			if c >= '0' && c <= '9' {
				n++
			}
		}
		if n < 5 {
			return m
		}
		return stars
	})
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > PreviewRunes {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:PreviewRunes])) + "…"
	}
	return s
}
