package livechat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"tanggap/internal/secret"
)

// ErrBadToken: a token the server did not sign.
var ErrBadToken = errors.New("livechat: bad visitor token")

// signer issues and checks the values the server hands to widgets: visitor
// tokens, upload signatures, download links. All are HMAC-SHA256 under one
// server secret, each with its own purpose prefix so a signature made for
// one use never verifies for another.
type signer struct{ secret []byte }

func (s signer) mac(purpose string, parts ...string) string {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte(purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func (s signer) check(sig, purpose string, parts ...string) bool {
	return hmac.Equal([]byte(sig), []byte(s.mac(purpose, parts...)))
}

// newVisitorID is 128 random bits: unguessable on its own, and useless
// without the server's signature anyway.
func newVisitorID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("livechat: visitor id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// token is "<visitor id>.<signature>".
func (s signer) token(visitorID string) string {
	return visitorID + "." + s.mac("visitor", visitorID)
}

// visitor returns the id a token names, if the server signed it.
func (s signer) visitor(token string) (string, error) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) != 32 || !isHex(id) || !s.check(sig, "visitor", id) {
		return "", ErrBadToken
	}
	return id, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// LoadSecret returns the configured secret, or the one kept in
// dataDir/livechat.secret, creating it (random, mode 0600) on first use so
// a local run works without configuration. Several instances must share
// the secret: set LIVECHAT_SECRET (or _FILE) for them.
func LoadSecret(configured, dataDir string) ([]byte, error) {
	return secret.Load(configured, "LIVECHAT_SECRET", dataDir, "livechat.secret")
}
