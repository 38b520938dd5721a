package realtime

import (
	"bufio"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
)

// ServeFiber upgrades a request on fiber's own port with fasthttp's
// hijack instead of the net/http adaptor, and serves the connection.
//
// Why not the adaptor: it keeps, for as long as the connection lives, a
// goroutine waiting for the hijacked connection to close, fasthttp's
// request context and its 4 KiB request reader, about a third of what an
// idle visitor costs. Here the handshake is checked and refused in fiber
// (plain HTTP errors), gorilla answers it on the raw connection, and with
// the server's KeepHijackedConns fasthttp lets go of the connection and
// everything it held: what remains is gorilla's connection and its one
// reader goroutine. Without KeepHijackedConns fasthttp would close the
// connection once the hijack handler returns, so the connection is then
// served on the hijack handler's goroutine instead.
func (h *Hub) ServeFiber(c *fiber.Ctx) error { return h.ServeFiberWith(c, nil) }

// ServeFiberWith is ServeFiber for a protocol that authenticated the
// request before the upgrade: the connection starts with state as its
// Conn.State, which the handler's Open sees.
func (h *Hub) ServeFiberWith(c *fiber.Ctx, state any) error {
	r := fiberRequest(c)
	if !websocket.IsWebSocketUpgrade(r) || !tokenPresent(r.Header, "Sec-Websocket-Version", "13") ||
		!validChallengeKey(r.Header.Get("Sec-Websocket-Key")) {
		return c.Status(fiber.StatusBadRequest).SendString("not a websocket handshake")
	}
	ip, status, retry := h.check(r)
	if status != 0 {
		if retry != "" {
			c.Set(fiber.HeaderRetryAfter, retry)
		}
		return c.Status(status).SendString(refusalText(status))
	}
	keep := c.App().Server().KeepHijackedConns
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(nc net.Conn) {
		// The raw connection, not fasthttp's wrapper that reads through
		// its request reader: a client sends nothing before the 101, so
		// that reader holds no bytes of the websocket.
		if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
			nc = u.UnsafeConn()
		}
		conn, ok := h.accept(&hijackedWriter{conn: nc}, r, ip, state)
		if !ok {
			nc.Close() // fasthttp no longer closes it
			return
		}
		if keep {
			go conn.serve()
			return
		}
		conn.serve()
	})
	return nil
}

// fiberRequest is the little of a net/http request that the handshake,
// the origin check and Options.ClientIP read. The client address is the
// one fiber worked out (trusted proxies included). Every string is a
// copy and there is no request context: fasthttp reuses its buffers and
// its context once the hijack handler returns.
func fiberRequest(c *fiber.Ctx) *http.Request {
	hdr := http.Header{}
	c.Request().Header.VisitAll(func(k, v []byte) {
		hdr.Add(string(k), string(v))
	})
	u := &url.URL{Path: strings.Clone(c.Path()), RawQuery: string(c.Request().URI().QueryString())}
	return &http.Request{Method: strings.Clone(c.Method()), URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: hdr, Host: strings.Clone(c.Hostname()), RequestURI: strings.Clone(c.OriginalURL()),
		RemoteAddr: net.JoinHostPort(strings.Clone(c.IP()), "0")}
}

func tokenPresent(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// validChallengeKey: base64 of 16 bytes (RFC 6455 section 4.1).
func validChallengeKey(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == 16
}

func refusalText(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "shutting down"
	case http.StatusForbidden:
		return "origin not allowed"
	default:
		return "too many connections"
	}
}

// hijackedWriter hands gorilla a connection fasthttp already gave up.
// Nothing is written through it before the hijack: the handshake was
// checked in fiber, so an error answer here only closes the connection.
type hijackedWriter struct {
	conn   net.Conn
	header http.Header
	done   bool
}

func (w *hijackedWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *hijackedWriter) Write(b []byte) (int, error) { return len(b), nil }

func (w *hijackedWriter) WriteHeader(int) {}

// Hijack returns a reader and a writer that gorilla does not keep (the
// upgrader has buffers of its own): the smallest bufio allows, and a
// writer just big enough for the 101 answer.
func (w *hijackedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.done {
		return nil, nil, errors.New("realtime: hijacked twice")
	}
	w.done = true
	return w.conn, bufio.NewReadWriter(bufio.NewReaderSize(w.conn, 16), bufio.NewWriterSize(w.conn, 256)), nil
}
