package identity

import (
	"fmt"
	"net/mail"
	"strings"
)

// Length limits from RFC 5321: a path is at most 256 octets including the
// angle brackets, so an address is at most 254; a local part at most 64;
// a domain at most 253 with labels of at most 63.
const (
	maxEmailLen  = 254
	maxLocalLen  = 64
	maxDomainLen = 253
	maxLabelLen  = 63
)

// NormalizeEmail trims and lower-cases an e-mail address and checks that it
// is a plain address a citizen could receive mail at: exactly one "@", a
// dot-atom local part (no quoting, comments or display name), an ASCII
// domain name with at least one dot and an alphabetic (or punycode) top
// level label, and at most 254 characters. Lower-casing the local part is
// not RFC-correct, but no mailbox provider citizens use distinguishes case,
// and one contact per mailbox matters more here. Errors wrap
// ErrEmailInvalid.
//
// Internationalized addresses (Unicode local part or domain) are refused:
// the channels we serve do not produce them, and accepting them would need
// IDNA normalization to keep one identity per mailbox.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrEmailInvalid)
	}
	if len(s) > maxEmailLen {
		return "", fmt.Errorf("%w: longer than %d characters", ErrEmailInvalid, maxEmailLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("%w: non-ASCII, space or control character", ErrEmailInvalid)
		}
	}
	s = strings.ToLower(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", fmt.Errorf("%w: want exactly one @", ErrEmailInvalid)
	}
	if err := checkLocal(local); err != nil {
		return "", err
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	// Belt and braces: the standard parser must read the same plain
	// address back, with no display name.
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", fmt.Errorf("%w: not a plain RFC 5322 address", ErrEmailInvalid)
	}
	return s, nil
}

// checkLocal accepts an RFC 5322 dot-atom.
func checkLocal(local string) error {
	if local == "" || len(local) > maxLocalLen {
		return fmt.Errorf("%w: local part length", ErrEmailInvalid)
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fmt.Errorf("%w: misplaced dot in local part", ErrEmailInvalid)
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; c != '.' && !isAtext(c) {
			return fmt.Errorf("%w: character not allowed in local part", ErrEmailInvalid)
		}
	}
	return nil
}

// isAtext reports RFC 5322 atext for an ASCII byte.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// checkDomain accepts a lower-case LDH host name with at least two labels.
func checkDomain(domain string) error {
	if domain == "" || len(domain) > maxDomainLen {
		return fmt.Errorf("%w: domain length", ErrEmailInvalid)
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%w: domain needs a dot", ErrEmailInvalid)
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%w: bad domain label", ErrEmailInvalid)
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%w: character not allowed in domain", ErrEmailInvalid)
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.HasPrefix(tld, "xn--") {
		return nil
	}
	if len(tld) < 2 {
		return fmt.Errorf("%w: top-level domain too short", ErrEmailInvalid)
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return fmt.Errorf("%w: top-level domain must be letters", ErrEmailInvalid)
		}
	}
	return nil
}
