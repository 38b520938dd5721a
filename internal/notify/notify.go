// Package notify tells a citizen who is not on a live channel that an
// agent answered, asked for more information or solved their ticket: by
// e-mail (SMTP), by SMS (Twilio's Messages API) or by an approved WhatsApp
// template, whichever they gave and the configuration allows, in that
// configured order. Every notification names the tracking number and
// carries a signed, expiring status-page link (internal/statuslink); a
// "solved" one also carries the survey link when a SurveyLinker is set.
//
// # Guarantees, and what keeps them
//
//   - The agent's reply never waits on notifying: notify learns of replies
//     and status changes from the events published after the commit and
//     queues a durable job on the JOBS stream (trigger.go).
//   - Events are handled once and never lost to a restart: the events
//     notify starts from are captured by a JetStream work queue
//     (bus.NotifyEvents) read through one durable consumer shared by every
//     instance, and acknowledged only once the job is queued.
//   - Jobs are durable: the JetStream work queue keeps a job until it is
//     done; a provider's temporary failure retries it with backoff.
//   - Never twice for one event: the job's Nats-Msg-Id is the event key
//     (the stream's dedupe window), and before sending, a row per event
//     and route is claimed under a unique index (event_key, route) and
//     moved queued -> sending by a conditional UPDATE. A redelivered job
//     finds the row sent (or sending: interrupted mid-send) and does not
//     send again. The cost of that choice: a crash between the provider's
//     answer and our write loses that route's notification rather than
//     sending it twice; the row says so.
//   - Status changes are told once per change: the key of a status notice
//     is the ticket's own transition (status and tickets.status_seq, which
//     a trigger moves on every real status change), marked taken up in
//     notify_notices under a unique key. Events only say "look"; a notice
//     whose transition was superseded before it went out (the ticket was
//     reopened, say) is not sent, except "solved" for a ticket closed since.
//   - A solved ticket's survey link is fetched once per notification and
//     kept in notify_notices for every retry and route.
//   - Provider rate limits: one token bucket per provider (ratelimit.go);
//     a provider's own 429 is a temporary failure retried later.
//   - Fallback: a route that fails for good (permanent error, retries
//     used up, or the provider's later word: a failed/undelivered SMS
//     status callback, a failed WhatsApp template status handed over by
//     the adapter on the bus, an e-mail bounce to its VERP address) hands
//     over to the next configured route for the same event, once per
//     failed row (outcome.go, bounce.go, internal/notify/bounce).
//   - An event lost on its way to the bus (NATS down while it was
//     published) is made good by the catch-up sweep for status changes
//     (sweep.go); the notice key keeps it to one notification.
//   - Every outcome (queued, sent, delivered, failed with the reason) is
//     stored and pushed to the console as ticket.notified.
//
// Only this package writes notify_deliveries and notify_notices; it reads
// tickets and messages, never writes them.
package notify

import (
	"context"
	"errors"
	"fmt"
	"github.com/nats-io/nats.go/jetstream"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/locale"
	"tanggap/internal/statuslink"
)

// SurveyLinker gives the satisfaction survey link of a solved ticket
// (implemented by the CSAT package). An error leaves the link out.
type SurveyLinker interface {
	SurveyURL(ctx context.Context, ticketID int64) (string, error)
}

// Route is a way to reach a citizen.
type Route string

// Routes.
const (
	RouteEmail    Route = "email"
	RouteSMS      Route = "sms"
	RouteWhatsApp Route = "whatsapp"
)

// Kind is what a notification tells.
type Kind string

// Kinds.
const (
	KindReply    Kind = "reply"     // an agent replied
	KindMoreInfo Kind = "more_info" // the agent needs more from the citizen (pending)
	KindSolved   Kind = "solved"    // the ticket was solved
	// KindReceived: a caller's voicemail or callback request landed on a
	// ticket; they are sent its tracking number (received.go).
	KindReceived Kind = "received"
)

// Status is the outcome of one route of one notification.
type Status string

// Statuses.
const (
	StatusQueued    Status = "queued"
	StatusSending   Status = "sending"
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
)

// Message is what a provider sends.
type Message struct {
	Route    Route
	To       string // e-mail address or E.164 phone
	Lang     string
	Subject  string
	Text     string
	HTML     string
	Tracking string
	Link     string
	// Template: for WhatsApp, the approved template and its parameters.
	Template       string
	TemplateLang   string
	TemplateParams []string
	// StatusCallback, when the provider reports delivery, is where.
	StatusCallback string
	// Ref names the delivery row to a provider that echoes it back with
	// its statuses (WhatsApp's biz_opaque_callback_data).
	Ref string
	// ReturnPath is the envelope sender (MAIL FROM) of an e-mail, where
	// bounces go: bounce+<token>@<bounce domain> (bounce.go); empty is
	// SMTP_FROM.
	ReturnPath string
}

// Provider sends one message and returns the provider's id of it.
// Errors are temporary unless Permanent wraps them.
type Provider interface {
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// PermanentError is a failure retrying cannot help (a bounced address,
// an invalid number): the route fails and the next one is tried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// RetryAfterError is a temporary failure with the provider's own wait.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Events publishes realtime events (bus.Bus).
type Events interface{ Emit(ev bus.Event) }

// SendObserver counts what became of each send to a provider, by route
// (email, sms, whatsapp) and outcome: OutcomeSent, OutcomeRetry,
// OutcomeFailed, OutcomeUndelivered (internal/metrics implements it).
type SendObserver interface {
	NotifySend(route, outcome string)
}

// Send outcomes told to a SendObserver.
const (
	OutcomeSent        = "sent"        // the provider took it
	OutcomeRetry       = "retry"       // a temporary failure: the job tries again later
	OutcomeFailed      = "failed"      // failed for good when sent (permanent, or retries used up): the next route is tried
	OutcomeUndelivered = "undelivered" // the provider's later word: it failed after taking it (bounce, failed status)
)

// Opts configures the service.
type Opts struct {
	DB   *db.DB
	Bus  *bus.Bus
	Log  *slog.Logger
	Text *locale.Catalog
	// Links signs the status-page links; PublicURL is the site root.
	Links     *statuslink.Signer
	PublicURL string
	// Routes is the order routes are tried in (default email, sms,
	// whatsapp); a route without a provider is skipped.
	Routes    []Route
	Providers map[Route]Provider
	// Rates are messages per second per provider (0: 10/s).
	Rates map[Route]float64
	// WhatsAppTemplate is the approved template (name, language) whose
	// body parameters are the tracking number and the link.
	WhatsAppTemplate     string
	WhatsAppTemplateLang string
	// Templates, when set, chooses the template at send time instead
	// (templates.go).
	Templates Templates
	// LiveIdle: a live chat with no citizen message for this long has
	// "gone away" (default 15 minutes); WhatsAppWindow is the provider's
	// customer-service window (24 hours).
	LiveIdle       time.Duration
	WhatsAppWindow time.Duration
	// MaxAttempts per route before it counts as failed (default 6).
	MaxAttempts int
	// Backoff is the first retry delay, doubled per attempt (default 5s,
	// at most 10 minutes).
	Backoff time.Duration
	// ReplyHold is how long a "solved" or "more information" notice waits
	// behind the agent replies written before it whose own notices have
	// not gone out yet (default 2 minutes): an agent who answers and
	// solves at once (a macro) must not have the citizen read "solved"
	// before the answer. Past it the notice goes anyway.
	ReplyHold time.Duration
	Survey    SurveyLinker
	// Parallel jobs worked at once per instance (default 16).
	Parallel int
	// BounceDomain, when set, gives every e-mail its own envelope sender
	// bounce+<token>@BounceDomain, so a bounce names the notification
	// (bounce.go); BounceKey signs the token.
	BounceDomain string
	BounceKey    []byte
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
	// Observe, when set, counts the sends per route and outcome.
	Observe SendObserver
	// Received: a caller whose voicemail or callback request lands on a
	// ticket is sent its tracking number (received.go). The core must
	// then queue the phone line's acknowledgement jobs (ingest's
	// Opts.Acks with the voice channel), which only this takes.
	Received bool
	// SweepEvery is how often the catch-up sweep (sweep.go) looks for
	// status changes and replies no event took up (default 1 minute;
	// negative: never).
	// SweepLookback is how far the first sweep after a start looks back
	// (default 24 hours); SweepGrace leaves the newest changes to the
	// event path (default 30 seconds).
	SweepEvery    time.Duration
	SweepLookback time.Duration
	SweepGrace    time.Duration
}

// Service queues, sends and records citizen notifications.
type Service struct {
	o       Opts
	log     *slog.Logger
	store   store
	buckets map[Route]*bucket
	events  Events
	// declared is the events consumer DeclareEvents made before start,
	// or nil (consumeEvents then declares it itself, retrying).
	declared jetstream.Consumer
	// eventsHandled counts the events this instance took (tests).
	eventsHandled atomic.Int64
	// heldTimes counts the times a status notice waited for a reply
	// (tests).
	heldTimes atomic.Int64
	// failures counts each job's database failures in a row (see work).
	failures failureCounts
}

// New returns the service.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Bus == nil || o.Text == nil || o.Links == nil {
		return nil, fmt.Errorf("notify: DB, Bus, Text and Links are required")
	}
	if o.BounceDomain != "" && len(o.BounceKey) < 16 {
		return nil, fmt.Errorf("notify: a bounce domain needs a bounce key of 16 bytes or more")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if len(o.Routes) == 0 {
		o.Routes = []Route{RouteEmail, RouteSMS, RouteWhatsApp}
	}
	if o.LiveIdle <= 0 {
		o.LiveIdle = 15 * time.Minute
	}
	if o.WhatsAppWindow <= 0 {
		o.WhatsAppWindow = 24 * time.Hour
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = 5 * time.Second
	}
	if o.ReplyHold <= 0 {
		o.ReplyHold = 2 * time.Minute
	}
	if o.Parallel <= 0 {
		o.Parallel = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SweepEvery == 0 {
		o.SweepEvery = time.Minute
	}
	if o.SweepLookback <= 0 {
		o.SweepLookback = 24 * time.Hour
	}
	if o.SweepGrace <= 0 {
		o.SweepGrace = 30 * time.Second
	}
	s := &Service{o: o, log: o.Log.With("component", "notify"), store: store{db: o.DB}, buckets: map[Route]*bucket{}, events: o.Bus}
	for r := range o.Providers {
		rate := o.Rates[r]
		if rate <= 0 {
			rate = 10
		}
		s.buckets[r] = newBucket(rate, max(1, int(rate)), o.Now)
	}
	return s, nil
}

// DeclareEvents creates the events stream and its consumer now. Called
// before the instance takes traffic, so a ticket solved in the first moment
// after a fresh start is kept for the notifier instead of being published
// to a stream that does not exist yet. On error Run declares them itself.
func (s *Service) DeclareEvents(ctx context.Context) error {
	cons, err := s.o.Bus.NotifyEvents(ctx)
	if err != nil {
		return err
	}
	s.declared = cons
	return nil
}

// Run takes the events that call for notifications and works the
// notification jobs until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.consumeEvents(ctx)
	}()
	go func() {
		defer wg.Done()
		s.sweepLoop(ctx)
	}()
	var receivedErr error
	if s.o.Received {
		wg.Add(1)
		go func() {
			defer wg.Done()
			receivedErr = s.runReceived(ctx)
		}()
	}
	wg.Add(1)
	var statusErr error
	go func() {
		defer wg.Done()
		statusErr = s.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: jobChannel, Kind: bus.NotifyStatusKind, Log: s.log}, s.statusJob)
	}()
	err := s.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: jobChannel, Kind: jobKind, Parallel: s.o.Parallel, Log: s.log}, s.work)
	wg.Wait()
	return errors.Join(err, statusErr, receivedErr)
}
