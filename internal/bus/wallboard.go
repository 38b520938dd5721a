package bus

import "time"

// The wallboard (internal/wallboard): the live picture of the contact
// center for supervisors, pushed whole whenever a ticket or an agent
// changed (at most every wallboard interval).

// ActionWallboard is queue.wallboard's action.
const ActionWallboard = "wallboard"

// WallboardAgent is one agent's row of the wallboard grid.
type WallboardAgent struct {
	AgentID  int64  `json:"agent_id"`
	Name     string `json:"name"`
	Presence string `json:"presence"`
	// Reason is the not-ready reason's code of an away agent ("" none).
	Reason string `json:"reason"`
	// StateSince is when the presence last changed (null: never).
	StateSince *time.Time `json:"state_since"`
	Load       int        `json:"load"`
	Capacity   int        `json:"capacity"`
	// Channels is the load per channel (channel code → open tickets).
	Channels map[string]int `json:"channels"`
	// Tickets are the agent's current tickets (at most 5), TicketCount all.
	Tickets     []WallboardTicket `json:"tickets"`
	TicketCount int               `json:"ticket_count"`
}

// WallboardTicket names a ticket on the wallboard.
type WallboardTicket struct {
	TicketID       int64  `json:"ticket_id"`
	TrackingNumber string `json:"tracking_number"`
	Channel        string `json:"channel"`
}

// WallboardLine is one queue and channel, today (since midnight WIB).
type WallboardLine struct {
	QueueID int64  `json:"queue_id"`
	Queue   string `json:"queue"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
	Waiting int    `json:"waiting"`
	// LongestWaitSeconds: the oldest waiting ticket's wait.
	LongestWaitSeconds int64 `json:"longest_wait_seconds"`
	// Offered tickets arrived today; Answered got a first response.
	Offered  int `json:"offered"`
	Answered int `json:"answered"`
	// WithinThreshold were answered within ThresholdSeconds (the
	// channel's service-level threshold); ServiceLevel is its percentage
	// of Decided (-1: none decided yet): the tickets answered, abandoned,
	// or unanswered past the threshold. One still waiting within the
	// threshold counts neither way yet.
	WithinThreshold  int     `json:"within_threshold"`
	Decided          int     `json:"decided"`
	ThresholdSeconds int64   `json:"threshold_seconds"`
	ServiceLevel     float64 `json:"service_level"`
	// ASASeconds: average speed of answer of the answered ones.
	ASASeconds int64 `json:"asa_seconds"`
	// Abandoned: finished without any agent's answer (the citizen left).
	Abandoned int `json:"abandoned"`
	// SLAMet of SLATotal tickets met their first-response due time (those
	// still running and not yet due are not counted); SLAPercent -1: none.
	SLAMet     int     `json:"sla_met"`
	SLATotal   int     `json:"sla_total"`
	SLAPercent float64 `json:"sla_percent"`
}

// WallboardReason is one not-ready reason as the board shows it.
type WallboardReason struct {
	Code         string `json:"code"`
	LabelID      string `json:"label_id"`
	LabelEN      string `json:"label_en"`
	LimitSeconds int    `json:"limit_seconds"`
}

// WallboardCalls counts today's inbound calls (since midnight WIB) and
// those abandoned in the IVR or the queue (the caller hung up before an
// agent answered), including calls that never became a ticket. Calls
// belong to no queue until routed, so they are one figure for the
// contact center.
type WallboardCalls struct {
	Inbound   int `json:"inbound"`
	Abandoned int `json:"abandoned"`
}

// Wallboard: the whole wallboard. No ticket scope: for supervisors and
// admins (the queue entity's receivers).
type Wallboard struct {
	V       V                 `json:"v"`
	Agents  []WallboardAgent  `json:"agents"`
	Lines   []WallboardLine   `json:"lines"`
	Calls   WallboardCalls    `json:"calls"`
	Reasons []WallboardReason `json:"reasons"`
	Day     string            `json:"day"`
	At      time.Time         `json:"at"`
}

func (Wallboard) EventName() (string, string) { return EntityQueue, ActionWallboard }
