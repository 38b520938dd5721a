package notify

import (
	"context"
	"fmt"
	"time"
)

// The catch-up sweep closes the one gap of the event path: ticket.updated
// and message.updated ride core NATS and JetStream captures it as it passes, so an event
// published while the connection to NATS is down is lost. Rather than add
// a write to the ticket core's hot path (an outbox), the sweep looks at the
// tickets whose row changed in a recent window (tickets.updated_at, which
// every status change sets, served by tickets_updated_idx) and are pending
// or solved with no notice for their current transition
// (status:<ticket>:<status_seq>:<status>), and queues them exactly as the
// event would (statusEvent). It is idempotent: a transition already taken
// up is skipped by the query and again by statusEvent's mark, and the
// job's Nats-Msg-Id and its rows' unique key keep a race with the late
// event to one notification. Every instance may sweep; overlapping sweeps
// cost a few reads, never a second message.
//
// Replies are swept the same way: an agent reply whose delivery status is
// posted or failed (what message.updated would have carried) and whose
// status last changed in the window (messages.updated_at, which every
// receipt sets; messages_notify_reply_idx holds only such rows) with no
// notice for reply:<message id> is queued as the event would (replyEvent).
// A posted reply the citizen read before the sweep came (its status moved
// on to "read") is not told: they have seen it.

// qSweep: tickets changed in [from, to) whose current pending or solved
// transition has no notice, oldest change first, after the keyset
// (updated_at, id).
const qSweep = `SELECT t.id, t.id AS ticket_id, t.updated_at FROM tickets t
WHERE t.updated_at >= ? AND t.updated_at < ? AND (t.updated_at > ? OR (t.updated_at = ? AND t.id > ?))
AND t.status IN ('pending', 'solved')
AND NOT EXISTS (SELECT 1 FROM notify_notices n WHERE n.event_key = 'status:' || t.id || ':' || t.status_seq || ':' || t.status)
ORDER BY t.updated_at, t.id LIMIT ?`

// qSweepReplies: agent replies whose delivery status is posted or failed,
// last changed in [from, to), with no notice for reply:<message id>,
// oldest change first, after the keyset (updated_at, id). The direction
// and status terms are written exactly as messages_notify_reply_idx's
// predicate, so that both dialects match the partial index.
const qSweepReplies = `SELECT m.id, m.ticket_id, m.updated_at FROM messages m
WHERE direction = 'out' AND delivery_status IN ('posted', 'failed')
AND m.updated_at >= ? AND m.updated_at < ? AND (m.updated_at > ? OR (m.updated_at = ? AND m.id > ?))
AND NOT EXISTS (SELECT 1 FROM notify_notices n WHERE n.event_key = 'reply:' || m.id)
ORDER BY m.updated_at, m.id LIMIT ?`

const sweepPage = 200

// sweepHit is one row a sweep found: a ticket (its own TicketID) or a
// reply message of TicketID.
type sweepHit struct {
	ID, TicketID int64
	UpdatedAt    time.Time
}

// sweepPage reads one page of q (rows of id, ticket id, updated_at) after
// the keyset (afterAt, afterID).
func (s store) sweepPage(ctx context.Context, q string, from, to, afterAt time.Time, afterID int64) ([]sweepHit, error) {
	rows, err := s.db.WithContext(ctx).Raw(q, from, to, afterAt, afterAt, afterID, sweepPage).Rows()
	if err != nil {
		return nil, fmt.Errorf("notify: sweep: %w", err)
	}
	defer rows.Close()
	var out []sweepHit
	for rows.Next() {
		var r sweepHit
		if err := rows.Scan(&r.ID, &r.TicketID, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("notify: sweep: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sweep queues the notices of status transitions and of replies posted or
// failed in [from, to) that no event took up, and returns how many it
// queued.
func (s *Service) Sweep(ctx context.Context, from, to time.Time) (int, error) {
	n, err := s.sweepStatuses(ctx, from, to)
	if err != nil {
		return n, err
	}
	r, err := s.sweepReplyNotices(ctx, from, to)
	return n + r, err
}

// sweepReplyNotices queues the reply notices of [from, to) that no event
// took up, as the message.updated event would (replyEvent).
func (s *Service) sweepReplyNotices(ctx context.Context, from, to time.Time) (int, error) {
	return s.sweepAll(ctx, qSweepReplies, from, to, func(r sweepHit) error { return s.replyEvent(ctx, r.TicketID, r.ID) })
}

// sweepStatuses queues the status notices of [from, to) that no event
// took up, as the ticket.updated event would (statusEvent).
func (s *Service) sweepStatuses(ctx context.Context, from, to time.Time) (int, error) {
	return s.sweepAll(ctx, qSweep, from, to, func(r sweepHit) error { return s.statusEvent(ctx, r.ID) })
}

// sweepAll pages through q over [from, to), oldest change first, handing
// each row to act, and returns how many it handed.
func (s *Service) sweepAll(ctx context.Context, q string, from, to time.Time, act func(sweepHit) error) (int, error) {
	n := 0
	afterAt, afterID := from.Add(-time.Nanosecond), int64(0)
	for {
		page, err := s.store.sweepPage(ctx, q, from.UTC(), to.UTC(), afterAt.UTC(), afterID)
		if err != nil {
			return n, err
		}
		for _, r := range page {
			if err := act(r); err != nil {
				return n, err
			}
			n++
			afterAt, afterID = r.UpdatedAt, r.ID
		}
		if len(page) < sweepPage {
			return n, nil
		}
	}
}

// sweepLoop sweeps every SweepEvery until ctx ends. The first sweep looks
// back SweepLookback (changes made while no instance ran, or while the bus
// was down before a restart); each later one covers from a little before
// the previous one's end (a transaction that committed late with an older
// updated_at), up to SweepGrace ago (changes the event path is about to
// take up are left to it).
func (s *Service) sweepLoop(ctx context.Context) {
	if s.o.SweepEvery < 0 {
		return
	}
	t := time.NewTicker(s.o.SweepEvery)
	defer t.Stop()
	from := s.o.Now().Add(-s.o.SweepLookback)
	for {
		to := s.o.Now().Add(-s.o.SweepGrace)
		if to.After(from) {
			n, err := s.Sweep(ctx, from, to)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("notify: catch-up sweep", "err", err)
			case err == nil:
				if n > 0 {
					s.log.Info("notify: catch-up sweep queued notices no event took up", "count", n)
				}
				from = to.Add(-sweepOverlap)
			}
			if err := s.store.purgeEarly(ctx, s.o.Now().UTC()); err != nil && ctx.Err() == nil {
				s.log.Warn("notify: purge early sms statuses", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepOverlap: how far each sweep reaches back before the previous one's
// end, for a status change committed after its updated_at was stamped.
const sweepOverlap = 5 * time.Minute
