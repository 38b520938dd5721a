// Package envelope defines the normalized messages that cross the bus between
// channel adapters and the ticketing core. It is the one contract every channel
// speaks: an adapter turns provider input into an Inbound, the core turns an
// agent reply into an Outbound, and an adapter reports what happened to that
// reply with a Receipt.
//
// The JSON form is versioned by the "v" field. A change that older readers
// cannot ignore bumps Version; readers refuse versions they do not know so a
// message is never half-understood. The schema is documented in SCHEMA.md
// beside this file.
package envelope

import (
	"time"

	"tanggap/internal/domain"
)

// Version is the envelope schema version this binary writes and reads.
const Version = 1

// Channel names a way citizens reach the contact center; the channels are
// spelled in package domain (domain.ChannelWhatsApp, …).
type Channel = domain.Channel

// Well-known keys of Inbound.Fields.
const (
	FieldCategory      = "category"       // complaint form category code
	FieldKind          = "kind"           // what the message is within its channel: a domain.Kind (complaint, follow_up, chat, …)
	FieldIVRPath       = "ivr_path"       // menu path taken on the phone
	FieldButtonPayload = "button_payload" // payload of a pressed button
	FieldProvince      = "province"       // province code given explicitly (e.g. on a form)
	FieldQueue         = "queue"          // queue code the channel asks for (e.g. a business number's queue); used when it exists
	// FieldQueueStrict ("true") keeps the message in the queue it asks
	// for: it joins the contact's open ticket on the channel in that
	// queue, else opens a new ticket there, rather than threading into an
	// open ticket of another queue (a phone callback request must wait in
	// the callback queue even when the caller has another open ticket).
	FieldQueueStrict = "queue_strict"
	// FieldVia is the business address the citizen wrote to (a WhatsApp
	// phone_number_id); replies leave from the same address.
	FieldVia = "via"
	// FieldReplyTo is the provider id of the message this one answers
	// (WhatsApp context.id).
	FieldReplyTo = "reply_to"
	// Phone calls (channel voice).
	FieldCallOutcome  = "call_outcome"  // answered, abandoned, voicemail, callback, self_service (unanswered: a callback nobody picked up)
	FieldCallDuration = "call_duration" // seconds, decimal
	FieldRecordingURL = "recording_url" // provider URL of a voicemail recording
)

// Inbound is one citizen message, normalized.
type Inbound struct {
	V int `json:"v"`
	// Channel the message came in on.
	Channel Channel `json:"channel"`
	// ProviderMessageID is the provider's id for this message (wamid, CallSid
	// + step, our own id for channels we host). Together with Channel it is
	// the idempotency key on the bus and in the database.
	ProviderMessageID string `json:"provider_message_id"`
	// Sender identifies the citizen; at least one identity is set.
	Sender Sender `json:"sender"`
	// Text is the message body as plain text.
	Text string `json:"text"`
	// Attachments already stored in the attachment store.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Fields carries structured data (see the Field* keys).
	Fields map[string]string `json:"fields,omitempty"`
	// ThreadRef, when set, is the public tracking number of the ticket this
	// message continues. The adapter has already checked that the sender may
	// write to it.
	ThreadRef string `json:"thread_ref,omitempty"`
	// ReceivedAt is when the provider says the citizen sent it (or when we
	// received it, for our own channels). Threads are ordered by it.
	ReceivedAt time.Time `json:"received_at"`
	// Trace carries W3C trace context (traceparent, tracestate) when present.
	Trace map[string]string `json:"trace,omitempty"`
}

// Sender is who a message is from. Values are normalized by the adapter:
// Phone and WaID in E.164, Email lower-cased, NIK 16 digits.
type Sender struct {
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	NIK       string `json:"nik,omitempty"`
	WaID      string `json:"wa_id,omitempty"`
	VisitorID string `json:"visitor_id,omitempty"`
}

// HasIdentity reports whether at least one identity is present.
func (s Sender) HasIdentity() bool {
	return s.Phone != "" || s.Email != "" || s.NIK != "" || s.WaID != "" || s.VisitorID != ""
}

// Attachment references a file in the attachment store.
type Attachment struct {
	Key      string `json:"key"`
	Filename string `json:"filename,omitempty"`
	MIME     string `json:"mime"`
	Size     int64  `json:"size"`
	// Unavailable marks an attachment the adapter could not fetch yet.
	Unavailable bool `json:"unavailable,omitempty"`
}

// Outbound is one agent reply to deliver on a channel.
type Outbound struct {
	V       int     `json:"v"`
	Channel Channel `json:"channel"`
	// MessageID is the stored message this delivers; receipts name it.
	MessageID int64 `json:"message_id"`
	// ID is unique to this reply for ever (database ids can be reused after
	// a rollback): the Nats-Msg-Id, and the idempotency key adapters give
	// providers that take one.
	ID             string       `json:"id"`
	TicketID       int64        `json:"ticket_id"`
	TrackingNumber string       `json:"tracking_number"`
	To             Sender       `json:"to"`
	Text           string       `json:"text"`
	Attachments    []Attachment `json:"attachments,omitempty"`
	AgentName      string       `json:"agent_name,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	// Via is the business address to send from (a WhatsApp
	// phone_number_id): the one the citizen last wrote to. Empty: the
	// channel's default.
	Via string `json:"via,omitempty"`
	// Template, when set, is sent instead of free text: an approved
	// message template, for channels that only allow those outside a
	// customer-service window. Text then describes it for the thread.
	Template *Template `json:"template,omitempty"`
	// Buttons offers quick replies under the text, on channels that have
	// them (WhatsApp reply buttons); others send the text alone.
	Buttons []Button `json:"buttons,omitempty"`
}

// Template names an approved message template and its body parameters.
type Template struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params,omitempty"`
}

// Button is one quick reply: ID comes back as the reply's button payload.
type Button struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Receipt reports what happened to an Outbound.
type Receipt struct {
	V         int                   `json:"v"`
	Channel   Channel               `json:"channel"`
	MessageID int64                 `json:"message_id"`
	Status    domain.DeliveryStatus `json:"status"`
	// ExternalID is the provider's id for the sent message, when it has one.
	ExternalID string `json:"external_id,omitempty"`
	// Error explains a failure in words an agent can act on.
	Error string    `json:"error,omitempty"`
	At    time.Time `json:"at"`
}
