package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Login throttles console sign-ins (LOGIN_*). Failures count per client
// address and per account; an account's owner signing in from a browser
// that signed in to that account before (a signed device cookie) is not
// held back by the failures of others.
type Login struct {
	// AddressFailuresPerMinute bounds failed sign-ins per client address
	// (0: no limit). Behind a load balancer set TRUSTED_PROXIES, or every
	// agent shares the balancer's address.
	AddressFailuresPerMinute int
	// AccountFreeFailures is how many failed sign-ins an account takes
	// before each further one locks it for AccountBackoff, doubling up to
	// AccountMaxBackoff (for browsers that are not a known device).
	AccountFreeFailures int
	AccountBackoff      time.Duration
	AccountMaxBackoff   time.Duration
	// DeviceTTL is how long a browser stays a known device of an account
	// after a successful sign-in.
	DeviceTTL time.Duration
	// DeviceSecret signs device cookies (empty: derived from the live
	// chat secret; several instances must share it either way).
	DeviceSecret string
}

func defaultLogin() Login {
	return Login{AddressFailuresPerMinute: 20, AccountFreeFailures: 5, AccountBackoff: time.Second,
		AccountMaxBackoff: 15 * time.Minute, DeviceTTL: 90 * 24 * time.Hour}
}

// parseHardening reads LOGIN_* and VOICE_CALLBACK_TARGETS, adding
// problems to p.
func parseHardening(get func(string) string, secret func(string) string, c *Config, p *Problems) {
	l := &c.Login
	intVar := func(name string, dst *int, lo, hi int) {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			*p = append(*p, fmt.Sprintf("%s: %q must be a whole number from %d to %d", name, v, lo, hi))
			return
		}
		*dst = n
	}
	durVar := func(name string, dst *time.Duration, lo, hi time.Duration) {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			*p = append(*p, fmt.Sprintf("%s: %q must be a duration from %s to %s", name, v, lo, hi))
			return
		}
		*dst = d
	}
	intVar("LOGIN_ADDRESS_FAILURES_PER_MINUTE", &l.AddressFailuresPerMinute, 0, 100000)
	intVar("LOGIN_ACCOUNT_FREE_FAILURES", &l.AccountFreeFailures, 1, 1000)
	durVar("LOGIN_ACCOUNT_BACKOFF", &l.AccountBackoff, 100*time.Millisecond, time.Hour)
	durVar("LOGIN_ACCOUNT_MAX_BACKOFF", &l.AccountMaxBackoff, time.Second, 24*time.Hour)
	durVar("LOGIN_DEVICE_TTL", &l.DeviceTTL, time.Hour, 400*24*time.Hour)
	l.DeviceSecret = secret("LOGIN_DEVICE_SECRET")
	if l.DeviceSecret != "" && len(l.DeviceSecret) < 32 {
		*p = append(*p, "LOGIN_DEVICE_SECRET must be at least 32 characters")
	}
	if l.AccountMaxBackoff < l.AccountBackoff {
		*p = append(*p, "LOGIN_ACCOUNT_MAX_BACKOFF must not be shorter than LOGIN_ACCOUNT_BACKOFF")
	}

	if v := strings.TrimSpace(get("VOICE_CALLBACK_TARGETS")); v != "" {
		c.Voice.CallbackTargets = nil
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if !callbackTargetShape(item) {
				*p = append(*p, fmt.Sprintf("VOICE_CALLBACK_TARGETS: %q is neither a number prefix (+62, +6221) nor sip:<host>", item))
				continue
			}
			c.Voice.CallbackTargets = append(c.Voice.CallbackTargets, item)
		}
	}
}

func callbackTargetShape(s string) bool {
	if host, ok := strings.CutPrefix(s, "sip:"); ok {
		return host != "" && !strings.ContainsAny(host, "@;:/ <>\"")
	}
	return len(s) >= 2 && s[0] == '+' && strings.Trim(s[1:], "0123456789") == ""
}
