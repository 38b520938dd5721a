package realtime

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/testenv"
)

// A fan-out that flushes a client which reads nothing is never held up
// by it: the other client gets every frame in order, the slow one is
// dropped once its queue is full.
func TestFlushNeverWaitsForASlowClient(t *testing.T) {
	_, e, url := serve(t, Options{SendQueue: 8, PingInterval: time.Millisecond, PongWait: time.Minute})
	conns := func(n int) {
		testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.conns) < n {
				return context.DeadlineExceeded
			}
			return nil
		})
	}
	slow, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	conns(1)
	fast, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	conns(2)
	slowConn, fastConn := e.conns[0], e.conns[1]

	const frames = 400
	read := make(chan error, 1)
	go func() {
		for i := range frames {
			_, data, err := fast.ReadMessage()
			if err != nil {
				read <- err
				return
			}
			if want := fmt.Sprintf("%d:", i); !strings.HasPrefix(string(data), want) || len(data) != 32<<10 {
				read <- fmt.Errorf("frame %d: %d bytes starting %.8q", i, len(data), data)
				return
			}
		}
		read <- nil
	}()
	for i := range frames {
		p := fmt.Sprintf("%d:", i)
		f := Prepare([]byte(p + strings.Repeat("x", 32<<10-len(p))))
		slowConn.Queue(f)
		slowConn.Flush()
		// The fast client's queue is never full: its reader keeps up,
		// or the writer waits for it (never this goroutine).
		for waiting, limit := fastConn.Backlog(); waiting == limit; waiting, limit = fastConn.Backlog() {
			select {
			case err := <-read:
				t.Fatalf("fast client stopped at frame %d: %v", i, err)
			case <-time.After(time.Millisecond):
			}
		}
		if !fastConn.Queue(f) {
			t.Fatalf("fast client dropped at frame %d", i)
		}
		fastConn.Flush()
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	select {
	case <-slowConn.Done():
	default:
		t.Fatal("a client that never reads was never dropped")
	}
}
