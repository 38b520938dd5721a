package realtime

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"tanggap/internal/testenv"
)

// serveFiber mounts a hub on a fiber app, as the service does.
func serveFiber(t *testing.T, o Options, keepHijacked bool) (*Hub, string) {
	t.Helper()
	h := New(o, &echo{})
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = keepHijacked
	app.Get("/ws", h.ServeFiber)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return h, ln.Addr().String()
}

// TestServeFiber: the upgrade through fasthttp's hijack serves frames with
// or without KeepHijackedConns, and refuses what is not a websocket
// handshake, a foreign origin and an address over its cap as plain HTTP.
func TestServeFiber(t *testing.T) {
	for _, keep := range []bool{true, false} {
		h, addr := serveFiber(t, Options{AllowedOrigins: []string{"https://situs.go.id"}, MaxConnsPerIP: 1}, keep)
		url := "ws://" + addr + "/ws"
		ws, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://situs.go.id"}})
		if err != nil {
			t.Fatalf("keep=%v: dial: %v", keep, err)
		}
		if err := ws.WriteMessage(websocket.TextMessage, []byte("halo")); err != nil {
			t.Fatal(err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, got, err := ws.ReadMessage(); err != nil || string(got) != "halo" {
			t.Fatalf("keep=%v: echo %q, %v", keep, got, err)
		}
		// The one connection this address may have is open.
		if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("keep=%v: second connection: %v %v", keep, resp, err)
		}
		ws.Close()
		testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
			if n := h.Len(); n > 0 {
				return fmt.Errorf("%d connections still open", n)
			}
			return nil
		})
		if _, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://lain.example"}}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("keep=%v: foreign origin: %v %v", keep, resp, err)
		}
		resp, err := http.Get("http://" + addr + "/ws")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("keep=%v: plain GET: %d", keep, resp.StatusCode)
		}
	}
}

// wide asks for a longer send queue (realtime.QueueSizer).
type wide int

func (w wide) SendQueue() int { return int(w) }

// A connection whose state asks for a longer send queue gets it; one that
// asks for a shorter one, or nothing, keeps the hub's.
func TestStateLengthensTheSendQueue(t *testing.T) {
	e := &echo{}
	h := New(Options{SendQueue: 16}, e)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ws/:n", func(c *fiber.Ctx) error {
		var state any
		if n, err := c.ParamsInt("n"); err == nil && n > 0 {
			state = wide(n)
		}
		return h.ServeFiberWith(c, state)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	for i, tc := range []struct{ ask, want int }{{0, 16}, {128, 128}, {4, 16}} {
		ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://%s/ws/%d", ln.Addr(), tc.ask), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		var c *Conn
		testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.conns) <= i {
				return fmt.Errorf("connection %d not open yet", i)
			}
			c = e.conns[i]
			return nil
		})
		if _, limit := c.Backlog(); limit != tc.want {
			t.Errorf("asked %d: queue of %d frames, want %d", tc.ask, limit, tc.want)
		}
	}
}
