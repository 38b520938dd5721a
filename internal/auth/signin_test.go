package auth_test

import (
	"context"
	"errors"
	"fmt"
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

// fakeClock is the clock both instances of a test share.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// guessInParallel sends n sign-ins at once, alternating between the
// services, and counts those whose password was checked and those refused
// by a limit.
func guessInParallel(t *testing.T, svcs []*auth.Service, n int, email func(i int) string, addr string) (checked, throttled int) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svcs[i%len(svcs)].SignInFrom(context.Background(), email(i), "tebakan", "", addr)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
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
	return checked, throttled
}

// TestTwoInstancesShareTheSignInLimit: two instances on one database
// (two connection pools, as behind a load balancer) count the same
// attempts: twenty wrong passwords at once across both get no more checks
// than the free failures in total, and the right password is refused
// until the lock has passed on the shared clock.
func TestTwoInstancesShareTheSignInLimit(t *testing.T) {
	cfg := testenv.DBConfig(t)
	log := testenv.Logger(t)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	const free = 5
	var svcs []*auth.Service
	for range 2 {
		d := testenv.OpenDB(t, cfg)
		agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
		svcs = append(svcs, auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log, Now: clk.Now,
			Throttle: auth.Throttle{Free: free, Backoff: time.Minute, MaxBackoff: time.Hour}}))
		if len(svcs) == 1 {
			if _, err := agents.Create(context.Background(), agent.NewAgent{Email: "sari@example.go.id", Name: "Sari", Password: "kata-sandi-sari"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	checked, throttled := guessInParallel(t, svcs, 20, func(int) string { return "sari@example.go.id" }, "")
	if checked > free || checked+throttled != 20 {
		t.Fatalf("%d of 20 parallel guesses on two instances had their password checked (free: %d), %d throttled", checked, free, throttled)
	}
	t.Logf("two instances: %d checked, %d throttled", checked, throttled)
	for _, s := range svcs {
		_, err := s.SignIn(context.Background(), "sari@example.go.id", "kata-sandi-sari", "")
		var te *auth.ThrottledError
		if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > time.Minute {
			t.Fatalf("right password during the lock: %v", err)
		}
	}
	clk.Add(time.Minute - time.Millisecond)
	if _, err := svcs[1].SignIn(context.Background(), "sari@example.go.id", "kata-sandi-sari", ""); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("right password a moment before the lock ends: %v", err)
	}
	clk.Add(time.Millisecond)
	if _, err := svcs[1].SignIn(context.Background(), "sari@example.go.id", "kata-sandi-sari", ""); err != nil {
		t.Fatalf("right password after the lock: %v", err)
	}
	// The success cleared the account's count on both instances.
	if _, err := svcs[0].SignIn(context.Background(), "sari@example.go.id", "tebakan", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("after a success: %v", err)
	}
}

// TestTwoInstancesShareTheAddressLimit: guesses at many accounts from one
// address, spread over two instances, get no more checks in total than
// the address's failures per minute; a known device there is exempt;
// the next minute opens again.
func TestTwoInstancesShareTheAddressLimit(t *testing.T) {
	cfg := testenv.DBConfig(t)
	log := testenv.Logger(t)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	const perMinute = 6
	key := []byte("kunci-perangkat-uji-0123456789ab")
	var svcs []*auth.Service
	for range 2 {
		d := testenv.OpenDB(t, cfg)
		agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
		svcs = append(svcs, auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log, Now: clk.Now, DeviceKey: key,
			Throttle: auth.Throttle{Free: 100, Backoff: time.Minute, MaxBackoff: time.Hour}, AddressFailuresPerMinute: perMinute}))
		if len(svcs) == 1 {
			if _, err := agents.Create(context.Background(), agent.NewAgent{Email: "tono@example.go.id", Name: "Tono", Password: "kata-sandi-tono"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := context.Background()
	owner, err := svcs[0].SignInFrom(ctx, "tono@example.go.id", "kata-sandi-tono", "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	checked, throttled := guessInParallel(t, svcs, 24, func(i int) string { return fmt.Sprintf("tebak%d@example.go.id", i) }, "198.51.100.7")
	if checked > perMinute || checked+throttled != 24 {
		t.Fatalf("%d of 24 parallel guesses from one address had their password checked (per minute: %d), %d throttled", checked, perMinute, throttled)
	}
	if _, err := svcs[1].SignInFrom(ctx, "tono@example.go.id", "kata-sandi-tono", "", "198.51.100.7"); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("unknown browser at a locked address: %v", err)
	}
	if _, err := svcs[1].SignInFrom(ctx, "tono@example.go.id", "kata-sandi-tono", owner.Device.Value, "198.51.100.7"); err != nil {
		t.Fatalf("known device at a locked address: %v", err)
	}
	if _, err := svcs[1].SignInFrom(ctx, "tono@example.go.id", "kata-sandi-tono", "", "198.51.100.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	clk.Add(time.Minute)
	if _, err := svcs[1].SignInFrom(ctx, "tono@example.go.id", "kata-sandi-tono", "", "198.51.100.7"); err != nil {
		t.Fatalf("the next minute: %v", err)
	}
}
