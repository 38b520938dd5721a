package realtime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/testenv"
)

// echo answers every frame with itself and remembers its connections.
type echo struct {
	mu    sync.Mutex
	conns []*Conn
}

func (e *echo) Open(c *Conn) {
	e.mu.Lock()
	e.conns = append(e.conns, c)
	e.mu.Unlock()
}
func (e *echo) Frame(c *Conn, data []byte)   { c.Send(append([]byte(nil), data...)) }
func (e *echo) Closed(*Conn)                 {}
func (e *echo) Limited(c *Conn, data []byte) { c.Send([]byte("limited")) }

func serve(t *testing.T, o Options) (*Hub, *echo, string) {
	t.Helper()
	e := &echo{}
	h := New(o, e)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, e, "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestSlowClientIsDisconnected(t *testing.T) {
	_, e, url := serve(t, Options{SendQueue: 4})
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if len(e.conns) == 0 {
			return context.DeadlineExceeded
		}
		return nil
	})
	c := e.conns[0]
	// The client reads nothing: the queue fills and Send gives up on it
	// instead of blocking.
	big := []byte(strings.Repeat("x", 64<<10))
	ok := true
	for i := 0; i < 10000 && ok; i++ {
		ok = c.Send(big)
	}
	if ok {
		t.Fatal("a client that never reads was never dropped")
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("slow connection not closed")
	}
}

func TestShutdownRefusesAndCloses(t *testing.T) {
	h, _, url := serve(t, Options{})
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	done := make(chan error, 1)
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				done <- err
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("open connection ended with %v, want close 1013", err)
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("new connection during shutdown: %v %v", err, resp)
	}
}

func TestPerAddressCaps(t *testing.T) {
	_, _, url := serve(t, Options{MaxConnsPerIP: 2})
	var open []*websocket.Conn
	for range 2 {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ws)
	}
	if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection: %v %v", err, resp)
	}
	open[0].Close()
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err == nil {
			ws.Close()
		}
		return err
	})

	_, _, url = serve(t, Options{NewConnsPerMinute: 3})
	for range 3 {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws.Close()
	}
	if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth new connection in a minute: %v %v", err, resp)
	}
}

func TestOrigins(t *testing.T) {
	h := New(Options{AllowedOrigins: []string{"https://Situs.go.id/", "http://localhost:8080"}}, &echo{})
	for origin, want := range map[string]bool{
		"https://situs.go.id":      true,
		"https://situs.go.id:443":  true,
		"http://situs.go.id":       false,
		"https://situs.go.id.evil": false,
		"http://localhost:8080":    true,
		"":                         true,
		"null":                     false,
	} {
		if got := h.OriginAllowed(origin); got != want {
			t.Errorf("OriginAllowed(%q) = %v, want %v", origin, got, want)
		}
	}
}

func TestFanoutAcrossConnections(t *testing.T) {
	b1 := testenv.Bus(t)
	f := NewFanout(b1.NC, b1.Names.Realtime, nil)
	defer f.Close()
	e := &echo{}
	h := New(Options{}, e)
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	var clients []*websocket.Conn
	for range 2 {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		clients = append(clients, ws)
	}
	testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if len(e.conns) < 2 {
			return context.DeadlineExceeded
		}
		return nil
	})
	for _, c := range e.conns {
		if err := f.Subscribe(c, "room.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b1.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Publish("room.1", []byte("hai")); err != nil {
		t.Fatal(err)
	}
	for _, ws := range clients {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, data, err := ws.ReadMessage(); err != nil || string(data) != "hai" {
			t.Fatalf("got %q, %v", data, err)
		}
	}
	f.Unsubscribe(e.conns[0], "room.1")
	f.Unsubscribe(e.conns[1], "room.1")
	if len(f.Topics()) != 0 {
		t.Fatalf("topics left: %v", f.Topics())
	}
}
