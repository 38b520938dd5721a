package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
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

	// The audit line of the move reads in the reader's words: where the
	// tickets went (a queue by its name, as a colleague is), which moved
	// and which were refused; no stored English or list syntax.
	var jatim string
	var qs struct {
		Queues []struct{ Code, Name string } `json:"queues"`
	}
	admin.Do(http.MethodGet, "/api/v1/transfer-targets", nil).JSON(t, &qs)
	for _, q := range qs.Queues {
		if q.Code == "jatim" {
			jatim = q.Name
		}
	}
	ids := []string{fmt.Sprintf("#%d, #%d", a, b), fmt.Sprintf("#%d, #%d", b, a)}
	for _, tc := range []struct{ lang, to, moved, refused string }{
		{"id-ID", "Dipindahkan ke: antrean " + jatim, "Tiket dipindahkan: 2 tiket (", "Tiket ditolak: —"},
		{"en-US", "Moved to: the " + jatim + " queue", "Tickets moved: 2 tickets (", "Tickets refused: —"},
	} {
		_, summary, fields := newestAudit(t, admin, "wallboard.move", tc.lang)
		got := strings.Join(fields, " | ")
		if jatim == "" || !strings.Contains(summary, "Sari") || len(fields) != 3 || fields[0] != tc.to ||
			(fields[1] != tc.moved+ids[0]+")" && fields[1] != tc.moved+ids[1]+")") || fields[2] != tc.refused {
			t.Errorf("%s: move line reads %q: %s", tc.lang, summary, got)
		}
	}
	// A presence set by a supervisor names the not-ready reason by its
	// label in the reader's language, not its code.
	expect(t, "Sari away for a break", admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/wallboard/agents/%d/presence", sariID),
		map[string]string{"presence": "away", "reason": "istirahat"}), http.StatusOK, "")
	for lang, want := range map[string]string{"id-ID": "Alasan: Istirahat", "en-US": "Reason: Break"} {
		if _, summary, fields := newestAudit(t, admin, "wallboard.presence", lang); !slices.Contains(fields, want) {
			t.Errorf("%s: presence line reads %q %q, want %q", lang, summary, fields, want)
		}
	}
}
