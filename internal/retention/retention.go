// Package retention purges personal data past its retention period, per
// class (message bodies with the items channels could not read,
// attachments and recordings, identities, the view audit; complaint forms' idempotency keys after FormKeyWindow), and keeps the aggregate statistics: tickets, their times,
// channels, queues, statuses and counts are never deleted, only what
// identifies or quotes the citizen is blanked. Each run reports what it
// removed (log line and the admin API's answer).
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
	"tanggap/internal/dsr"
	"tanggap/internal/refused"
	"tanggap/internal/ticket"
	"tanggap/internal/viewaudit"
)

// Periods per class; 0 keeps that class.
type Periods struct {
	MessageBodies time.Duration
	Attachments   time.Duration
	Identities    time.Duration
	Audit         time.Duration
}

// Opts wires the purger.
type Opts struct {
	DB      *db.DB
	Files   attachment.Store
	Views   *viewaudit.Recorder
	Periods Periods
	Log     *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Result is what one run removed.
type Result struct {
	StartedAt     time.Time `json:"started_at"`
	MessageBodies int64     `json:"message_bodies"`
	BodyCopies    int64     `json:"body_copies"` // live-chat log entries, mention previews
	Attachments   int64     `json:"attachments"`
	FilesFailed   int64     `json:"files_failed"`
	Identities    int64     `json:"identities"`
	Views         int64     `json:"views"`
	FormKeys      int64     `json:"form_keys"`
	// RefusedItems: items channels could not read, deleted with the
	// message bodies' period (they quote a citizen's message).
	RefusedItems int64 `json:"refused_items"`
}

// FormKeyWindow is how long a complaint form's idempotency key is kept: a
// retry after a dropped answer comes within minutes, a week is ample.
const FormKeyWindow = 7 * 24 * time.Hour

// Copies of message text outside messages, blanked with the bodies: the
// live-chat widget's log and agents' mention previews (each served by its
// partial index on what it blanks).
const (
	LiveChatLogSQL = `SELECT id FROM livechat_log WHERE created_at < ? AND body <> '{}' LIMIT ?`
	MentionsSQL    = `SELECT id FROM notifications WHERE created_at < ? AND preview <> '' LIMIT ?`
)

var bodyCopies = []struct{ name, update, pick string }{
	{"livechat log", `UPDATE livechat_log SET body = '{}'`, LiveChatLogSQL},
	{"mention previews", `UPDATE notifications SET preview = ''`, MentionsSQL},
}

// FormKeysSQL picks expired form idempotency keys
// (form_idempotency_created_idx).
const FormKeysSQL = `SELECT key_hash FROM form_idempotency WHERE created_at < ? LIMIT ?`

// Purger runs purges; one at a time per process (several instances may
// run at once safely: every step is idempotent).
type Purger struct {
	o  Opts
	mu sync.Mutex
}

// New returns a purger.
func New(o Opts) *Purger {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Purger{o: o}
}

const batch = 500

// Run purges once and reports what it removed.
func (p *Purger) Run(ctx context.Context) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.o.Now().UTC()
	res := Result{StartedAt: now}
	per := p.o.Periods
	d := p.o.DB.WithContext(ctx)
	if per.MessageBodies > 0 {
		for {
			n, err := ticket.PurgeBodies(d, now.Add(-per.MessageBodies), batch)
			if err != nil {
				return res, err
			}
			res.MessageBodies += n
			if n < batch {
				break
			}
		}
		for {
			n, err := refused.Purge(d, now.Add(-per.MessageBodies), batch)
			if err != nil {
				return res, fmt.Errorf("retention: %w", err)
			}
			res.RefusedItems += n
			if n < batch {
				break
			}
		}
		for _, c := range bodyCopies {
			for {
				r := d.Exec(c.update+` WHERE id IN (`+c.pick+`)`, now.Add(-per.MessageBodies), batch)
				if r.Error != nil {
					return res, fmt.Errorf("retention: %s: %w", c.name, r.Error)
				}
				res.BodyCopies += r.RowsAffected
				if r.RowsAffected < batch {
					break
				}
			}
		}
	}
	if per.Attachments > 0 {
		if err := p.files(ctx, now.Add(-per.Attachments), &res); err != nil {
			return res, err
		}
	}
	if per.Identities > 0 {
		n, err := p.identities(ctx, now.Add(-per.Identities), now)
		res.Identities = n
		if err != nil {
			return res, err
		}
	}
	if per.Audit > 0 && p.o.Views != nil {
		n, err := p.o.Views.Purge(ctx, now.Add(-per.Audit))
		res.Views = n
		if err != nil {
			return res, err
		}
	}
	for {
		r := d.Exec(`DELETE FROM form_idempotency WHERE key_hash IN (`+FormKeysSQL+`)`, now.Add(-FormKeyWindow), batch)
		if r.Error != nil {
			return res, fmt.Errorf("retention: form keys: %w", r.Error)
		}
		res.FormKeys += r.RowsAffected
		if r.RowsAffected < batch {
			break
		}
	}
	p.o.Log.Info("retention purge", "message_bodies", res.MessageBodies, "body_copies", res.BodyCopies, "attachments", res.Attachments,
		"files_failed", res.FilesFailed, "identities", res.Identities, "views", res.Views, "form_keys", res.FormKeys,
		"refused_items", res.RefusedItems)
	return res, nil
}

// maxFailedFiles bounds the files one run passes over after a failed
// delete; past it the run stops purging files (the store is likely down)
// and the next run tries again.
const maxFailedFiles = 1000

// files deletes the bytes of attachments older than before and forgets
// their rows. A row still waiting under a placeholder key (a WhatsApp
// media not fetched yet) has no bytes: it is forgotten as it is (the
// fetch, if it still comes, finds no row and drops its download). A file
// the store fails to delete keeps its row, is counted in FilesFailed and
// passed over for the rest of the run, so it never holds the purge up.
func (p *Purger) files(ctx context.Context, before time.Time, res *Result) error {
	d := p.o.DB.WithContext(ctx)
	var failed []int64
	for {
		files, err := ticket.OldFiles(d, before, failed, batch)
		if err != nil {
			return err
		}
		var gone []int64
		for _, f := range files {
			if f.Stored {
				if err := p.o.Files.Delete(ctx, f.StorageKey); err != nil {
					res.FilesFailed++
					failed = append(failed, f.ID)
					p.o.Log.Error("retention: file not deleted", "attachment_id", f.ID, "key", f.StorageKey, "error", err)
					continue
				}
			}
			gone = append(gone, f.ID)
		}
		n, err := ticket.ForgetFiles(d, gone)
		if err != nil {
			return err
		}
		res.Attachments += n
		if len(files) < batch || len(failed) >= maxFailedFiles {
			return nil
		}
	}
}

// sqlIdleContacts: citizens not yet anonymized with no ticket still open
// and no message since the cut-off (contacts_purge_idx, then each
// contact's tickets by tickets_contact_idx).
const sqlIdleContacts = `SELECT c.id FROM contacts c WHERE c.anonymized_at IS NULL AND c.updated_at < ?
AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = c.id AND (t.status NOT IN ('solved', 'closed') OR t.last_message_at >= ?))
ORDER BY c.updated_at LIMIT ?`

// identities anonymizes citizens idle since before the cut-off, as a
// data-subject erasure does (dsr.EraseInTx): their names, identities and
// notes go, their tickets' bodies and files too (an anonymous thread
// quoting the citizen would still identify them), and what the channels,
// notifications, ratings, complaints and audit hold about them.
func (p *Purger) identities(ctx context.Context, before, now time.Time) (int64, error) {
	var total int64
	for {
		var ids []int64
		if err := p.o.DB.WithContext(ctx).Raw(sqlIdleContacts, before, before, batch).Scan(&ids).Error; err != nil {
			return total, fmt.Errorf("retention: idle contacts: %w", err)
		}
		for _, id := range ids {
			var erased dsr.Erased
			err := p.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var err error
				erased, err = dsr.EraseInTx(tx, id, now)
				return err
			})
			if err != nil {
				return total, err
			}
			for _, f := range erased.Files {
				if err := p.o.Files.Delete(ctx, f.StorageKey); err != nil {
					p.o.Log.Error("retention: file not deleted", "attachment_id", f.ID, "key", f.StorageKey, "error", err)
				}
			}
			total++
		}
		if len(ids) < batch {
			return total, nil
		}
	}
}

// Loop runs a purge every interval until ctx ends; a failed run is logged
// and the next one tries again.
func (p *Purger) Loop(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return nil
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := p.Run(ctx); err != nil && ctx.Err() == nil {
				p.o.Log.Error("retention purge failed", "error", err)
			}
		}
	}
}
