package realtime

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Conn is one client connection.
//
// Writes: encoded frames (see Prepared) wait in a bounded queue; a writer
// goroutine exists only while there is something to write (started by
// Send, gone when the queue is empty), so an idle connection costs one
// goroutine, its reader. The writer takes every frame waiting and writes
// them in one system call. Pings come from the hub's pinger through
// WriteControl, which gorilla allows beside the writer (the wire keeps
// frames whole). The writing flag makes sure at most one writer runs;
// the writer that finds the connection closing sends the close frame and
// closes finished.
type Conn struct {
	hub   *Hub
	ws    *websocket.Conn
	wire  *wire
	ip    string
	send  chan []byte // encoded frames
	limit *rate.Limiter

	writing  atomic.Bool
	finished chan struct{} // closed once the close frame is out

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

// Send queues one text frame (its payload) without blocking. When the
// client's queue is full the client is too slow: it is disconnected (it
// resumes from its last sequence number when it reconnects) and Send
// reports false. A frame sent to many connections is better prepared
// once (SendPrepared).
func (c *Conn) Send(frame []byte) bool { return c.SendPrepared(Prepare(frame)) }

// SendPrepared is Send of a frame encoded once for many connections; its
// bytes are shared, never written to.
func (c *Conn) SendPrepared(p Prepared) bool {
	if !c.Queue(p) {
		return false
	}
	c.kick()
	return true
}

// Queue is SendPrepared without starting the writer: a fan-out queues
// the frames of a run of messages that arrived together, then calls Flush
// on each connection it queued to, so that each writer starts once and
// takes the run in one system call. The frame waits at most until Flush
// (or until the writer, if one runs, gets to it). A full queue disconnects
// the client as in Send.
func (c *Conn) Queue(p Prepared) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- p.b:
		return true
	default:
		c.CloseWith(websocket.ClosePolicyViolation, "too slow")
		return false
	}
}

// Backlog is how many frames wait in the queue, and how many it holds at
// most: a fan-out that holds frames back (Queue) starts a writer early
// (Flush) once a connection's queue fills up.
func (c *Conn) Backlog() (waiting, limit int) { return len(c.send), cap(c.send) }

// Flush starts the writer for the frames Queue left, unless it runs.
func (c *Conn) Flush() {
	if len(c.send) > 0 {
		c.kick()
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
	case c.send <- Prepare(frame).b:
		c.kick()
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
		c.kick()
	})
}

// Done is closed once the connection is closing.
func (c *Conn) Done() <-chan struct{} { return c.done }

// kick starts a writer unless one is running.
func (c *Conn) kick() {
	if c.writing.CompareAndSwap(false, true) {
		go c.drain()
	}
}

// drain writes queued frames until the queue is empty, or sends the close
// frame once the connection is closing.
func (c *Conn) drain() {
	for {
		if n, err := c.writeQueued(); n > 0 {
			if err != nil {
				c.CloseWith(websocket.CloseAbnormalClosure, "")
			}
			continue
		}
		select {
		case <-c.done:
			c.goodbye() // the writing flag stays set: no writer after this
			return
		default:
		}
		c.writing.Store(false)
		// A frame or a close that came in meanwhile found the flag still
		// set and started no writer: take it on.
		if (len(c.send) > 0 || c.isDone()) && c.writing.CompareAndSwap(false, true) {
			continue
		}
		return
	}
}

func (c *Conn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// goodbye flushes what is queued, sends the close frame and gives the
// client a moment to answer it before the reader gives up.
func (c *Conn) goodbye() {
	defer close(c.finished)
	c.mu.Lock()
	code, text := c.closeCode, c.closeText
	c.mu.Unlock()
	if code == websocket.CloseAbnormalClosure {
		c.ws.Close() // unblocks the reader
		return
	}
	for {
		n, err := c.writeQueued()
		if err != nil {
			c.ws.Close()
			return
		}
		if n == 0 {
			break
		}
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	_ = c.ws.SetReadDeadline(time.Now().Add(2 * time.Second))
}

// ping is called by the hub's pinger.
func (c *Conn) ping() {
	if c.isDone() {
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.o.PingWriteWait)); err != nil {
		c.CloseWith(websocket.CloseAbnormalClosure, "")
	}
}

// serve reads until the connection ends.
func (c *Conn) serve() {
	h := c.hub
	c.ws.SetReadLimit(h.o.MaxFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(h.o.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(h.o.PongWait))
	})
	h.handler.Open(c)
	c.readLoop()
	c.CloseWith(websocket.CloseNormalClosure, "")
	<-c.finished
	c.ws.Close()
	h.handler.Closed(c)
	h.untrack(c)
}

func (c *Conn) readLoop() {
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if err == websocket.ErrReadLimit {
				c.CloseWith(websocket.CloseMessageTooBig, "frame too big")
			}
			return
		}
		if c.isDone() {
			return
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

// writeQueued writes the frames waiting in the queue (up to maxBatch) in
// one system call, and reports how many there were.
func (c *Conn) writeQueued() (int, error) {
	bp := batches.Get().(*net.Buffers)
	frames := (*bp)[:0]
collect:
	for len(frames) < maxBatch {
		select {
		case f := <-c.send:
			frames = append(frames, f)
		default:
			break collect
		}
	}
	var err error
	if n := len(frames); n > 0 {
		*bp = frames
		err = c.wire.writeFrames(bp, time.Now().Add(c.hub.o.WriteWait))
	}
	n := len(frames)
	clear(frames) // the pool keeps no frame alive
	*bp = frames[:0]
	batches.Put(bp)
	return n, err
}
