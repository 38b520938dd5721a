package livechat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	if configured != "" {
		if len(configured) < 32 {
			return nil, fmt.Errorf("livechat: LIVECHAT_SECRET must have at least 32 characters")
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, "livechat.secret")
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 32 {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("livechat: %s is too short; delete it to make a new one", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("livechat: read secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("livechat: secret: %w", err)
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("livechat: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadSecret("", dataDir) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("livechat: write secret: %w", err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("livechat: write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("livechat: write secret: %w", err)
	}
	return []byte(secret), nil
}
