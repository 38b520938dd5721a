package envelope

import (
	"testing"
	"time"

	"tanggap/internal/domain"
)

func TestQueueStrictNeedsAQueue(t *testing.T) {
	in := Inbound{V: Version, Channel: domain.ChannelVoice, ProviderMessageID: "CA1:x",
		Sender: Sender{Phone: "+6281300000078"}, Text: "x", ReceivedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		Fields: map[string]string{FieldQueueStrict: "true"}}
	if err := in.Validate(); err == nil {
		t.Fatal("queue_strict without a queue accepted")
	}
	in.Fields[FieldQueue] = "callback"
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	in.Fields[FieldQueueStrict] = "yes"
	if err := in.Validate(); err == nil {
		t.Fatal(`queue_strict other than "true" accepted`)
	}
}
