package identity

import (
	"fmt"
	"strings"
	"unicode"
)

// Indonesian numbering rules, from the national numbering plan as published
// to the ITU (E.164 country code 62) and what operators actually hand out:
//
//   - Mobile numbers are 08xx… nationally. After the country code the
//     national significant number (NSN) starts with 8, its second digit is
//     1-9 (080x is toll-free/premium, never a citizen's own line), and it is
//     9 to 12 digits long (0811-xxx-xxx up to 0812-xxxx-xxxxx).
//   - Fixed lines are 0 + area code + subscriber. Area codes start with
//     2-7 or 9 (1 is short codes, 8 is mobile). Five cities have two-digit
//     area codes (21 Jakarta, 22 Bandung, 24 Semarang, 31 Surabaya,
//     61 Medan) with 7-8 digit subscribers: NSN 9-10 digits. Everywhere
//     else the area code has three digits and subscribers 5-8: NSN 8-11.
//     The plan is prefix-free, so no three-digit code starts with one of
//     the two-digit ones.
//
// Foreign numbers are accepted only in international form (+ and country
// code) with 8-15 digits in total. E.164 allows up to 15; the 8 floor only
// turns away a handful of tiny territories (Niue, Tokelau) that this
// program's citizens do not call from, and it rejects most typos.
const (
	countryCode   = "62"
	e164Prefix    = "+"
	indonesiaE164 = e164Prefix + countryCode
	minForeign    = 8
	maxE164Digits = 15
	maxPhoneInput = 64 // generous for "+62 (0)812-3456-7890"-style input
	minMobileNSN  = 9
	maxMobileNSN  = 12
	minFixedNSN2  = 9 // two-digit area code
	maxFixedNSN2  = 10
	minFixedNSN3  = 8 // three-digit area code
	maxFixedNSN3  = 11
)

// errPhoneFormat wraps ErrPhoneInvalid with a reason, never the input.
const errPhoneFormat = "%w: %s"

// twoDigitAreaCodes are the fixed-line area codes (without the trunk 0) that
// have two digits; all others have three.
var twoDigitAreaCodes = map[string]bool{"21": true, "22": true, "24": true, "31": true, "61": true}

// NormalizePhone turns a phone number as a citizen writes it into E.164
// ("+6281234567890"). It accepts the national form (0812-3456-7890,
// (021) 555-1234), the international form with or without "+"
// (+62 812 3456 7890, 6281234567890, +62 (0)21 5551234), a mobile number
// missing its trunk zero (812 3456 7890), and foreign numbers in
// international form (+44 20 7946 0958). Spaces, dashes, dots and
// parentheses are ignored; anything else is an error wrapping
// ErrPhoneInvalid.
//
// Digits without "+" are always read as Indonesian. "81312345678" is taken
// as a Telkomsel number missing its zero, never as Japan (+81): on an
// Indonesian program's forms that is by far the likelier meaning, and
// foreign callers are asked for the "+".
func NormalizePhone(s string) (string, error) {
	if len(s) > maxPhoneInput {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "too long")
	}
	plus, digits, err := cleanPhone(s)
	if err != nil {
		return "", err
	}
	switch {
	case plus:
		return international(digits, true)
	case strings.HasPrefix(digits, countryCode):
		// "62…" without the plus is how people copy numbers out of
		// WhatsApp. A national number never starts with 62: the trunk
		// zero is missing only on mobile numbers, which start with 8.
		return indonesian(stripTrunkZero(digits[len(countryCode):]))
	case strings.HasPrefix(digits, "0"):
		return indonesian(digits[1:])
	case strings.HasPrefix(digits, "8"):
		nsn := digits
		if !isMobileNSN(nsn) {
			return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "not a mobile number")
		}
		return indonesiaE164 + nsn, nil
	default:
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "no country code or trunk prefix")
	}
}

// NormalizeWaID turns a WhatsApp wa_id (the sender's number as digits with
// country code and no "+", e.g. "6281234567890") into E.164 for any
// country. It is strict: the provider sends digits only, so anything else
// means the payload is not what we think it is. A leading "+" is tolerated
// so an E.164 value re-normalizes to itself. Indonesian ids must follow the
// Indonesian numbering rules, like NormalizePhone.
func NormalizeWaID(s string) (string, error) {
	if len(s) > maxPhoneInput {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "too long")
	}
	digits := strings.TrimPrefix(s, e164Prefix)
	if digits == "" {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "empty")
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "wa_id must be digits only")
		}
	}
	return international(digits, false)
}

// cleanPhone drops separators and reports whether the number was written
// with a leading "+". The plus may only come before the first digit.
func cleanPhone(s string) (plus bool, digits string, err error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case r == '+':
			if plus || b.Len() > 0 {
				return false, "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "misplaced '+'")
			}
			plus = true
		case r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
			// Separators people type or paste (including no-break spaces).
		default:
			return false, "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "unexpected character")
		}
	}
	if b.Len() == 0 {
		return false, "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "no digits")
	}
	return plus, b.String(), nil
}

// international validates digits that start with a country code.
// allowTrunkZero accepts the "+62 (0)21…" habit of keeping the national
// trunk zero after the country code; provider ids never carry it.
func international(digits string, allowTrunkZero bool) (string, error) {
	if rest, ok := strings.CutPrefix(digits, countryCode); ok {
		if allowTrunkZero {
			rest = stripTrunkZero(rest)
		}
		return indonesian(rest)
	}
	if digits[0] == '0' {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "country code cannot start with 0")
	}
	if len(digits) < minForeign || len(digits) > maxE164Digits {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "foreign number length out of range")
	}
	return e164Prefix + digits, nil
}

func stripTrunkZero(nsn string) string {
	return strings.TrimPrefix(nsn, "0")
}

// indonesian validates a national significant number (no country code, no
// trunk zero) and returns it in E.164.
func indonesian(nsn string) (string, error) {
	if nsn == "" {
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "no national number")
	}
	switch c := nsn[0]; {
	case c == '8':
		if !isMobileNSN(nsn) {
			return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "invalid mobile number")
		}
	case c >= '2' && c <= '7' || c == '9':
		if !isFixedNSN(nsn) {
			return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "invalid fixed-line number")
		}
	default:
		return "", fmt.Errorf(errPhoneFormat, ErrPhoneInvalid, "not a subscriber number")
	}
	return indonesiaE164 + nsn, nil
}

func isMobileNSN(nsn string) bool {
	return len(nsn) >= minMobileNSN && len(nsn) <= maxMobileNSN &&
		nsn[0] == '8' && nsn[1] >= '1' && nsn[1] <= '9'
}

func isFixedNSN(nsn string) bool {
	if len(nsn) < 2 {
		return false
	}
	if twoDigitAreaCodes[nsn[:2]] {
		return len(nsn) >= minFixedNSN2 && len(nsn) <= maxFixedNSN2
	}
	return len(nsn) >= minFixedNSN3 && len(nsn) <= maxFixedNSN3
}
