package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
)

// signIn posts credentials with the given cookies and returns the
// status, the Retry-After header and the cookies set.
func signIn(t *testing.T, base, email, password string, cookies []*http.Cookie) (int, string, []*http.Cookie) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After"), res.Cookies()
}

func deviceCookies(all []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range all {
		if strings.HasPrefix(c.Name, "tanggap_dev_") {
			out = append(out, c)
		}
	}
	return out
}

// TestSignInLimits: per address only failures count and a known device is
// exempt; per account, guessing locks unknown browsers out (429 with
// Retry-After), never the owner's known device.
func TestSignInLimits(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.Login.AddressFailuresPerMinute = 4
	cfg.Login.AccountFreeFailures = 2
	cfg.Login.AccountBackoff = time.Hour
	cfg.Login.AccountMaxBackoff = time.Hour
	base := apptest.Start(t, cfg).URL()
	admin, pw := apptest.AdminEmail, apptest.AdminPassword

	// Successes do not use the address budget up.
	var device []*http.Cookie
	for range 6 {
		status, _, set := signIn(t, base, admin, pw, nil)
		if status != http.StatusOK {
			t.Fatalf("sign-in: %d", status)
		}
		device = deviceCookies(set)
	}
	if len(device) != 1 || !device[0].HttpOnly || device[0].Path != "/api/v1/auth/login" {
		t.Fatalf("device cookie %+v", device)
	}

	// Someone guesses the admin's password: after two failures the
	// account is locked for unknown browsers, right password or not.
	for range 2 {
		if status, _, _ := signIn(t, base, admin, "tebakan", nil); status != http.StatusUnauthorized {
			t.Fatalf("guess: %d", status)
		}
	}
	status, retry, _ := signIn(t, base, admin, pw, nil)
	if status != http.StatusTooManyRequests || retry == "" || retry == "0" {
		t.Fatalf("locked account from an unknown browser: %d, Retry-After %q", status, retry)
	}
	// The owner's browser is not locked out.
	if status, _, _ := signIn(t, base, admin, pw, device); status != http.StatusOK {
		t.Fatalf("owner's known device: %d", status)
	}

	// The address has used its failure budget (2 guesses, 1 locked
	// attempt, then 1 more): unknown browsers from it wait...
	signIn(t, base, "siapa@tanggap.test", "x", nil)
	if status, _, _ := signIn(t, base, "siapa@tanggap.test", "x", nil); status != http.StatusTooManyRequests {
		t.Fatalf("address over its failure budget: %d", status)
	}
	// ...a known device of its account does not.
	if status, _, _ := signIn(t, base, admin, pw, device); status != http.StatusOK {
		t.Fatalf("known device behind a limited address: %d", status)
	}
}
