package channels_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tanggap/channels"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// A channel this installation does not run: a reply queued before this
// instance started (while the channel ran) is recorded as failed for the
// channel being off and leaves the stream; a newer one, which only an
// instance running the channel could have taken, is left for it.
func TestRunOffSettlesRepliesQueuedBeforeTheStart(t *testing.T) {
	b := testenv.Bus(t)
	ctx, cancel := context.WithCancel(context.Background())
	since := time.Now().UTC()
	for _, out := range []envelope.Outbound{
		{V: 1, Channel: domain.ChannelWhatsApp, MessageID: 2, ID: "agent-2", Text: "baru", CreatedAt: since.Add(time.Minute)},
		{V: 1, Channel: domain.ChannelWhatsApp, MessageID: 1, ID: "agent-1", Text: "lama", CreatedAt: since.Add(-time.Hour)},
	} {
		if err := b.PublishOutbound(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- channels.RunOff(ctx, channels.OffOpts{Bus: b, Channel: domain.ChannelWhatsApp, Log: testenv.Logger(t), Since: since, Wait: time.Hour})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunOff: %v", err)
		}
	})

	got := collectReceipts(t, b, func(got map[int64]envelope.Receipt) error {
		if _, ok := got[1]; !ok {
			return errors.New("waiting for the older reply's receipt")
		}
		return nil
	})
	if r := got[1]; r.Status != domain.DeliveryFailed || r.Error != channels.ErrorChannelOff || r.Channel != domain.ChannelWhatsApp || r.At.IsZero() {
		t.Errorf("the older reply's receipt: %+v", r)
	}
	// The newer one was offered first (published first) and left.
	if r, ok := got[2]; ok {
		t.Errorf("a reply newer than the start was settled: %+v", r)
	}
	info, err := b.JS.Stream(ctx, b.Names.StreamOutbound())
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 1 {
		t.Errorf("outbound stream holds %d replies, want the newer one only", n)
	}
}
