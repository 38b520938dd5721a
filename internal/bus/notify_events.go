package bus

import "time"

// Citizen notifications (internal/notify).

// ActionNotified is the action of ticket.notified.
const ActionNotified = "notified"

// TicketNotified: a notification to the ticket's citizen (e-mail, SMS or
// WhatsApp template) was queued, sent, delivered or failed on one route.
// Reason is the masked cause of a failure (mask.Preview); the citizen's
// address is never a field.
type TicketNotified struct {
	V V `json:"v"`
	Scope
	DeliveryID int64     `json:"delivery_id"`
	Route      string    `json:"route"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

func (TicketNotified) EventName() (string, string) { return EntityTicket, ActionNotified }
