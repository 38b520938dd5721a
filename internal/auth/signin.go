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

// SignIn is SignInFrom without the per-address limit.
func (s *Service) SignIn(ctx context.Context, email, password, device string) (SignedIn, error) {
	return s.SignInFrom(ctx, email, password, device, "")
}

// SignInFrom is Login under the sign-in limits. device is the value of the
// request's cookie named DeviceCookieName(email) ("" when none); addr is
// the client's address ("": not limited by address).
//
// Failures from unknown browsers count against the account; a known
// device's failures count on their own, so an attacker guessing an
// account's password never locks its owner out of a browser they signed
// in with before. Failures from unknown browsers also count against their
// address (a known device is exempt, so agents behind one office address
// are not locked out by someone else's guessing there). A throttled
// attempt is refused before the password is checked (a *ThrottledError),
// whichever password it carries: the lock says nothing about the
// password. The limits are kept in the database (failures.go), so every
// instance behind a load balancer counts the same attempts.
func (s *Service) SignInFrom(ctx context.Context, email, password, device, addr string) (SignedIn, error) {
	account := normalEmail(email)
	id := s.knownDevice(account, device)
	key := "account:" + account
	if id != "" {
		key = "device:" + account + ":" + id
	}
	var byAddr *attempt
	if addr != "" && id == "" && s.address.Free > 0 {
		a, wait, err := s.fails.begin(ctx, "address:"+addr, s.address)
		if err != nil {
			return SignedIn{}, err
		}
		if wait > 0 {
			return SignedIn{}, &ThrottledError{RetryAfter: wait}
		}
		byAddr = &a
	}
	// begin counts this attempt in the same step as the check, so
	// parallel attempts cannot all pass before the first is counted.
	acc, wait, err := s.fails.begin(ctx, key, s.account)
	if err != nil {
		s.giveBack(ctx, byAddr) // not checked: it costs the address nothing
		return SignedIn{}, err
	}
	if wait > 0 {
		// A try at a locked account counts against the address, as a
		// failure does: an address that keeps trying is held back.
		return SignedIn{}, &ThrottledError{RetryAfter: wait}
	}
	sess, err := s.Login(ctx, email, password)
	if errors.Is(err, ErrInvalidCredentials) {
		if acc.lock > 0 && s.log != nil {
			s.log.Warn("sign-in failures: backing off", "known_device", id != "", "lock", acc.lock)
		}
		return SignedIn{}, err
	}
	if err != nil {
		s.giveBack(ctx, &acc)
		s.giveBack(ctx, byAddr)
		return SignedIn{}, err
	}
	// Only failures count against an address; a success clears the
	// account's count.
	s.giveBack(ctx, byAddr)
	if err := s.fails.clear(ctx, acc); err != nil && s.log != nil {
		s.log.Warn("sign-in failures: clear", "err", err)
	}
	out := SignedIn{Session: sess}
	if len(s.deviceKey) > 0 {
		out.Device = s.deviceCookie(account, id, time.Now())
	}
	return out, nil
}

// giveBack releases a counted attempt (nil: none). It runs even when the
// request's context is done, since a cancelled check was not a failure.
func (s *Service) giveBack(ctx context.Context, a *attempt) {
	if a == nil {
		return
	}
	if err := s.fails.release(context.WithoutCancel(ctx), *a); err != nil && s.log != nil {
		s.log.Warn("sign-in failures: release", "err", err)
	}
}

// PurgeSignInFailures deletes the sign-in failures that no longer count
// (each instance also does so every few hundred writes) and says how many.
func (s *Service) PurgeSignInFailures(ctx context.Context) (int64, error) {
	return s.fails.purge(ctx)
}
