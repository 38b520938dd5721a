package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/testenv"
)

// TestSignInLimitSparesTheOwnersKnownDevice: someone guessing an account's
// password locks it for unknown browsers, even with the right password,
// with a growing wait; the owner's browser that signed in before still
// signs in; its own failures count on their own.
func TestSignInLimitSparesTheOwnersKnownDevice(t *testing.T) {
	d := testenv.DB(t)
	log := testenv.Logger(t)
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	ctx := context.Background()
	if _, err := agents.Create(ctx, agent.NewAgent{Email: "rina@example.go.id", Name: "Rina", Password: "kata-sandi-rina"}); err != nil {
		t.Fatal(err)
	}
	s := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log,
		Throttle: auth.Throttle{Free: 3, Backoff: time.Hour, MaxBackoff: 4 * time.Hour}, DeviceKey: []byte("kunci-perangkat-uji-0123456789ab")})

	// The owner signs in once from their browser: it becomes known.
	in, err := s.SignIn(ctx, "rina@example.go.id", "kata-sandi-rina", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Device.Name != s.DeviceCookieName("Rina@Example.go.id ") || in.Device.Value == "" || !in.Device.Expires.After(time.Now().Add(80*24*time.Hour)) {
		t.Fatalf("device cookie %+v", in.Device)
	}
	owner := in.Device.Value

	// Someone else guesses.
	for i := range 3 {
		if _, err := s.SignIn(ctx, "rina@example.go.id", "tebakan", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	// Locked for unknown browsers, whatever the password.
	for _, pw := range []string{"tebakan", "kata-sandi-rina"} {
		_, err := s.SignIn(ctx, "rina@example.go.id", pw, "")
		var te *auth.ThrottledError
		if !errors.As(err, &te) || !errors.Is(err, auth.ErrThrottled) || te.RetryAfter <= 59*time.Minute {
			t.Fatalf("locked account, password %q: %v", pw, err)
		}
	}
	// A forged or another account's cookie is no known device.
	for _, cookie := range []string{owner + "x", "abc.9999999999.00", ""} {
		if _, err := s.SignIn(ctx, "rina@example.go.id", "kata-sandi-rina", cookie); !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("cookie %q let a locked account in: %v", cookie, err)
		}
	}
	if _, err := s.SignIn(ctx, "budi@example.go.id", "x", owner); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("another account with Rina's cookie: %v", err)
	}
	// The owner's browser still signs in.
	again, err := s.SignIn(ctx, "rina@example.go.id", "kata-sandi-rina", owner)
	if err != nil {
		t.Fatalf("owner's known device locked out: %v", err)
	}
	if again.Device.Value == "" {
		t.Fatal("known device cookie not renewed")
	}
	// The known device's own failures are limited too, on their own.
	for range 3 {
		if _, err := s.SignIn(ctx, "rina@example.go.id", "salah-ketik", owner); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("owner's typo: %v", err)
		}
	}
	if _, err := s.SignIn(ctx, "rina@example.go.id", "kata-sandi-rina", owner); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("a known device that keeps failing is not limited: %v", err)
	}
}

// TestParallelGuessesCountBeforeTheyPass: twenty wrong passwords sent at
// once get no more password checks than the free failures: the check and
// the count are one step, so they cannot all pass before one is counted.
func TestParallelGuessesCountBeforeTheyPass(t *testing.T) {
	d := testenv.DB(t)
	log := testenv.Logger(t)
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	ctx := context.Background()
	if _, err := agents.Create(ctx, agent.NewAgent{Email: "dewi@example.go.id", Name: "Dewi", Password: "kata-sandi-dewi"}); err != nil {
		t.Fatal(err)
	}
	const free = 5
	s := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log,
		Throttle: auth.Throttle{Free: free, Backoff: time.Hour, MaxBackoff: 4 * time.Hour}})
	start := make(chan struct{})
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.SignIn(ctx, "dewi@example.go.id", "tebakan", "")
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	checked, throttled := 0, 0
	for err := range errs {
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			checked++
		case errors.Is(err, auth.ErrThrottled):
			throttled++
		default:
			t.Fatalf("guess: %v", err)
		}
	}
	if checked > free || checked+throttled != 20 {
		t.Fatalf("%d of 20 parallel guesses had their password checked (free: %d), %d throttled", checked, free, throttled)
	}
	// The free failures are spent: locked, even for the right password.
	if _, err := s.SignIn(ctx, "dewi@example.go.id", "kata-sandi-dewi", ""); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("after the parallel guesses: %v", err)
	}
}
