package whatsapp

import (
	"context"
	"time"

	"tanggap/internal/bus"
)

// AskJob works one csat ask job (the survey question).
func (a *Adapter) AskJob(ctx context.Context, data []byte, attempt int) bus.JobOutcome {
	return a.askJob(ctx, data, attempt)
}

// Pending is what the webhook publishes for a parsed batch.
func (a *Adapter) Pending(b Batch) ([]bus.Pending, error) { return a.pending(b, time.Now()) }

// AckJob works one acknowledgement job (a new ticket's first message).
func (a *Adapter) AckJob(ctx context.Context, data []byte, attempt int) bus.JobOutcome {
	return a.ackJob(ctx, data, attempt)
}

// ThanksJob works one thanks job (a rating tapped on WhatsApp).
func (a *Adapter) ThanksJob(ctx context.Context, data []byte, attempt int) bus.JobOutcome {
	return a.thanksJob(ctx, data, attempt)
}
