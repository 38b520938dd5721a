// Package tracking makes the public tracking numbers citizens use to follow
// a ticket ("Nomor tiket: 4821-0937-5512-0843").
//
// A tracking number is 16 decimal digits: 15 random digits from crypto/rand
// followed by one Damm check digit. Digits only, so it can be typed on a
// phone keypad in the IVR and read aloud digit by digit. The first digit is
// never 0, so the number survives spreadsheets and any system that stores
// it as an integer.
//
// Entropy: the 15 random digits take 9×10^14 equally likely values, about
// 2^49.68 (49.7 bits; a first digit allowed to be 0 would give the round
// 49.8). Numbers follow no sequence, so they cannot be enumerated from one
// another. With T tickets stored, one blind guess hits some ticket with
// probability T/(9×10^14): one in 90 million at ten million tickets. That
// makes the number a fair bearer token for reading status only together
// with rate limiting on lookups (and a status page that shows no personal
// data); it is not a password.
//
// The Damm check digit catches every single mistyped digit and every swap
// of two adjacent digits, the two commonest keying errors, before a lookup
// is made.
package tracking

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

const (
	// Digits is the number of digits in a tracking number.
	Digits = 16
	// maxInput bounds Normalize's work on hostile input; the longest
	// sensible form is 16 digits with a separator or two between groups.
	maxInput = 64
	group    = 4
)

// payloadSpace is the number of 15-digit payloads with a non-zero first
// digit: 9×10^14. payloadBase is the smallest of them, 10^14.
var (
	payloadSpace = big.NewInt(9e14)
	payloadBase  = int64(1e14)
)

// Generate returns a new random tracking number in canonical form
// ("XXXX-XXXX-XXXX-XXXX"): 15 random digits and the check digit. It is
// safe for concurrent use. Uniqueness is probabilistic; the database's
// unique index is the final word.
func Generate() string {
	n, err := rand.Int(rand.Reader, payloadSpace)
	if err != nil {
		// crypto/rand.Reader never fails since Go 1.24 (the runtime
		// crashes instead); if it ever did, issuing a guessable number
		// would be worse than stopping.
		panic(fmt.Sprintf("tracking: crypto/rand failed: %v", err))
	}
	payload := strconv.FormatInt(n.Int64()+payloadBase, 10)
	return format(payload + string(rune('0'+dammCheck(payload))))
}

// Normalize checks a tracking number as a citizen typed it (with or without
// dashes or spaces anywhere) and returns its canonical form. Errors wrap
// ErrInvalid and never echo the input.
func Normalize(s string) (string, error) {
	if len(s) > maxInput {
		return "", fmt.Errorf("%w: too long", ErrInvalid)
	}
	var b strings.Builder
	b.Grow(Digits)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '-' || c == ' ' || c == '\t':
		default:
			return "", fmt.Errorf("%w: unexpected character", ErrInvalid)
		}
	}
	d := b.String()
	switch {
	case len(d) != Digits:
		return "", fmt.Errorf("%w: want %d digits, got %d", ErrInvalid, Digits, len(d))
	case d[0] == '0':
		return "", fmt.Errorf("%w: first digit is 0", ErrInvalid)
	case dammCheck(d) != 0:
		return "", fmt.Errorf("%w: check digit mismatch", ErrInvalid)
	}
	return format(d), nil
}

// format groups 16 digits as XXXX-XXXX-XXXX-XXXX.
func format(d string) string {
	var b strings.Builder
	b.Grow(Digits + Digits/group - 1)
	for i := 0; i < len(d); i += group {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(d[i : i+group])
	}
	return b.String()
}
