// Package statuslink signs and checks the links in citizen notifications
// that open a ticket on the public status page without retyping the phone
// number or e-mail address given with it.
//
// A token is "v1.<payload>.<mac>", both parts unpadded base64url. The
// payload names the tracking number, which of the ticket's addresses the
// link stands for (e-mail or phone; never the address itself, so a link
// leaks no personal data) and the expiry as Unix seconds. The MAC is
// HMAC-SHA256 over a domain-separated payload, cut to 16 bytes and
// compared in constant time. A link cannot be widened (another ticket, a
// later expiry) without the secret.
package statuslink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	kept "tanggap/internal/secret"
	"time"
)

// Errors of Verify and Parse. Pages tell the citizen which one happened:
// an expired link asks them to look the ticket up by hand.
var (
	ErrMalformed = errors.New("statuslink: malformed link")
	ErrForged    = errors.New("statuslink: link signature does not match")
	ErrExpired   = errors.New("statuslink: link expired")
)

// Contact says which of the ticket's addresses a link stands for.
type Contact string

// Contacts.
const (
	ContactEmail Contact = "e"
	ContactPhone Contact = "p"
)

// Claims are what a link grants.
type Claims struct {
	TrackingNumber string
	Contact        Contact
	Expires        time.Time
}

// MaxTokenLen bounds what Parse reads; real tokens are under 100 bytes.
const MaxTokenLen = 512

const (
	version = "v1"
	macLen  = 16
	domain  = "tanggap/statuslink/v1\x00"
)

// Signer makes and checks links. Safe for concurrent use.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// New returns a signer whose links live ttl (default 30 days). The secret
// must have at least 32 bytes.
func New(secret []byte, ttl time.Duration) (*Signer, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("statuslink: the secret must have at least 32 bytes")
	}
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &Signer{key: append([]byte(nil), secret...), ttl: ttl, now: time.Now}, nil
}

// WithClock returns a copy of s reading the time from now (tests).
func (s *Signer) WithClock(now func() time.Time) *Signer {
	c := *s
	c.now = now
	return &c
}

// TTL is how long new links live.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Sign returns a token for the ticket and contact, expiring after the TTL.
func (s *Signer) Sign(trackingNumber string, c Contact) (string, error) {
	return s.SignClaims(Claims{TrackingNumber: trackingNumber, Contact: c, Expires: s.now().Add(s.ttl)})
}

// SignClaims returns a token for c as given.
func (s *Signer) SignClaims(c Claims) (string, error) {
	if err := checkClaims(c.TrackingNumber, c.Contact); err != nil {
		return "", err
	}
	payload := c.TrackingNumber + "~" + string(c.Contact) + "~" + strconv.FormatInt(c.Expires.Unix(), 10)
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return version + "." + p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p)), nil
}

// Verify checks token and returns its claims: ErrMalformed for something
// that is no token, ErrForged for a wrong signature, ErrExpired for a
// genuine link past its time.
func (s *Signer) Verify(token string) (Claims, error) {
	c, p, mac, err := parse(token)
	if err != nil {
		return Claims{}, err
	}
	if !hmac.Equal(mac, s.mac(p)) {
		return Claims{}, ErrForged
	}
	if !s.now().Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}

// Parse reads a token's claims without checking its signature (for fuzzing
// and diagnostics; never trust its answer).
func Parse(token string) (Claims, error) {
	c, _, _, err := parse(token)
	return c, err
}

func parse(token string) (c Claims, payloadPart string, mac []byte, err error) {
	if len(token) == 0 || len(token) > MaxTokenLen {
		return Claims{}, "", nil, ErrMalformed
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != version {
		return Claims{}, "", nil, ErrMalformed
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return Claims{}, "", nil, ErrMalformed
	}
	mac, err = b64.DecodeString(parts[2])
	if err != nil || len(mac) != macLen {
		return Claims{}, "", nil, ErrMalformed
	}
	fields := strings.Split(string(raw), "~")
	if len(fields) != 3 {
		return Claims{}, "", nil, ErrMalformed
	}
	if checkClaims(fields[0], Contact(fields[1])) != nil {
		return Claims{}, "", nil, ErrMalformed
	}
	exp, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || exp <= 0 || exp > 1<<40 || strconv.FormatInt(exp, 10) != fields[2] {
		return Claims{}, "", nil, ErrMalformed
	}
	return Claims{TrackingNumber: fields[0], Contact: Contact(fields[1]), Expires: time.Unix(exp, 0).UTC()}, parts[1], mac, nil
}

// checkClaims keeps tracking numbers to digits and dashes (what the
// tracking package hands out) and contacts to the known kinds.
func checkClaims(tn string, c Contact) error {
	if tn == "" || len(tn) > 40 {
		return ErrMalformed
	}
	for _, r := range tn {
		if (r < '0' || r > '9') && r != '-' {
			return ErrMalformed
		}
	}
	if c != ContactEmail && c != ContactPhone {
		return ErrMalformed
	}
	return nil
}

func (s *Signer) mac(payloadPart string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(domain))
	h.Write([]byte(payloadPart))
	return h.Sum(nil)[:macLen]
}

// LoadSecret returns the configured secret (at least 32 characters), or
// one generated once and kept in dataDir/statuslink.secret, so links stay
// valid across restarts. Several instances must share a configured one.
func LoadSecret(configured, dataDir string) ([]byte, error) {
	return kept.Load(configured, "STATUS_LINK_SECRET", dataDir, "statuslink.secret")
}

// b64 rejects non-canonical encodings, so one link has one spelling.
var b64 = base64.RawURLEncoding.Strict()
