package bus

import "time"

// Phone calls (channels/voice). A call belongs to no queue and no ticket
// until it is routed, so these events carry no scope: they are for the
// boards (supervisors and admins) and wake the wallboard, whose calls line
// counts today's inbound and abandoned calls. No caller number, ever.

// EntityCall is the entity of the phone call events.
const EntityCall = "call"

// Actions of the phone call events.
const (
	ActionCallStarted = "started"
	ActionCallEnded   = "ended"
)

// CallStarted: the provider announced a new call (Direction "inbound" for
// a citizen calling the toll-free number, "outbound" for a callback).
type CallStarted struct {
	V         V         `json:"v"`
	Direction string    `json:"direction"`
	At        time.Time `json:"at"`
}

// CallEnded: the provider reported a call's final status. Outcome is what
// the call achieved (answered, self_service, voicemail, callback,
// abandoned, unanswered); DurationSeconds is the provider's. A provider
// repeating its final status callback repeats the event: receivers count
// from the database, never from events.
type CallEnded struct {
	V               V         `json:"v"`
	Direction       string    `json:"direction"`
	Outcome         string    `json:"outcome"`
	DurationSeconds int       `json:"duration_seconds"`
	At              time.Time `json:"at"`
}

func (CallStarted) EventName() (string, string) { return EntityCall, ActionCallStarted }
func (CallEnded) EventName() (string, string)   { return EntityCall, ActionCallEnded }
