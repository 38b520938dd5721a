package agent_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// TestBySessionExplain: the per-request session read (session, agent,
// role, queues in one statement) is served by primary keys and indexes.
func TestBySessionExplain(t *testing.T) {
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, agent.SessionSQL(d.Dialect), "h", time.Now().UTC())
	want := []string{"sessions_token_hash_key", "agents_pkey", "roles_pkey", "queue_members_agent_idx"}
	if d.Dialect == db.SQLite {
		want = []string{"sqlite_autoindex_sessions_1", "INTEGER PRIMARY KEY", "sqlite_autoindex_roles_1", "queue_members_agent_idx"}
	}
	for _, w := range want {
		if !strings.Contains(plan, w) {
			t.Errorf("plan does not use %s:\n%s", w, plan)
		}
	}
	if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN s\n") {
		t.Errorf("plan scans a table:\n%s", plan)
	}
}

// TestBySession: a live session gives its agent with permissions and
// queues in order; an expired or unknown one, or one whose agent is
// gone, gives ErrNotFound.
func TestBySession(t *testing.T) {
	d := testenv.DB(t)
	ctx := context.Background()
	s := agent.New(agent.Opts{DB: d, Log: testenv.Logger(t), BcryptCost: 4})
	now := time.Now().UTC()
	var q1, q2 int64
	for _, q := range []struct {
		code string
		id   *int64
	}{{"sq2", &q2}, {"sq1", &q1}} {
		if err := d.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`, q.code, q.code, now).Scan(q.id).Error; err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Create(ctx, agent.NewAgent{Email: "sesi@tanggap.test", Name: "Sesi", Password: "password-sesi", Role: domain.RoleAgent, Capacity: 3})
	if err != nil {
		t.Fatal(err)
	}
	lonely, err := s.Create(ctx, agent.NewAgent{Email: "sepi@tanggap.test", Name: "Sepi", Password: "password-sepi", Role: domain.RoleAgent, Capacity: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []int64{q2, q1} {
		if err := d.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, q, a.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	session := func(token string, agentID int64, exp time.Time) string {
		sum := sha256.Sum256([]byte(token))
		h := hex.EncodeToString(sum[:])
		if err := d.Exec(`INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`, h, agentID, now, exp).Error; err != nil {
			t.Fatal(err)
		}
		return h
	}
	live := session("live", a.ID, now.Add(time.Hour))
	expired := session("expired", a.ID, now.Add(-time.Second))
	alone := session("alone", lonely.ID, now.Add(time.Hour))

	got, err := s.BySession(ctx, live, now)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Email != want.Email || got.Role != want.Role || got.RoleLabel != want.RoleLabel ||
		got.Perms.String() != want.Perms.String() || got.Capacity != want.Capacity || !slices.Equal(got.QueueIDs, want.QueueIDs) {
		t.Errorf("BySession = %+v, Get = %+v", got, want)
	}
	if !slices.Equal(got.QueueIDs, []int64{min(q1, q2), max(q1, q2)}) {
		t.Errorf("queues = %v, want both in order", got.QueueIDs)
	}
	if got, err := s.BySession(ctx, alone, now); err != nil || got.ID != lonely.ID || got.QueueIDs == nil || len(got.QueueIDs) != 0 {
		t.Errorf("agent of no queue = %+v, %v; want them with no queues", got, err)
	}
	for name, h := range map[string]string{"expired": expired, "unknown": "0000"} {
		if _, err := s.BySession(ctx, h, now); !errors.Is(err, agent.ErrNotFound) {
			t.Errorf("%s session: %v, want ErrNotFound", name, err)
		}
	}
}
