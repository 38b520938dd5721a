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
