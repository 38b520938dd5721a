package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/envelope"
	"tanggap/internal/tracing"
)

// JobOutcome is what a job handler decided about one job.
type JobOutcome int

const (
	JobDone  JobOutcome = iota // acknowledged: gone from the stream
	JobRetry                   // delivered again after the handler's delay
	JobDrop                    // retrying cannot help; the handler logged why
	// JobWait: not yet, and nothing failed (a notice waiting its turn
	// behind another, a job another worker holds): delivered again after
	// the handler's delay, counted apart from the retries.
	JobWait
)

// JobHandler works one job. attempt counts deliveries from 1 (waits
// included); with JobRetry or JobWait, the returned delay is how long the
// job waits before the next.
type JobHandler func(ctx context.Context, data []byte, attempt int) (JobOutcome, time.Duration)

// JobOpts names one kind of a channel's jobs and how they are worked.
type JobOpts struct {
	Channel envelope.Channel
	Kind    string
	// Parallel is how many jobs are worked at once (default 8): jobs are
	// mostly downloads that wait on a provider.
	Parallel int
	Log      *slog.Logger
}

// PublishJob queues durable background work of an adapter (a media or
// recording download, a status update) on the JOBS work queue and returns
// once JetStream has it. key makes a provider's redelivery of the same
// work a no-op within the dedupe window.
func (b *Bus) PublishJob(ctx context.Context, ch envelope.Channel, kind, key string, v any) error {
	return b.PublishJSON(ctx, b.Names.Job(ch, kind), JobMsgID(ch, kind, key), v)
}

// JobAck is the kind of the job the core queues for a channel whose
// adapter acknowledges a citizen's first message (ingest's Opts.Acks):
// Names.Job(<channel>, JobAck) carries an Ack, keyed by the ticket id.
const JobAck = "ack"

// Ack is a ticket just opened by a citizen's message, as the channel's
// adapter needs it to tell the citizen it was received.
type Ack struct {
	TicketID       int64  `json:"ticket_id"`
	TrackingNumber string `json:"tracking_number"`
	// Phone is the citizen's number (E.164) on the channel.
	Phone string `json:"phone"`
	// Via is the provider's number the citizen wrote to
	// (envelope.FieldVia); empty when the message did not say.
	Via string `json:"via,omitempty"`
	// At is when the citizen's message was received: an adapter bound
	// by a reply window (WhatsApp's 24 hours) tells nothing after it.
	At time.Time `json:"at"`
	// Kind is what the opening message is (a domain.Kind: voicemail,
	// callback_request, call_record, ...) and CallOutcome, for the phone
	// line's call record, how the call ended (envelope.FieldCallOutcome):
	// only callers who left something to answer are told.
	Kind        string `json:"kind,omitempty"`
	CallOutcome string `json:"call_outcome,omitempty"`
}

// JobPending is a job ready for PublishAll, under the subject and
// Nats-Msg-Id PublishJob uses.
func (b *Bus) JobPending(ch envelope.Channel, kind, key string, v any) (Pending, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Pending{}, fmt.Errorf("bus: encode %s job: %w", kind, err)
	}
	return Pending{Subject: b.Names.Job(ch, kind), MsgID: JobMsgID(ch, kind, key), Data: data}, nil
}

// RunJobs works one kind of a channel's jobs through a durable consumer
// shared by every instance until ctx ends. A job is never lost: until the
// handler says done or drop it stays on the stream and comes back, also
// after a crash (ack wait). Failing to create the consumer is retried,
// because the jobs wait safely on the stream while the rest of the
// process keeps working.
func (b *Bus) RunJobs(ctx context.Context, o JobOpts, handle JobHandler) error {
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	log := o.Log.With("channel", o.Channel, "job", o.Kind)
	var cons jetstream.Consumer
	for {
		var err error
		cons, err = b.JS.CreateOrUpdateConsumer(ctx, b.Names.StreamJobs(), jetstream.ConsumerConfig{
			Durable:       b.Names.DurableJob(o.Channel, o.Kind),
			FilterSubject: b.Names.Job(o.Channel, o.Kind),
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       2 * time.Minute,
			MaxDeliver:    -1,
			MaxAckPending: 1000,
		})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("jobs consumer", "err", err)
		sleep(ctx, 2*time.Second)
	}
	sem := make(chan struct{}, o.Parallel)
	Consume(ctx, cons, 50, log, "jobs", func(msgs <-chan jetstream.Msg) {
		var wg sync.WaitGroup
		for msg := range msgs {
			attempt := Attempt(msg)
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				var err error
				// The job goes on in the trace of whoever queued it.
				outcome, delay := handle(tracing.Extract(ctx, msg.Headers()), msg.Data(), attempt)
				switch outcome {
				case JobDone:
					err = msg.Ack()
				case JobRetry, JobWait:
					err = msg.NakWithDelay(delay)
				default:
					err = msg.Term()
				}
				b.observeJob(string(o.Channel)+"/"+o.Kind, outcome)
				if err != nil {
					log.Warn("job settle failed", "err", err)
				}
			}()
		}
		wg.Wait()
	})
	return nil
}

// JobObserver counts job outcomes per kind ("notify/send",
// "whatsapp/media"): done, retry, waiting, dropped. Config.Observe may
// implement it.
type JobObserver interface {
	Job(kind, outcome string)
}

func (b *Bus) observeJob(kind string, outcome JobOutcome) {
	o, ok := b.cfg.Observe.(JobObserver)
	if !ok {
		return
	}
	switch outcome {
	case JobDone:
		o.Job(kind, "done")
	case JobRetry:
		o.Job(kind, "retry")
	case JobWait:
		o.Job(kind, "waiting")
	default:
		o.Job(kind, "dropped")
	}
}

// Consume fetches batches of up to size messages from cons and hands each
// batch's messages to work until ctx ends. Fetch and batch errors are
// logged as what+" fetch" / what+" batch"; a failed fetch is retried after
// a second.
func Consume(ctx context.Context, cons jetstream.Consumer, size int, log *slog.Logger, what string, work func(msgs <-chan jetstream.Msg)) {
	for ctx.Err() == nil {
		batch, err := cons.Fetch(size, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn(what+" fetch", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		work(batch.Messages())
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			log.Warn(what+" batch", "err", err)
		}
	}
}

// Attempt is how many times msg has been delivered, counting from 1.
func Attempt(msg jetstream.Msg) int {
	if md, err := msg.Metadata(); err == nil {
		return int(md.NumDelivered)
	}
	return 1
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
