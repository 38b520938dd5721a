// Package domain spells the contact center's domain words once: ticket
// statuses, message directions and kinds, channels, priorities, delivery
// statuses, agent roles and presence. Each is a typed string whose values
// are the ones stored in the database and written on the wire, so a
// constant here is the only place a word is spelled; SQL that names these
// words is built from the constants too (see sql.go).
//
// The package is a leaf: it imports nothing of the project, and every
// other package may import it.
package domain

// TicketStatus is where a ticket is in its lifecycle:
// new → open → pending → solved → closed.
type TicketStatus string

// Ticket statuses, in lifecycle order.
const (
	// StatusNew: nobody has answered yet; only the core sets it.
	StatusNew TicketStatus = "new"
	// StatusOpen: being worked.
	StatusOpen TicketStatus = "open"
	// StatusPending: waiting on the citizen; the SLA clock is paused.
	StatusPending TicketStatus = "pending"
	// StatusSolved: answered; a citizen's message within the reopen
	// window reopens it.
	StatusSolved TicketStatus = "solved"
	// StatusClosed: final; nothing is written to it again.
	StatusClosed TicketStatus = "closed"
)

// TicketStatuses lists every ticket status in lifecycle order.
var TicketStatuses = []TicketStatus{StatusNew, StatusOpen, StatusPending, StatusSolved, StatusClosed}

// ActiveStatuses are the statuses of a ticket still being worked or
// waiting for an agent: new, open and pending.
var ActiveStatuses = []TicketStatus{StatusNew, StatusOpen, StatusPending}

// Active reports whether a ticket in this status is still being worked or
// waiting for an agent (new, open or pending): it counts toward its
// assignee's load, waits in its queue when unassigned, and a citizen's next
// message threads into it.
func (s TicketStatus) Active() bool {
	return s == StatusNew || s == StatusOpen || s == StatusPending
}

// Waiting reports whether a ticket in this status waits on the citizen
// (pending): its SLA clock is paused and a citizen's message reopens it.
func (s TicketStatus) Waiting() bool { return s == StatusPending }

// Known reports whether s is a ticket status.
func (s TicketStatus) Known() bool {
	switch s {
	case StatusNew, StatusOpen, StatusPending, StatusSolved, StatusClosed:
		return true
	}
	return false
}

// Direction says who wrote a message.
type Direction string

// Message directions.
const (
	DirectionIn   Direction = "in"   // from the citizen
	DirectionOut  Direction = "out"  // an agent's reply to the citizen
	DirectionNote Direction = "note" // an internal note the citizen never sees
)

// Channel names a way citizens reach the contact center.
type Channel string

// The channels the contact center speaks. Adding one adds a constant here
// and an adapter under channels/.
const (
	ChannelWebform  Channel = "webform"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelVoice    Channel = "voice"
	ChannelLiveChat Channel = "livechat"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWebform, ChannelWhatsApp, ChannelVoice, ChannelLiveChat}

// Known reports whether c is a channel this binary knows.
func (c Channel) Known() bool {
	switch c {
	case ChannelWebform, ChannelWhatsApp, ChannelVoice, ChannelLiveChat:
		return true
	}
	return false
}

// Kind says what a message is within its channel (the envelope's
// fields.kind). On WhatsApp it is the provider's message type (text, image,
// …) as the adapter keeps it, so the set is open; the constants name the
// kinds the code acts on or sets itself.
type Kind string

// Message kinds.
const (
	// KindComplaint: a complaint filed on the web form, under the tracking
	// number the form already gave the citizen.
	KindComplaint Kind = "complaint"
	// KindFollowUp: a citizen's follow-up on the complaint status page.
	KindFollowUp Kind = "follow_up"
	// KindChat: a live-chat message; the conversation's tracking number,
	// minted by the gateway, names its ticket.
	KindChat Kind = "chat"
	// KindUnsupported: a WhatsApp message of a type we cannot show.
	KindUnsupported Kind = "unsupported"
	// Phone records (channel voice).
	KindVoicemail              Kind = "voicemail"
	KindVoicemailTranscription Kind = "voicemail_transcription"
	KindCallbackRequest        Kind = "callback_request"
	KindTransfer               Kind = "transfer"
	KindCallRecord             Kind = "call_record"
	KindCallbackCall           Kind = "callback_call"
	// KindCallRecording: the recorded conversation of a call with an agent
	// (a transfer by Dial or a callback), its audio attached.
	KindCallRecording Kind = "call_recording"
)

// Call outcomes a phone call record ends in (envelope.FieldCallOutcome)
// that leave the caller waiting on us.
const (
	CallOutcomeVoicemail = "voicemail"
	CallOutcomeCallback  = "callback"
)

// AwaitsAnswer reports whether a message of kind k (with callOutcome, for
// a call record) leaves a caller waiting for an answer they have nothing
// to follow up with: a voicemail, a callback request, or a call whose
// record says it ended in one. Such a caller is sent their tracking
// number (internal/notify).
func AwaitsAnswer(k Kind, callOutcome string) bool {
	switch k {
	case KindVoicemail, KindCallbackRequest:
		return true
	case KindCallRecord:
		return callOutcome == CallOutcomeVoicemail || callOutcome == CallOutcomeCallback
	}
	return false
}

// PhoneRecord reports whether a message of this kind is the phone
// channel's record of a call (its outcome, a transfer to an agent, a
// callback asked for or made, the recording of a conversation with an
// agent): written by the system for the agents, not said by the citizen,
// so the citizen's status page leaves it out.
func (k Kind) PhoneRecord() bool {
	switch k {
	case KindCallRecord, KindTransfer, KindCallbackRequest, KindCallbackCall, KindCallRecording:
		return true
	}
	return false
}

// OwnTicket reports whether a message of this kind belongs to the ticket its
// adapter named: its thread_ref is a tracking number the adapter minted and
// already gave the citizen (a web-form complaint, a live-chat
// conversation). Such a message opens its ticket under that number, or
// joins it, and is never threaded into the contact's other open tickets.
func (k Kind) OwnTicket() bool { return k == KindComplaint || k == KindChat }

// Priority is how urgent a ticket is.
type Priority string

// Priorities, least urgent first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, least urgent first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// ByUrgency lists every priority, most urgent first: the order tickets are
// taken from a queue.
var ByUrgency = []Priority{PriorityUrgent, PriorityHigh, PriorityNormal, PriorityLow}

// Known reports whether p is a priority.
func (p Priority) Known() bool {
	switch p {
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Rank orders priorities, most urgent first: urgent 0, high 1, normal 2,
// low 3. An unknown priority ranks as normal.
func (p Priority) Rank() int {
	switch p {
	case PriorityUrgent:
		return 0
	case PriorityHigh:
		return 1
	case PriorityLow:
		return 3
	}
	return 2
}

// Escalated is one step more urgent (urgent stays urgent).
func (p Priority) Escalated() Priority {
	switch p {
	case PriorityLow:
		return PriorityNormal
	case PriorityNormal:
		return PriorityHigh
	}
	return PriorityUrgent
}

// DeliveryStatus is what became of an agent's reply on its channel.
type DeliveryStatus string

// Delivery statuses of an outbound message, in the order they progress.
// Failed is terminal.
const (
	DeliveryQueued DeliveryStatus = "queued"
	DeliverySent   DeliveryStatus = "sent"
	// DeliveryPosted: the reply is on a page the citizen reads when they
	// come (the complaint status page); nobody was notified.
	DeliveryPosted    DeliveryStatus = "posted"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryRead      DeliveryStatus = "read"
	DeliveryFailed    DeliveryStatus = "failed"
)

// DeliveryStatuses lists every delivery status by Rank.
var DeliveryStatuses = []DeliveryStatus{DeliveryQueued, DeliverySent, DeliveryPosted, DeliveryDelivered, DeliveryRead, DeliveryFailed}

// Rank orders delivery statuses so updates only move forward: queued <
// sent < posted < delivered < read, and failed beats everything. An unknown
// status ranks 0. DeliveryRankSQL keeps the same order in SQL.
func (s DeliveryStatus) Rank() int {
	switch s {
	case DeliveryQueued:
		return 1
	case DeliverySent:
		return 2
	case DeliveryPosted:
		return 3
	case DeliveryDelivered:
		return 4
	case DeliveryRead:
		return 5
	case DeliveryFailed:
		return 6
	}
	return 0
}

// Role is what an agent may do in the console.
type Role string

// Roles, least powerful first.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, least powerful first.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin}

// Presence is whether an agent takes work.
type Presence string

// Presence states.
const (
	PresenceOnline  Presence = "online"
	PresenceAway    Presence = "away"
	PresenceBusy    Presence = "busy"
	PresenceOffline Presence = "offline"
)

// Presences lists every presence state.
var Presences = []Presence{PresenceOnline, PresenceAway, PresenceBusy, PresenceOffline}

// ValidCode tells whether s may be a code of the program's catalogs
// (queues, channels' queues, complaint categories, not-ready reasons):
// a-z, 0-9, _ and -, 1 to 64 characters. Settings, seeds and the admin
// screens check codes with this one rule, so a code accepted in one place
// can always be saved again in another.
func ValidCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
