package voice_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tanggap/channels/voice"
	"tanggap/internal/apptest"
	"tanggap/internal/mask"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// agentIn creates an agent working queues and signs them in.
func (cc *callCenter) agentIn(email string, queues ...string) *apptest.Client {
	cc.t.Helper()
	res := cc.agent.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": email, "name": email, "password": "rahasia-agen-123",
		"role": "agent", "capacity": 3, "queues": queues})
	if res.Status != http.StatusCreated && res.Status != http.StatusOK {
		cc.t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	c := apptest.NewClient(cc.t, cc.base)
	c.Login(email, "rahasia-agen-123")
	return c
}

func callbackLine(t *testing.T, c *apptest.Client) []voice.Callback {
	t.Helper()
	res := c.Do(http.MethodGet, "/api/v1/voice/callbacks", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("callback line: %d %s", res.Status, res.Body)
	}
	var line struct {
		Callbacks []voice.Callback `json:"callbacks"`
	}
	res.JSON(t, &line)
	return line.Callbacks
}

// TestCallbackLineIsScopedAndMasked: supervisors and admins see the whole
// line with the numbers; agents of the callback queue see it with the
// numbers masked; other agents see none of it.
func TestCallbackLineIsScopedAndMasked(t *testing.T) {
	cc := start(t)
	callers := []string{"+6281200000001", "+6281355556666"}
	for _, from := range callers {
		p := cc.call(from)
		hears(t, p.Press(p.Incoming().Doc, "4"), "urutan ke")
	}
	member := cc.agentIn("cb@tanggap.test", "callback")
	other := cc.agentIn("umum@tanggap.test", "umum")

	all := callbackLine(t, cc.agent)
	if len(all) != 2 || all[0].Phone != callers[0] || all[1].Phone != callers[1] {
		t.Fatalf("admin's line: %+v", all)
	}
	mine := callbackLine(t, member)
	if len(mine) != 2 {
		t.Fatalf("callback agent's line: %+v", mine)
	}
	for i, cb := range mine {
		if cb.Phone != mask.Phone(callers[i]) || strings.Contains(cb.Phone, callers[i][6:]) || cb.Position != i+1 {
			t.Fatalf("callback agent sees %+v, want %s masked at place %d", cb, callers[i], i+1)
		}
	}
	if got := callbackLine(t, other); len(got) != 0 {
		t.Fatalf("agent of another queue sees the callback line: %+v", got)
	}
	raw := other.Do(http.MethodGet, "/api/v1/voice/callbacks", nil)
	for _, full := range callers {
		if strings.Contains(string(raw.Body), full[3:]) {
			t.Fatalf("a number leaks to an agent of another queue: %s", raw.Body)
		}
	}
}

// TestCallbackTargetOutsideTheAllowListIsRefused: a call-back "to" that is
// not an allowed number or SIP host is a 422 on the "to" field, and no
// call is placed.
func TestCallbackTargetOutsideTheAllowListIsRefused(t *testing.T) {
	cc := start(t)
	p := cc.call("+6281377778888")
	hears(t, p.Press(p.Incoming().Doc, "4"), "urutan ke 1")
	p.Hangup("completed", 10)
	d := cc.voiceTicket("+6281377778888", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	for _, to := range []string{"+14155550100", "sip:agen@evil.example", "sip:pbx.example.id@evil.example", "bukan-nomor"} {
		res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", d.ID), map[string]string{"to": to})
		var body struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if res.Status != http.StatusUnprocessableEntity || json.Unmarshal(res.Body, &body) != nil || body.Error.Fields["to"] == "" {
			t.Fatalf("to %q: %d %s, want 422 with a message on the to field", to, res.Status, res.Body)
		}
	}
	if calls, _ := cc.twilio.Calls(); len(calls) != 0 {
		t.Fatalf("calls placed to refused targets: %v", calls)
	}
	// An allowed one, written as agents write numbers, goes through.
	if res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", d.ID), map[string]string{"to": "021-555-000-111"}); res.Status != http.StatusAccepted {
		t.Fatalf("allowed target: %d %s", res.Status, res.Body)
	}
}

// TestCallbackLineStatementsUseIndexes: the statements the callback line
// runs per request for an agent are served by indexes.
func TestCallbackLineStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	for _, c := range []struct {
		name, q string
		args    []any
		index   []string
	}{
		{"requests an agent is calling", voice.CallbacksOfSQL, []any{1, 500}, []string{"voice_callbacks_status_idx"}},
		{"callback queue by code", voice.QueueIDSQL, []any{"callback"}, []string{"queues_code_key", "sqlite_autoindex_queues_1"}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		t.Logf("%s:\n%s", c.name, plan)
		found := false
		for _, idx := range c.index {
			found = found || strings.Contains(plan, idx)
		}
		if !found {
			t.Errorf("%s is not served by %v:\n%s", c.name, c.index, plan)
		}
	}
}
