// Package whatsapp is the WhatsApp channel on Meta's WhatsApp Business
// Cloud API. It answers the webhook verification handshake, turns signed
// webhook POSTs into inbound envelopes (every message type, none dropped)
// and status updates into delivery receipts, fetches citizens' media in the
// background, and sends agent replies (text, media, reply buttons,
// templates) through the Graph API.
//
// Guarantees, and what keeps them:
//
//   - Meta hears 200 only once every message and job of the POST is
//     acknowledged by JetStream (Bus.PublishAll); otherwise 5xx and Meta
//     retries. A bad signature is 401 and nothing is parsed or published.
//   - A redelivered message is stored once: Nats-Msg-Id whatsapp:<wamid>
//     on the stream, the (channel, provider id) key in the database.
//   - Media never slows or endangers the webhook: the message is published
//     with its attachment marked unavailable and a media job; the job
//     fetches the file with retries and backoff, then marks it available.
//     A download that fails for good leaves the message, without the file.
//   - A reply is sent at most once per outbound id as long as the database
//     answers: each part's wamid (a long text or a reply with files takes
//     several messages) is recorded as soon as Meta returns it, before the
//     outbound envelope is acknowledged; a redelivered reply sends only the
//     parts not recorded. (A crash between Meta's answer and the record is
//     the one window left: Meta takes no idempotency key.)
//   - Each business number sends at most RateLimit messages per second.
//   - Statuses of messages this adapter did not send but internal/notify
//     did (citizen notification templates, marked by their
//     biz_opaque_callback_data, bus.NotifyRefPrefix) are handed to notify
//     on the bus with the webhook's other publishes; the adapter never
//     reads or writes notify's records.
package whatsapp

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	"tanggap/channels"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Defaults of Opts.
const (
	DefaultAPIBaseURL    = "https://graph.facebook.com"
	DefaultAPIVersion    = "v23.0"
	DefaultRateLimit     = 80
	DefaultMediaMaxBytes = 16 << 20
	// DefaultMaxBodyBytes bounds a webhook POST; Meta's are a few KiB.
	DefaultMaxBodyBytes = 3 << 20
)

// ServiceWindow is Meta's customer service window: free-form replies only
// this long after the citizen's last message, templates at any time. The
// ticket service enforces it (ticket.ReplyPolicy) inside the reply's
// transaction, beside the messages it owns.
const ServiceWindow = 24 * time.Hour

// Media is the core's side of a citizen's media (the ticket service
// implements it): the message's attachment waits under a placeholder key
// until the media worker has fetched the file.
type Media interface {
	// MediaState is ticket.MediaAbsent, MediaPending or MediaDone.
	MediaState(ctx context.Context, placeholder string) (int, error)
	// CompleteMedia points the waiting attachment at the stored file;
	// false when none was waiting.
	CompleteMedia(ctx context.Context, placeholder, key, mime string, size int64) (bool, error)
}

// Opts configures the adapter.
type Opts struct {
	Bus *bus.Bus
	// DB holds the adapter's own tables (whatsapp_sends).
	DB          *db.DB
	Media       Media
	Attachments attachment.Store
	Log         *slog.Logger
	// Tracer, when set, traces each call that sends a part of a reply to
	// the Graph API ("whatsapp send"), under the delivery's span.
	Tracer trace.Tracer

	AppSecret     string
	VerifyToken   string
	AccessToken   string
	APIBaseURL    string
	APIVersion    string
	PhoneNumberID string            // default business number to send from
	NumberQueues  map[string]string // phone_number_id -> queue code
	RateLimit     int               // messages per second per business number
	MediaMaxBytes int64
	MaxBodyBytes  int
	// ReplyFiles bounds files agents attach to replies (within Meta's
	// own limits per type, see files.go).
	ReplyFiles channels.FileLimits
	// HTTPClient calls the Graph API (a default with timeouts when nil).
	HTTPClient *http.Client
	// MediaBackoff is the delay before retry n of a media or status job.
	MediaBackoff func(n int) time.Duration
	// Surveys records the survey choices citizens tap (nil: no survey on
	// WhatsApp); Texts words the survey; SurveyTemplate asks outside the
	// service window (csat.go).
	Surveys        Surveys
	Texts          Texts
	SurveyTemplate SurveyTemplate
	// Templates are the approved templates kept on the admin screen
	// (templates.go); when set, the survey's template is chosen there at
	// send time and SurveyTemplate is not used.
	Templates *Templates
	// Waiter tells whether a new ticket's queue is closed and until when,
	// for the acknowledgement of a citizen's first message (ack.go).
	Waiter Waiter
}

// Adapter is the WhatsApp channel.
type Adapter struct {
	o      Opts
	log    *slog.Logger
	parser Parser
	graph  *graph
	store  *store

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // per business number
}

var _ channels.Adapter = (*Adapter)(nil)

// New returns the adapter.
func New(o Opts) *Adapter {
	if o.APIBaseURL == "" {
		o.APIBaseURL = DefaultAPIBaseURL
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if o.RateLimit <= 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.MediaMaxBytes <= 0 {
		o.MediaMaxBytes = DefaultMediaMaxBytes
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if o.MediaBackoff == nil {
		o.MediaBackoff = func(n int) time.Duration {
			return min(time.Second<<min(n-1, 9), 5*time.Minute)
		}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Adapter{
		o:      o,
		log:    o.Log.With("channel", string(domain.ChannelWhatsApp)),
		parser: Parser{Queues: o.NumberQueues},
		graph: &graph{base: o.APIBaseURL, version: o.APIVersion, token: o.AccessToken, http: o.HTTPClient,
			maxAnswer: 1 << 20},
		store:    &store{db: o.DB},
		limiters: map[string]*rate.Limiter{},
	}
}

// Channel is whatsapp.
func (a *Adapter) Channel() envelope.Channel { return domain.ChannelWhatsApp }

// Mount adds the webhook.
func (a *Adapter) Mount(r fiber.Router) {
	r.Get("/webhooks/whatsapp", a.handleVerify)
	r.Post("/webhooks/whatsapp", a.handleWebhook)
}

// limiter is the send rate limiter of one business number.
func (a *Adapter) limiter(from string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.limiters[from]
	if !ok {
		l = rate.NewLimiter(rate.Limit(a.o.RateLimit), a.o.RateLimit)
		a.limiters[from] = l
	}
	return l
}
