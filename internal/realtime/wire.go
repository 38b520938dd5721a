package realtime

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Prepared is a text frame encoded once (header and payload, as a server
// sends it: unmasked, uncompressed) for any number of connections: a
// fan-out encodes an event once, and each connection's writer puts the
// same bytes on its socket.
type Prepared struct{ b []byte }

// Prepare encodes payload as one text frame.
func Prepare(payload []byte) Prepared {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = make([]byte, 2, 2+n)
		b[1] = byte(n)
	case n <= 0xffff:
		b = make([]byte, 4, 4+n)
		b[1] = 126
		binary.BigEndian.PutUint16(b[2:], uint16(n))
	default:
		b = make([]byte, 10, 10+n)
		b[1] = 127
		binary.BigEndian.PutUint64(b[2:], uint64(n))
	}
	b[0] = 0x81 // FIN, text
	return Prepared{b: append(b, payload...)}
}

// maxBatch bounds the frames one write system call carries.
const maxBatch = 64

// batches are the writers' scratch lists of frames (a writer holds one
// only while it writes).
var batches = sync.Pool{New: func() any { b := make(net.Buffers, 0, maxBatch); return &b }}

// wire is the socket under gorilla's connection. The connection's writer
// puts its queued data frames on it in one system call (writev) per
// batch; gorilla writes through it only its control frames (ping, pong,
// close) and the handshake. Gorilla pairs SetWriteDeadline and Write
// under its own lock, the batch is written outside it: mu makes every
// (deadline, write) pair on the socket whole, and a frame is always
// written whole, so frames never interleave.
type wire struct {
	net.Conn
	mu       sync.Mutex
	deadline time.Time // gorilla's next write
}

func (w *wire) SetWriteDeadline(t time.Time) error {
	w.mu.Lock()
	w.deadline = t
	w.mu.Unlock()
	return nil
}

func (w *wire) SetDeadline(t time.Time) error {
	if err := w.SetWriteDeadline(t); err != nil {
		return err
	}
	return w.Conn.SetReadDeadline(t)
}

func (w *wire) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Conn.SetWriteDeadline(w.deadline); err != nil {
		return 0, err
	}
	return w.Conn.Write(b)
}

// writeFrames writes encoded frames in one go (writev on a TCP socket);
// frames is consumed.
func (w *wire) writeFrames(frames *net.Buffers, deadline time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := frames.WriteTo(w.Conn)
	return err
}

// wiringWriter hands gorilla's upgrader the hijacked socket wrapped in a
// wire, and keeps the wire for the connection's writer.
type wiringWriter struct {
	http.ResponseWriter
	wire *wire
}

func (w *wiringWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("realtime: response cannot be hijacked")
	}
	nc, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.wire = &wire{Conn: nc}
	return w.wire, brw, nil
}
