package bus

import "time"

// Customer satisfaction (internal/csat).

// EntityCSAT is the entity of the satisfaction events.
const EntityCSAT = "csat"

// Actions of the satisfaction events.
const (
	ActionCSATRated     = "rated"
	ActionCSATLow       = "alert"
	ActionCSATCommented = "commented"
)

// CSATRated: a citizen rated a ticket (1–5). Comment is never carried:
// screens that show it read it through the API.
type CSATRated struct {
	V V `json:"v"`
	Scope
	TrackingNumber string    `json:"tracking_number"`
	SurveyID       int64     `json:"survey_id"`
	Rating         int       `json:"rating"`
	Channel        string    `json:"channel"`
	At             time.Time `json:"at"`
}

// CSATLowRating: a rating at or below the alert threshold (1 or 2 by
// default). SupervisorIDs are the queue's supervisors the console alerts.
type CSATLowRating struct {
	V V `json:"v"`
	Scope
	AlertID        int64     `json:"alert_id"`
	TrackingNumber string    `json:"tracking_number"`
	Rating         int       `json:"rating"`
	Channel        string    `json:"channel"`
	SupervisorIDs  []int64   `json:"supervisor_ids"`
	At             time.Time `json:"at"`
}

// CSATCommented: a citizen who rated without a comment added one later
// (through the survey's link). Like CSATRated it never carries the
// comment: screens read it through the API. AlertID is the survey's
// low-rating alert (0 when the rating raised none), so a screen listing
// alerts knows which one to read again.
type CSATCommented struct {
	V V `json:"v"`
	Scope
	TrackingNumber string    `json:"tracking_number"`
	SurveyID       int64     `json:"survey_id"`
	AlertID        int64     `json:"alert_id"`
	Rating         int       `json:"rating"`
	Channel        string    `json:"channel"`
	At             time.Time `json:"at"`
}

func (CSATRated) EventName() (string, string)     { return EntityCSAT, ActionCSATRated }
func (CSATLowRating) EventName() (string, string) { return EntityCSAT, ActionCSATLow }
func (CSATCommented) EventName() (string, string) { return EntityCSAT, ActionCSATCommented }
