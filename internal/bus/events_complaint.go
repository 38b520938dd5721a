package bus

import "time"

// The complaint lifecycle (internal/complaint). No complaint event carries
// who complained: anonymous and confidential complaints look like any
// other here, and the identity is read only through the audited reveal.

// EntityComplaint is the entity of the complaint lifecycle events.
const EntityComplaint = "complaint"

// Actions of the complaint events (ActionUpdated is shared).
const (
	ActionComplaintEscalated = "escalated"
	ActionComplaintWarning   = "warning"
)

// ComplaintUpdated: a complaint's lifecycle changed (a stage change or a
// step an agent or the scheduler wrote); an open lifecycle panel of the
// ticket reads the complaint again. Step names the step written; Stage is
// the stage after it.
type ComplaintUpdated struct {
	V V `json:"v"`
	Scope
	TrackingNumber string    `json:"tracking_number"`
	Stage          string    `json:"stage"`
	Step           string    `json:"step"`
	At             time.Time `json:"at"`
}

// ComplaintCeiling is the payload of the ceiling events: the complaint
// and its ceiling (the 60th working day of a complete file by default).
type ComplaintCeiling struct {
	V V `json:"v"`
	Scope
	TrackingNumber string    `json:"tracking_number"`
	CeilingAt      time.Time `json:"ceiling_at"`
	At             time.Time `json:"at"`
}

// ComplaintEscalated: the scheduler escalated an open complaint that
// reached its ceiling; every supervisor's and admin's console hears it
// (and the ticket's audience by the scope rule). Fires once per complaint.
type ComplaintEscalated ComplaintCeiling

// ComplaintWarning: an open complaint is within the warning days of its
// ceiling; heard like ComplaintEscalated. Fires once per ceiling.
type ComplaintWarning ComplaintCeiling

func (ComplaintUpdated) EventName() (string, string) { return EntityComplaint, ActionUpdated }
func (ComplaintEscalated) EventName() (string, string) {
	return EntityComplaint, ActionComplaintEscalated
}
func (ComplaintWarning) EventName() (string, string) { return EntityComplaint, ActionComplaintWarning }
