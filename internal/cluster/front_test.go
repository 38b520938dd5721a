package cluster_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"tanggap/internal/cluster"
	"tanggap/internal/testenv"
)

// countingBackend answers with its name and counts the POST bodies it
// received.
func countingBackend(t *testing.T, name string, posts *atomic.Int64) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			if string(b) == "complaint" {
				posts.Add(1)
			}
		}
		_, _ = io.WriteString(w, name+" "+r.Header.Get("X-Forwarded-For"))
	}))
	t.Cleanup(s.Close)
	return s
}

// deadURL is a local address nothing listens on (a killed instance).
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	_ = l.Close()
	return u
}

func TestFrontRoundRobinAndFailover(t *testing.T) {
	var posts atomic.Int64
	a := countingBackend(t, "a", &posts)
	b := countingBackend(t, "b", &posts)
	f, err := cluster.NewFront([]string{a.URL, b.URL}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(f)
	t.Cleanup(front.Close)
	post := func(t *testing.T) string {
		t.Helper()
		res, err := http.Post(front.URL+"/api/v1/complaints", "text/plain", strings.NewReader("complaint"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		return string(body)
	}

	t.Run("requests alternate between the instances and name the client", func(t *testing.T) {
		seen := map[string]int{}
		for range 4 {
			got := post(t)
			name, xff, _ := strings.Cut(got, " ")
			if xff != "127.0.0.1" {
				t.Fatalf("X-Forwarded-For %q, want the client 127.0.0.1", xff)
			}
			seen[name]++
		}
		if seen["a"] != 2 || seen["b"] != 2 {
			t.Fatalf("spread %v, want 2 each", seen)
		}
	})

	t.Run("a refused connection goes to the next instance, the POST sent once", func(t *testing.T) {
		if err := f.SetBackends([]string{deadURL(t), a.URL}); err != nil {
			t.Fatal(err)
		}
		before := posts.Load()
		for range 6 {
			if got := post(t); !strings.HasPrefix(got, "a ") {
				t.Fatalf("answered by %q, want a", got)
			}
		}
		if n := posts.Load() - before; n != 6 {
			t.Fatalf("%d POSTs reached the instances for 6 sent", n)
		}
	})

	t.Run("no instance answers: 502, for the client to retry", func(t *testing.T) {
		if err := f.SetBackends([]string{deadURL(t), deadURL(t)}); err != nil {
			t.Fatal(err)
		}
		res, err := http.Post(front.URL+"/", "text/plain", strings.NewReader("complaint"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadGateway {
			t.Fatalf("status %d, want 502", res.StatusCode)
		}
	})
}

// A browser's live chat and console sockets go through the front: the
// upgrade passes and frames flow both ways.
func TestFrontPassesWebsockets(t *testing.T) {
	up := websocket.Upgrader{}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			kind, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(kind, msg); err != nil {
				return
			}
		}
	}))
	t.Cleanup(echo.Close)
	f, err := cluster.NewFront([]string{echo.URL}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(f)
	t.Cleanup(front.Close)
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(front.URL, "http")+"/chat/ws", nil)
	if err != nil {
		t.Fatalf("dial through the front: %v", err)
	}
	defer c.Close()
	for _, text := range []string{"halo", "apakah ada petugas?"} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != text {
			t.Fatalf("echo %q, want %q", got, text)
		}
	}
}
