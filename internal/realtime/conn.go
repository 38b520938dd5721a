package realtime

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Conn is one client connection.
type Conn struct {
	hub   *Hub
	ws    *websocket.Conn
	ip    string
	send  chan []byte
	limit *rate.Limiter

	closeOnce sync.Once
	done      chan struct{}
	mu        sync.Mutex
	closeCode int
	closeText string

	// State belongs to the protocol handler (set in Open, read by the
	// reader goroutine; the handler guards it if others touch it).
	State any
}

// IP is the client address the connection counts against.
func (c *Conn) IP() string { return c.ip }

// Send queues one text frame without blocking. When the client's queue is
// full the client is too slow: it is disconnected (it resumes from its
// last sequence number when it reconnects) and Send reports false.
func (c *Conn) Send(frame []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		c.CloseWith(websocket.ClosePolicyViolation, "too slow")
		return false
	}
}

// SendWait queues a frame, waiting up to timeout for room. Only the
// connection's own reader goroutine uses it (to replay history, which may
// be longer than the queue); a client that does not drain its queue in
// time is disconnected like in Send.
func (c *Conn) SendWait(frame []byte, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case c.send <- frame:
		return true
	case <-c.done:
		return false
	case <-t.C:
		c.CloseWith(websocket.ClosePolicyViolation, "too slow")
		return false
	}
}

// CloseWith closes the connection with a close code and reason, after the
// frames already queued.
func (c *Conn) CloseWith(code int, reason string) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closeCode, c.closeText = code, reason
		c.mu.Unlock()
		close(c.done)
	})
}

// Done is closed once the connection is closing.
func (c *Conn) Done() <-chan struct{} { return c.done }

// serve runs the writer and then reads until the connection ends.
func (c *Conn) serve() {
	h := c.hub
	c.ws.SetReadLimit(h.o.MaxFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(h.o.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(h.o.PongWait))
	})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	h.handler.Open(c)
	c.readLoop()
	c.CloseWith(websocket.CloseNormalClosure, "")
	<-writerDone
	c.ws.Close()
	h.handler.Closed(c)
	h.untrack(c)
}

func (c *Conn) readLoop() {
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.CloseNormalClosure {
				if err == websocket.ErrReadLimit {
					c.CloseWith(websocket.CloseMessageTooBig, "frame too big")
				}
			}
			return
		}
		select {
		case <-c.done:
			return
		default:
		}
		if typ != websocket.TextMessage {
			c.CloseWith(websocket.CloseUnsupportedData, "text frames only")
			return
		}
		// The server refreshes the deadline on any frame, not only on
		// pongs: a talking client is alive.
		_ = c.ws.SetReadDeadline(time.Now().Add(c.hub.o.PongWait))
		if !c.limit.Allow() {
			c.hub.handler.Limited(c, data)
			continue
		}
		c.hub.handler.Frame(c, data)
	}
}

func (c *Conn) writeLoop() {
	h := c.hub
	ping := time.NewTicker(h.o.PingInterval)
	defer ping.Stop()
	for {
		select {
		case frame := <-c.send:
			if err := c.write(websocket.TextMessage, frame); err != nil {
				c.CloseWith(websocket.CloseAbnormalClosure, "")
				c.ws.Close() // unblocks the reader
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.o.WriteWait)); err != nil {
				c.CloseWith(websocket.CloseAbnormalClosure, "")
				c.ws.Close()
				return
			}
		case <-c.done:
			// Flush what is queued, then say goodbye.
			for {
				select {
				case frame := <-c.send:
					if c.write(websocket.TextMessage, frame) != nil {
						c.ws.Close()
						return
					}
					continue
				default:
				}
				break
			}
			c.mu.Lock()
			code, text := c.closeCode, c.closeText
			c.mu.Unlock()
			if code != websocket.CloseAbnormalClosure {
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
			}
			// Give the client a moment to answer the close, then cut.
			_ = c.ws.SetReadDeadline(time.Now().Add(2 * time.Second))
			if code == websocket.CloseAbnormalClosure {
				c.ws.Close()
			}
			return
		}
	}
}

func (c *Conn) write(typ int, frame []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.hub.o.WriteWait))
	return c.ws.WriteMessage(typ, frame)
}
