package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// pushSocket is a console's GET /api/v1/ws as a test reads it.
type pushSocket struct {
	t      *testing.T
	ws     *websocket.Conn
	mu     sync.Mutex
	frames []map[string]json.RawMessage
}

func openPushSocket(t *testing.T, base string, header http.Header) (*pushSocket, int) {
	t.Helper()
	url := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/ws"
	ws, res, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		if res == nil {
			t.Fatalf("dial %s: %v", url, err)
		}
		return nil, res.StatusCode
	}
	p := &pushSocket{t: t, ws: ws}
	t.Cleanup(func() { ws.Close() })
	go func() {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f map[string]json.RawMessage
			if json.Unmarshal(data, &f) == nil {
				p.mu.Lock()
				p.frames = append(p.frames, f)
				p.mu.Unlock()
			}
		}
	}()
	// The hello is queued once the console is registered for events: an
	// event of a change made after this returns reaches it.
	p.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) })
	return p, res.StatusCode
}

func (p *pushSocket) send(v any) {
	b, _ := json.Marshal(v)
	if err := p.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		p.t.Fatal(err)
	}
}

// wait polls for a frame for which ok holds and returns it.
func (p *pushSocket) wait(what string, ok func(map[string]json.RawMessage) bool) map[string]json.RawMessage {
	p.t.Helper()
	var got map[string]json.RawMessage
	testenv.CheckFor(p.t, 20*time.Second, 10*time.Millisecond, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, f := range p.frames {
			if ok(f) {
				got = f
				return nil
			}
		}
		var all []string
		for _, f := range p.frames {
			b, _ := json.Marshal(f)
			all = append(all, string(b))
		}
		return fmt.Errorf("no %s yet; got %s", what, strings.Join(all, " "))
	})
	return got
}

func frameIs(typ string, f map[string]json.RawMessage) bool { return string(f["type"]) == `"`+typ+`"` }

// A citizen's complaint filed through instance A, and stored by A's core,
// reaches the push socket of an agent of its queue connected to instance
// B (two app instances, one database, one NATS), and two agents on one ticket see
// each other's viewing mark across the instances.
func TestConsoleSocketAcrossInstances(t *testing.T) {
	// B runs only the HTTP side (API and sockets): every event comes from
	// A's core.
	a, b, cfg := apptest.StartTwo(t)

	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rina@tanggap.test", "name": "Rina",
		"password": "rahasia-rina-1", "queues": []string{cfg.DefaultQueue}, "capacity": 5})
	if res.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	rina := apptest.NewClient(t, b.URL())
	rina.Login("rina@tanggap.test", "rahasia-rina-1")

	if _, status := openPushSocket(t, b.URL(), http.Header{}); status != http.StatusUnauthorized {
		t.Fatalf("no session: %d, want 401 before the upgrade", status)
	}
	// The console's probe, a plain GET: 204 with a session, 401 without.
	if r := rina.Do(http.MethodGet, "/api/v1/ws", nil); r.Status != http.StatusNoContent {
		t.Fatalf("probe with a session: %d %s, want 204", r.Status, r.Body)
	}
	if r := apptest.NewClient(t, b.URL()).Do(http.MethodGet, "/api/v1/ws", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("probe without a session: %d, want 401", r.Status)
	}
	cookie := http.Header{"Cookie": {"tanggap_session=" + admin.Token}, "Origin": {"https://elsewhere.example"}}
	if _, status := openPushSocket(t, b.URL(), cookie); status != http.StatusForbidden {
		t.Fatalf("cookie from another site: %d, want 403", status)
	}
	rinaWS, _ := openPushSocket(t, b.URL(), http.Header{"Authorization": {"Bearer " + rina.Token}})
	rinaWS.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) })
	cookie.Set("Origin", a.URL())
	adminWS, _ := openPushSocket(t, a.URL(), cookie)
	adminWS.wait("hello", func(f map[string]json.RawMessage) bool { return frameIs("hello", f) })

	citizen := apptest.NewClient(t, a.URL())
	citizen.Complaint(map[string]string{"name": "Siti Aminah", "phone": "081234567890", "category": "insentif",
		"description": "Insentif bulan Oktober belum masuk ke rekening saya."})
	f := rinaWS.wait("the new ticket's event", func(f map[string]json.RawMessage) bool {
		return frameIs("event", f) && (string(f["event"]) == `"ticket.created"` || string(f["event"]) == `"message.created"`)
	})
	var data struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := json.Unmarshal(f["data"], &data); err != nil || data.TicketID == 0 {
		t.Fatalf("event data %s: %v", f["data"], err)
	}

	rinaWS.send(map[string]any{"type": "view", "ticket_id": data.TicketID})
	adminWS.send(map[string]any{"type": "view", "ticket_id": data.TicketID})
	rinaWS.wait("the admin's mark", func(f map[string]json.RawMessage) bool {
		return frameIs("viewers", f) && strings.Contains(string(f["viewers"]), `"name":"Admin`)
	})
	adminWS.wait("Rina's mark", func(f map[string]json.RawMessage) bool {
		return frameIs("viewers", f) && strings.Contains(string(f["viewers"]), `"name":"Rina"`)
	})
}
