package api

import (
	"context"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/routing"
)

// What the routing handlers need, one small interface per responsibility
// (internal/routing implements each with its own type).

// Work moves a ticket between agents and queues on an agent's or a
// supervisor's request.
type Work interface {
	Claim(ctx context.Context, by routing.Actor, ticketID int64) error
	Unclaim(ctx context.Context, by routing.Actor, ticketID int64, note string) error
	Transfer(ctx context.Context, by routing.Actor, ticketID int64, to routing.Target, note string) error
	Assign(ctx context.Context, by routing.Actor, ticketID, agentID int64) error
	SetPriority(ctx context.Context, by routing.Actor, ticketID int64, priority domain.Priority) error
}

// QueueAdmin reads and changes the queue settings, the agents' routing
// profiles and the holidays.
type QueueAdmin interface {
	Queues(ctx context.Context) ([]routing.QueueSettings, error)
	QueueNames(ctx context.Context) ([]routing.QueueName, error)
	// SaveQueueChange also answers with the queue as it was and is.
	SaveQueueChange(ctx context.Context, q routing.QueueSettings) (routing.QueueChange, error)
	RemoveQueue(ctx context.Context, by routing.Actor, code, moveTo string) (routing.RemovedQueue, error)
	Agent(ctx context.Context, agentID int64) (routing.AgentProfile, error)
	SetAgent(ctx context.Context, agentID int64, s routing.AgentSettings) error
	Holidays(ctx context.Context, year int) ([]routing.Holiday, error)
	// SetHolidaysChange also answers with the year's holidays as they were.
	SetHolidaysChange(ctx context.Context, year int, days []routing.Holiday) (before []routing.Holiday, err error)
}

// SLAClocks reads a ticket's SLA clock and the SLA report.
type SLAClocks interface {
	SLA(ctx context.Context, ticketID int64, now time.Time) (routing.TicketSLA, error)
	SLAReport(ctx context.Context, since time.Time) ([]routing.QueueSLA, error)
}

// QueueMetrics reads the queues' live metrics and a ticket's wait estimate.
type QueueMetrics interface {
	Metrics(ctx context.Context, now time.Time) ([]routing.QueueMetrics, error)
	EstimateWait(ctx context.Context, ticketID int64) (routing.WaitEstimate, error)
}
