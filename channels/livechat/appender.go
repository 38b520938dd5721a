package livechat

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// errStopped: the gateway is shutting down.
var errStopped = errors.New("livechat: stopped")

// maxAppendBatch bounds the entries stored in one transaction.
const maxAppendBatch = 256

// appender stores log entries of many visitors in shared transactions:
// whatever is waiting when a transaction starts goes into it, so under
// load one commit serves hundreds of messages and at rest each entry is
// stored at once. Entries are stored in the order they were asked for.
// A batch that fails is retried one entry per transaction, so one bad
// entry cannot fail the others. On PostgreSQL an entry is one statement
// (appendPG), so a batch of one is that statement without a transaction
// around it.
//
// Several workers run side by side on PostgreSQL (one on SQLite, which has
// a single writer anyway); a visitor's entries always go to the same
// worker, so they keep their order.
type appender struct {
	db     *db.DB
	log    *slog.Logger
	queues []chan *appendReq
	stop   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// appendWorkers is how many batches are stored at once on PostgreSQL.
const appendWorkers = 8

type appendReq struct {
	ctx       context.Context
	visitorID string
	create    *newVisitor // a new visitor row instead of an entry
	e         newEntry
	ch        change
	now       time.Time
	done      chan struct{}
	row       logRow
	fresh, ok bool
	err       error
	answered  bool // done is closed
}

func (r *appendReq) answer() {
	r.answered = true
	close(r.done)
}

func newAppender(d *db.DB, log *slog.Logger) *appender {
	n := appendWorkers
	if d.Dialect == db.SQLite {
		n = 1
	}
	a := &appender{db: d, log: log, stop: make(chan struct{})}
	for range n {
		q := make(chan *appendReq, maxAppendBatch)
		a.queues = append(a.queues, q)
		a.wg.Add(1)
		go a.run(q)
	}
	return a
}

// newVisitor is a visitor row to create.
type newVisitor struct{ tn, lang string }

// add stores one entry and returns when it is committed.
func (a *appender) add(ctx context.Context, visitorID string, e newEntry, ch change, now time.Time) (logRow, bool, bool, error) {
	r := &appendReq{ctx: ctx, visitorID: visitorID, e: e, ch: ch, now: now, done: make(chan struct{})}
	if err := a.do(ctx, r); err != nil {
		// The entry may still be stored; a retry finds it by its dedupe
		// key (messages and replies have one).
		return logRow{}, false, false, err
	}
	return r.row, r.fresh, r.ok, r.err
}

// create stores a new visitor row. New visitors go through the same
// workers as appends: on SQLite the one worker is then the gateway's only
// writer (separate writers would poll each other's lock), and under load
// many rows share a commit.
func (a *appender) create(ctx context.Context, visitorID, tn, lang string, now time.Time) error {
	r := &appendReq{ctx: ctx, visitorID: visitorID, create: &newVisitor{tn: tn, lang: lang}, now: now, done: make(chan struct{})}
	if err := a.do(ctx, r); err != nil {
		return err
	}
	return r.err
}

// do queues r on its visitor's worker and waits for the answer.
func (a *appender) do(ctx context.Context, r *appendReq) error {
	select {
	case a.queues[shard(r.visitorID, len(a.queues))] <- r:
	case <-a.stop:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// apply does one request in tx.
func (r *appendReq) apply(tx *gorm.DB) (logRow, bool, bool, error) {
	if r.create != nil {
		return logRow{}, true, true, insertVisitor(tx, r.visitorID, r.create.tn, r.create.lang, r.now)
	}
	return appendIn(tx, r.visitorID, r.e, r.ch, r.now)
}

// close stops taking entries once those queued are stored.
func (a *appender) close() {
	a.once.Do(func() { close(a.stop) })
	a.wg.Wait()
}

// shard picks a worker for a visitor (FNV-1a).
func shard(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

func (a *appender) run(reqs chan *appendReq) {
	defer a.wg.Done()
	for {
		var first *appendReq
		select {
		case first = <-reqs:
		case <-a.stop:
			// Store what is queued, then refuse.
			for {
				select {
				case r := <-reqs:
					a.commit([]*appendReq{r})
				default:
					return
				}
			}
		}
		batch := []*appendReq{first}
	fill:
		for len(batch) < maxAppendBatch {
			select {
			case r := <-reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if err := a.commit(batch); err != nil && len(batch) > 1 {
			for _, r := range batch {
				if !r.answered {
					_ = a.commit([]*appendReq{r})
				}
			}
		}
	}
}

// commit stores a batch in one transaction and answers every request; it
// answers a failed batch of one with the error, and leaves a failed larger
// batch unanswered for the caller to retry entry by entry.
func (a *appender) commit(batch []*appendReq) error {
	live := batch[:0:0]
	for _, r := range batch {
		if r.ctx.Err() != nil {
			r.err = r.ctx.Err()
			r.answer()
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	if len(live) == 1 && a.db.Dialect == db.Postgres {
		// One entry is one statement on PostgreSQL (appendPG), atomic on
		// its own: no BEGIN and COMMIT round trips around it.
		r := live[0]
		r.row, r.fresh, r.ok, r.err = r.apply(a.db.WithContext(ctx))
		if r.create == nil && db.IsUniqueViolation(r.err) {
			// Another instance stored the same entry meanwhile (nothing
			// of this statement stayed); now it is visible.
			r.row, r.fresh, r.ok, r.err = r.apply(a.db.WithContext(ctx))
		}
		r.answer()
		return nil
	}
	type result struct {
		row       logRow
		fresh, ok bool
	}
	results := make([]result, len(live))
	err := a.db.Tx(ctx, func(tx *gorm.DB) error {
		tx = tx.WithContext(ctx)
		for i, r := range live {
			row, fresh, ok, err := r.apply(tx)
			if err != nil {
				return err
			}
			results[i] = result{row, fresh, ok}
		}
		return nil
	})
	if err != nil && len(live) > 1 {
		a.log.Warn("livechat log batch failed; storing one by one", "entries", len(live), "err", err)
		return err
	}
	for i, r := range live {
		if err != nil {
			r.err = err
		} else {
			r.row, r.fresh, r.ok = results[i].row, results[i].fresh, results[i].ok
		}
		r.answer()
	}
	return nil
}
