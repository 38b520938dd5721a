package livechat_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// An agent typing in the console, told through the agents' push socket,
// shows on the visitor's widget as the typing route shows it.
func TestConsoleSocketTypingReachesTheWidget(t *testing.T) {
	base := startApp(t)
	ag := newAgent(t, base)
	tab := mustDial(t, base)
	tn := tab.hello("", 0)["conversation"].(map[string]any)["tn"].(string)
	tab.say("c1", "Halo, saya butuh bantuan")
	tk := ag.ticket(t, tn)

	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/v1/ws",
		http.Header{"Authorization": {"Bearer " + ag.Token}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(asyncWait))
	var hello struct {
		Type string `json:"type"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("hello: %v %v", hello, err)
	}
	for _, on := range []bool{true, false} {
		if err := ws.WriteJSON(map[string]any{"type": "typing", "ticket_id": tk.ID, "on": on}); err != nil {
			t.Fatal(err)
		}
		if f := tab.next("typing"); f["on"] != on || f.str("agent") == "" {
			t.Fatalf("typing frame = %v, want on=%v", f, on)
		}
	}
}
