package bus_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

func TestPublishAllWaitsForEveryAckAndDropsCopies(t *testing.T) {
	b := testenv.Bus(t)
	ctx := context.Background()
	var msgs []bus.Pending
	for i := range 50 {
		in := envelope.Inbound{Channel: domain.ChannelWhatsApp, ProviderMessageID: fmt.Sprintf("wamid.%d", i%40)} // 10 copies
		msgs = append(msgs, b.InboundPending(in, []byte(`{}`)))
	}
	if err := b.PublishAll(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	s, err := b.JS.Stream(ctx, b.Names.StreamInbound())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 40 {
		t.Fatalf("%d messages on the stream once PublishAll returned, want 40", info.State.Msgs)
	}

	b.NC.Close()
	if err := b.PublishAll(ctx, msgs[:2]); !errors.Is(err, bus.ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
}
