package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/apptest"
)

// The queue board's figures follow an agent going online at once (the
// wallboard's pace), not at the next periodic push: with that period an
// hour long, the agent's arrival still reaches a supervisor's push socket
// as a queue.metrics frame counting them online.
func TestQueueMetricsFollowPresence(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.Routing.MetricsInterval = time.Hour
	base := apptest.Start(t, cfg).URL()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "dewi@tanggap.test", "name": "Dewi",
		"password": "rahasia-dewi-1", "queues": []string{cfg.DefaultQueue}, "capacity": 5}); r.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", r.Status, r.Body)
	}
	board, _ := openPushSocket(t, base, http.Header{"Authorization": {"Bearer " + admin.Token}})

	dewi := apptest.NewClient(t, base)
	dewi.Login("dewi@tanggap.test", "rahasia-dewi-1")
	if r := dewi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	board.wait("queue metrics counting Dewi online", func(f map[string]json.RawMessage) bool {
		if !frameIs("event", f) || string(f["event"]) != `"queue.metrics"` {
			return false
		}
		var d struct {
			Queues []struct {
				Queue        string `json:"queue"`
				AgentsOnline int    `json:"agents_online"`
			} `json:"queues"`
		}
		if json.Unmarshal(f["data"], &d) != nil {
			return false
		}
		for _, q := range d.Queues {
			if q.Queue == cfg.DefaultQueue && q.AgentsOnline == 1 {
				return true
			}
		}
		return false
	})
}
