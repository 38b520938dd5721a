package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"tanggap/internal/mask"
)

// chatter is a live-chat visitor kept connected through the front: the
// fault run opens some on the instance it kills, and checks that each
// reconnects (through the front, so to the other instance) with its
// token and that its next message lands in the same ticket.
type chatter struct {
	base    string
	name    string // marks its messages (never "nomor N:", which Verify counts)
	token   string
	backend string // the instance (host:port) its socket is on
	conn    *websocket.Conn
	sent    []string // bodies acknowledged
}

type chatFrame struct {
	Type  string `json:"type"`
	Token string `json:"token"`
	CID   string `json:"cid"`
	Code  string `json:"code"`
}

// connect opens the socket through the front and says hello (with the
// token once the visitor has one).
func (c *chatter) connect(ctx context.Context) error {
	wsURL := "ws" + strings.TrimPrefix(c.base, "http") + "/livechat/ws"
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, res, err := websocket.DefaultDialer.DialContext(dctx, wsURL, http.Header{"Origin": []string{c.base}})
	if err != nil {
		return fmt.Errorf("cluster: visitor %s: dial: %w", c.name, err)
	}
	c.conn, c.backend = conn, res.Header.Get(BackendHeader)
	hello := map[string]any{"v": 1, "type": "hello", "after": 0, "lang": "id-ID"}
	if c.token != "" {
		hello["token"] = c.token
	}
	if err := c.write(hello); err != nil {
		return err
	}
	f, err := c.await(ctx, func(f chatFrame) bool { return f.Type == "welcome" })
	if err != nil {
		return err
	}
	if c.token != "" && f.Token != c.token {
		return fmt.Errorf("cluster: visitor %s: welcomed back as another visitor", c.name)
	}
	c.token = f.Token
	return nil
}

func (c *chatter) write(v any) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.conn.WriteJSON(v); err != nil {
		return fmt.Errorf("cluster: visitor %s: write: %w", c.name, err)
	}
	return nil
}

// await reads frames until one satisfies ok (an error frame fails).
func (c *chatter) await(ctx context.Context, ok func(chatFrame) bool) (chatFrame, error) {
	dl := time.Now().Add(20 * time.Second)
	if d, has := ctx.Deadline(); has && d.Before(dl) {
		dl = d
	}
	_ = c.conn.SetReadDeadline(dl)
	for {
		var f chatFrame
		_, raw, err := c.conn.ReadMessage()
		if err != nil {
			return f, fmt.Errorf("cluster: visitor %s: read: %w", c.name, err)
		}
		if json.Unmarshal(raw, &f) != nil {
			continue
		}
		if f.Type == "error" {
			return f, fmt.Errorf("cluster: visitor %s: answered %s", c.name, f.Code)
		}
		if ok(f) {
			return f, nil
		}
	}
}

// say sends the visitor's next message and waits for its ack (it is then
// durable).
func (c *chatter) say(ctx context.Context) error {
	k := len(c.sent) + 1
	cid := fmt.Sprintf("%s-%d", c.name, k)
	body := fmt.Sprintf("Lanjutan obrolan %s, pesan %d.", c.name, k)
	if err := c.write(map[string]any{"v": 1, "type": "msg", "cid": cid, "text": body}); err != nil {
		return err
	}
	if _, err := c.await(ctx, func(f chatFrame) bool { return f.Type == "ack" && f.CID == cid }); err != nil {
		return err
	}
	c.sent = append(c.sent, body)
	return nil
}

// cut waits until the socket breaks (its instance died), the event after
// which a widget reconnects.
func (c *chatter) cut(ctx context.Context) error {
	_, err := c.await(ctx, func(chatFrame) bool { return false })
	c.conn.Close()
	if ctx.Err() != nil {
		return fmt.Errorf("cluster: visitor %s: socket still open: %w", c.name, ctx.Err())
	}
	_ = err // the read error is the expected end
	return nil
}

// openChattersOn opens visitors through the front until n of them have
// their socket on the instance backend (host:port), each having sent one
// acknowledged message; the others are closed.
func openChattersOn(ctx context.Context, base, backend string, n int) ([]*chatter, error) {
	var out []*chatter
	for k := 1; len(out) < n; k++ {
		if k > 20*n {
			return out, fmt.Errorf("cluster: %d visitor sockets opened, %d on %s", k-1, len(out), backend)
		}
		c := &chatter{base: base, name: fmt.Sprintf("pengunjung-R%d", k)}
		err := c.connect(ctx)
		if err == nil && c.backend != backend {
			c.conn.Close()
			continue
		}
		if err == nil {
			err = c.say(ctx)
		}
		if err != nil {
			if c.conn != nil {
				c.conn.Close()
			}
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ResumeCheck is what became of the visitors whose instance was killed.
type ResumeCheck struct {
	Visitors int // connected to the killed instance
	Resumed  int // reconnected with their token and had their next message acknowledged
	OnOther  int // of those, reconnected through the front to another instance
	// SameTicket counts visitors whose messages before and after the
	// reconnect are all stored, once each, in one ticket.
	SameTicket int
}

// OK reports every visitor resumed in its ticket.
func (r ResumeCheck) OK() bool {
	return r.Visitors > 0 && r.Resumed == r.Visitors && r.SameTicket == r.Visitors
}

// checkResumed waits (every 200 ms, until ctx ends) until every message
// the visitors got an ack for is stored, and counts the visitors whose
// messages are all stored once, in one ticket.
func checkResumed(ctx context.Context, dbURL string, visitors []*chatter) (int, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, fmt.Errorf("cluster: resume check: connect %s: %w", mask.URL(dbURL), err)
	}
	defer conn.Close(context.Background())
	for {
		same, all := 0, true
		for _, v := range visitors {
			tickets := map[string]int{}
			copies := 0
			for _, body := range v.sent {
				rows, err := conn.Query(ctx, `SELECT ticket_id::text FROM messages WHERE direction = 'in' AND body = $1`, body)
				if err != nil {
					return 0, fmt.Errorf("cluster: resume check: %w", err)
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					return 0, fmt.Errorf("cluster: resume check: %w", err)
				}
				if len(ids) == 0 {
					all = false
				}
				copies += len(ids)
				for _, id := range ids {
					tickets[id]++
				}
			}
			if copies == len(v.sent) && len(tickets) == 1 {
				same++
			}
		}
		if all {
			return same, nil
		}
		select {
		case <-ctx.Done():
			return same, nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
