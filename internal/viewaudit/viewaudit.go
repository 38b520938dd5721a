// Package viewaudit records who opened which citizen's identity (the
// contact panel), thread (a ticket, its transcript) or attachment, and when,
// and lets admins query it (UU 27/2022: every access to personal data is
// accountable).
//
// Guarantees, and what keeps them:
//   - Cheap enough for every view: Record only appends to a bounded
//     in-memory buffer; one goroutine (Run) writes the buffer in batches of
//     up to MaxBatch rows with one INSERT, at least every FlushEvery. Run
//     is not woken per view, only by its tick, a Flush, or a batch's worth
//     waiting: woken by every view, it slowed the views themselves (the
//     console's ticket view took 60–110 ms instead of 20–50 ms under a
//     webhook load on the embedded defaults). The
//     ticket and contact a view concerns are looked up at flush time, one
//     query per batch, never on the request path.
//   - Nothing is dropped silently: when the buffer is full, Record waits
//     (bounded by the request's context) rather than forget a view; a failed
//     batch is retried, and views still buffered at shutdown are written
//     before Run returns (within ShutdownWait). A Record that comes after
//     shutdown began and finds no room gets ErrClosed at once: it never
//     waits for a writer that is gone, and a view it reports as recorded
//     is in the last flush.
//   - Queries are served by indexes (agent, ticket, contact or time, each
//     with the time), proven by EXPLAIN tests on both dialects.
package viewaudit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tanggap/internal/db"
)

// Kinds of views. A list that shows citizens (search results, probable
// duplicates of a contact, ticket lists) is recorded as one view per citizen shown, so
// "who saw citizen X" is one query by contact, on its index, whatever
// screen showed X: KindSearch names the ticket and its contact,
// KindDuplicate the duplicate contact.
const (
	KindTicket     = "ticket"
	KindTranscript = "transcript"
	KindContact    = "contact"
	KindAttachment = "attachment"
	KindExport     = "export"
	KindSearch     = "search"
	KindDuplicate  = "duplicate"
	// KindRefusedItem: an item a channel could not read, opened whole
	// (internal/refused); RefusedItemID names it.
	KindRefusedItem = "refused_item"
	// KindList: a ticket list (the inbox, a filtered list, a saved view)
	// showed the ticket and its citizen's name; recorded once per agent
	// and ticket within ListEvery (RecordListed).
	KindList = "list"
)

// Kinds lists every kind; the audit screen labels each
// ("privacy.view_" + kind).
var Kinds = []string{KindTicket, KindTranscript, KindContact, KindAttachment, KindExport, KindSearch, KindDuplicate, KindRefusedItem, KindList}

// View is one opening of personal data. Record fills what it can; the
// flush fills TicketID and ContactID from the attachment or ticket.
type View struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	AgentID      int64     `json:"agent_id"`
	Kind         string    `json:"kind"`
	TicketID     *int64    `json:"ticket_id"`
	ContactID    *int64    `json:"contact_id"`
	AttachmentID *int64    `json:"attachment_id"`
	// RefusedItemID: the refused item opened (KindRefusedItem).
	RefusedItemID *int64 `json:"refused_item_id,omitempty"`
	// Who and what, as the people reading the log know them (Query
	// fills them; an account or ticket since removed leaves them empty).
	AgentName      string `json:"agent_name,omitempty"`
	AgentEmail     string `json:"agent_email,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
}

// Opts configures the recorder.
type Opts struct {
	DB  *db.DB
	Log *slog.Logger
	// Buffer is how many views wait for a flush (default 10,000).
	Buffer int
	// MaxBatch rows go in one INSERT (default 500).
	MaxBatch int
	// FlushEvery bounds how long a view waits (default 1s).
	FlushEvery time.Duration
	// ShutdownWait bounds the last flush when Run's context ends
	// (default 5s).
	ShutdownWait time.Duration
}

// Recorder buffers views and writes them in batches.
type Recorder struct {
	o     Opts
	ch    chan View
	flush chan chan struct{}
	// full wakes Run when MaxBatch views wait, or a Record waits for room.
	full chan struct{}
	st   store
	// stopping is closed when Run's context ends: a Record waiting for
	// room gives up. mu orders Records against the last flush: Run sets
	// closed under mu before draining, so every view a Record put in the
	// buffer (under mu's read lock) is drained.
	stopping chan struct{}
	mu       sync.RWMutex
	closed   bool
	// paused: Record records nothing (SetRecording).
	paused atomic.Bool
	// list: when lists last recorded each agent's tickets (RecordListed).
	list listed
}

// ErrClosed: Record after the recorder stopped taking views (shutdown).
var ErrClosed = errors.New("viewaudit: recorder stopped")

// New returns a recorder; start its Run.
func New(o Opts) *Recorder {
	if o.Buffer <= 0 {
		o.Buffer = 10000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Second
	}
	if o.ShutdownWait <= 0 {
		o.ShutdownWait = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{o: o, ch: make(chan View, o.Buffer), flush: make(chan chan struct{}), full: make(chan struct{}, 1), st: store{db: o.DB},
		stopping: make(chan struct{}), list: listed{now: time.Now}}
}

// SetRecording stops (false) or resumes (true) recording at run time: while
// stopped, Record drops every view and the API does not even build them.
// It exists to measure what the audit costs in a running contact center
// (the observability overhead benchmark, through app.App.SetObservations):
// the law wants every view recorded, so nothing in the contact center calls
// it and no setting reaches it.
func (r *Recorder) SetRecording(on bool) { r.paused.Store(!on) }

// Recording reports whether views are recorded (not stopped by
// SetRecording).
func (r *Recorder) Recording() bool { return !r.paused.Load() }

// Record notes a view. It returns at once unless the buffer is full, then
// waits for room as long as ctx allows; once shutdown began it returns
// ErrClosed rather than wait.
func (r *Recorder) Record(ctx context.Context, v View) error {
	if r.paused.Load() {
		return nil
	}
	if v.At.IsZero() {
		v.At = time.Now().UTC()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return ErrClosed
	}
	select {
	case r.ch <- v:
		if len(r.ch) >= r.o.MaxBatch {
			r.wake()
		}
		return nil
	default:
	}
	r.wake()
	select {
	case r.ch <- v:
		return nil
	case <-r.stopping:
		r.o.Log.Error("view audit: shutting down with a full buffer, view not recorded", "agent_id", v.AgentID, "kind", v.Kind)
		return ErrClosed
	case <-ctx.Done():
		r.o.Log.Error("view audit: buffer full, view not recorded", "agent_id", v.AgentID, "kind", v.Kind)
		return ctx.Err()
	}
}

// wake tells Run that a batch's worth waits (or that a Record waits for
// room), without blocking: one signal pending is enough.
func (r *Recorder) wake() {
	select {
	case r.full <- struct{}{}:
	default:
	}
}

// Flush waits until every view recorded before the call is written (tests,
// and the data-subject export that must list its own view).
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case r.flush <- done:
	case <-r.stopping:
		return ErrClosed // the last flush writes what is buffered
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run writes batches until ctx ends, then writes what is still buffered
// (within ShutdownWait) and returns. Run once per recorder.
func (r *Recorder) Run(ctx context.Context) error {
	tick := time.NewTicker(r.o.FlushEvery)
	defer tick.Stop()
	batch := make([]View, 0, r.o.MaxBatch)
	// write inserts the batch, retrying a failure (a short pause, longer
	// while running) until stop ends. Then, with giveUp (the last flush,
	// whose stop is its deadline), the batch is given up, logged; without,
	// it stays for the last flush. While running, an insert under way is
	// not cut short when stop (Run's context) ends, only bounded by
	// ShutdownWait: cancelled by the shutdown, it lost views Record had
	// already reported recorded.
	write := func(stop context.Context, pause time.Duration, giveUp bool) {
		for len(batch) > 0 {
			ictx, icancel := stop, context.CancelFunc(func() {})
			if !giveUp {
				ictx, icancel = context.WithTimeout(context.WithoutCancel(stop), r.o.ShutdownWait)
			}
			err := r.st.insert(ictx, batch)
			icancel()
			if err == nil {
				batch = batch[:0]
				continue
			}
			if stop.Err() != nil {
				if giveUp {
					r.o.Log.Error("view audit: views not written", "views", len(batch), "error", err)
					batch = batch[:0]
				}
				return
			}
			r.o.Log.Warn("view audit: batch not written, retrying", "views", len(batch), "error", err)
			t := time.NewTimer(pause)
			select {
			case <-t.C:
			case <-stop.Done():
				t.Stop()
			}
		}
	}
	drain := func() {
		for len(batch) < r.o.MaxBatch {
			select {
			case v := <-r.ch:
				batch = append(batch, v)
			default:
				return
			}
		}
	}
	// writeAll writes what the buffer holds, a batch at a time; once a
	// batch comes out short, views that came meanwhile wait for the next
	// wake-up.
	writeAll := func() {
		for ctx.Err() == nil {
			drain()
			if len(batch) == 0 {
				return
			}
			short := len(batch) < r.o.MaxBatch
			write(ctx, time.Second, false)
			if short {
				return
			}
		}
	}
	for {
		select {
		case <-r.full:
			writeAll()
		case <-tick.C:
			writeAll()
		case done := <-r.flush:
			for ctx.Err() == nil {
				drain()
				if len(batch) == 0 {
					break
				}
				write(ctx, time.Second, false)
			}
			close(done)
		case <-ctx.Done():
			// Waiting Records give up; once they have, no view enters the
			// buffer any more, and what is in it is written now.
			close(r.stopping)
			r.mu.Lock()
			r.closed = true
			r.mu.Unlock()
			sctx, cancel := context.WithTimeout(context.Background(), r.o.ShutdownWait)
			for {
				drain()
				if len(batch) == 0 {
					break
				}
				write(sctx, 50*time.Millisecond, true)
			}
			cancel()
			return nil
		}
	}
}

// Filter narrows a query; zero fields do not filter. Before pages: the
// next page is the rows strictly older than the last row returned.
type Filter struct {
	AgentID   int64
	TicketID  int64
	ContactID int64
	From, To  time.Time
	Limit     int
	// BeforeAt/BeforeID: the At and ID of the last row of the page before.
	BeforeAt time.Time
	BeforeID int64
	// AgentEmail and TrackingNumber name the agent and the ticket as
	// people know them, instead of AgentID and TicketID; one that names
	// nobody is ErrUnknownAgent or ErrUnknownTicket.
	AgentEmail     string
	TrackingNumber string
}

// Filters naming no account or no ticket.
var (
	ErrUnknownAgent  = errors.New("viewaudit: no account with this email")
	ErrUnknownTicket = errors.New("viewaudit: no ticket with this tracking number")
)

// Page is one page of views, newest first; Next is set when more follow.
type Page struct {
	Views []View `json:"views"`
	Next  *Next  `json:"next"`
}

// Next is the cursor of the following page.
type Next struct {
	BeforeAt time.Time `json:"before_at"`
	BeforeID int64     `json:"before_id"`
}

// Query returns views matching f, newest first.
func (r *Recorder) Query(ctx context.Context, f Filter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	f, err := r.st.resolve(ctx, f)
	if err != nil {
		return Page{}, err
	}
	rows, err := r.st.query(ctx, f, f.Limit+1)
	if err != nil {
		return Page{}, err
	}
	if err := r.st.name(ctx, rows); err != nil {
		return Page{}, err
	}
	p := Page{Views: rows}
	if len(rows) > f.Limit {
		p.Views = rows[:f.Limit]
		last := p.Views[f.Limit-1]
		p.Next = &Next{BeforeAt: last.At, BeforeID: last.ID}
	}
	return p, nil
}

// Purge deletes views older than before, in batches (retention); it
// returns how many it removed.
func (r *Recorder) Purge(ctx context.Context, before time.Time) (int64, error) {
	return r.st.purge(ctx, before)
}
