package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/envelope"
	"tanggap/internal/tracing"
)

// Pending is one message for PublishAll.
type Pending struct {
	Subject string
	MsgID   string
	Data    []byte
	// channel is set for a citizen's message (counted by Config.Observe).
	channel envelope.Channel
}

// InboundPending is an inbound envelope ready for PublishAll, under the
// same subject and Nats-Msg-Id PublishInbound uses.
func (b *Bus) InboundPending(in envelope.Inbound, data []byte) Pending {
	return Pending{Subject: b.Names.Inbound(in.Channel), MsgID: InboundMsgID(in.Channel, in.ProviderMessageID), Data: data, channel: in.Channel}
}

// PublishAll publishes every message without waiting in between and
// returns once JetStream acknowledged all of them. Any failure returns an
// error wrapping ErrUnavailable: some messages may then be stored already,
// so callers answer with a retryable error and rely on Nats-Msg-Id to drop
// the copies a retry brings.
func (b *Bus) PublishAll(ctx context.Context, msgs []Pending) (err error) {
	if b.observing() {
		defer func() {
			counts := map[envelope.Channel]int{}
			for _, m := range msgs {
				if m.channel != "" {
					counts[m.channel]++
				}
			}
			for ch, n := range counts {
				b.observeInbound(string(ch), n, err)
			}
		}()
	}
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return b.Publish(ctx, msgs[0].Subject, msgs[0].MsgID, msgs[0].Data)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		nm := &nats.Msg{Subject: m.Subject, Data: m.Data, Header: nats.Header{}}
		if m.MsgID != "" {
			nm.Header.Set(jetstream.MsgIDHeader, m.MsgID)
		}
		tracing.Inject(ctx, nm.Header)
		f, err := b.JS.PublishMsgAsync(nm)
		if err != nil {
			return fmt.Errorf("%w: publish %s: %v", ErrUnavailable, m.Subject, err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("%w: publish %s: %v", ErrUnavailable, f.Msg().Subject, err)
		case <-ctx.Done():
			return fmt.Errorf("%w: publish: %v", ErrUnavailable, ctx.Err())
		}
	}
	return nil
}
