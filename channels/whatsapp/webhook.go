package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/webhooks"
)

// Job kinds on the jobs stream.
const (
	jobMedia  = "media"
	jobStatus = "status"
)

var (
	errSignature = errors.New("whatsapp: missing or wrong X-Hub-Signature-256")
	errTooLarge  = errors.New("whatsapp: webhook body too large")
	errVerify    = errors.New("whatsapp: verification refused")
	errEncoding  = errors.New("whatsapp: compressed webhook bodies are not accepted")
)

// handleVerify answers Meta's subscription handshake: hub.challenge echoed
// when hub.mode is "subscribe" and the verify token matches.
func (a *Adapter) handleVerify(c *fiber.Ctx) error {
	mode, token, challenge := c.Query("hub.mode"), c.Query("hub.verify_token"), c.Query("hub.challenge")
	if mode != "subscribe" || a.o.VerifyToken == "" || challenge == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(a.o.VerifyToken)) != 1 {
		a.log.Warn("webhook verification refused", "mode", mode)
		channels.RefuseWebhook(c, webhooks.ReasonVerify)
		return &apperr.Coded{Status: fiber.StatusForbidden, Code: apperr.CodeForbidden, Err: errVerify}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(challenge)
}

// handleWebhook takes one webhook POST: signature first, then parse, then
// publish everything and wait for every ack; only then 200. A body that
// is no WhatsApp webhook is 400; single items in it that cannot be read
// are refused on their own (logged, recorded) and the rest is kept, so
// one bad message does not make Meta retry the good ones into a 400.
func (a *Adapter) handleWebhook(c *fiber.Ctx) error {
	// The raw body, as signed: never decompressed (Meta does not compress,
	// and an unsigned zip bomb must not be inflated before the check).
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && enc != "identity" {
		return &apperr.Coded{Status: fiber.StatusUnsupportedMediaType, Code: apperr.CodeUnsupportedMediaType, Err: errEncoding}
	}
	body := c.Request().Body()
	if len(body) > a.o.MaxBodyBytes {
		a.log.Warn("webhook body too large", "bytes", len(body))
		return &apperr.Coded{Status: fiber.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge, Err: errTooLarge}
	}
	if !a.validSignature(c.Get("X-Hub-Signature-256"), body) {
		a.log.Warn("webhook signature refused", "ip", c.IP())
		return &apperr.Coded{Status: fiber.StatusUnauthorized, Code: apperr.CodeUnauthorized, Err: errSignature}
	}
	b, err := a.parser.Parse(body)
	if err != nil {
		a.log.Warn("webhook payload refused", "err", err, "bytes", len(body))
		return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: err}
	}
	for _, p := range b.Problems {
		a.log.Error("WhatsApp reported a problem", "error", p)
	}
	// csat: survey choices are ratings, not messages (csat.go).
	if b.Messages, err = a.takeSurveyAnswers(c.UserContext(), b.Messages); err != nil {
		return err
	}
	for _, r := range b.Refused {
		// The reason names no content of the item; the item itself is
		// in the durable record, not in the log.
		a.log.Error("WhatsApp webhook item refused; the rest of the POST is kept (recorded for the admins' list of refused items)",
			"item", r.Item, "wamid", r.ID, "cause", r.Cause, "reason", r.Reason)
	}
	msgs, err := a.pending(b, time.Now())
	if err != nil {
		return err
	}
	if err := a.o.Bus.PublishAll(c.UserContext(), msgs); err != nil {
		a.log.Warn("webhook not acknowledged; Meta will retry", "messages", len(b.Messages), "err", err)
		return err // ErrUnavailable: 503
	}
	return c.SendStatus(fiber.StatusOK)
}

// pending lists what a webhook publishes: messages first, so a job never
// names a message the stream does not have yet.
func (a *Adapter) pending(b Batch, now time.Time) ([]bus.Pending, error) {
	names := a.o.Bus.Names
	out := make([]bus.Pending, 0, len(b.Messages)+len(b.Media)+len(b.Statuses))
	for _, in := range b.Messages {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		out = append(out, a.o.Bus.InboundPending(in, data))
	}
	for _, j := range b.Media {
		data, err := json.Marshal(j)
		if err != nil {
			return nil, err
		}
		out = append(out, bus.Pending{Subject: names.Job(domain.ChannelWhatsApp, jobMedia),
			MsgID: bus.JobMsgID(domain.ChannelWhatsApp, jobMedia, j.Key), Data: data})
	}
	for _, s := range b.Statuses {
		if strings.HasPrefix(s.Ref, bus.NotifyRefPrefix) {
			// A citizen notification's template: its status is notify's.
			p, err := a.o.Bus.NotifyStatusPending(bus.NotifyStatus{Route: string(domain.ChannelWhatsApp), Ref: s.Ref,
				ProviderID: s.WAMID, Status: s.Status, Error: s.Error, At: s.At})
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			continue
		}
		data, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		out = append(out, bus.Pending{Subject: names.Job(domain.ChannelWhatsApp, jobStatus),
			MsgID: bus.JobMsgID(domain.ChannelWhatsApp, jobStatus, s.WAMID+":"+string(s.Status)), Data: data})
	}
	for _, r := range b.Refused {
		id := RefusedMsgID(r)
		data, err := json.Marshal(Record(r, id, now))
		if err != nil {
			return nil, err
		}
		out = append(out, bus.Pending{Subject: names.Inbound(domain.ChannelWhatsApp), MsgID: id, Data: data})
	}
	return out, nil
}

// Record is the durable record of a refused webhook item, as published
// under id at now. It goes on the inbound stream: the core keeps it as a
// row admins see (internal/refused), once per id, and the stream keeps it
// for its own retention time. Meta retrying the same POST records it once
// (the id is the Nats-Msg-Id).
func Record(r Refused, id string, now time.Time) envelope.RefusedRecord {
	return envelope.RefusedRecord{Refused: &envelope.Refused{V: envelope.Version, Channel: domain.ChannelWhatsApp, ID: id,
		Item: r.Item, ProviderMessageID: r.ID, Sender: r.Sender, Cause: r.Cause, Reason: r.Reason, Raw: r.Raw, ReceivedAt: now.UTC()}}
}

// RefusedMsgID names a refused item for JetStream's duplicate window: its
// wamid when it has one, else a digest of the item as sent.
func RefusedMsgID(r Refused) string {
	key := r.ID
	if key == "" {
		sum := sha256.Sum256(r.Raw)
		key = "sha256:" + hex.EncodeToString(sum[:12])
	}
	return bus.InboundMsgID(domain.ChannelWhatsApp, "refused:"+r.Item+":"+key)
}

// validSignature checks X-Hub-Signature-256: "sha256=" and the hex
// HMAC-SHA256 of the raw body under the app secret, compared in constant
// time.
func (a *Adapter) validSignature(header string, body []byte) bool {
	if a.o.AppSecret == "" {
		return false
	}
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(a.o.AppSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Sign computes the X-Hub-Signature-256 value Meta sends for body (for
// tests and load generators speaking to this adapter).
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
