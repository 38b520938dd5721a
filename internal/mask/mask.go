// Package mask hides personal data before it reaches a log line: phone
// numbers, e-mail addresses, NIKs, names and message bodies.
//
// Every function accepts anything, including malformed or hostile input
// (invalid UTF-8, megabytes of text in a "phone" field), never panics, and
// returns output of bounded length that reveals at most a fixed handful of
// characters. When an input is too short to reveal anything safely, the
// result is stars only. Masked values stay useful for support ("the number
// ending 890 in Jakarta") without identifying anyone.
package mask

import (
	"log/slog"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const stars = "****"

// Phone keeps the country code plus three digits and the last three:
// "+6281234567890" → "+62812****890". Without a "+" it keeps five
// characters ("081234567890" → "08123****890"). Separators are dropped
// first. Inputs too short to hide at least four characters keep only the
// last three, or nothing.
func Phone(s string) string {
	r := keep(s, func(c rune) bool {
		return !(c == '-' || c == '.' || c == '(' || c == ')' || unicode.IsSpace(c))
	})
	if len(r) == 0 {
		return ""
	}
	head := 5
	if r[0] == '+' {
		head = 6
	}
	const tail, minHidden = 3, 4
	switch {
	case len(r) >= head+minHidden+tail:
		return string(r[:head]) + stars + string(r[len(r)-tail:])
	case len(r) >= tail+minHidden:
		return stars + string(r[len(r)-tail:])
	default:
		return stars
	}
}

// Email keeps the first character of the local part and a domain that
// looks like a domain: "budi.santoso@example.go.id" → "b***@example.go.id".
// A domain with anything but letters, digits, dots and dashes (or too long
// for DNS) is masked too, so text pasted into an e-mail field never leaks.
// Input without "@" is treated like a name.
func Email(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Name(s)
	}
	local, domain := s[:at], s[at+1:]
	out := "***"
	if first, ok := firstRune(local); ok {
		out = first + "***"
	}
	if !isDomainLike(domain) {
		return out + "@***"
	}
	return out + "@" + domain
}

// NIK keeps the six region digits (province, regency, district: public
// knowledge, useful for routing questions) and hides the birth date and
// serial: "3201012503900001" → "320101**********". Malformed input keeps
// six characters only when at least as many more are hidden.
func NIK(s string) string {
	r := keep(s, func(c rune) bool { return !unicode.IsSpace(c) })
	const head, hidden = 6, "**********"
	if len(r) >= 2*head {
		return string(r[:head]) + hidden
	}
	if len(r) == 0 {
		return ""
	}
	return hidden
}

// Name keeps the first letter: "Budi Santoso" → "B***".
func Name(s string) string {
	first, ok := firstRune(strings.TrimSpace(s))
	if !ok {
		return ""
	}
	return first + "***"
}

// Text replaces a message body with its length in characters: "[42 chars]".
// Bodies are never logged; the length is enough to spot empty or oversized
// messages.
func Text(s string) string {
	return "[" + strconv.Itoa(utf8.RuneCountInString(s)) + " chars]"
}

// PhoneAttr is slog.String(key, Phone(v)).
func PhoneAttr(key, v string) slog.Attr { return slog.String(key, Phone(v)) }

// EmailAttr is slog.String(key, Email(v)).
func EmailAttr(key, v string) slog.Attr { return slog.String(key, Email(v)) }

// NIKAttr is slog.String(key, NIK(v)).
func NIKAttr(key, v string) slog.Attr { return slog.String(key, NIK(v)) }

// NameAttr is slog.String(key, Name(v)).
func NameAttr(key, v string) slog.Attr { return slog.String(key, Name(v)) }

// TextAttr is slog.String(key, Text(v)).
func TextAttr(key, v string) slog.Attr { return slog.String(key, Text(v)) }

// maxScan bounds the work done on huge inputs: only the first and last
// few characters are ever shown, so the middle need not be read.
const maxScan = 256

// keep returns the runes of s accepted by ok. Inputs longer than maxScan
// bytes are cut to their first and last maxScan/2 bytes first (the middle
// would be masked anyway); invalid UTF-8 becomes U+FFFD.
func keep(s string, ok func(rune) bool) []rune {
	if len(s) > maxScan {
		s = s[:maxScan/2] + s[len(s)-maxScan/2:]
	}
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if ok(c) {
			out = append(out, c)
		}
	}
	return out
}

// firstRune returns the first character of s, U+FFFD for an invalid byte.
func firstRune(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r), true
}

func isDomainLike(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// URL hides the password of a connection URL, or of each URL of a
// comma-separated list ("postgres://app:s3cret@db/cc" →
// "postgres://app:***@db/cc"). Anything else is returned as it is.
func URL(raw string) string {
	parts := strings.Split(raw, ",")
	for i, p := range parts {
		scheme := strings.Index(p, "://")
		at := strings.LastIndex(p, "@")
		if scheme < 0 || at < scheme {
			continue
		}
		cred := p[scheme+3 : at]
		if j := strings.Index(cred, ":"); j >= 0 {
			parts[i] = p[:scheme+3] + cred[:j] + ":***" + p[at:]
		}
	}
	return strings.Join(parts, ",")
}
