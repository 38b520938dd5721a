// Package ingest is the ticketing core's persistence path: it consumes
// normalized citizen messages from the INBOUND stream, resolves each
// sender's contact, threads the message into a ticket (or opens one),
// stores it, routes new tickets, and only then acknowledges.
//
// Throughput comes from batches: one transaction stores up to BatchSize
// messages with set-based statements (one lookup per table, one multi-row
// INSERT … RETURNING per table), so the cost of a commit and of each
// statement is shared by hundreds of messages. At low rates the consumer
// gathers what arrives within Linger into one batch, so that cost (and the
// pull requests') is shared there too. A fetching goroutine feeds Workers
// storing goroutines; each citizen's messages go to one worker at a time,
// so under load batches of different citizens commit in parallel on their
// own connections.
//
// Guarantees, and what keeps them:
//
//   - Ack after commit (invariant 2). Messages are acked only once their
//     transaction committed; a crash in between redelivers them, and the
//     unique key (channel, provider_message_id) turns the redelivery into
//     a no-op: the batch first SELECTs the keys already stored, and the
//     INSERT … ON CONFLICT DO NOTHING catches a copy stored concurrently by
//     another instance (the ticket opened for it is removed again).
//   - Nothing is dropped silently. An envelope that fails validation can
//     never be stored: it is logged (personal data masked) and terminated,
//     and stays in the stream for inspection. When a batch transaction
//     fails, its messages are retried one per transaction so a poison
//     message cannot hold the others back; one that still fails is
//     negatively acked with a growing delay and logged, and is redelivered
//     without limit.
//   - Items a channel could not read are not lost either: the adapter
//     publishes a record of each ({"refused": …}, envelope.Refused) on
//     the same subjects, and the consumer keeps it as a row for admins
//     (Opts.Refused, once per record id) before it acks (refused.go).
//   - Order. A citizen's messages reach one worker at a time in stream
//     order (see dispatch) and are stored in that order (ids follow the
//     stream), so threading sees them one after the other; a thread is
//     shown ordered by (created_at, id), created_at being the provider's
//     received-at time.
//   - Fetched messages stay owned: until a message is acked, naked or
//     terminated it gets an in-progress ack every AckWait/3, so JetStream
//     does not hand it to another instance meanwhile.
//
// Several instances share the durable consumer; JetStream gives each
// message to one of them at a time.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"tanggap/internal/backoff"
	"tanggap/internal/bus"
	"tanggap/internal/contact"
	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Defaults of Opts.
const (
	DefaultBatchSize = 1000
	DefaultMaxWait   = time.Second
	DefaultAckWait   = 30 * time.Second
	DefaultWorkers   = 3
	// DefaultLinger and DefaultFill: see Opts.Linger.
	DefaultLinger = 250 * time.Millisecond
	DefaultFill   = 16
)

// Clocks keeps the SLA clocks (routing.Clocks implements it).
type Clocks interface {
	CitizenWrote(ctx context.Context, tx *gorm.DB, touched []ticket.Touched, at map[int64]time.Time) error
}

// Router files and assigns a batch's tickets inside its transaction
// (routing.Router, the assignment engine, implements it).
type Router interface {
	// LockAgents locks every agent the batch's routing may change, in id
	// order, before RouteLocked's and Reactivate's writes to agents.
	LockAgents(ctx context.Context, tx *gorm.DB, queueIDs, agentIDs []int64) error
	File(ctx context.Context, tx *gorm.DB, tickets []routing.NewTicket, now time.Time) ([]routing.Filing, error)
	// RouteLocked routes the new tickets once LockAgents has locked every
	// member of their queues.
	RouteLocked(ctx context.Context, tx *gorm.DB, tickets []routing.Ticket) ([]routing.Assignment, error)
	Reactivate(ctx context.Context, tx *gorm.DB, tickets []routing.Reactivated) ([]routing.Assignment, error)
}

// Queues finds the queue a message asks for or its category takes
// (routing.Settings implements it).
type Queues interface {
	QueueFor(ctx context.Context, tx *gorm.DB, want, category string) (int64, error)
}

// BatchObserver is told the size and time of each committed batch
// (internal/metrics implements it).
type BatchObserver interface {
	Ingested(n int, d time.Duration)
}

// AckObserver, when Opts.Observe implements it too, is told of each
// inbound message the consumer acks after its batch committed: how long
// after JetStream stored it (the message's stream timestamp, on the NATS
// server's clock) the ack was sent.
// Recording says whether to observe at all: while it is false the
// consumer skips the metadata and the clock per message.
type AckObserver interface {
	Acked(sinceStored time.Duration)
	Recording() bool
}

// Opts configures a Consumer.
type Opts struct {
	DB       *db.DB
	Bus      *bus.Bus
	Contacts *contact.Service
	Router   Router
	Queues   Queues
	// Clocks starts the next-response clock of answered tickets a citizen
	// wrote on, inside the batch transaction.
	Clocks Clocks
	Log    *slog.Logger
	// BatchSize is the most messages stored in one transaction.
	BatchSize int
	// MaxWait is how long a pull request waiting for the first message
	// after a quiet spell stays open (see pull).
	MaxWait time.Duration
	// AckWait is how long JetStream waits for an ack before redelivering.
	// It is set on the shared durable consumer.
	AckWait time.Duration
	// Workers is how many batches are stored in parallel, each in its own
	// transaction on its own connection. Default: DefaultWorkers on
	// PostgreSQL; 1 on SQLite, which has a single writer anyway (the
	// fetching goroutine still overlaps with it).
	Workers int
	// Linger is how long the consumer gathers messages into one round,
	// counted from the first one's arrival, while it holds fewer than Fill
	// and more keep coming; negative: never. A batch's fixed cost (its
	// statements, round trips, commit and pull requests) then falls on
	// several messages at low rates too, for at most Linger of delay; how
	// long it waits follows the rate seen (about the time Fill messages
	// take), so at higher rates the delay is shorter, and under load rounds
	// fill from what is in the stream and nothing waits. A message that
	// comes after a quiet spell of Linger or more is stored at once, with
	// what the stream holds already: at that rate nothing would join it.
	// Default: DefaultLinger.
	Linger time.Duration
	// Fill is the round size at which the consumer stops gathering; half
	// of it at a rate that brings two rounds within Linger (see
	// gatherWait). Default: DefaultFill.
	Fill int
	// ReopenWindow: a message from a citizen whose ticket on that channel
	// was solved less than this long ago reopens it; 0 never reopens
	// (a new ticket opens).
	ReopenWindow time.Duration
	// Observe, when set, is told of each committed batch (metrics).
	Observe BatchObserver
	// Refused keeps the records of items a channel could not read, which
	// adapters publish on the inbound subjects beside the envelopes; nil:
	// they are terminated and logged.
	Refused RefusedItems
	// Tracer, when set, traces each batch: one span per transaction, the
	// child of the one message's publisher or linked to each of many.
	Tracer trace.Tracer
	// Acks are the channels whose new tickets are acknowledged (WhatsApp
	// by its adapter, the phone line by notify): each ticket a batch
	// opens on one of them becomes a bus.JobAck job on that channel's job
	// queue once the batch is committed (acks.go). Empty: none.
	Acks []envelope.Channel
	// ProbeInterval is how often the consumer, paused while the database
	// is down, asks whether it is back (see outage.go). Default:
	// DefaultProbeInterval.
	ProbeInterval time.Duration

	// afterCommit, for tests, runs after a batch committed and before its
	// acks; an error abandons the batch unacked (a crash at that point).
	afterCommit func() error
	// beforeMessages, for tests, runs inside the batch transaction just
	// before the message INSERT, to play a concurrent instance.
	beforeMessages func(tx *gorm.DB) error
}

// Consumer stores inbound messages.
type Consumer struct {
	db        *db.DB
	bus       *bus.Bus
	contacts  *contact.Service
	router    Router
	queues    Queues
	clocks    Clocks
	log       *slog.Logger
	batchSize int
	maxWait   time.Duration
	ackWait   time.Duration
	workers   int
	linger    time.Duration
	fill      int
	// reopenWindow: see Opts.ReopenWindow.
	reopenWindow time.Duration
	probeEvery   time.Duration
	outage       *outage
	afterCommit  func() error
	observe      BatchObserver
	acks         AckObserver // Observe, when it implements AckObserver
	tracer       trace.Tracer
	refused      RefusedItems
	ackChannels  map[envelope.Channel]bool // Opts.Acks
	// beforeMessages: see Opts.
	beforeMessages func(tx *gorm.DB) error
}

// New returns a Consumer; Run starts it.
func New(o Opts) *Consumer {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.AckWait <= 0 {
		o.AckWait = DefaultAckWait
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
		if o.DB != nil && o.DB.Dialect == db.SQLite {
			o.Workers = 1
		}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Linger == 0 {
		o.Linger = DefaultLinger
	}
	if o.Fill <= 0 {
		o.Fill = DefaultFill
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	acks, _ := o.Observe.(AckObserver)
	var ackChannels map[envelope.Channel]bool
	for _, ch := range o.Acks {
		if ackChannels == nil {
			ackChannels = map[envelope.Channel]bool{}
		}
		ackChannels[ch] = true
	}
	return &Consumer{probeEvery: o.ProbeInterval, acks: acks, ackChannels: ackChannels,
		db: o.DB, bus: o.Bus, contacts: o.Contacts, router: o.Router, queues: o.Queues, clocks: o.Clocks, log: o.Log.With("component", "ingest"),
		batchSize: o.BatchSize, maxWait: o.MaxWait, ackWait: o.AckWait, workers: o.Workers, linger: max(o.Linger, 0), fill: min(o.Fill, o.BatchSize), reopenWindow: o.ReopenWindow,
		afterCommit: o.afterCommit, beforeMessages: o.beforeMessages, observe: o.Observe, tracer: o.Tracer, refused: o.Refused,
	}
}

// Run consumes until ctx ends, then finishes the messages in hand and
// returns nil. It returns an error only when the consumer cannot be set up.
//
// One goroutine fetches and decodes (see fetch: at low rates it gathers
// the messages of up to Linger into one round); Workers goroutines store.
// A worker takes whatever rounds have queued up for it, up to BatchSize
// messages, as one batch, and stores its messages in arrival order. One
// citizen's messages are stored in stream order because they all go to
// one worker at a time (see dispatch): while one worker keeps up, every
// round goes to it whole; once it falls behind, each message goes to the
// worker chosen by its citizen key (see citizenKey), so other citizens'
// batches commit in parallel on other connections.
func (c *Consumer) Run(ctx context.Context) error {
	cons, err := c.ensureConsumer(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: a clean stop, not a failure
		}
		return err
	}
	c.log.Info("ingest consumer started", "durable", c.bus.Names.DurableIngest(),
		"batch_size", c.batchSize, "workers", c.workers)
	c.outage = newOutage(c.db.Ping, c.probeEvery, c.log)
	inflight := &inflight{items: map[*item]struct{}{}}
	stopBeat := c.heartbeat(inflight)
	defer stopBeat()

	// Workers finish what was fetched even after ctx ends: acking it
	// spares a redelivery.
	workCtx := context.WithoutCancel(ctx)
	d := newDispatch(c.workers, c.fill)
	var wg sync.WaitGroup
	for w := range d.queues {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c.work(workCtx, ctx, d, w, inflight)
		}(w)
	}
	defer func() {
		for _, q := range d.queues {
			close(q)
		}
		wg.Wait()
		c.log.Info("ingest consumer stopped")
	}()

	var (
		round    []*item                        // fetched, not yet handed to the workers
		first    time.Time                      // when round's first message came
		quiet    = time.Duration(math.MaxInt64) // from the last round's hand-over to round's first message
		sent     time.Time                      // when the last round was handed over
		looked   bool                           // round, not gathered, took what the stream held
		rate     float64                        // messages per second of the last rounds
		failures int
	)
	take := func(m jetstream.Msg) {
		if r, ok, err := envelope.DecodeRefused(m.Data()); ok {
			// Off the fetching goroutine: a slow insert must not hold up
			// the citizens' messages fetched behind it.
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.keepRefused(ctx, m, r, err)
			}()
			return
		}
		it, err := decode(m)
		if err != nil {
			c.terminate(m, it, err)
			return
		}
		if len(round) == 0 {
			first = time.Now()
			if !sent.IsZero() {
				quiet = first.Sub(sent)
			}
		}
		inflight.add(it)
		round = append(round, it)
	}
	for ctx.Err() == nil {
		// Nothing more is fetched while the database is down: what is
		// not in hand stays in JetStream for whichever instance is up.
		if !c.outage.await(ctx) {
			break
		}
		var (
			n   int
			err error
		)
		if len(round) == 0 {
			// Nothing in hand: wait for the first message.
			n, err = c.pull(cons, 1, true, take)
		} else {
			n, err = c.pull(cons, c.batchSize-len(round), false, take)
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if len(round) > 0 {
				// What is in hand is stored meanwhile, not held through
				// the backoff.
				d.send(round)
				round, sent, looked = nil, time.Now(), false
			}
			failures++
			c.log.Warn("ingest fetch failed", "err", err, "attempt", failures)
			wait(ctx, retryBackoff.Wait(failures))
			continue
		}
		failures = 0
		if len(round) == 0 {
			continue
		}
		if n > 0 {
			if w := gatherWait(c.linger, c.fill, len(round), time.Since(first), quiet, rate); w > 0 {
				wait(ctx, w)
				continue
			}
			if !looked && c.linger > 0 && quiet >= c.linger && len(round) < c.fill {
				// Not gathered, but what is in the stream already (a
				// backlog at start or after an outage) comes along.
				looked = true
				continue
			}
		}
		if age := time.Since(first).Seconds(); quiet >= c.linger {
			rate = 0 // a round not gathered says nothing of the rate
		} else if age > 0 {
			rate = float64(len(round)) / age
		}
		d.send(round)
		round, sent, looked = nil, time.Now(), false
	}
	if len(round) > 0 {
		d.send(round)
	}
	return nil
}

// gatherWait is how much longer the fetching loop gathers a round of held
// messages, the first of which came age ago after quiet without any (since
// the last round was handed over); 0 hands it over now. It gathers while
// the round is under fill and younger than linger, for no longer than
// filling it takes at rate (messages per second of the last rounds), so
// under load the waits shrink to nothing; at a rate that fills two rounds
// within the linger, a round stops at half of fill. A round that began
// after a quiet spell of linger or more is not held at all (Run only takes
// what the stream holds already): at that rate nothing would join it
// within the linger, and its message would only wait.
func gatherWait(linger time.Duration, fill, held int, age, quiet time.Duration, rate float64) time.Duration {
	if rate <= 0 && quiet < linger {
		// No rate yet (the start, or the first round after a quiet
		// spell): the gap before this round's first message is the best
		// guess. Waiting out the whole linger instead would, when traffic
		// jumps, gather a linger's worth of messages into one round.
		rate = float64(time.Second) / float64(max(quiet, time.Millisecond))
	}
	if rate*linger.Seconds() >= 2*float64(fill) {
		// Two full rounds come within a linger: half a round is enough.
		// The batch's fixed cost is already small beside the rest per
		// message, while a round's events reach the agents' consoles as
		// one burst, and the last agent waits for the whole burst to be
		// written.
		fill = max(1, fill/2)
	}
	left := linger - age
	if held >= fill || left <= 0 || quiet >= linger {
		return 0
	}
	if rate > 0 {
		left = min(left, time.Duration(float64(fill-held)/rate*float64(time.Second)))
	}
	return max(left, time.Millisecond)
}

// dispatch hands fetched rounds to the workers, keeping each citizen's
// messages on one worker at a time.
//
// Gathered (the start, and at low rates): every round goes whole to worker
// 0, whose batches then hold every citizen's messages of a moment. Spread:
// each message goes to the worker of its citizen key. The mode changes only
// where no citizen's messages can overtake each other: to spread when
// worker 0 holds more than two rounds' worth (2×Fill: it does not keep up)
// and, first, has stored all it holds; back to gathered when no worker
// holds anything and the rounds are small again (under Fill: the rate has
// fallen).
type dispatch struct {
	queues []chan []*item
	// pending[w] is how many messages worker w holds, queued or in a
	// batch being stored.
	pending []atomic.Int64
	spread  bool
	// fill is Opts.Fill: the size of a round at a low rate.
	fill int
	// stored wakes send when a worker's count falls to 0 (see done).
	mu     sync.Mutex
	stored *sync.Cond
}

func newDispatch(workers, fill int) *dispatch {
	d := &dispatch{queues: make([]chan []*item, workers), pending: make([]atomic.Int64, workers), fill: fill}
	d.stored = sync.NewCond(&d.mu)
	for w := range d.queues {
		d.queues[w] = make(chan []*item, 4)
	}
	return d
}

// send queues a round (called by the fetching goroutine only).
func (d *dispatch) send(round []*item) {
	if len(d.queues) > 1 {
		switch {
		case d.spread && len(round) < d.fill && d.idle():
			d.spread = false
		case !d.spread && d.pending[0].Load() > 2*int64(d.fill):
			// Worker 0 may hold messages of any citizen: spread only once
			// they are stored, so none is overtaken by a later one sent
			// to its own worker.
			d.mu.Lock()
			for d.pending[0].Load() > 0 {
				d.stored.Wait()
			}
			d.mu.Unlock()
			d.spread = true
		}
	}
	if !d.spread {
		d.pending[0].Add(int64(len(round)))
		d.queues[0] <- round
		return
	}
	parts := make([][]*item, len(d.queues))
	for _, it := range round {
		w := shard(it.citizenKey(), len(d.queues))
		parts[w] = append(parts[w], it)
	}
	for w, part := range parts {
		if len(part) > 0 {
			d.pending[w].Add(int64(len(part)))
			d.queues[w] <- part
		}
	}
}

// done counts n messages of worker w as stored, and wakes a send waiting
// for the worker to be empty.
func (d *dispatch) done(w, n int) {
	d.mu.Lock()
	if d.pending[w].Add(-int64(n)) == 0 {
		d.stored.Broadcast()
	}
	d.mu.Unlock()
}

func (d *dispatch) idle() bool {
	for w := range d.pending {
		if d.pending[w].Load() > 0 {
			return false
		}
	}
	return true
}

// work stores the rounds of worker w's queue until the queue is closed; a
// batch is what has queued up, up to BatchSize messages.
func (c *Consumer) work(ctx, runCtx context.Context, d *dispatch, w int, inflight *inflight) {
	q := d.queues[w]
	var next []*item // a round that did not fit in the last batch
	for {
		batch := next
		next = nil
		if batch == nil {
			round, ok := <-q
			if !ok {
				return
			}
			batch = round
		}
	fill:
		for len(batch) < c.batchSize {
			select {
			case more, ok := <-q:
				if !ok {
					break fill
				}
				if len(batch)+len(more) > c.batchSize {
					next = more
					break fill
				}
				batch = append(batch, more...)
			default:
				break fill
			}
		}
		ok := c.handle(ctx, runCtx, batch)
		inflight.remove(batch)
		d.done(w, len(batch))
		if !ok {
			wait(runCtx, time.Second) // the database is failing: do not spin
		}
	}
}

// inflight is the set of fetched messages not yet acked, naked or
// abandoned, for the heartbeat.
type inflight struct {
	mu    sync.Mutex
	items map[*item]struct{}
}

func (f *inflight) add(it *item) {
	f.mu.Lock()
	f.items[it] = struct{}{}
	f.mu.Unlock()
}

func (f *inflight) remove(batch []*item) {
	f.mu.Lock()
	for _, it := range batch {
		delete(f.items, it)
	}
	f.mu.Unlock()
}

func (f *inflight) msgs() []jetstream.Msg {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]jetstream.Msg, 0, len(f.items))
	for it := range f.items {
		if it.msg != nil {
			out = append(out, it.msg)
		}
	}
	return out
}

// ensureConsumer creates or updates the durable pull consumer.
func (c *Consumer) ensureConsumer(ctx context.Context) (jetstream.Consumer, error) {
	n := c.bus.Names
	cfg := jetstream.ConsumerConfig{
		Durable:       n.DurableIngest(),
		Description:   "ticketing core: stores citizen messages",
		FilterSubject: n.InboundAll(),
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.ackWait,
		// Unlimited: a message that cannot be stored yet is redelivered
		// until it can, never dropped.
		MaxDeliver: -1,
		// Room for several instances' batches plus messages waiting out
		// a NakWithDelay.
		MaxAckPending: max(10000, 8*c.batchSize),
	}
	cons, err := c.bus.JS.CreateOrUpdateConsumer(ctx, n.StreamInbound(), cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: durable consumer: %v", ErrSetup, err)
	}
	return cons, nil
}

// pull makes one pull request for up to n messages and hands each to take
// as it arrives; it returns how many came. With first (nothing in hand,
// see Run) the request asks for one message and stays open up to MaxWait,
// ending with it, so a message arriving alone is not held back and the
// next ones come together in the following request; otherwise it takes
// only what is in the stream already (no wait), in one burst. So at low rates a
// round of Linger costs two requests, not one or three per message, and
// the server writes its messages in one go instead of one by one.
func (c *Consumer) pull(cons jetstream.Consumer, n int, first bool, take func(jetstream.Msg)) (int, error) {
	// The request ends on the server's word (its timeout status comes
	// after every message it sent), never on a client-side deadline: a
	// deadline could fire with messages already received but not yet read,
	// and those would wait out AckWait. So shutdown waits for the request
	// to end (at most MaxWait) and stores what it brought.
	var (
		b   jetstream.MessageBatch
		err error
	)
	if first {
		b, err = cons.Fetch(1, jetstream.FetchMaxWait(c.maxWait))
	} else {
		b, err = cons.FetchNoWait(n)
	}
	if err != nil {
		return 0, err
	}
	got := 0
	for m := range b.Messages() {
		got++
		take(m)
	}
	switch err := b.Error(); {
	case err == nil, errors.Is(err, nats.ErrTimeout), errors.Is(err, jetstream.ErrNoMessages):
		return got, nil
	default:
		return got, err
	}
}

// handle stores and acks one batch. It reports false when nothing could
// be stored (the database is failing).
//
// A batch that fails while the database is down is held until it is back
// (see outage.go) and then stored; one that fails while the database
// answers is retried one message per transaction. A batch that hangs (a
// database that stopped answering) is given up after AckWait, and
// shutdown is not held up forever: at shutdown a held batch is naked at
// once, for another instance or the next start.
func (c *Consumer) handle(ctx, runCtx context.Context, items []*item) bool {
	var err error
	timedOut := false
	for {
		bctx, cancel := context.WithTimeout(ctx, c.ackWait)
		var res result
		res, err = c.commit(bctx, items)
		timedOut = bctx.Err() != nil
		cancel()
		if err == nil {
			c.done(items, res)
			return true
		}
		if errors.Is(err, errAbandon) {
			return true
		}
		if !c.outage.check(runCtx, err) {
			break
		}
		if !c.outage.await(runCtx) {
			for _, it := range items {
				if it.msg != nil {
					_ = it.msg.Nak() // stopping: redelivered at once elsewhere
				}
			}
			return false
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.ackWait)
	defer cancel()
	if timedOut {
		// Out of time: retrying message by message would only take
		// longer. Everything comes back later.
		c.log.Warn("ingest batch timed out", "messages", len(items), "err", err)
		for _, it := range items {
			c.retryLater(it, err)
		}
		return false
	}
	c.log.Warn("ingest batch failed; retrying one message per transaction", "messages", len(items), "err", err)
	stored := 0
	for _, it := range items {
		one := []*item{it}
		res, err := c.commit(ctx, one)
		switch {
		case err == nil:
			stored++
			c.done(one, res)
		case errors.Is(err, errAbandon):
		default:
			c.retryLater(it, err)
		}
	}
	return stored > 0
}

// decode parses and validates one envelope.
func decode(m jetstream.Msg) (*item, error) {
	in, err := envelope.DecodeInbound(m.Data())
	if err != nil {
		return &item{msg: m, in: in}, err
	}
	return newItem(m, in)
}

// errAbandon is returned by commit when the test hook abandons a batch.
var errAbandon = errors.New("ingest: batch abandoned after commit")

// maxTxAttempts bounds how often a batch transaction the database aborted
// only for running at the same time as another (a deadlock victim, a
// serialization failure: db.IsRetryable) is run again at once, before the
// batch is split and its messages come back later.
const maxTxAttempts = 5

// commit stores items in one transaction. A transaction the database
// aborted for a concurrent one is run again (persist starts afresh each
// time), after a short random pause so the two do not meet again.
func (c *Consumer) commit(ctx context.Context, items []*item) (result, error) {
	var res result
	start := time.Now()
	ctx, span := c.startSpan(ctx, items)
	var err error
	for attempt := 1; ; attempt++ {
		err = c.db.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			res, err = c.persist(ctx, tx, items)
			return err
		})
		if err == nil || !db.IsRetryable(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			break
		}
		wait(ctx, time.Duration(attempt)*time.Duration(1+rand.IntN(10))*time.Millisecond)
	}
	endSpan(span, err)
	if err != nil {
		return result{}, err
	}
	if span != nil {
		res.trace, res.single = span.SpanContext(), len(items) == 1
	}
	if c.observe != nil {
		c.observe.Ingested(len(items), time.Since(start))
	}
	if c.afterCommit != nil {
		if err := c.afterCommit(); err != nil {
			return result{}, fmt.Errorf("%w: %v", errAbandon, err)
		}
	}
	return res, nil
}

// done acks a committed batch, tells live screens and queues the
// acknowledgements of the tickets it opened.
func (c *Consumer) done(items []*item, res result) {
	observe := c.acks != nil && c.acks.Recording()
	var now time.Time
	if observe {
		now = time.Now()
	}
	for _, it := range items {
		if it.msg == nil {
			continue
		}
		if err := it.msg.Ack(); err != nil {
			// Stored already: the redelivery will be a no-op.
			c.log.Warn("ingest ack failed", "err", err, "channel", it.in.Channel, "provider_message_id", it.in.ProviderMessageID)
			continue
		}
		if observe {
			if md, err := it.msg.Metadata(); err == nil {
				c.acks.Acked(now.Sub(md.Timestamp))
			}
		}
	}
	c.emit(res)
	c.queueAcks(res)
}

// terminate stops redelivery of an envelope that can never be stored.
func (c *Consumer) terminate(m jetstream.Msg, it *item, err error) {
	var in envelope.Inbound
	if it != nil {
		in = it.in
	}
	attrs := append([]any{"err", err, "subject", m.Subject()}, logAttrs(in)...)
	if md, mdErr := m.Metadata(); mdErr == nil {
		attrs = append(attrs, "stream_seq", md.Sequence.Stream)
	}
	c.log.Error("invalid inbound envelope terminated (kept in the stream)", attrs...)
	// Plain Term, not TermWithReason: servers before 2.10.4 ignore the
	// latter and would redeliver the message forever.
	if err := m.Term(); err != nil {
		c.log.Warn("ingest term failed", "err", err)
	}
}

// retryLater asks for a redelivery after a delay that grows with the
// number of attempts.
func (c *Consumer) retryLater(it *item, err error) {
	c.redeliverLater(it.msg, err, "inbound message not stored; redelivering later", logAttrs(it.in))
}

// redeliverLater naks m with a delay that grows with its deliveries,
// logged (an error from the fifth attempt) with msg and attrs.
func (c *Consumer) redeliverLater(m jetstream.Msg, err error, msg string, attrs []any) {
	attempt := uint64(1)
	if md, mdErr := m.Metadata(); mdErr == nil {
		attempt = md.NumDelivered
	}
	delay := retryBackoff.Wait(int(min(attempt, 32)))
	level := slog.LevelWarn
	if attempt >= 5 {
		level = slog.LevelError
	}
	c.log.Log(context.Background(), level, msg, append([]any{"err", err, "attempt", attempt, "retry_in", delay}, attrs...)...)
	if err := m.NakWithDelay(delay); err != nil {
		c.log.Warn("ingest nak failed", "err", err)
	}
}

// heartbeat keeps fetched messages from being redelivered while they wait
// for or sit in a batch; the returned func stops it.
func (c *Consumer) heartbeat(f *inflight) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(c.ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, m := range f.msgs() {
					_ = m.InProgress() // one acked meanwhile refuses: fine
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// shard picks a worker for a citizen key (FNV-1a).
func shard(key string, n int) int {
	if n <= 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// retryBackoff is 1s, 2s, 4s … capped at five minutes.
var retryBackoff = backoff.Doubling{First: time.Second, Max: 5 * time.Minute}

func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
