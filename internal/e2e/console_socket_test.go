package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"tanggap/internal/apptest"
)

// socketStub stands in for the console push socket (GET /api/v1/ws,
// CONTRACT section 2) in front of an app that has none yet: it answers the
// socket itself and passes every other request to the app, so the console
// sees one origin. The test pushes frames with send and reads what the
// console sent with expect.
//
// STUB: once the gateway is merged, TestBrowserConsoleLiveGateway drives
// the same paths through the real server; this test stays as the
// console's side of the protocol (frames it must understand and send).
type socketStub struct {
	URL  string
	mu   sync.Mutex
	conn *websocket.Conn
	// hello is the agent id and role the stub greets with.
	agentID int64
	role    string
	got     chan map[string]any
}

func newSocketStub(t *testing.T, app string, agentID int64, role string) *socketStub {
	t.Helper()
	target, err := url.Parse(app)
	if err != nil {
		t.Fatal(err)
	}
	st := &socketStub{agentID: agentID, role: role, got: make(chan map[string]any, 64)}
	proxy := httputil.NewSingleHostReverseProxy(target)
	up := websocket.Upgrader{} // same origin only: gorilla's default check
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/ws" {
			proxy.ServeHTTP(w, r)
			return
		}
		if _, err := r.Cookie("tanggap_session"); err != nil && r.Header.Get("Authorization") == "" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"unauthorized"}}`, http.StatusUnauthorized)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // not an upgrade (the console's probe): gorilla answered 400
		}
		st.mu.Lock()
		if st.conn != nil {
			st.conn.Close()
		}
		st.conn = c
		st.mu.Unlock()
		st.send(t, map[string]any{"type": "hello", "v": 1, "agent_id": st.agentID, "role": st.role, "heartbeat_seconds": 30})
		go func() {
			for {
				var f map[string]any
				if err := c.ReadJSON(&f); err != nil {
					return
				}
				if f["type"] == "ping" {
					st.send(t, map[string]any{"type": "pong"})
					continue
				}
				select {
				case st.got <- f:
				default:
				}
			}
		}()
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.conn != nil {
			st.conn.Close()
		}
	})
	st.URL = srv.URL
	return st
}

func (st *socketStub) send(t *testing.T, frame map[string]any) {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.conn == nil {
		t.Fatalf("stub: no console connected to send %v", frame)
	}
	st.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := st.conn.WriteJSON(frame); err != nil {
		t.Fatalf("stub: send %v: %v", frame, err)
	}
}

// drop cuts the console's connection, as a restarting server would.
func (st *socketStub) drop() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.conn != nil {
		st.conn.Close()
		st.conn = nil
	}
}

// connected says whether a console is connected now.
func (st *socketStub) connected() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.conn != nil
}

func (st *socketStub) event(t *testing.T, name string, data map[string]any) {
	t.Helper()
	st.send(t, map[string]any{"type": "event", "event": name, "data": data})
}

// expect waits for a frame from the console that match accepts.
func (st *socketStub) expect(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case f := <-st.got:
			if match(f) {
				return f
			}
		case <-deadline:
			t.Fatalf("stub: the console did not send %s", what)
			return nil
		}
	}
}

// num reads a JSON number of a frame as int64.
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestBrowserConsolePushProtocol drives the console through the push
// socket's frames, as CONTRACT section 2 defines them, with a stub socket
// in front of the real app: it catches up on hello, counts unread
// messages (badge and page title), says who else views or types on the
// open ticket, shows the citizen typing, sends view and typing frames,
// applies a delivery mark and a status change from the event payload,
// moves the queue board on queue.metrics, and signs out on bye.
func TestBrowserConsolePushProtocol(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := apptest.Start(t, apptest.Config(t)).URL()
	api := apptest.NewClient(t, base)
	tnA := api.Complaint(map[string]string{"name": "Ani", "phone": "081311110001", "category": "lainnya", "description": "Pertanyaan pertama tentang pencairan dana."})
	tnB := api.Complaint(map[string]string{"name": "Bayu", "phone": "081311110002", "category": "lainnya", "description": "Pertanyaan kedua tentang pelatihan."})
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	admin.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	ids := map[string]int64{}
	checkFor(t, asyncWait, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		admin.Do(http.MethodGet, "/api/v1/tickets?scope=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			ids[tk.TrackingNumber] = tk.ID
		}
		if ids[tnA] == 0 || ids[tnB] == 0 {
			return fmt.Errorf("tickets not ingested yet: %v", ids)
		}
		return nil
	})
	a, b := ids[tnA], ids[tnB]

	stub := newSocketStub(t, base, me.Agent.ID, "admin")
	root := newBrowser(t, browser)
	shots := newShots(t)
	agent := newTab(t, root)
	agent.signIn(t, stub.URL+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	agent.waitJS(t, "socket open after hello", `document.documentElement.dataset.socket === 'open'`)
	if got := agent.text(t, "#live-state"); got != tx("console.live_open") {
		t.Errorf("live state = %q, want %q", got, tx("console.live_open"))
	}
	agent.selectValue(t, "#scope", "all")
	item := func(id int64) string {
		return fmt.Sprintf(`document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id)
	}
	agent.waitJS(t, "both tickets listed", item(a)+` && `+item(b))

	// A citizen message on a ticket that is not open: unread badge and title.
	stub.event(t, "message.created", map[string]any{"ticket_id": a, "queue_id": 0, "assignee_id": 0, "message_id": 9001,
		"direction": "in", "channel": "webform", "preview": "Halo?", "at": time.Now().UTC().Format(time.RFC3339)})
	agent.waitJS(t, "unread badge", item(a)+`.querySelector('.unread') !== null`)
	if got := agent.evalString(t, item(a)+`.querySelector('.unread').textContent`); got != tx("console.unread", "n", 1) {
		t.Errorf("unread badge = %q", got)
	}
	agent.waitJS(t, "count in the title", `document.title.startsWith('(1) ')`)

	// Opening it: the console says so (view), and the count goes.
	agent.do(t, "open ticket A", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#ticket-list [data-ticket-id="%d"]`, a))))
	stub.expect(t, "view of ticket A", func(f map[string]any) bool { return f["type"] == "view" && num(f["ticket_id"]) == a })
	agent.waitJS(t, "unread cleared", `!document.title.startsWith('(') && `+item(a)+`.querySelector('.unread') === null`)

	// Colleagues on the same ticket, and the citizen typing.
	stub.send(t, map[string]any{"type": "viewers", "ticket_id": a, "viewers": []any{map[string]any{"agent_id": 99, "name": "Sari", "typing": false}}})
	agent.waitJS(t, "viewer shown", fmt.Sprintf(`document.getElementById('t-viewers').textContent === %q`, tx("console.viewer_viewing", "name", "Sari")))
	stub.send(t, map[string]any{"type": "viewers", "ticket_id": a, "viewers": []any{map[string]any{"agent_id": 99, "name": "Sari", "typing": true}}})
	agent.waitJS(t, "viewer typing", fmt.Sprintf(`document.getElementById('t-viewers').textContent === %q`, tx("console.viewer_typing", "name", "Sari")))
	stub.event(t, "ticket.typing", map[string]any{"ticket_id": a, "queue_id": 0, "assignee_id": 0, "on": true})
	agent.waitJS(t, "citizen typing", fmt.Sprintf(`document.getElementById('t-typing').textContent === %q`, tx("console.citizen_typing")))
	shots.take(t, agent, "20-console-live-collision")
	stub.event(t, "ticket.typing", map[string]any{"ticket_id": a, "queue_id": 0, "assignee_id": 0, "on": false})
	agent.waitJS(t, "citizen stopped typing", `document.getElementById('t-typing').textContent === ''`)
	stub.send(t, map[string]any{"type": "viewers", "ticket_id": a, "viewers": []any{}})
	agent.waitJS(t, "viewer gone", `document.getElementById('t-viewers').hidden`)

	// The agent's typing goes out as typing frames.
	agent.do(t, "type a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Baik, kami cek"))
	stub.expect(t, "typing on", func(f map[string]any) bool {
		return f["type"] == "typing" && num(f["ticket_id"]) == a && f["on"] == true
	})
	agent.do(t, "send the reply", chromedp.SendKeys(chromedp.ID("reply-body"), " dulu."), chromedp.Click(chromedp.ID("reply-btn")))
	stub.expect(t, "typing off on send", func(f map[string]any) bool {
		return f["type"] == "typing" && num(f["ticket_id"]) == a && f["on"] == false
	})
	outJS := `[...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes('kami cek dulu'))`
	agent.waitJS(t, "reply in the thread", outJS+` !== undefined`)
	mid := agent.evalString(t, outJS+`.dataset.messageId`)
	// A delivery receipt updates the mark from the payload alone; any
	// status is rendered through its delivery.* label.
	agent.do(t, "no more ticket reads from here", chromedp.Evaluate[chromedp.Void](`performance.clearResourceTimings()`))
	stub.event(t, "message.updated", map[string]any{"ticket_id": a, "queue_id": 0, "assignee_id": me.Agent.ID, "message_id": mustAtoi(t, mid), "delivery_status": "read"})
	agent.waitJS(t, "read mark", outJS+`.querySelector('.delivery-read') !== null`)
	if got := agent.evalString(t, outJS+`.querySelector('.delivery').textContent`); got != tx("delivery.read") {
		t.Errorf("delivery mark = %q, want %q", got, tx("delivery.read"))
	}
	if n := agent.evalString(t, fmt.Sprintf(`String(performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/v1/tickets/%d')).length)`, a)); n != "0" {
		t.Errorf("the delivery mark re-read the ticket %s times; the payload carries it", n)
	}

	// Another agent solves ticket B: it leaves the list of active tickets.
	stub.event(t, "ticket.updated", map[string]any{"ticket_id": b, "queue_id": 0, "assignee_id": 0, "tracking_number": tnB,
		"status": "solved", "channel": "webform", "priority": "normal", "at": time.Now().UTC().Format(time.RFC3339)})
	agent.waitJS(t, "solved ticket left the list", item(b)+` === null`)
	// A ticket assigned to me arrives from the event alone.
	stub.event(t, "ticket.created", map[string]any{"ticket_id": 777, "queue_id": 0, "assignee_id": me.Agent.ID, "tracking_number": "1111-2222-3333-4444",
		"status": "new", "channel": "whatsapp", "priority": "high", "subject": "Kartu belum aktif", "at": time.Now().UTC().Format(time.RFC3339)})
	agent.waitJS(t, "new ticket listed first", `document.querySelector('#ticket-list .ticket-item').dataset.ticketId === '777'`)

	// The queue board moves with queue.metrics.
	var metrics struct {
		Queues []map[string]any `json:"queues"`
	}
	admin.Do(http.MethodGet, "/api/v1/queues/metrics", nil).JSON(t, &metrics)
	if len(metrics.Queues) == 0 {
		t.Fatal("no queues to show on the board")
	}
	agent.do(t, "open the board", chromedp.Click(chromedp.ID("tab-board")), chromedp.WaitVisible(chromedp.ID("board-view")))
	q := metrics.Queues[0]["queue"].(string)
	agent.waitJS(t, "board loaded", fmt.Sprintf(`!!document.querySelector('#board-rows tr[data-queue=%q]')`, q))
	if got := agent.text(t, "#board-intro"); got != tx("board.intro_live") {
		t.Errorf("board intro = %q, want %q", got, tx("board.intro_live"))
	}
	metrics.Queues[0]["waiting"] = 7
	stub.event(t, "queue.metrics", map[string]any{"queues": metrics.Queues})
	agent.waitJS(t, "board moved", fmt.Sprintf(`document.querySelector('#board-rows tr[data-queue=%q] .board-waiting').textContent === '7'`, q))

	// The connection drops: the console says so, reconnects by itself and
	// catches up by re-reading what is on screen (the list and the board).
	agent.do(t, "forget earlier reads", chromedp.Evaluate[chromedp.Void](`performance.clearResourceTimings()`))
	stub.drop()
	agent.waitJS(t, "socket down said", fmt.Sprintf(`document.getElementById('live-state').textContent === %q`, tx("console.live_down")))
	checkFor(t, 15*time.Second, func() error {
		if !stub.connected() {
			return fmt.Errorf("the console did not reconnect")
		}
		return nil
	})
	agent.waitJS(t, "socket open again", `document.documentElement.dataset.socket === 'open'`)
	agent.waitJS(t, "caught up after hello", `performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/tickets?'))
		&& performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/queues/metrics'))`)

	// The session ended elsewhere: bye signs the console out.
	stub.send(t, map[string]any{"type": "bye", "reason": "session_ended"})
	agent.waitJS(t, "back at the sign-in form", `!document.getElementById('login-view').hidden && document.getElementById('console-view').hidden`)
	if got := agent.text(t, "#login-alert"); got != tx("console.session_expired") {
		t.Errorf("sign-in notice = %q", got)
	}
	agent.checkConsole(t)
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// checkFor polls f every 100 ms until it returns nil or total passed.
func checkFor(t *testing.T, total time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
