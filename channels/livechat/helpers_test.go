package livechat_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// asyncWait bounds what the core and the delivery loop take.
const asyncWait = 30 * time.Second

// frame is any server frame, decoded loosely.
type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }
func (f frame) num(k string) int64  { n, _ := f[k].(float64); return int64(n) }

// widget is a gorilla client speaking the protocol like the widget does.
type widget struct {
	t    testing.TB
	ws   *websocket.Conn
	in   chan frame
	done chan error
	tok  string
}

func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/livechat/ws" }

func dial(t testing.TB, base, origin string) (*widget, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL(base), h)
	if err != nil {
		return nil, resp, err
	}
	w := &widget{t: t, ws: ws, in: make(chan frame, 1024), done: make(chan error, 1)}
	go func() {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				w.done <- err
				close(w.in)
				return
			}
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				w.done <- fmt.Errorf("bad server frame %s: %v", data, err)
				close(w.in)
				return
			}
			w.in <- f
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return w, resp, nil
}

func mustDial(t testing.TB, base string) *widget {
	t.Helper()
	w, _, err := dial(t, base, base)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return w
}

func (w *widget) send(f map[string]any) {
	w.t.Helper()
	f["v"] = 1
	if err := w.ws.WriteJSON(f); err != nil {
		w.t.Fatalf("send %v: %v", f, err)
	}
}

// next returns the next frame of one of the types, skipping others
// (queue updates, typing) in between.
func (w *widget) next(types ...string) frame {
	w.t.Helper()
	deadline := time.After(asyncWait)
	for {
		select {
		case f, ok := <-w.in:
			if !ok {
				w.t.Fatalf("connection ended waiting for %v: %v", types, <-w.done)
			}
			for _, ty := range types {
				if f.str("type") == ty {
					return f
				}
			}
		case <-deadline:
			w.t.Fatalf("no %v frame within %s", types, asyncWait)
		}
	}
}

// nextEntry is the next entry other than the rating card's (csat_test.go
// follows those).
func (w *widget) nextEntry() frame {
	w.t.Helper()
	for {
		if f := w.next("entry"); f.str("kind") != "csat" && f.str("kind") != "rated" {
			return f
		}
	}
}

// hello says hello and returns the welcome.
func (w *widget) hello(token string, after int64) frame {
	w.t.Helper()
	w.send(map[string]any{"type": "hello", "token": token, "after": after, "lang": "id-ID"})
	f := w.next("welcome")
	w.tok = f.str("token")
	return f
}

// token is the visitor token the welcome gave.
func (w *widget) token(t testing.TB) string {
	t.Helper()
	if w.tok == "" {
		t.Fatal("no welcome yet")
	}
	return w.tok
}

// entries collects entry frames until the replay (or the wanted count)
// is complete.
func (w *widget) entriesUntilReplayed() []frame {
	w.t.Helper()
	var out []frame
	for {
		f := w.next("entry", "replayed")
		if f.str("type") == "replayed" {
			return out
		}
		out = append(out, f)
	}
}

// say sends a message and waits for its ack.
func (w *widget) say(cid, text string) frame {
	w.t.Helper()
	w.send(map[string]any{"type": "msg", "cid": cid, "text": text})
	return w.next("ack")
}

// agent is the console side.
type agent struct {
	*apptest.Client
}

func newAgent(t testing.TB, base string) agent {
	c := apptest.NewClient(t, base)
	c.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := c.Do("PUT", "/api/v1/agents/me/presence", map[string]any{"presence": "online"}); r.Status != 200 {
		t.Fatalf("presence: %d %s", r.Status, r.Body)
	}
	return agent{c}
}

type ticketSummary struct {
	ID             int64  `json:"id"`
	TrackingNumber string `json:"tracking_number"`
	Channel        string `json:"channel"`
	Status         string `json:"status"`
}

// ticket waits for the ticket with the tracking number.
func (a agent) ticket(t testing.TB, tn string) ticketSummary {
	t.Helper()
	var found ticketSummary
	testenv.CheckFor(t, asyncWait, 50*time.Millisecond, func() error {
		r := a.Do("GET", "/api/v1/tickets?scope=all&status=all&limit=500", nil)
		var body struct {
			Tickets []ticketSummary `json:"tickets"`
		}
		r.JSON(t, &body)
		for _, tk := range body.Tickets {
			if tk.TrackingNumber == tn {
				found = tk
				return nil
			}
		}
		return fmt.Errorf("ticket %s not listed yet", tn)
	})
	return found
}

func (a agent) reply(t testing.TB, ticketID int64, text string) {
	t.Helper()
	if r := a.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]any{"body": text}); r.Status != 201 && r.Status != 200 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
}

type ticketDetail struct {
	ticketSummary
	Messages []struct {
		ID             int64  `json:"id"`
		Direction      string `json:"direction"`
		Body           string `json:"body"`
		DeliveryStatus string `json:"delivery_status"`
	} `json:"messages"`
}

func (a agent) detail(t testing.TB, id int64) ticketDetail {
	t.Helper()
	var d ticketDetail
	a.Do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
	return d
}
