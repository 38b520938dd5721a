package app_test

import (
	"fmt"
	"net/http"
	"testing"
)

// An agent's capacity has one writer, routing: raising it on the admin
// screen hands the waiting tickets out at once, and a bad one is refused
// with routing's reason. Moving all of an agent's tickets goes through the
// bulk transfer: a target refused for every ticket is answered with its
// 4xx and reason, not a 200 listing refusals (nor a 500).
func TestCapacityOwnerAndMoveAll(t *testing.T) {
	url, admin := demoApp(t, nil)
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	agentPath := fmt.Sprintf("/api/v1/admin/agents/%d", sariID)
	expect(t, "capacity 0", admin.Do(http.MethodPut, agentPath, map[string]any{"capacity": 0}), http.StatusOK, "")
	expect(t, "Sari online", sari.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}), http.StatusOK, "")
	a, _ := fileIn(t, admin, "lainnya", "Kartu saya belum aktif, mohon dicek.")
	b, _ := fileIn(t, admin, "lainnya", "Data saya salah, mohon diperbaiki.")
	assignee := func(id int64) int64 {
		t.Helper()
		var v routingView
		res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/routing", id), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("routing view: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &v)
		return v.Routing.AgentID
	}
	if assignee(a) != 0 || assignee(b) != 0 {
		t.Fatalf("tickets given to an agent without capacity: %d %d", assignee(a), assignee(b))
	}
	expect(t, "a bad capacity", admin.Do(http.MethodPut, agentPath, map[string]any{"capacity": -1}), http.StatusUnprocessableEntity, "validation")
	expect(t, "capacity 5", admin.Do(http.MethodPut, agentPath, map[string]any{"capacity": 5, "name": "Sari Wulandari"}), http.StatusOK, "")
	if assignee(a) != sariID || assignee(b) != sariID {
		t.Fatalf("more room handed nothing out: assignees %d %d, want Sari %d", assignee(a), assignee(b), sariID)
	}

	move := fmt.Sprintf("/api/v1/wallboard/agents/%d/move", sariID)
	expect(t, "move to nobody", admin.Do(http.MethodPost, move, map[string]any{}), http.StatusUnprocessableEntity, "validation")
	expect(t, "move to an unknown agent", admin.Do(http.MethodPost, move, map[string]any{"agent_id": 99999999}), http.StatusConflict, "no_capacity")
	expect(t, "move to an unknown queue", admin.Do(http.MethodPost, move, map[string]any{"queue": "nope"}), http.StatusNotFound, "not_found")
	expect(t, "an agent may not move", sari.Do(http.MethodPost, move, map[string]any{"queue": "jatim"}), http.StatusForbidden, "forbidden")
	if assignee(a) != sariID || assignee(b) != sariID {
		t.Fatalf("a refused move moved tickets: %d %d", assignee(a), assignee(b))
	}
	res := admin.Do(http.MethodPost, move, map[string]any{"queue": "jatim"})
	var out struct {
		Moved   []int64 `json:"moved"`
		Refused []struct {
			ID int64 `json:"id"`
		} `json:"refused"`
	}
	if res.Status != http.StatusOK {
		t.Fatalf("move to jatim: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &out)
	if len(out.Moved) != 2 || len(out.Refused) != 0 {
		t.Fatalf("move to jatim: %s", res.Body)
	}
	if assignee(a) == sariID || assignee(b) == sariID {
		t.Fatalf("moved tickets still Sari's")
	}
}
