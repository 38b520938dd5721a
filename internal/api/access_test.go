package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/agent"
	"tanggap/internal/api"
	"tanggap/internal/auth"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/testenv"
)

// lockedBuffer is a log sink the server's goroutines may write to while
// the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(b.buf.Bytes(), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// Every signed-in request is recorded with who made it, what it asked and
// how it ended, a refused one included; a request without a session is
// not an agent's access.
func TestEveryAccessIsRecorded(t *testing.T) {
	ctx := context.Background()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := testenv.DB(t)
	sink := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(sink, nil))
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: bcrypt.MinCost})
	sessions := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log})
	a, err := agents.Create(ctx, agent.NewAgent{Email: "rina@tanggap.test", Name: "Rina", Password: "rahasia-rina-2026", Role: domain.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sessions.Login(ctx, "rina@tanggap.test", "rahasia-rina-2026")
	if err != nil {
		t.Fatal(err)
	}
	app := api.New(api.Opts{Log: log, Locale: cat, Lang: pages.Lang, Auth: sessions, Agents: agents})
	send := func(path, token string) int {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := send("/api/v1/auth/me", s.Token); st != http.StatusOK {
		t.Fatalf("me: %d", st)
	}
	if st := send("/api/v1/agents", s.Token); st != http.StatusForbidden {
		t.Fatalf("an agent lists agents: %d", st)
	}
	if st := send("/api/v1/auth/me", ""); st != http.StatusUnauthorized {
		t.Fatalf("no session: %d", st)
	}
	var seen []map[string]any
	for _, l := range sink.lines(t) {
		if l["msg"] == "access" {
			seen = append(seen, l)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("access lines: %v", seen)
	}
	me, refused := seen[0], seen[1]
	if me["agent_id"] != float64(a.ID) || me["role"] != "agent" || me["path"] != "/api/v1/auth/me" || me["status"] != float64(200) || me["method"] != "GET" {
		t.Errorf("the read: %v", me)
	}
	if refused["agent_id"] != float64(a.ID) || refused["path"] != "/api/v1/agents" || refused["refused"] == nil {
		t.Errorf("the refused request: %v", refused)
	}
}
