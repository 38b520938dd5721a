// Package bus connects to NATS JetStream (an external cluster, or a server
// embedded in this process), declares the streams, and publishes with
// acknowledgement. Every subject and stream name comes from names.go.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/envelope"
	"tanggap/internal/tracing"
)

// ErrUnavailable wraps failures to get a publish acknowledged: the caller
// must answer its client with a retryable error.
var ErrUnavailable = errors.New("bus: unavailable")

// Config selects and tunes the NATS connection.
type Config struct {
	URL           string // empty: run an embedded server
	StoreDir      string // embedded server's JetStream folder
	SubjectPrefix string
	Replicas      int           // JetStream replicas for the streams (1 for a single server)
	DedupeWindow  time.Duration // how long a Nats-Msg-Id is remembered
	Name          string        // connection name shown by the server
	// Observe, when set, counts the citizens' messages put on the bus
	// (internal/metrics implements it).
	Observe InboundObserver
}

// InboundObserver counts inbound messages per channel and outcome
// ("accepted": JetStream stored them; "unavailable": the publish failed
// and the provider is told to retry).
type InboundObserver interface {
	Received(channel, outcome string, n int)
}

// Bus is a NATS connection with JetStream.
type Bus struct {
	Names Names
	NC    *nats.Conn
	JS    jetstream.JetStream

	cfg      Config
	embedded *server.Server
	log      *slog.Logger
}

// Connect connects to cfg.URL, or starts an in-process NATS server with
// JetStream on cfg.StoreDir when the URL is empty (no TCP port is opened).
func Connect(ctx context.Context, cfg Config, log *slog.Logger) (*Bus, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.DedupeWindow <= 0 {
		cfg.DedupeWindow = 2 * time.Hour
	}
	b := &Bus{Names: NewNames(cfg.SubjectPrefix), cfg: cfg, log: log}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		// No reconnect buffer: a publish while disconnected fails at once.
		// Buffered, it would be sent after we told the caller "unavailable"
		// (the form's 503), and a citizen's retry would then store twice.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("nats reconnected") }),
	}
	url := cfg.URL
	if url == "" {
		ns, err := server.NewServer(&server.Options{
			ServerName: "tanggap-embedded",
			DontListen: true,
			JetStream:  true,
			StoreDir:   filepath.Join(cfg.StoreDir),
			NoSigs:     true,
			NoLog:      true,
		})
		if err != nil {
			return nil, fmt.Errorf("bus: embedded server: %w", err)
		}
		go ns.Start()
		wait := 30 * time.Second
		if dl, ok := ctx.Deadline(); ok {
			wait = time.Until(dl)
		}
		if !ns.ReadyForConnections(wait) {
			ns.Shutdown()
			return nil, fmt.Errorf("bus: embedded server did not start")
		}
		b.embedded = ns
		url = ns.ClientURL()
		opts = append(opts, nats.InProcessServer(ns))
	} else {
		opts = append(opts, nats.RetryOnFailedConnect(false))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownEmbedded()
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	b.NC = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	b.JS = js
	if err := b.EnsureStreams(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// EnsureStreams creates or updates the streams; safe to run on every start
// and from several instances at once.
func (b *Bus) EnsureStreams(ctx context.Context) error {
	n := b.Names
	streams := []jetstream.StreamConfig{{
		// Citizen messages: kept on disk until they age out, so a core that
		// was down for a day still finds every message.
		Name:        n.StreamInbound(),
		Description: "normalized citizen messages from every channel",
		Subjects:    []string{n.InboundAll()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      7 * 24 * time.Hour,
		Duplicates:  b.cfg.DedupeWindow,
		Replicas:    b.cfg.Replicas,
		Discard:     jetstream.DiscardOld,
	}, {
		// Agent replies: a work queue, each consumed once by its channel.
		Name:        n.StreamOutbound(),
		Description: "agent replies to deliver, one subject per channel",
		Subjects:    []string{n.OutboundAll()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Duplicates:  b.cfg.DedupeWindow,
		Replicas:    b.cfg.Replicas,
	}, {
		Name:        n.StreamReceipts(),
		Description: "delivery receipts of outbound messages",
		Subjects:    []string{n.ReceiptsAll()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Duplicates:  b.cfg.DedupeWindow,
		Replicas:    b.cfg.Replicas,
	}, {
		// Adapters' background work (media downloads, provider status
		// updates): durable, retried, each job taken by one instance.
		Name:        n.StreamJobs(),
		Description: "background work of channel adapters, one subject per channel and kind",
		Subjects:    []string{n.JobsAll()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Duplicates:  b.cfg.DedupeWindow,
		Replicas:    b.cfg.Replicas,
	}}
	for _, sc := range streams {
		if _, err := b.JS.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("bus: stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// PublishJSON marshals v and publishes it to a JetStream subject with a
// Nats-Msg-Id, returning only once the stream has acknowledged it.
func (b *Bus) PublishJSON(ctx context.Context, subject, msgID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: encode %s: %w", subject, err)
	}
	return b.Publish(ctx, subject, msgID, data)
}

// Publish publishes data and waits for the stream's acknowledgement.
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	opts := []jetstream.PublishOpt{}
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	tracing.Inject(ctx, msg.Header) // the trace goes on with whoever consumes it
	if _, err := b.JS.PublishMsg(ctx, msg, opts...); err != nil {
		return fmt.Errorf("%w: publish %s: %v", ErrUnavailable, subject, err)
	}
	return nil
}

// Notify publishes an empty notice on a core NATS subject (not
// JetStream): a hint to every instance listening (OnNotice) that
// something it caches changed. Core NATS delivers at most once, so a
// listener must cope with a lost notice (a cache that also expires); a
// failure is logged, not returned.
func (b *Bus) Notify(subject string) {
	if err := b.NC.Publish(subject, nil); err != nil {
		b.log.Warn("notify", "subject", subject, "err", err)
	}
}

// OnNotice calls f for every notice on subject, this connection's own
// included, until the bus closes; the calls come one at a time. It
// returns once the server has the subscription.
func (b *Bus) OnNotice(ctx context.Context, subject string, f func()) error {
	if _, err := b.NC.Subscribe(subject, func(*nats.Msg) { f() }); err != nil {
		return fmt.Errorf("bus: subscribe %s: %w", subject, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	if err := b.NC.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("%w: subscribe %s: %v", ErrUnavailable, subject, err)
	}
	return nil
}

// Ping checks that the server answers (for readiness).
func (b *Bus) Ping(ctx context.Context) error {
	if !b.NC.IsConnected() {
		return fmt.Errorf("%w: not connected", ErrUnavailable)
	}
	if _, err := b.JS.AccountInfo(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Close drains the connection (delivering what is buffered) and stops the
// embedded server if there is one.
func (b *Bus) Close() {
	if b.NC != nil {
		if err := b.NC.Drain(); err != nil {
			b.NC.Close()
		}
		deadline := time.Now().Add(5 * time.Second)
		for !b.NC.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.shutdownEmbedded()
}

func (b *Bus) shutdownEmbedded() {
	if b.embedded != nil {
		b.embedded.Shutdown()
		b.embedded.WaitForShutdown()
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// PublishInbound publishes a normalized citizen message; the stream drops
// a second copy with the same channel and provider message id.
func (b *Bus) PublishInbound(ctx context.Context, in envelope.Inbound) error {
	err := b.PublishJSON(ctx, b.Names.Inbound(in.Channel), InboundMsgID(in.Channel, in.ProviderMessageID), in)
	b.observeInbound(string(in.Channel), 1, err)
	return err
}

func (b *Bus) observeInbound(channel string, n int, err error) {
	if !b.observing() {
		return
	}
	outcome := "accepted"
	if err != nil {
		outcome = "unavailable"
	}
	b.cfg.Observe.Received(channel, outcome, n)
}

// observing: an inbound observer is set and records (metrics may be
// paused, see metrics.Metrics.SetRecording).
func (b *Bus) observing() bool {
	if b.cfg.Observe == nil {
		return false
	}
	r, ok := b.cfg.Observe.(interface{ Recording() bool })
	return !ok || r.Recording()
}

// PublishOutbound publishes an agent reply for its channel's adapter.
func (b *Bus) PublishOutbound(ctx context.Context, out envelope.Outbound) error {
	return b.PublishJSON(ctx, b.Names.Outbound(out.Channel), OutboundMsgID(out.ID), out)
}

// PublishReceipt publishes a delivery receipt.
func (b *Bus) PublishReceipt(ctx context.Context, r envelope.Receipt) error {
	return b.PublishJSON(ctx, b.Names.Receipts(r.Channel), ReceiptMsgID(r.MessageID, r.Status), r)
}
