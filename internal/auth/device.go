package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// A known device is a browser that signed in to an account before: a
// successful sign-in sets a cookie, signed with the device key, naming the
// account and a random device id. Failures of other browsers do not lock
// a known device out of its account; its own failures count on their own.

// DeviceCookie is a device cookie to set after a successful sign-in.
type DeviceCookie struct {
	Name    string
	Value   string
	Expires time.Time
}

// devicePrefix begins every device cookie's name; the rest is derived from
// the account, so one browser can be a known device of several accounts.
const devicePrefix = "tanggap_dev_"

// normalEmail is the account key of an email as typed.
func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (s *Service) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.deviceKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// DeviceCookieName is the name of the device cookie of the account email
// ("" when devices are off: no key).
func (s *Service) DeviceCookieName(email string) string {
	if len(s.deviceKey) == 0 {
		return ""
	}
	return devicePrefix + hex.EncodeToString(s.mac("name", normalEmail(email))[:8])
}

// knownDevice returns the device id the cookie value proves for email
// ("" when it proves nothing: absent, forged, another account's, expired).
func (s *Service) knownDevice(email, value string) string {
	if len(s.deviceKey) == 0 || value == "" || len(value) > 256 {
		return ""
	}
	id, rest, ok := strings.Cut(value, ".")
	if !ok {
		return ""
	}
	exp, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return ""
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac("device", normalEmail(email), id, exp)) {
		return ""
	}
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || time.Now().Unix() > until {
		return ""
	}
	return id
}

// deviceCookie signs id as a known device of email until exp.
func (s *Service) deviceCookie(email, id string, now time.Time) DeviceCookie {
	if id == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // never fails (Go 1.24)
		id = base64.RawURLEncoding.EncodeToString(b[:])
	}
	until := now.Add(s.deviceTTL)
	exp := strconv.FormatInt(until.Unix(), 10)
	return DeviceCookie{Name: s.DeviceCookieName(email), Value: id + "." + exp + "." + hex.EncodeToString(s.mac("device", normalEmail(email), id, exp)),
		Expires: until}
}

// KnownDevice reports whether the cookie value proves a known device of
// the account email.
func (s *Service) KnownDevice(email, value string) bool {
	return s.knownDevice(normalEmail(email), value) != ""
}
