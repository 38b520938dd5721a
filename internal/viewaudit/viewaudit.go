// Package viewaudit records who opened which citizen's identity (the
// contact panel), thread (a ticket, its transcript) or attachment, and when,
// and lets admins query it (UU 27/2022: every access to personal data is
// accountable).
//
// Guarantees, and what keeps them:
//   - Cheap enough for every view: Record only appends to a bounded
//     in-memory buffer; one goroutine (Run) writes the buffer in batches of
//     up to MaxBatch rows with one INSERT, at least every FlushEvery. The
//     ticket and contact a view concerns are looked up at flush time, one
//     query per batch, never on the request path.
//   - Nothing is dropped silently: when the buffer is full, Record waits
//     (bounded by the request's context) rather than forget a view; a failed
//     batch is retried, and views still buffered at shutdown are written
//     before Run returns.
//   - Queries are served by indexes (agent, ticket, contact or time, each
//     with the time), proven by EXPLAIN tests on both dialects.
package viewaudit

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"tanggap/internal/db"
)

// Kinds of views.
const (
	KindTicket     = "ticket"
	KindTranscript = "transcript"
	KindContact    = "contact"
	KindAttachment = "attachment"
	KindExport     = "export"
)

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
}

// Recorder buffers views and writes them in batches.
type Recorder struct {
	o     Opts
	ch    chan View
	flush chan chan struct{}
	st    store
}

// ErrClosed: Record after Run returned.
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
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{o: o, ch: make(chan View, o.Buffer), flush: make(chan chan struct{}), st: store{db: o.DB}}
}

// Record notes a view. It returns at once unless the buffer is full, then
// waits for room as long as ctx allows.
func (r *Recorder) Record(ctx context.Context, v View) error {
	if v.At.IsZero() {
		v.At = time.Now().UTC()
	}
	select {
	case r.ch <- v:
		return nil
	default:
	}
	select {
	case r.ch <- v:
		return nil
	case <-ctx.Done():
		r.o.Log.Error("view audit: buffer full, view not recorded", "agent_id", v.AgentID, "kind", v.Kind)
		return ctx.Err()
	}
}

// Flush waits until every view recorded before the call is written (tests,
// and the data-subject export that must list its own view).
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case r.flush <- done:
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

// Run writes batches until ctx ends, then writes what is still buffered.
func (r *Recorder) Run(ctx context.Context) error {
	tick := time.NewTicker(r.o.FlushEvery)
	defer tick.Stop()
	batch := make([]View, 0, r.o.MaxBatch)
	write := func(wctx context.Context) {
		for len(batch) > 0 {
			if err := r.st.insert(wctx, batch); err != nil {
				if wctx.Err() != nil {
					r.o.Log.Error("view audit: views not written at shutdown", "views", len(batch), "error", err)
					batch = batch[:0]
					return
				}
				r.o.Log.Warn("view audit: batch not written, retrying", "views", len(batch), "error", err)
				select {
				case <-time.After(time.Second):
					continue
				case <-wctx.Done():
					continue
				}
			}
			batch = batch[:0]
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
	for {
		select {
		case v := <-r.ch:
			batch = append(batch, v)
			drain()
			if len(batch) >= r.o.MaxBatch {
				write(ctx)
			}
		case <-tick.C:
			write(ctx)
		case done := <-r.flush:
			for {
				drain()
				if len(batch) == 0 {
					break
				}
				write(ctx)
			}
			close(done)
		case <-ctx.Done():
			// Give the last views a short while of their own.
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			for {
				drain()
				if len(batch) == 0 {
					break
				}
				write(sctx)
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
}

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
	rows, err := r.st.query(ctx, f, f.Limit+1)
	if err != nil {
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
