package auth

import (
	"context"
	"errors"
	"time"
)

// SignedIn is a successful sign-in: the session, and the device cookie
// that makes this browser a known device of the account.
type SignedIn struct {
	Session
	Device DeviceCookie
}

// SignIn is Login under the per-account limit. device is the value of the
// request's cookie named DeviceCookieName(email) ("" when none). Failures
// from unknown browsers count against the account; a known device's
// failures count on their own, so an attacker guessing an account's
// password never locks its owner out of a browser they signed in with
// before. A throttled attempt is refused before the password is checked
// (a *ThrottledError), whichever password it carries: the lock says
// nothing about the password.
func (s *Service) SignIn(ctx context.Context, email, password, device string) (SignedIn, error) {
	account := normalEmail(email)
	id := s.knownDevice(account, device)
	key := "account:" + account
	if id != "" {
		key = "device:" + account + ":" + id
	}
	// begin counts this attempt as pending in the same step as the check,
	// so parallel attempts cannot all pass before the first is counted.
	if wait := s.fails.begin(key); wait > 0 {
		return SignedIn{}, &ThrottledError{RetryAfter: wait}
	}
	sess, err := s.Login(ctx, email, password)
	if errors.Is(err, ErrInvalidCredentials) {
		if lock := s.fails.fail(key); lock > 0 && s.log != nil {
			s.log.Warn("sign-in failures: backing off", "known_device", id != "", "lock", lock)
		}
		return SignedIn{}, err
	}
	if err != nil {
		s.fails.release(key)
		return SignedIn{}, err
	}
	s.fails.clear(key)
	out := SignedIn{Session: sess}
	if len(s.deviceKey) > 0 {
		out.Device = s.deviceCookie(account, id, time.Now())
	}
	return out, nil
}
