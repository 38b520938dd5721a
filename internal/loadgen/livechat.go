package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// chatVisitor is one live-chat citizen: the token the server gave them
// on the first hello, so a retry resumes the same visitor and resends the
// same message id, as the widget does after a reconnect.
type chatVisitor struct {
	token string
	cid   string
	text  string
}

// send opens the socket through base, says hello (with the token once it
// has one), sends the message and waits for its ack: the message is then
// durable. Any other outcome is an error, and the caller retries.
func (v *chatVisitor) send(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/livechat/ws"
	conn, res, err := websocket.DefaultDialer.DialContext(ctx, wsURL, http.Header{"Origin": []string{base}})
	if err != nil {
		if res != nil {
			return fmt.Errorf("livechat: dial: status %d", res.StatusCode)
		}
		return fmt.Errorf("livechat: dial: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(dl)
		_ = conn.SetWriteDeadline(dl)
	}
	hello := map[string]any{"v": 1, "type": "hello", "after": 0, "lang": "id-ID"}
	if v.token != "" {
		hello["token"] = v.token
	}
	if err := conn.WriteJSON(hello); err != nil {
		return fmt.Errorf("livechat: hello: %w", err)
	}
	type frame struct {
		Type  string `json:"type"`
		Token string `json:"token"`
		CID   string `json:"cid"`
		Code  string `json:"code"`
	}
	read := func() (frame, error) {
		var f frame
		_, raw, err := conn.ReadMessage()
		if err != nil {
			return f, fmt.Errorf("livechat: read: %w", err)
		}
		return f, json.Unmarshal(raw, &f)
	}
	for {
		f, err := read()
		if err != nil {
			return err
		}
		if f.Type == "error" {
			return fmt.Errorf("livechat: hello answered %s", f.Code)
		}
		if f.Type == "welcome" {
			v.token = f.Token
			break
		}
	}
	msg := map[string]any{"v": 1, "type": "msg", "cid": v.cid, "text": v.text}
	if err := conn.WriteJSON(msg); err != nil {
		return fmt.Errorf("livechat: msg: %w", err)
	}
	for {
		f, err := read()
		if err != nil {
			return err
		}
		switch {
		case f.Type == "ack" && f.CID == v.cid:
			return nil
		case f.Type == "error":
			return fmt.Errorf("livechat: msg answered %s", f.Code)
		}
	}
}
