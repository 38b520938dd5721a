package ingest

// Events published on cc.events.<entity>.<action> after a batch is acked.
// They carry ids only, never personal data: screens re-read what they show
// through the API, which checks who may see it.

import "tanggap/internal/routing"

// TicketCreated is ("ticket", "created").
type TicketCreated struct {
	TicketID int64  `json:"ticket_id"`
	QueueID  int64  `json:"queue_id"`
	Channel  string `json:"channel"`
}

// TicketUpdated is ("ticket", "updated"): a citizen message reopened it.
type TicketUpdated struct {
	TicketID int64  `json:"ticket_id"`
	Status   string `json:"status"`
}

// MessageCreated is ("message", "created").
type MessageCreated struct {
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id"`
	Direction string `json:"direction"`
}

// emit tells live screens what a committed batch changed.
func (c *Consumer) emit(res result) {
	for _, t := range res.created {
		c.bus.Emit("ticket", "created", TicketCreated{TicketID: t.id, QueueID: t.queueID, Channel: t.channel})
	}
	for _, a := range res.assignments {
		if a.AgentID != 0 {
			// The same event routing emits for every other assignment.
			c.bus.Emit("ticket", "assigned", routing.TicketAssigned{TicketID: a.TicketID, QueueID: a.QueueID, AgentID: a.AgentID})
		}
	}
	for _, id := range res.reopened {
		c.bus.Emit("ticket", "updated", TicketUpdated{TicketID: id, Status: statusOpen})
	}
	for _, it := range res.messages {
		c.bus.Emit("message", "created", MessageCreated{TicketID: it.ticket.id, MessageID: it.messageID, Direction: "in"})
	}
}
