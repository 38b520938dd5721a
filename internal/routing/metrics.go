package routing

import (
	"context"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/hours"
)

// QueueMetrics is one queue's live state, published in bus.QueueMetrics.
type QueueMetrics = bus.QueueFigures

// QueueCalendars is what Metrics reads of the queue settings: the cached
// queue configuration and each queue's business-hours calendar. *Settings
// implements it.
type QueueCalendars interface {
	conf(ctx context.Context) (*confSet, error)
	calendarOf(ctx context.Context, queueID *int64) (*hours.Calendar, error)
}

// Metrics reads the queues' live state and where a waiting ticket stands
// (EstimateWait, from each queue's shared line: wait.go). Its SQL is in
// metrics_store.go.
type Metrics struct {
	part
	lines lines
}

// NewMetrics returns a Metrics.
func NewMetrics(o PartOpts) *Metrics { return &Metrics{part: newPart(o)} }

// Metrics computes every queue's metrics in three round trips. The waiting
// count is the sum of the queue's rows in queue_waiting_counts, which
// triggers on tickets keep (migration 0006): counting the waiting tickets
// themselves read every one of them (~95,000 rows for 100 queues under
// load, ~20 ms). The oldest wait is one probe of the waiting-ticket index
// (queue_id, created_at) per queue.
//
//	SELECT q.id, (SELECT SUM(n) FROM queue_waiting_counts c WHERE c.queue_id = q.id),
//	  (SELECT MIN(created_at) FROM tickets t WHERE t.queue_id = q.id AND <waiting>) FROM queues q
//	WHERE q.archived_at IS NULL
//	SELECT m.queue_id, SUM(online with room), SUM(busy or full), SUM(online) FROM queue_members m JOIN agents a … GROUP BY m.queue_id
//	SELECT t.queue_id, COUNT(*) FROM tickets t WHERE <active, due within the hour> GROUP BY t.queue_id
func (m *Metrics) Metrics(ctx context.Context, now time.Time) ([]QueueMetrics, error) {
	conf, err := m.queues.conf(ctx)
	if err != nil {
		return nil, err
	}
	tx := m.db.WithContext(ctx)
	waiting, err := waitingPerQueue(tx)
	if err != nil {
		return nil, err
	}
	agents, err := agentsPerQueue(tx)
	if err != nil {
		return nil, err
	}
	dueSoon, err := dueSoonPerQueue(tx, now)
	if err != nil {
		return nil, err
	}
	out := make([]QueueMetrics, 0, len(conf.ordered))
	idx := make(map[int64]int, len(conf.ordered))
	for _, q := range conf.ordered {
		idx[q.ID] = len(out)
		qm := QueueMetrics{QueueID: q.ID, Queue: q.Code, Name: q.Name, Open: q.cal.Open(now)}
		if q.OverflowQueue != 0 {
			qm.OverflowAfterSeconds = int64(q.OverflowAfter / time.Second)
		}
		out = append(out, qm)
	}
	for _, w := range waiting {
		if i, ok := idx[w.QueueID]; ok {
			out[i].Waiting = w.N
			if oldest, ok := dbTime(w.Oldest); w.Oldest != nil && ok {
				out[i].OldestWaitSeconds = int64(max(now.Sub(oldest), 0) / time.Second)
			}
		}
	}
	for _, a := range agents {
		if i, ok := idx[a.QueueID]; ok {
			out[i].AgentsAvailable, out[i].AgentsBusy, out[i].AgentsOnline = a.Available, a.Busy, a.Online
		}
	}
	for _, d := range dueSoon {
		if i, ok := idx[d.QueueID]; ok {
			out[i].SLADueSoon = d.N
		}
	}
	return out, nil
}

// Run publishes every queue's metrics every `every`, and soon after the
// events that change them (bus.ChangesQueues: an agent going online, a
// ticket arriving or taken; at most twice a second, one instance per
// event), so the queue board keeps pace with the wallboard instead of
// lagging it by up to `every`. Every instance may run it.
func (m *Metrics) Run(ctx context.Context, every time.Duration, b *bus.Bus) error {
	if every <= 0 {
		every = 10 * time.Second
	}
	return b.Repush(ctx, bus.RepushOpts{Group: b.Names.GroupQueueMetrics(), Changes: bus.ChangesQueues, Every: every}, m.publish)
}

// publish emits every queue's metrics as of now. The waiting counts'
// rows are folded on the periodic push only: folding changes no sum, and
// is a write.
func (m *Metrics) publish(ctx context.Context, now time.Time, periodic bool) {
	if periodic {
		if err := m.foldWaitingCounts(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("fold waiting counts", "err", err)
		}
	}
	qs, err := m.Metrics(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("queue metrics", "err", err)
		}
		return
	}
	m.events.Emit(bus.QueueMetrics{Queues: qs, At: now})
}
