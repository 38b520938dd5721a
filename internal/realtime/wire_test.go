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

// Frames of every header size (7-bit, 16-bit and 64-bit lengths) reach the
// client whole and in order, whether queued in runs and flushed or sent
// one by one, while the pinger writes control frames beside the writer.
func TestPreparedFramesInRunsBesidePings(t *testing.T) {
	_, e, url := serve(t, Options{PingInterval: time.Millisecond, PongWait: time.Minute, SendQueue: 256})
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

	sizes := []int{0, 1, 125, 126, 127, 1000, 65535, 65536, 70000}
	var want []string
	for round := range 20 {
		for i, n := range sizes {
			p := fmt.Sprintf("%d.%d:", round, i)
			want = append(want, p+strings.Repeat("x", max(n-len(p), 0)))
		}
	}
	go func() {
		for i, w := range want {
			switch {
			case i%3 == 0:
				c.Send([]byte(w))
			default:
				// A run: queued, and the writer started every few frames.
				c.Queue(Prepare([]byte(w)))
				if i%5 == 0 {
					c.Flush()
				}
			}
		}
		c.Flush()
	}()
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for i, w := range want {
		typ, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if typ != websocket.TextMessage || string(data) != w {
			t.Fatalf("frame %d: got type %d, %d bytes starting %.12q; want %d bytes starting %.12q", i, typ, len(data), data, len(w), w)
		}
	}
}

func TestPrepareHeader(t *testing.T) {
	for _, c := range []struct {
		n    int
		head []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{65535, []byte{0x81, 126, 0xff, 0xff}},
		{65536, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	} {
		p := Prepare(make([]byte, c.n))
		if got := p.b[:len(c.head)]; string(got) != string(c.head) || len(p.b) != len(c.head)+c.n {
			t.Errorf("payload of %d: header % x, %d bytes in all; want % x, %d", c.n, got, len(p.b), c.head, len(c.head)+c.n)
		}
	}
}
