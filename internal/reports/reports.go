// Package reports computes the contact center's historical figures over
// tickets, messages, agent actions and phone calls: volume, first
// response, response, handle and resolution times, reopen rate,
// transfers, SLA achieved, abandonment and wrap-up codes, per agent and
// per queue, each beside the previous period of equal length. It reads
// and never writes the tables of other packages; its own tables are the
// per-day rollup (report_daily), the rollup's mark and the stored monthly
// reports.
//
// Guarantees, and what keeps them:
//   - A report over any range reads at most (days × values) rollup rows on
//     its primary key (dim, day, value), never the tickets table, except
//     the median and p90 of the resolution time, which are read from the
//     raw rows on tickets_created_idx.
//   - The rollup equals the figures computed from the raw rows
//     (TestRollupEqualsRawRows): Refresh replaces a day's rows as a whole,
//     recomputed from that day's tickets, whenever one of them changed
//     (tickets.updated_at, an agent action in audit_log, an open ticket's
//     SLA target falling due) after the mark,
//     and always for the days between the mark and now. The mark is moved
//     back by Overlap so a transaction committing late is read again.
//   - The per-ticket export streams from a rows cursor: memory does not
//     grow with the number of tickets (TestExportMemoryFlat).
package reports

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tanggap/internal/db"
)

// Opts configures the service.
type Opts struct {
	DB  *db.DB
	Log *slog.Logger
	// Zone is the reporting time zone: days and hours of day are counted
	// in it (default Asia/Jakarta, WIB).
	Zone *time.Location
	// Overlap: changes this long before the mark are read again on the
	// next refresh (default 5 minutes).
	Overlap time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Texts renders the monthly report's words.
	Texts Texts
}

// Service computes reports.
type Service struct {
	o Opts
	// readRows, readBytes and readPairs count the rows, payload bytes and
	// (duration, count) pairs the resolution report read: a
	// machine-independent measure of its cost, reported by the benchmark
	// (the pairs are the rows the earlier one-row-per-duration tables had
	// to read for the same report).
	readRows, readBytes, readPairs atomic.Int64
	mu                             sync.Mutex // one refresh at a time in this process (PostgreSQL: an advisory lock across instances)
}

// New builds the service.
func New(o Opts) *Service {
	if o.Zone == nil {
		if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
			o.Zone = loc
		} else {
			o.Zone = time.FixedZone("WIB", 7*3600)
		}
	}
	if o.Overlap <= 0 {
		o.Overlap = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o}
}

// Zone is the reporting time zone.
func (s *Service) Zone() *time.Location { return s.o.Zone }
