package csat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// A survey token is the survey's id and expiry, signed:
//
//	base64url(id uint64 BE ‖ expires unix seconds uint64 BE) "." base64url(HMAC-SHA256(key, payload)[:16])
//
// 45 characters. The MAC's 128 bits make it unguessable; nothing of it is
// stored, so the same survey always has the same link (notify may ask for
// it more than once) and a leaked database holds no usable link.

const (
	payloadLen = 16
	macLen     = 16
	// MaxTokenLen bounds what the parsers read.
	MaxTokenLen = 64
)

// tokenKey derives the survey-link key from the deployment secret, so the
// links of this feature cannot be confused with any other signed value.
func tokenKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("tanggap csat survey link v1"))
	return m.Sum(nil)
}

func (s *Service) sign(surveyID int64, expires time.Time) string {
	var p [payloadLen]byte
	binary.BigEndian.PutUint64(p[:8], uint64(surveyID))
	binary.BigEndian.PutUint64(p[8:], uint64(expires.Unix()))
	m := hmac.New(sha256.New, s.key)
	m.Write(p[:])
	return base64.RawURLEncoding.EncodeToString(p[:]) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:macLen])
}

// parseToken checks a token's signature and returns the survey id and the
// expiry it carries (expiry not checked here).
func parseToken(key []byte, tok string) (int64, time.Time, error) {
	if len(tok) == 0 || len(tok) > MaxTokenLen {
		return 0, time.Time{}, ErrBadToken
	}
	pb, mb, ok := strings.Cut(tok, ".")
	if !ok {
		return 0, time.Time{}, ErrBadToken
	}
	// Strict: one token has one spelling (no slack in the last character).
	p, err1 := base64.RawURLEncoding.Strict().DecodeString(pb)
	mac, err2 := base64.RawURLEncoding.Strict().DecodeString(mb)
	if err1 != nil || err2 != nil || len(p) != payloadLen || len(mac) != macLen {
		return 0, time.Time{}, ErrBadToken
	}
	m := hmac.New(sha256.New, key)
	m.Write(p)
	if !hmac.Equal(m.Sum(nil)[:macLen], mac) {
		return 0, time.Time{}, ErrBadToken
	}
	id := binary.BigEndian.Uint64(p[:8])
	exp := binary.BigEndian.Uint64(p[8:])
	if id == 0 || id > 1<<62 || exp > 1<<40 {
		return 0, time.Time{}, fmt.Errorf("%w: out of range", ErrBadToken)
	}
	return int64(id), time.Unix(int64(exp), 0).UTC(), nil
}
