package envelope

import (
	"errors"
	"testing"
	"time"

	"tanggap/internal/domain"
)

func TestChatKindBelongsToLiveChat(t *testing.T) {
	chat := func(ch domain.Channel, ref string) Inbound {
		return Inbound{V: Version, Channel: ch, ProviderMessageID: "visitor-1:c1",
			Sender: Sender{VisitorID: "visitor-1"}, Text: "halo", ThreadRef: ref,
			Fields: map[string]string{FieldKind: string(domain.KindChat)}, ReceivedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	}
	for _, c := range []struct {
		name string
		in   Inbound
		ok   bool
	}{
		{"a live-chat message naming its conversation is valid", chat(domain.ChannelLiveChat, "1234-5678-9012-3456"), true},
		{"a chat message without its conversation's number is refused", chat(domain.ChannelLiveChat, ""), false},
		{"the chat kind on another channel is refused", chat(domain.ChannelWhatsApp, "1234-5678-9012-3456"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate()
			if c.ok && err != nil {
				t.Fatal(err)
			}
			if !c.ok && !errors.Is(err, ErrInvalid) {
				t.Fatalf("err %v, want ErrInvalid", err)
			}
		})
	}
}
