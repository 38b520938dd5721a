package ingest

// Events published on cc.events.<entity>.<action> after a batch is
// committed (bus/events.go and EVENTS.md list them). Each carries what a
// live screen shows, taken from what the batch already holds: the new
// tickets as stored, the threaded tickets as read (with the columns the
// events need), the assignments routing returned, and the messages
// themselves. No event costs a read; subjects and previews are masked.

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
	"tanggap/internal/routing"
	"tanggap/internal/tracing"
)

// emit tells live screens what a committed batch changed.
func (c *Consumer) emit(res result) {
	now := time.Now().UTC()
	// Each message's preview, masked once; the last message of each
	// ticket in the batch (stream order) is the ticket's preview. Every
	// ticket of an event got at least one message.
	previews := make([]string, len(res.messages))
	last := map[int64]string{}
	byID := map[int64]*ticketState{}
	for i, it := range res.messages {
		previews[i] = mask.Preview(it.in.Text)
		last[it.ticket.id] = previews[i]
		byID[it.ticket.id] = it.ticket
	}
	routed := make(map[int64]routing.Assignment, len(res.assignments))
	for _, a := range res.assignments {
		routed[a.TicketID] = a
	}
	ticket := func(t *ticketState) bus.Ticket {
		ev := t.event(routed[t.id], now)
		ev.Preview = last[t.id]
		return ev
	}
	// Each ticket's events continue the trace of its last message.
	traces := map[int64]context.Context{}
	if res.trace.IsValid() {
		for _, it := range res.messages {
			traces[it.ticket.id] = res.traceOf(it)
		}
	}
	ctxOf := func(id int64) context.Context {
		if ctx := traces[id]; ctx != nil {
			return ctx
		}
		return context.Background()
	}
	for _, t := range res.created {
		c.bus.EmitCtx(ctxOf(t.id), bus.TicketCreated(ticket(t)))
	}
	for _, a := range res.assignments {
		if t := byID[a.TicketID]; t != nil && a.AgentID != 0 {
			c.bus.EmitCtx(ctxOf(t.id), bus.TicketAssigned(ticket(t)))
		}
	}
	for _, id := range res.reopened {
		if t := byID[id]; t != nil {
			c.bus.EmitCtx(ctxOf(id), bus.TicketUpdated(ticket(t)))
		}
	}
	for i, it := range res.messages {
		ev := bus.MessageCreated{Scope: it.ticket.scope(routed[it.ticket.id]), MessageID: it.messageID,
			Direction: domain.DirectionIn, Channel: string(it.in.Channel), Kind: domain.Kind(it.in.Fields[envelope.FieldKind]),
			Preview: previews[i], At: it.in.ReceivedAt.UTC()}
		if res.trace.IsValid() {
			c.bus.EmitCtx(res.traceOf(it), ev)
		} else {
			c.bus.Emit(ev)
		}
	}
}

// traceOf is the trace an event about item continues, so the console push
// joins it (webhook → stored → pushed): the batch's span when the batch
// was this one message; in a batch of many, whose span starts a trace of
// its own and links the messages', the message's own trace.
func (res result) traceOf(it *item) context.Context {
	batch := trace.ContextWithSpanContext(context.Background(), res.trace)
	if res.single || it.msg == nil {
		return batch
	}
	sc := trace.SpanContextFromContext(tracing.Extract(context.Background(), it.msg.Headers()))
	if !sc.IsValid() {
		return batch
	}
	return trace.ContextWithRemoteSpanContext(context.Background(), sc)
}

// scope is the ticket's scope fields after the commit (see event).
func (t *ticketState) scope(a routing.Assignment) bus.Scope {
	s := bus.Scope{TicketID: t.id, QueueID: t.queueID}
	if !t.isNew {
		s.QueueID, s.AssigneeID = idOf(t.row.QueueID), idOf(t.row.AssigneeID)
	}
	if a.TicketID == t.id { // routing decided in this batch
		s.AssigneeID = a.AgentID
		if a.QueueID != 0 {
			s.QueueID = a.QueueID
		}
	}
	return s
}

// event is a ticket the batch wrote to, as it stands after the commit:
// a new one as stored, an existing one as read with the status the batch
// gave it; routing's assignment (if any) decides its queue and assignee.
func (t *ticketState) event(a routing.Assignment, now time.Time) bus.Ticket {
	ev := bus.Ticket{Scope: t.scope(a), Status: t.status, At: now}
	if t.isNew {
		ev.TrackingNumber, ev.Channel, ev.Priority = t.trackingNumber, t.channel, t.priority()
		ev.Subject = mask.Preview(t.subject)
		ev.FirstResponseDue, ev.ResolutionDue = due(t.filing.FirstResponseDue), due(t.filing.ResolutionDue)
	} else {
		r := t.row
		ev.TrackingNumber, ev.Channel, ev.Priority = r.TrackingNumber, r.Channel, r.Priority
		ev.Subject = mask.Preview(r.Subject)
		ev.FirstResponseDue, ev.ResolutionDue = nullDue(r.FirstResponseDue), nullDue(r.ResolutionDue)
	}
	return ev
}

func due(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullDue(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return due(*t)
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
