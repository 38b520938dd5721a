package livechat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// ErrVisitorNotFound: no visitor with that id (a token from another
// deployment, or a visitor removed since).
var ErrVisitorNotFound = errors.New("livechat: visitor not found")

// errNoChange rolls back an append whose condition did not hold.
var errNoChange = errors.New("livechat: nothing to change")

type store struct{ db *db.DB }

type visitorRow struct {
	ID             string
	Name           string
	Phone          string
	Email          string
	Lang           string
	TrackingNumber string
	State          string
	AgentID        *int64
	LastSeq        int64
}

type logRow struct {
	Seq            int64
	Kind           string
	DedupeKey      *string
	TrackingNumber string
	MessageID      *int64
	Body           string
	CreatedAt      time.Time
}

// createVisitor stores a new visitor on its own (the gateway goes
// through the appender, which shares transactions, see appender.create).
func (s *store) createVisitor(ctx context.Context, id, tn, lang string, now time.Time) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error { return insertVisitor(tx.WithContext(ctx), id, tn, lang, now) })
}

// insertVisitor stores a new visitor, committed like every other write
// (synchronously): the widget keeps the token it gets next and builds on
// the row (a pre-chat form, an upload signed for this visitor id), so the
// row is not left to a commit that may not survive a crash.
func insertVisitor(tx *gorm.DB, id, tn, lang string, now time.Time) error {
	err := tx.Exec(`INSERT INTO livechat_visitors (id, lang, tracking_number, state, last_seq, created_at, updated_at)
VALUES (?, ?, ?, 'none', 0, ?, ?)`, id, lang, tn, now, now).Error
	if err != nil {
		return fmt.Errorf("livechat: create visitor: %w", err)
	}
	return nil
}

// visitor reads one visitor. It runs for every message, so the row is
// scanned directly (db.Query) rather than through gorm's Scan.
func (s *store) visitor(ctx context.Context, id string) (visitorRow, error) {
	var (
		v     visitorRow
		found bool
	)
	err := db.Query(s.db.WithContext(ctx), `SELECT id, name, phone, email, lang, tracking_number, state, agent_id, last_seq
FROM livechat_visitors WHERE id = ?`, []any{id}, func(rows *sql.Rows) error {
		found = true
		return rows.Scan(&v.ID, &v.Name, &v.Phone, &v.Email, &v.Lang, &v.TrackingNumber, &v.State, &v.AgentID, &v.LastSeq)
	})
	if err != nil {
		return visitorRow{}, fmt.Errorf("livechat: visitor: %w", err)
	}
	if !found {
		return visitorRow{}, ErrVisitorNotFound
	}
	return v, nil
}

// visitors reads several visitors.
func (s *store) visitors(ctx context.Context, ids []string) ([]visitorRow, error) {
	var rows []visitorRow
	if len(ids) == 0 {
		return rows, nil
	}
	err := s.db.WithContext(ctx).Raw(`SELECT id, name, phone, email, lang, tracking_number, state, agent_id, last_seq
FROM livechat_visitors WHERE id IN ?`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("livechat: visitors: %w", err)
	}
	return rows, nil
}

// visitorByTN finds the visitor whose current conversation is tn.
func (s *store) visitorByTN(ctx context.Context, tn string) (visitorRow, error) {
	var rows []visitorRow
	err := s.db.WithContext(ctx).Raw(`SELECT id, name, phone, email, lang, tracking_number, state, agent_id, last_seq
FROM livechat_visitors WHERE tracking_number = ?`, tn).Scan(&rows).Error
	if err != nil {
		return visitorRow{}, fmt.Errorf("livechat: visitor by ticket: %w", err)
	}
	if len(rows) == 0 {
		return visitorRow{}, ErrVisitorNotFound
	}
	return rows[0], nil
}

// writerOf returns the visitor who wrote in the conversation tn, if any.
// It runs for every agent reply, so the row is scanned directly.
func (s *store) writerOf(ctx context.Context, tn string) (string, bool, error) {
	var id string
	found := false
	err := db.Query(s.db.WithContext(ctx), `SELECT visitor_id FROM livechat_log WHERE tracking_number = ? AND kind = 'msg' ORDER BY id LIMIT 1`,
		[]any{tn}, func(rows *sql.Rows) error {
			found = true
			return rows.Scan(&id)
		})
	if err != nil {
		return "", false, fmt.Errorf("livechat: conversation: %w", err)
	}
	return id, found, nil
}

func (s *store) setProfile(ctx context.Context, id, name, phone, email string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE livechat_visitors SET name = ?, phone = ?, email = ?, updated_at = ? WHERE id = ?`,
		name, phone, email, now, id).Error
	if err != nil {
		return fmt.Errorf("livechat: profile: %w", err)
	}
	return nil
}

// entryByDedupe returns the entry stored under key, if any.
func (s *store) entryByDedupe(ctx context.Context, visitorID, key string) (logRow, bool, error) {
	var rows []logRow
	err := s.db.WithContext(ctx).Raw(`SELECT seq, kind, dedupe_key, tracking_number, message_id, body, created_at
FROM livechat_log WHERE visitor_id = ? AND dedupe_key = ?`, visitorID, key).Scan(&rows).Error
	if err != nil {
		return logRow{}, false, fmt.Errorf("livechat: entry: %w", err)
	}
	if len(rows) == 0 {
		return logRow{}, false, nil
	}
	return rows[0], true, nil
}

func (s *store) entryBySeq(ctx context.Context, visitorID string, seq int64) (logRow, bool, error) {
	var rows []logRow
	err := s.db.WithContext(ctx).Raw(`SELECT seq, kind, dedupe_key, tracking_number, message_id, body, created_at
FROM livechat_log WHERE visitor_id = ? AND seq = ?`, visitorID, seq).Scan(&rows).Error
	if err != nil {
		return logRow{}, false, fmt.Errorf("livechat: entry: %w", err)
	}
	return firstRow(rows)
}

func firstRow(rows []logRow) (logRow, bool, error) {
	if len(rows) == 0 {
		return logRow{}, false, nil
	}
	return rows[0], true, nil
}

// entries returns up to limit entries after seq, in order.
func (s *store) entries(ctx context.Context, visitorID string, after int64, limit int) ([]logRow, error) {
	var rows []logRow
	err := s.db.WithContext(ctx).Raw(`SELECT seq, kind, dedupe_key, tracking_number, message_id, body, created_at
FROM livechat_log WHERE visitor_id = ? AND seq > ? ORDER BY seq LIMIT ?`, visitorID, after, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("livechat: entries: %w", err)
	}
	return rows, nil
}

// change is an append's effect on the visitor row: extra SET clauses and
// a condition that must hold (both fixed SQL from this package, values as
// arguments). A condition that does not hold appends nothing.
type change struct {
	set       string
	setArgs   []any
	where     string
	whereArgs []any
}

// bump is the UPDATE of the visitor row that takes the next sequence
// number with this change: its SET and WHERE clauses and their arguments,
// in order.
func (ch change) bump(visitorID string, now time.Time) (set, where string, args []any) {
	set = "last_seq = last_seq + 1, updated_at = ?"
	args = []any{now}
	if ch.set != "" {
		set += ", " + ch.set
		args = append(args, ch.setArgs...)
	}
	where = "id = ?"
	args = append(args, visitorID)
	if ch.where != "" {
		where += " AND " + ch.where
		args = append(args, ch.whereArgs...)
	}
	return set, where, args
}

// newEntry is an entry to append.
type newEntry struct {
	kind      string
	dedupe    string // "" for none
	tn        string // "" for the visitor's current conversation
	messageID int64
	body      entryBody
}

// appendIn gives e the visitor's next sequence number and stores it, in
// tx. The UPDATE that bumps last_seq locks the visitor row until tx ends,
// so appends of one visitor are serialized and numbered without gaps. It
// returns the stored entry and whether it is new: an entry whose dedupe
// key was stored before is returned as it is (fresh false); when the
// change's condition does not hold nothing is stored (ok false).
func appendIn(tx *gorm.DB, visitorID string, e newEntry, ch change, now time.Time) (row logRow, fresh, ok bool, err error) {
	body, err := json.Marshal(e.body)
	if err != nil {
		return logRow{}, false, false, fmt.Errorf("livechat: encode entry: %w", err)
	}
	if db.IsPostgres(tx) {
		return appendPG(tx, visitorID, e, ch, string(body), now)
	}
	prior := func() (logRow, bool, error) {
		var rows []logRow
		if err := tx.Raw(`SELECT seq, kind, dedupe_key, tracking_number, message_id, body, created_at
FROM livechat_log WHERE visitor_id = ? AND dedupe_key = ?`, visitorID, e.dedupe).Scan(&rows).Error; err != nil {
			return logRow{}, false, fmt.Errorf("livechat: dedupe: %w", err)
		}
		return firstRow(rows)
	}
	var dedupe *string
	if e.dedupe != "" {
		dedupe = &e.dedupe
		if r, found, err := prior(); err != nil || found {
			return r, false, found, err
		}
	}
	set, where, args := ch.bump(visitorID, now)
	var bumped []struct {
		LastSeq        int64
		TrackingNumber string
	}
	if err := tx.Raw(`UPDATE livechat_visitors SET `+set+` WHERE `+where+` RETURNING last_seq, tracking_number`, args...).Scan(&bumped).Error; err != nil {
		return logRow{}, false, false, fmt.Errorf("livechat: sequence: %w", err)
	}
	if len(bumped) == 0 {
		return logRow{}, false, false, nil
	}
	tn := e.tn
	if tn == "" {
		tn = bumped[0].TrackingNumber
	}
	var mid *int64
	if e.messageID != 0 {
		mid = &e.messageID
	}
	row = logRow{Seq: bumped[0].LastSeq, Kind: e.kind, DedupeKey: dedupe, TrackingNumber: tn, MessageID: mid, Body: string(body), CreatedAt: now}
	var inserted []int64
	if err := tx.Raw(`INSERT INTO livechat_log (visitor_id, seq, kind, dedupe_key, tracking_number, message_id, body, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visitor_id, dedupe_key) DO NOTHING RETURNING seq`,
		visitorID, row.Seq, row.Kind, dedupe, tn, mid, row.Body, now).Scan(&inserted).Error; err != nil {
		return logRow{}, false, false, fmt.Errorf("livechat: append: %w", err)
	}
	if len(inserted) == 0 {
		return lostRace(tx, visitorID, prior)
	}
	return row, true, true, nil
}

// lostRace: another instance stored the same entry after the dedupe check
// and before our UPDATE got the row lock. Give the number back (the row
// is still locked by this transaction: no gap) and return that entry.
func lostRace(tx *gorm.DB, visitorID string, prior func() (logRow, bool, error)) (logRow, bool, bool, error) {
	if err := tx.Exec(`UPDATE livechat_visitors SET last_seq = last_seq - 1 WHERE id = ?`, visitorID).Error; err != nil {
		return logRow{}, false, false, fmt.Errorf("livechat: sequence: %w", err)
	}
	r, found, err := prior()
	if err == nil && !found {
		err = fmt.Errorf("livechat: append: conflict without a stored entry")
	}
	return r, false, found, err
}

// appendPG is appendIn in one statement (one round trip instead of
// three): the dedupe lookup, the sequence bump (only if there is no prior
// entry and the change's condition holds) and the insert are
// data-modifying CTEs that run together; the final SELECT says which of
// them produced a row. The bump's row lock orders a visitor's appends as
// before. The lookup sees the statement's snapshot: when another instance
// stored the same entry meanwhile, the insert breaks the unique key and
// the whole statement fails (no number is used); run again, it finds
// that entry (see appender.commit).
func appendPG(tx *gorm.DB, visitorID string, e newEntry, ch change, body string, now time.Time) (logRow, bool, bool, error) {
	var dedupe *string
	if e.dedupe != "" {
		dedupe = &e.dedupe
	}
	var mid *int64
	if e.messageID != 0 {
		mid = &e.messageID
	}
	set, where, bumpArgs := ch.bump(visitorID, now)
	args := append([]any{visitorID, dedupe}, bumpArgs...)
	args = append(args, visitorID, e.kind, dedupe, e.tn, mid, body, now)
	q := `WITH prior AS (
  SELECT seq, kind, dedupe_key, tracking_number, message_id, body, created_at
  FROM livechat_log WHERE visitor_id = ? AND dedupe_key = ?::text
), bumped AS (
  UPDATE livechat_visitors SET ` + set + ` WHERE ` + where + ` AND NOT EXISTS (SELECT 1 FROM prior)
  RETURNING last_seq, tracking_number
), ins AS (
  INSERT INTO livechat_log (visitor_id, seq, kind, dedupe_key, tracking_number, message_id, body, created_at)
  SELECT ?, last_seq, ?, ?::text, COALESCE(NULLIF(?::text, ''), tracking_number), ?::bigint, ?, ?::timestamptz FROM bumped
  RETURNING seq, tracking_number
)
SELECT 'prior', seq, kind, dedupe_key, tracking_number, message_id, body, created_at FROM prior
UNION ALL SELECT 'new', seq, '', NULL, tracking_number, NULL, '', NULL FROM ins`
	var (
		row             logRow
		hasPrior, isNew bool
	)
	err := db.Query(tx, q, args, func(rows *sql.Rows) error {
		var (
			src       string
			r         logRow
			createdAt *time.Time
		)
		if err := rows.Scan(&src, &r.Seq, &r.Kind, &r.DedupeKey, &r.TrackingNumber, &r.MessageID, &r.Body, &createdAt); err != nil {
			return err
		}
		if src == "prior" {
			r.CreatedAt = *createdAt
			row, hasPrior = r, true
			return nil
		}
		row = logRow{Seq: r.Seq, Kind: e.kind, DedupeKey: dedupe, TrackingNumber: r.TrackingNumber, MessageID: mid, Body: body, CreatedAt: now}
		isNew = true
		return nil
	})
	switch {
	case err != nil:
		return logRow{}, false, false, fmt.Errorf("livechat: append: %w", err)
	case hasPrior:
		return row, false, true, nil
	case isNew:
		return row, true, true, nil
	default:
		return logRow{}, false, false, nil // the change's condition does not hold
	}
}

// ticketState is the core's view of a conversation's ticket.
type ticketState struct {
	ID             int64
	TrackingNumber string
	Status         domain.TicketStatus
	QueueID        *int64
	AssigneeID     *int64
	AgentName      string
}

// tickets reads the tickets of conversations by tracking number.
func (s *store) tickets(ctx context.Context, tns []string) (map[string]ticketState, error) {
	out := map[string]ticketState{}
	if len(tns) == 0 {
		return out, nil
	}
	var rows []ticketState
	err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.tracking_number, t.status, t.queue_id, t.assignee_id, COALESCE(a.name, '') AS agent_name
FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.tracking_number IN ?`, tns).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("livechat: tickets: %w", err)
	}
	for _, r := range rows {
		out[r.TrackingNumber] = r
	}
	return out, nil
}

// ticketByID reads one ticket.
func (s *store) ticketByID(ctx context.Context, id int64) (ticketState, bool, error) {
	var rows []ticketState
	err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.tracking_number, t.status, t.assignee_id, COALESCE(a.name, '') AS agent_name
FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return ticketState{}, false, fmt.Errorf("livechat: ticket: %w", err)
	}
	if len(rows) == 0 {
		return ticketState{}, false, nil
	}
	return rows[0], true, nil
}
