// Package voice is the phone channel: the TwiML webhooks a cloud telephony
// provider (Twilio's Programmable Voice, or one that speaks the same, such
// as SignalWire) calls while it runs the program's toll-free number.
//
// Callers hear a menu in Bahasa Indonesia read from a configuration file
// (menu.go), can look up a complaint's status on the keypad, leave a
// voicemail, ask to be called back, or be put through to an agent within
// business hours. Every step the provider requests is checked against its
// X-Twilio-Signature; what a call achieved becomes inbound messages on the
// caller's voice ticket, keyed by CallSid and step so the provider's
// retries never record twice. Agents call citizens back through the
// provider's REST API (callback.go). Conversations with agents (a transfer
// by Dial, a callback call) are recorded by the provider; their audio, like
// voicemail's, is fetched into the attachment store by a JetStream-fed
// worker (recordings.go).
package voice

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/identity"
	"tanggap/internal/mask"
	"tanggap/internal/ticket"
	"tanggap/internal/webhooks"
)

// Tickets is the self-service lookup: a ticket by tracking number, only
// for the phone number it was opened with.
type Tickets interface {
	PublicTicket(ctx context.Context, trackingNumber, contact string) (ticket.Public, error)
}

// Hours tells whether a queue is within its business hours (routing.Settings'
// calendar, the same one the wait estimates of chat and console use).
type Hours interface {
	IsOpen(ctx context.Context, queueCode string, at time.Time) (bool, error)
	// NextOpen is when the queue next opens, in its zone; zero: never.
	NextOpen(ctx context.Context, queueCode string, at time.Time) (time.Time, error)
}

// Texts renders translated text (the locale catalog).
type Texts interface {
	T(lang, key string, args ...any) string
}

// Provider is the telephony account: the key webhooks are signed with and
// the REST API outbound calls are made through.
type Provider struct {
	AccountSID string
	AuthToken  string
	// APIBaseURL is the REST API root, e.g. https://api.twilio.com.
	APIBaseURL string
	// CallerID is the number callbacks come from (the program's number).
	CallerID string
}

// Opts configures the adapter.
type Opts struct {
	DB          *db.DB
	Bus         *bus.Bus
	Tickets     Tickets
	Hours       Hours
	Attachments attachment.Store
	Texts       Texts
	Menu        *Menu
	// MenuSource is the text Menu was read from, shown on the admin
	// screen until a menu is applied there (nil: DefaultMenu).
	MenuSource []byte
	// Lang is the language of a console request (nil: id-ID).
	Lang     func(c *fiber.Ctx) string
	Provider Provider
	// PublicURL is the base URL the provider calls (scheme, host, optional
	// port, no trailing slash); signatures are computed over it.
	PublicURL string
	// HTTP makes REST calls and fetches recordings (default: 15s timeout).
	HTTP *http.Client
	Log  *slog.Logger
	// Now is the clock (tests).
	Now func() time.Time
	// Surveys asks the keypad survey after a call with an agent (nil: the
	// call ends with the agent's leg).
	Surveys Surveys
	// RecordingBackoff is the wait after the n-th failed recording fetch
	// (default: 2s doubling, at most 5m; eight attempts in all).
	RecordingBackoff func(n int) time.Duration
	// CallbackTargets allow-lists where an agent may have a callback put
	// through: "+62"-style number prefixes and "sip:<host>" entries
	// (nil: DefaultCallbackTargets, Indonesian numbers only). The
	// configuration checks entries at start (ParseCallbackTargets).
	CallbackTargets []string
}

// Adapter is the voice channel.
type Adapter struct {
	o       Opts
	store   *store
	targets targets
	// current is the menu in force (menuadmin.go): the configured one,
	// or the newest applied from the admin screen.
	current atomic.Pointer[loadedMenu]
}

var _ channels.Adapter = (*Adapter)(nil)

// New returns the adapter.
func New(o Opts) *Adapter {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if o.CallbackTargets == nil {
		o.CallbackTargets = DefaultCallbackTargets
	}
	allowed, err := parseTargets(o.CallbackTargets)
	if err != nil {
		// Configuration checks the list at start; here only a caller
		// that skipped it: nothing is allowed rather than anything.
		if o.Log != nil {
			o.Log.Error("voice: callback targets refused; callbacks go through the menu's transfer only", "err", err)
		}
		allowed = targets{sipHosts: map[string]bool{}}
	}
	a := &Adapter{o: o, store: &store{db: o.DB}, targets: allowed}
	a.current.Store(&loadedMenu{menu: o.Menu, source: o.MenuSource})
	return a
}

// Channel is voice.
func (a *Adapter) Channel() envelope.Channel { return domain.ChannelVoice }

// Webhook paths, under the public URL.
const (
	pathIncoming    = "/webhooks/voice/incoming"
	pathStatus      = "/webhooks/voice/status"
	pathMenu        = "/webhooks/voice/menu"
	pathLookup      = "/webhooks/voice/lookup"
	pathRecorded    = "/webhooks/voice/recorded"
	pathTranscribed = "/webhooks/voice/transcribed"
	pathFallback    = "/webhooks/voice/fallback"
	pathTransferred = "/webhooks/voice/transferred"
	pathHold        = "/webhooks/voice/hold"
	pathAnswered    = "/webhooks/voice/agent-answered"
	pathBridged     = "/webhooks/voice/bridged"
	pathAnswer      = "/webhooks/voice/callback-answer"
	// pathCallRecording takes the recording status callback of a
	// conversation with an agent (a Dial transfer, a callback call).
	pathCallRecording = "/webhooks/voice/call-recording"
)

// Mount adds the webhooks. Each is POST, as the menu's TwiML asks.
func (a *Adapter) Mount(r fiber.Router) {
	r.Post(pathIncoming, a.webhook(a.incoming))
	r.Post(pathMenu, a.webhook(a.menuStep))
	r.Post(pathLookup, a.webhook(a.lookup))
	r.Post(pathRecorded, a.webhook(a.recorded))
	r.Post(pathTranscribed, a.webhook(a.transcribed))
	r.Post(pathFallback, a.webhook(a.fallback))
	r.Post(pathTransferred, a.webhook(a.transferred))
	r.Post(pathHold, a.webhook(a.hold))
	r.Post(pathAnswered, a.webhook(a.agentAnswered))
	r.Post(pathBridged, a.webhook(a.bridged))
	r.Post(pathAnswer, a.webhook(a.callbackAnswer))
	r.Post(pathStatus, a.webhook(a.statusCallback))
	r.Post(pathCallRecording, a.callRecordingWebhook)
	if a.o.Surveys != nil {
		r.Post(pathSurvey, a.webhook(a.surveyStep))
	}
}

// Deliver refuses text replies: a phone call cannot carry them. The agent
// sees why on the reply and calls the citizen back instead.
func (a *Adapter) Deliver(_ context.Context, _ envelope.Outbound) (envelope.Receipt, error) {
	return envelope.Receipt{}, channels.Permanent(errors.New(a.o.Texts.T("", "voice.reply_not_deliverable")))
}

// step is one request of a call as the handlers see it.
type step struct {
	ctx   context.Context
	call  Call
	query url.Values
	// caller is the caller's number in E.164, "" when withheld or foreign
	// to the numbering plan.
	caller string
	now    time.Time
}

// withheld are the numbers providers put in From when the caller hides
// theirs: the keypad spellings of ANONYMOUS and RESTRICTED (BLOCKED and
// UNKNOWN are too short to pass as numbers at all). Taken as numbers they
// would make every hidden caller one contact.
var withheld = map[string]bool{"+266696687": true, "+7378742833": true}

// errUnavailable marks a step whose record could not be made durable: the
// provider must see a 5xx, never a 2xx for something we lost.
var errUnavailable = errors.New("voice: record not durable")

// webhook wraps a step handler with the signature check, strict form
// decoding and the rule that the provider always gets TwiML back: bad
// input and internal errors are answered with the error prompt and a
// hang-up, never a 500.
func (a *Adapter) webhook(h func(s *step) (*Response, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		form, ok := a.verified(c)
		if !ok {
			return c.Status(fiber.StatusForbidden).SendString("forbidden")
		}
		call, err := parseCall(form)
		if err != nil {
			a.o.Log.Warn("voice webhook bad input", "path", c.Path(), "err", err)
			channels.RefuseWebhook(c, webhooks.ReasonPayload) // answered 200: the caller hears the apology
			return a.twiml(c, a.fail())
		}
		q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
		if err != nil {
			a.o.Log.Warn("voice webhook bad query", "path", c.Path(), "call_sid", call.CallSid)
			channels.RefuseWebhook(c, webhooks.ReasonPayload)
			return a.twiml(c, a.fail())
		}
		s := &step{ctx: c.UserContext(), call: call, query: q, now: a.o.Now().UTC()}
		if p, err := identity.NormalizePhone(call.From); err == nil && !withheld[p] {
			s.caller = p
		}
		if call.Direction != "" && strings.HasPrefix(call.Direction, "outbound") {
			// On a call we placed, the citizen is the called party.
			s.caller = ""
			if p, err := identity.NormalizePhone(call.To); err == nil {
				s.caller = p
			}
		}
		resp, err := h(s)
		if errors.Is(err, errUnavailable) {
			a.o.Log.Warn("voice step not recorded; provider told to retry", "path", c.Path(), "call_sid", call.CallSid, "err", err)
			c.Set(fiber.HeaderRetryAfter, "2")
			return c.Status(fiber.StatusServiceUnavailable).SendString("unavailable")
		}
		if err != nil {
			a.o.Log.Error("voice step failed", "path", c.Path(), "call_sid", call.CallSid, "caller", mask.Phone(s.caller), "err", err)
			return a.twiml(c, a.fail())
		}
		return a.twiml(c, resp)
	}
}

// verified decodes a webhook's form strictly and checks its
// X-Twilio-Signature. Nothing is recorded for a request we cannot
// attribute to the provider: the caller answers it 403.
func (a *Adapter) verified(c *fiber.Ctx) (url.Values, bool) {
	sig := c.Get("X-Twilio-Signature")
	form, err := decodeForm(c.Body())
	if err != nil || !ValidSignature(a.o.Provider.AuthToken, a.o.PublicURL+c.OriginalURL(), form, sig) {
		// The path is logged, never the body.
		a.o.Log.Warn("voice webhook refused", "path", c.Path(), "signed", sig != "", "decoded", err == nil)
		if err != nil {
			channels.RefuseWebhook(c, webhooks.ReasonPayload)
		} else {
			channels.RefuseWebhook(c, webhooks.ReasonSignature)
		}
		return nil, false
	}
	return form, true
}

func (a *Adapter) twiml(c *fiber.Ctx, r *Response) error {
	c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusOK).Send(r.Marshal())
}

// fail is the safe answer to anything that went wrong: an apology and a
// hang-up.
func (a *Adapter) fail() *Response {
	r := &Response{}
	return r.add(a.prompt("error", nil), Hangup{})
}

// url is an absolute webhook URL with its query.
func (a *Adapter) url(path string, q url.Values) string {
	if len(q) == 0 {
		return a.o.PublicURL + path
	}
	return a.o.PublicURL + path + "?" + q.Encode()
}

// prompt renders a system prompt, filling {placeholders} from vars.
func (a *Adapter) prompt(name string, vars map[string]string) any {
	return a.say(a.menu().Prompts[name], vars)
}

// say renders one Prompt as <Say> or <Play>.
func (a *Adapter) say(p Prompt, vars map[string]string) any {
	if p.Play != "" {
		return Play{URL: p.Play}
	}
	text := p.Say
	for k, v := range vars {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return Say{Language: a.menu().Language, Voice: a.menu().Voice, Text: text}
}

// sender is who the call is from. A withheld number still needs an
// identity for the ticket: the call's own id stands in, so the message is
// kept (on a contact of its own) rather than refused.
func sender(s *step) envelope.Sender {
	if s.caller != "" {
		return envelope.Sender{Phone: s.caller}
	}
	return envelope.Sender{VisitorID: "call-" + s.call.CallSid}
}

// publish puts one record of the call on the bus, keyed by CallSid and
// step. A failure is errUnavailable: the provider retries the step.
func (a *Adapter) publish(s *step, stepName, text string, fields map[string]string, atts []envelope.Attachment) error {
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelVoice,
		ProviderMessageID: s.call.CallSid + ":" + stepName,
		Sender:            sender(s),
		Text:              text,
		Attachments:       atts,
		Fields:            fields,
		ReceivedAt:        s.now,
	}
	if err := in.Validate(); err != nil {
		// The core would refuse it: a mistake here, not the provider's.
		return err
	}
	if err := a.o.Bus.PublishInbound(s.ctx, in); err != nil {
		return errors.Join(errUnavailable, err)
	}
	a.o.Log.Info("voice call recorded", "call_sid", s.call.CallSid, "step", stepName, "caller", mask.Phone(s.caller))
	return nil
}

// text renders a ticket text in the default language.
func (a *Adapter) text(key string, args ...any) string { return a.o.Texts.T("", key, args...) }
