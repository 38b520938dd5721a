package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/testenv"
)

func TestSessions(t *testing.T) {
	d := testenv.DB(t)
	log := testenv.Logger(t)
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	ctx := context.Background()
	a, err := agents.Create(ctx, agent.NewAgent{Email: "rina@example.go.id", Name: "Rina", Password: "kata-sandi-rina"})
	if err != nil {
		t.Fatal(err)
	}
	s := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log})

	if _, err := s.Login(ctx, "rina@example.go.id", "salah"); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	sess, err := s.Login(ctx, "rina@example.go.id", "kata-sandi-rina")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Token) < 40 || sess.Agent.ID != a.ID {
		t.Fatalf("session %+v", sess)
	}
	var stored string
	if err := d.Raw(`SELECT token_hash FROM sessions`).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored == sess.Token {
		t.Fatal("the token itself is stored; only its hash may be")
	}
	got, err := s.Authenticate(ctx, sess.Token)
	if err != nil || got.ID != a.ID {
		t.Fatalf("authenticate: %v", err)
	}
	for _, bad := range []string{"", "x", sess.Token + "x"} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if err := s.Logout(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("after logout: %v", err)
	}

	// An expired session is refused.
	short := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Millisecond, Log: log})
	exp, err := short.Login(ctx, "rina@example.go.id", "kata-sandi-rina")
	if err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 5*time.Second, 5*time.Millisecond, func() error {
		if _, err := short.Authenticate(ctx, exp.Token); !errors.Is(err, auth.ErrUnauthenticated) {
			return errors.New("expired session still accepted")
		}
		return nil
	})
}
