package auth_test

import (
	"context"
	"errors"
	"strings"
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

// TestAuthenticateMany: a console gateway checks all its sessions in one
// call; live ones map to their agent (queues included), ended, expired
// and malformed ones are absent, and a token listed twice is answered once.
func TestAuthenticateMany(t *testing.T) {
	d := testenv.DB(t)
	log := testenv.Logger(t)
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	ctx := context.Background()
	for _, e := range []string{"rina@example.go.id", "tono@example.go.id"} {
		if _, err := agents.Create(ctx, agent.NewAgent{Email: e, Name: e[:4], Password: "kata-sandi-panjang"}); err != nil {
			t.Fatal(err)
		}
	}
	s := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log})
	login := func(email string) auth.Session {
		t.Helper()
		sess, err := s.Login(ctx, email, "kata-sandi-panjang")
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	rina, rina2, tono, gone := login("rina@example.go.id"), login("rina@example.go.id"), login("tono@example.go.id"), login("tono@example.go.id")
	if err := s.Logout(ctx, gone.Token); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuthenticateMany(ctx, []string{rina.Token, rina2.Token, tono.Token, gone.Token, "", "x", rina.Token})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[rina.Token].ID != rina.Agent.ID || got[rina2.Token].ID != rina.Agent.ID || got[tono.Token].ID != tono.Agent.ID {
		t.Fatalf("AuthenticateMany = %+v", got)
	}
	if _, ok := got[gone.Token]; ok {
		t.Fatal("a logged-out session was answered as live")
	}
	if none, err := s.AuthenticateMany(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no tokens: %v %v", none, err)
	}
}

// TestSessionLookupsUseTheTokenIndex: every request and every console
// heartbeat finds sessions by their token's hash through its unique index.
func TestSessionLookupsUseTheTokenIndex(t *testing.T) {
	d := testenv.DB(t)
	for _, q := range []string{
		`SELECT agent_id FROM sessions WHERE token_hash = 'a' AND expires_at > CURRENT_TIMESTAMP`,
		`SELECT token_hash, agent_id FROM sessions WHERE token_hash IN ('a', 'b') AND expires_at > CURRENT_TIMESTAMP`,
	} {
		plan := testenv.Plan(t, d, q)
		if !strings.Contains(plan, "sessions_token_hash_key") && !strings.Contains(plan, "sqlite_autoindex_sessions") {
			t.Errorf("%s does not use the token index:\n%s", q, plan)
		}
	}
}

// TestConsoleQueriesOn100kRows: with 100,000 agents (1 % online) and
// 100,000 sessions, the statements of every request and every console
// heartbeat (session lookups, the set-based touch and read of agents) and
// of the presence sweep are served by indexes, as the planner really
// chooses them on that data. (The agents' queues are read by
// queue_members_agent_idx: TestHeartbeatStatementsUseIndexes.)
func TestConsoleQueriesOn100kRows(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	const n = 100000
	now := time.Now().UTC()
	if err := d.Exec(`INSERT INTO agents (email, name, password_hash, role, presence, created_at, updated_at, last_seen_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
SELECT 'a' || i || '@example.go.id', 'Petugas ' || i, 'x', 'agent', CASE WHEN i % 100 = 0 THEN 'online' ELSE 'offline' END, ?, ?, ? FROM seq`,
		n, now, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`INSERT INTO sessions (token_hash, agent_id, created_at, expires_at)
SELECT 'h' || id, id, ?, ? FROM agents`, now, now.Add(time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`ANALYZE`).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want string }{
		{`SELECT agent_id FROM sessions WHERE token_hash = 'h5' AND expires_at > CURRENT_TIMESTAMP`, "sessions"},
		{`SELECT token_hash, agent_id FROM sessions WHERE token_hash IN ('h5', 'h6') AND expires_at > CURRENT_TIMESTAMP`, "sessions"},
		{`UPDATE agents SET last_seen_at = CURRENT_TIMESTAMP WHERE id IN (5, 6)`, "agents"},
		{`SELECT id, name FROM agents WHERE id IN (5, 6)`, "agents"},
		{`SELECT id FROM agents WHERE presence = 'online' AND last_seen_at < CURRENT_TIMESTAMP`, "agents_presence_seen_idx"},
	} {
		plan := testenv.PlanOnData(t, d, c.q)
		var ok bool
		switch c.want {
		case "sessions":
			ok = strings.Contains(plan, "sessions_token_hash_key") || strings.Contains(plan, "sqlite_autoindex_sessions")
		case "agents":
			ok = strings.Contains(plan, "agents_pkey") || strings.Contains(plan, "INTEGER PRIMARY KEY")
		default:
			ok = strings.Contains(plan, c.want)
		}
		if !ok || strings.Contains(plan, "Seq Scan") || strings.HasPrefix(plan, "SCAN ") {
			t.Errorf("%s is not served by its index on %d rows:\n%s", c.q, n, plan)
		}
	}
}
