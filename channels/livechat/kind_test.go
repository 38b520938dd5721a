package livechat_test

import (
	"fmt"
	"testing"

	"tanggap/internal/apptest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// TestChatMessageCarriesTheChatKind: a widget message goes through the
// gateway, the bus and the core, and the console sees it as a chat
// message (fields.kind "chat") on the ticket opened under the
// conversation's number.
func TestChatMessageCarriesTheChatKind(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	tn := w.hello("", 0)["conversation"].(map[string]any)["tn"].(string)
	w.entriesUntilReplayed()
	w.say("k1", "Halo, saya mau tanya")

	c := apptest.NewClient(t, base)
	c.Login(apptest.AdminEmail, apptest.AdminPassword)
	ag := agent{c}
	tk := ag.ticket(t, tn)
	var d struct {
		Messages []struct {
			Direction string            `json:"direction"`
			Body      string            `json:"body"`
			Fields    map[string]string `json:"fields"`
		} `json:"messages"`
	}
	ag.Do("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil).JSON(t, &d)
	if len(d.Messages) != 1 {
		t.Fatalf("messages %+v, want the one chat message", d.Messages)
	}
	m := d.Messages[0]
	if m.Direction != string(domain.DirectionIn) || m.Body != "Halo, saya mau tanya" || m.Fields[envelope.FieldKind] != string(domain.KindChat) {
		t.Fatalf("message %+v, want a citizen's chat message (kind %q)", m, domain.KindChat)
	}
}
