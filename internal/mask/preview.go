package mask

import (
	"strings"
	"unicode/utf8"
)

// PreviewRunes bounds Preview's output (before the ellipsis).
const PreviewRunes = 80

// Preview is a short one-line excerpt of a message or subject for a live
// screen (the events on cc.events): at most PreviewRunes characters,
// blanks collapsed, every e-mail address masked as Email does and every
// run of five or more digits (phone numbers, NIKs, account numbers, even
// written with spaces, dots, dashes, slashes or parentheses between the
// digits) replaced by stars. Names in free text cannot be told from other
// words; the excerpt is short so that a body never travels whole. Invalid
// UTF-8 becomes U+FFFD. It runs once per message on the ingest path, so it
// is one pass over a bounded prefix, without regular expressions.
func Preview(s string) string { return excerpt(s, PreviewRunes, 5) }

// ReasonRunes bounds Reason's output (before the ellipsis).
const ReasonRunes = 240

// Reason is a delivery failure's reason for a live screen (a provider's
// error, a bounce): Preview's rule with room for a provider's sentence,
// except that only runs of seven or more digits are hidden. Provider error
// codes have up to six digits (WhatsApp 131047, SMTP "550 5.1.1") and are
// what an agent acts on; a phone number (with its area code) or a NIK has
// more.
func Reason(s string) string { return excerpt(s, ReasonRunes, 7) }

func excerpt(s string, runes, digitRun int) string {
	// Only the start is shown: bound the work on huge bodies (more than
	// is shown, so a number cut near the end is still seen whole enough
	// to be masked).
	if limit := 8 * runes; len(s) > limit {
		s = s[:limit]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	for word := range strings.FieldsSeq(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		// An address in brackets or before a colon (a bounce's
		// "<a@b.id>:") is masked as an address, its marks kept.
		core := strings.TrimLeft(word, "<([\"'")
		lead := word[:len(word)-len(core)]
		core = strings.TrimRight(core, ">)]\"',;:.")
		trail := word[len(lead)+len(core):]
		if at := strings.IndexByte(core, '@'); at > 0 && at < len(core)-1 {
			word = lead + Email(core) + trail
		}
		b.WriteString(word)
	}
	s = maskDigitRuns(b.String(), digitRun)
	if utf8.RuneCountInString(s) > runes {
		n := 0
		for i := range s {
			if n == runes {
				s = strings.TrimSpace(s[:i]) + "…"
				break
			}
			n++
		}
	}
	return s
}

// maskDigitRuns replaces every run of min or more digits (separators
// between digits belong to the run, an optional leading "+" too) by stars.
func maskDigitRuns(s string, min int) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		start, j := i, i
		if s[j] == '+' {
			j++
		}
		if j >= len(s) || !isDigit(s[j]) {
			i++
			continue
		}
		digits, end := 0, j
		for k := j; k < len(s); k++ {
			if isDigit(s[k]) {
				digits, end = digits+1, k+1
			} else if !isDigitSeparator(s[k]) {
				break
			}
		}
		if digits >= min {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:start])
			b.WriteString(stars)
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigitSeparator(c byte) bool {
	return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')'
}
