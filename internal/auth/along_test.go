package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// A read sent along with the session (AuthenticateAlong) is built for the
// agent the session had on this instance's last request, yet the session
// is read every time: two instances (two pools on one database), a queue
// change and a sign-out on A hold on B's very next call.
func TestAuthenticateAlongReadsTheSessionEveryTime(t *testing.T) {
	cfg := testenv.DBConfig(t)
	log := testenv.Logger(t)
	ctx := context.Background()
	type inst struct {
		d      *db.DB
		agents *agent.Service
		auth   *auth.Service
	}
	var is []inst
	for range 2 {
		d := testenv.OpenDB(t, cfg)
		agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
		is = append(is, inst{d, agents, auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log})})
	}
	a, b := is[0], is[1]
	rina, err := a.agents.Create(ctx, agent.NewAgent{Email: "rina@example.go.id", Name: "Rina", Password: "kata-sandi-rina"})
	if err != nil {
		t.Fatal(err)
	}
	var q1, q2 int64
	for i, code := range []string{"q1", "q2"} {
		if err := a.d.Exec(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?)`, code, code, time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		id := &q1
		if i == 1 {
			id = &q2
		}
		if err := a.d.Raw(`SELECT id FROM queues WHERE code = ?`, code).Scan(id).Error; err != nil {
			t.Fatal(err)
		}
		if err := a.d.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, *id, rina.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	sess, err := a.auth.Login(ctx, "rina@example.go.id", "kata-sandi-rina")
	if err != nil {
		t.Fatal(err)
	}

	// along asks B for the session with a read of the id of the agent it is
	// built for; it returns what the read gave and who it was built for.
	along := func() (agent.Agent, agent.Agent, bool, int64, error) {
		t.Helper()
		var got int64
		now, built, read, err := b.auth.AuthenticateAlong(ctx, sess.Token, func(last agent.Agent) (db.Read, error) {
			return db.Read{SQL: `SELECT CAST(? AS BIGINT)`, Args: []any{last.ID}, Scan: func(rows db.Rows) error {
				for rows.Next() {
					if err := rows.Scan(&got); err != nil {
						return err
					}
				}
				return nil
			}}, nil
		})
		return now, built, read, got, err
	}
	if now, _, read, _, err := along(); err != nil || read || now.ID != rina.ID || !slices.Equal(now.QueueIDs, []int64{q1, q2}) {
		t.Fatalf("first call on B: %v, read along %v, agent %d queues %v", err, read, now.ID, now.QueueIDs)
	}
	now, built, read, got, err := along()
	if err != nil || !read || got != rina.ID || built.ID != rina.ID || now.ID != rina.ID {
		t.Fatalf("second call on B: %v, read along %v (gave %d for %d)", err, read, got, built.ID)
	}

	// Out of q1 on A: B's next call returns the new queues beside the
	// last ones the read was built for.
	if err := a.d.Exec(`DELETE FROM queue_members WHERE queue_id = ? AND agent_id = ?`, q1, rina.ID).Error; err != nil {
		t.Fatal(err)
	}
	now, built, read, _, err = along()
	if err != nil || !read || !slices.Equal(built.QueueIDs, []int64{q1, q2}) || !slices.Equal(now.QueueIDs, []int64{q2}) {
		t.Fatalf("after leaving q1 on A: %v, read along %v, built for %v, now %v", err, read, built.QueueIDs, now.QueueIDs)
	}

	// Signed out on A: B refuses the next call, though it remembers the
	// session's agent.
	if err := a.auth.Logout(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := along(); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("after logout on A: %v", err)
	}
}
