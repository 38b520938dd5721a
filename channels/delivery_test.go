package channels_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/channels"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// scriptedAdapter stands in for a provider: it fails each message the
// scripted number of times, then succeeds.
type scriptedAdapter struct {
	mu       sync.Mutex
	failures map[int64]int
	perm     map[int64]bool
	calls    map[int64]int
}

func (a *scriptedAdapter) Channel() envelope.Channel { return domain.ChannelWhatsApp }
func (a *scriptedAdapter) Mount(fiber.Router)        {}
func (a *scriptedAdapter) Deliver(_ context.Context, out envelope.Outbound) (envelope.Receipt, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls[out.MessageID]++
	if a.perm[out.MessageID] {
		return envelope.Receipt{}, channels.Permanent(errors.New("recipient not on WhatsApp"))
	}
	if a.calls[out.MessageID] <= a.failures[out.MessageID] {
		return envelope.Receipt{}, errors.New("provider timeout")
	}
	return envelope.Receipt{Status: domain.DeliverySent, ExternalID: "ext-" + string(rune('0'+out.MessageID))}, nil
}

func TestDeliveryRetriesAndReportsEveryOutcome(t *testing.T) {
	b := testenv.Bus(t)
	ad := &scriptedAdapter{failures: map[int64]int{2: 2, 4: 100}, perm: map[int64]bool{3: true}, calls: map[int64]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- channels.RunDelivery(ctx, channels.DeliveryOpts{Bus: b, Adapter: ad, Log: testenv.Logger(t), MaxDeliver: 3,
			Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunDelivery: %v", err)
		}
	})
	for id := int64(1); id <= 4; id++ {
		if err := b.PublishOutbound(ctx, envelope.Outbound{V: 1, Channel: domain.ChannelWhatsApp, MessageID: id, ID: fmt.Sprintf("agent-%d", id), Text: "hai"}); err != nil {
			t.Fatal(err)
		}
	}
	// An undecodable envelope is set aside, not retried forever.
	if err := b.Publish(ctx, b.Names.Outbound(domain.ChannelWhatsApp), "junk", []byte("{not json")); err != nil {
		t.Fatal(err)
	}

	got := collectReceipts(t, b, func(got map[int64]envelope.Receipt) error {
		if len(got) < 4 {
			return errors.New("waiting for receipts")
		}
		return nil
	})
	want := map[int64]domain.DeliveryStatus{1: domain.DeliverySent, 2: domain.DeliverySent, 3: domain.DeliveryFailed, 4: domain.DeliveryFailed}
	for id, st := range want {
		if got[id].Status != st || got[id].Channel != domain.ChannelWhatsApp || got[id].At.IsZero() {
			t.Errorf("message %d: receipt %+v, want %s", id, got[id], st)
		}
	}
	if got[3].Error == "" || got[4].Error == "" {
		t.Errorf("failures must say why: %+v %+v", got[3], got[4])
	}
	ad.mu.Lock()
	defer ad.mu.Unlock()
	if ad.calls[1] != 1 || ad.calls[2] != 3 || ad.calls[3] != 1 || ad.calls[4] != 3 {
		t.Errorf("attempts = %v (want 1, 3, 1, 3)", ad.calls)
	}
	// The work queue is empty: every reply was acked exactly once.
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		info, err := b.JS.Stream(ctx, b.Names.StreamOutbound())
		if err != nil {
			return err
		}
		if n := info.CachedInfo().State.Msgs; n != 0 {
			return errors.New("outbound stream not drained")
		}
		return nil
	})
}

// collectReceipts reads the receipts stream until enough, given the
// receipts read so far by message id, returns nil, and returns them.
func collectReceipts(t *testing.T, b *bus.Bus, enough func(got map[int64]envelope.Receipt) error) map[int64]envelope.Receipt {
	t.Helper()
	cons, err := b.JS.CreateOrUpdateConsumer(context.Background(), b.Names.StreamReceipts(),
		jetstream.ConsumerConfig{Durable: "test", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]envelope.Receipt{}
	testenv.CheckFor(t, 20*time.Second, 10*time.Millisecond, func() error {
		batch, err := cons.FetchNoWait(10)
		if err != nil {
			return err
		}
		for m := range batch.Messages() {
			r, err := envelope.DecodeReceipt(m.Data())
			if err != nil {
				t.Fatalf("bad receipt: %v", err)
			}
			got[r.MessageID] = r
			m.Ack()
		}
		return enough(got)
	})
	return got
}
