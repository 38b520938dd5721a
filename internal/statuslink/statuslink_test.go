package statuslink

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestSignVerify(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	s, err := New(secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s = s.WithClock(func() time.Time { return now })
	tok, err := s.Sign("2612-0001-2345", ContactEmail)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte(strings.Repeat("x", 32)), time.Hour)
	later := s.WithClock(func() time.Time { return now.Add(time.Hour) })
	tampered := func(tok string) string {
		// Another tracking number under the original signature.
		parts := strings.Split(tok, ".")
		alt, _ := s.Sign("2612-0001-9999", ContactEmail)
		return parts[0] + "." + strings.Split(alt, ".")[1] + "." + parts[2]
	}
	cases := []struct {
		name   string
		signer *Signer
		token  string
		want   error
	}{
		{"a fresh link opens its ticket", s, tok, nil},
		{"a link past its expiry is refused as expired", later, tok, ErrExpired},
		{"a link signed with another secret is forged", other.WithClock(s.now), tok, ErrForged},
		{"another ticket under the same signature is forged", s, tampered(tok), ErrForged},
		{"a cut token is malformed", s, tok[:len(tok)-3], ErrMalformed},
		{"an empty token is malformed", s, "", ErrMalformed},
		{"an unknown version is malformed", s, "v2" + tok[2:], ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.signer.Verify(tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if tc.want == nil && (c.TrackingNumber != "2612-0001-2345" || c.Contact != ContactEmail || !c.Expires.Equal(now.Add(time.Hour))) {
				t.Fatalf("claims = %+v", c)
			}
		})
	}
}

func TestSignRefusesOddClaims(t *testing.T) {
	s, _ := New(secret, 0)
	for _, tn := range []string{"", "12~3", "abc", strings.Repeat("1", 41)} {
		if _, err := s.Sign(tn, ContactPhone); !errors.Is(err, ErrMalformed) {
			t.Errorf("Sign(%q) = %v, want ErrMalformed", tn, err)
		}
	}
	if _, err := s.Sign("123", Contact("x")); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown contact kind accepted: %v", err)
	}
	if _, err := New([]byte("short"), 0); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestLoadSecretKeepsOne(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadSecret("", dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadSecret("", dir)
	if err != nil || string(a) != string(b) || len(a) < 32 {
		t.Fatalf("second load = %q, %v; first %q", b, err, a)
	}
	if _, err := LoadSecret("too short", dir); err == nil {
		t.Fatal("short configured secret accepted")
	}
}

func FuzzParse(f *testing.F) {
	s, _ := New(secret, time.Hour)
	tok, _ := s.Sign("2612-0001-2345", ContactPhone)
	f.Add(tok)
	f.Add("v1..")
	f.Add("v1.MTIzfnB-MTc.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add(strings.Repeat("v1.", 200))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := Parse(token)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v is not ErrMalformed", err)
			}
			return
		}
		if checkClaims(c.TrackingNumber, c.Contact) != nil || c.Expires.IsZero() {
			t.Fatalf("Parse accepted bad claims %+v", c)
		}
		// Whatever parses must never verify unless its MAC is genuine.
		if _, err := s.Verify(token); err == nil && token != tok {
			t.Fatalf("Verify accepted a token it did not sign: %q", token)
		}
	})
}
