package agent_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

func newService(t *testing.T) *agent.Service {
	t.Helper()
	return agent.New(agent.Opts{DB: testenv.DB(t), Log: testenv.Logger(t), BcryptCost: 4})
}

func TestCreateAndAuthenticate(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	a, err := s.Create(ctx, agent.NewAgent{Email: " Rina@Example.GO.ID ", Name: "Rina", Password: "kata-sandi-rina"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "rina@example.go.id" || a.Role != domain.RoleAgent || a.Presence != domain.PresenceOffline || a.Capacity != 10 {
		t.Fatalf("created %+v", a)
	}
	if _, err := s.Create(ctx, agent.NewAgent{Email: "rina@example.go.id", Name: "Rina 2", Password: "kata-sandi-rina"}); !errors.Is(err, agent.ErrEmailTaken) {
		t.Fatalf("duplicate email: %v", err)
	}
	got, err := s.Authenticate(ctx, "RINA@example.go.id", "kata-sandi-rina")
	if err != nil || got.ID != a.ID {
		t.Fatalf("authenticate: %v %+v", err, got)
	}
	for _, c := range []struct{ email, pw string }{{"rina@example.go.id", "salah"}, {"nobody@example.go.id", "kata-sandi-rina"}} {
		if _, err := s.Authenticate(ctx, c.email, c.pw); !errors.Is(err, agent.ErrNotFound) {
			t.Errorf("%s/%s: %v", c.email, c.pw, err)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	s := newService(t)
	_, err := s.Create(context.Background(), agent.NewAgent{Email: "nope", Password: "short", Role: "king", Capacity: -1})
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError, got %v", err)
	}
	for _, f := range []string{"email", "name", "password", "role", "capacity"} {
		if !ve.Has(f) {
			t.Errorf("no problem reported for %s", f)
		}
	}
}

func TestEnsureAdminOnceAcrossInstances(t *testing.T) {
	cfg := testenv.DBConfig(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		s := agent.New(agent.Opts{DB: testenv.OpenDB(t, cfg), Log: testenv.Logger(t), BcryptCost: 4})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.EnsureAdmin(ctx, "admin@example.go.id", "rahasia-admin-1", nil)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := agent.New(agent.Opts{DB: testenv.OpenDB(t, cfg), Log: testenv.Logger(t)})
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].Role != domain.RoleAdmin {
		t.Fatalf("agents after concurrent starts: %v %+v", err, list)
	}
	// A later start with another password does not reset it.
	if err := s.EnsureAdmin(ctx, "admin@example.go.id", "another-password-2", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "admin@example.go.id", "rahasia-admin-1"); err != nil {
		t.Fatalf("first password no longer works: %v", err)
	}
}

func TestSetPresence(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	a, _ := s.Create(ctx, agent.NewAgent{Email: "a@b.id", Name: "A", Password: "kata-sandi-aa"})
	if got, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); err != nil || got.Presence != domain.PresenceOnline {
		t.Fatalf("%v %+v", err, got)
	}
	if _, err := s.SetPresence(ctx, a.ID, "sleeping"); !errors.Is(err, agent.ErrInvalidPresence) {
		t.Fatalf("invalid presence: %v", err)
	}
	if _, err := s.SetPresence(ctx, 99999, domain.PresenceOnline); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("unknown agent: %v", err)
	}
}

// A deactivated account goes offline and stays there: no presence change
// (a supervisor's on the wallboard included) brings it back to work.
func TestDeactivatedAccountStaysOffline(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	a, _ := s.Create(ctx, agent.NewAgent{Email: "d@b.id", Name: "D", Password: "kata-sandi-dd"})
	if err := s.SetActive(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SetPresence(ctx, a.ID, domain.PresenceOffline); err != nil || got.Presence != domain.PresenceOffline {
		t.Fatalf("offline: %v %+v", err, got)
	}
	if _, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("a deactivated account set online: %v", err)
	}
	if err := s.SetActive(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetPresence(ctx, a.ID, domain.PresenceOnline); err != nil {
		t.Fatalf("reactivated: %v", err)
	}
}
