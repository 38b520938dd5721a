package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
)

// store holds every statement of the package. Each one run per event is
// served by an index (explain_test.go).
type store struct{ db *db.DB }

// errNoTicket: the ticket is gone (erased); the job is dropped.
var errNoTicket = errors.New("notify: ticket not found")

// ticketInfo is what a notification needs to know of its ticket.
type ticketInfo struct {
	ID             int64
	TrackingNumber string
	Channel        string
	Status         string
	ReporterEmail  string
	ReporterPhone  string
	StatusSeq      int64
	QueueID        sql.NullInt64
	AssigneeID     sql.NullInt64
}

const qTicket = `SELECT id, tracking_number, channel, status, reporter_email, reporter_phone, status_seq, queue_id, assignee_id
FROM tickets WHERE id = ?`

func (s store) ticket(ctx context.Context, id int64) (ticketInfo, error) {
	var t ticketInfo
	row := s.db.WithContext(ctx).Raw(qTicket, id).Row()
	if err := row.Scan(&t.ID, &t.TrackingNumber, &t.Channel, &t.Status, &t.ReporterEmail, &t.ReporterPhone, &t.StatusSeq, &t.QueueID, &t.AssigneeID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return t, errNoTicket
		}
		return t, fmt.Errorf("notify: ticket %d: %w", id, err)
	}
	return t, nil
}

const qFirstInbound = `SELECT fields FROM messages WHERE ticket_id = ? AND direction = 'in' ORDER BY created_at, id LIMIT 1`

// lang is the language the citizen used when they opened the ticket (the
// "lang" field of their first message), or "".
func (s store) lang(ctx context.Context, ticketID int64) (string, error) {
	var fields sql.NullString
	err := s.db.WithContext(ctx).Raw(qFirstInbound, ticketID).Row().Scan(&fields)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("notify: first message: %w", err)
	}
	var f map[string]string
	if json.Unmarshal([]byte(fields.String), &f) != nil {
		return "", nil
	}
	return f[envelope.FieldLang], nil
}

const qLastInbound = `SELECT created_at FROM messages WHERE ticket_id = ? AND direction = 'in' ORDER BY created_at DESC, id DESC LIMIT 1`

// lastInbound is when the citizen last wrote (zero: never).
func (s store) lastInbound(ctx context.Context, ticketID int64) (time.Time, error) {
	var at time.Time
	err := s.db.WithContext(ctx).Raw(qLastInbound, ticketID).Row().Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("notify: last inbound: %w", err)
	}
	return at, nil
}

const qMessage = `SELECT ticket_id, direction, channel FROM messages WHERE id = ?`

func (s store) message(ctx context.Context, id int64) (ticketID int64, direction, channel string, err error) {
	err = s.db.WithContext(ctx).Raw(qMessage, id).Row().Scan(&ticketID, &direction, &channel)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", "", errNoTicket
	}
	return
}

// ticketStatus is the ticket's status and how many times it has changed
// (tickets.status_seq, kept by a trigger on every real change): together
// they name the transition the ticket is in.
const qTicketStatus = `SELECT status, status_seq FROM tickets WHERE id = ?`

func (s store) ticketStatus(ctx context.Context, id int64) (string, int64, error) {
	var st string
	var seq int64
	err := s.db.WithContext(ctx).Raw(qTicketStatus, id).Row().Scan(&st, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, errNoTicket
	}
	if err != nil {
		return "", 0, fmt.Errorf("notify: ticket status %d: %w", id, err)
	}
	return st, seq, nil
}

// notify_notices: one row per notification taken up (for a status
// transition, the unique mark that it was queued) with the survey link
// once fetched.
const (
	qNoticeSeen = `SELECT survey_url FROM notify_notices WHERE event_key = ?`
	// A ticket erased meanwhile is marked nothing (no foreign key error
	// that would hold its event back forever).
	qNoticeInsert = `INSERT INTO notify_notices (event_key, ticket_id, created_at) SELECT ?, id, ? FROM tickets WHERE id = ?
ON CONFLICT (event_key) DO NOTHING`
	qNoticeSurvey = `INSERT INTO notify_notices (event_key, ticket_id, survey_url, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (event_key) DO UPDATE SET survey_url = excluded.survey_url WHERE notify_notices.survey_url IS NULL`
)

// notice reports whether the notification key was taken up, and its
// stored survey link ("" when none yet).
func (s store) notice(ctx context.Context, key string) (bool, string, error) {
	var u sql.NullString
	err := s.db.WithContext(ctx).Raw(qNoticeSeen, key).Row().Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("notify: notice: %w", err)
	}
	return true, u.String, nil
}

// markNotice records that the notification key was queued (a second mark
// is a no-op).
func (s store) markNotice(ctx context.Context, key string, ticketID int64, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(qNoticeInsert, key, now, ticketID).Error; err != nil {
		return fmt.Errorf("notify: mark notice: %w", err)
	}
	return nil
}

// qNoticeDone records that a reply's notice job is done. The job may end
// before replyEvent has marked the notice queued (it queues, then marks):
// the row is made here then, and the mark finds it.
const qNoticeDone = `INSERT INTO notify_notices (event_key, ticket_id, created_at, done_at) SELECT ?, id, ?, ? FROM tickets WHERE id = ?
ON CONFLICT (event_key) DO UPDATE SET done_at = excluded.done_at WHERE notify_notices.done_at IS NULL`

func (s store) noticeDone(ctx context.Context, key string, ticketID int64, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(qNoticeDone, key, now, now, ticketID).Error; err != nil {
		return fmt.Errorf("notify: notice done: %w", err)
	}
	return nil
}

// qReplyAhead: an agent reply of the ticket written in [from, to] whose
// notice has not gone out: still queued for its channel (the webform's
// status page, a live chat), or posted or failed (what a reply notice is
// sent for, see replyEvent) without a done notice. WhatsApp replies are
// the adapter's business and have no notice (routes).
const qReplyAhead = `SELECT m.id FROM messages m
WHERE m.ticket_id = ? AND m.created_at >= ? AND m.created_at <= ?
AND m.direction = 'out' AND m.channel <> 'whatsapp'
AND (m.delivery_status = 'queued' OR (m.delivery_status IN ('posted', 'failed')
	AND NOT EXISTS (SELECT 1 FROM notify_notices n WHERE n.event_key = 'reply:' || m.id AND n.done_at IS NOT NULL)))
ORDER BY m.created_at, m.id LIMIT 1`

// replyAhead is the id of the first such reply, or 0.
func (s store) replyAhead(ctx context.Context, ticketID int64, from, to time.Time) (int64, error) {
	var id int64
	err := s.db.WithContext(ctx).Raw(qReplyAhead, ticketID, from, to).Row().Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("notify: reply ahead: %w", err)
	}
	return id, nil
}

// keepSurvey stores the notification's survey link unless one is stored
// already, and returns the stored one (the first fetched wins).
func (s store) keepSurvey(ctx context.Context, key string, ticketID int64, url string, now time.Time) (string, error) {
	if err := s.db.WithContext(ctx).Exec(qNoticeSurvey, key, ticketID, url, now).Error; err != nil {
		return "", fmt.Errorf("notify: keep survey link: %w", err)
	}
	_, stored, err := s.notice(ctx, key)
	return stored, err
}

// Delivery is one route of one notification, as the console shows it.
type Delivery struct {
	ID         int64     `json:"id"`
	EventKey   string    `json:"-"`
	TicketID   int64     `json:"ticket_id"`
	Route      Route     `json:"route"`
	Kind       Kind      `json:"kind"`
	Status     Status    `json:"status"`
	Attempts   int       `json:"attempts"`
	ProviderID string    `json:"-"`
	Reason     string    `json:"reason"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

const deliveryCols = `id, event_key, ticket_id, route, kind, status, attempts, provider_id, reason, created_at, updated_at`

func scanDelivery(r interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	err := r.Scan(&d.ID, &d.EventKey, &d.TicketID, &d.Route, &d.Kind, &d.Status, &d.Attempts, &d.ProviderID, &d.Reason, &d.CreatedAt, &d.UpdatedAt)
	return d, err
}

const (
	qClaim = `INSERT INTO notify_deliveries (event_key, route, ticket_id, kind, status, attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, 'sending', 1, ?, ?) ON CONFLICT (event_key, route) DO NOTHING`
	qByKey = `SELECT ` + deliveryCols + ` FROM notify_deliveries WHERE event_key = ? AND route = ?`
)

// claim returns the row of this event and route. A new row is made
// "sending" with its first attempt counted (one write on the common path):
// created says this call made it, and so owns the send.
func (s store) claim(ctx context.Context, key string, r Route, ticketID int64, k Kind, now time.Time) (Delivery, bool, error) {
	res := s.db.WithContext(ctx).Exec(qClaim, key, r, ticketID, k, now, now)
	if res.Error != nil {
		return Delivery{}, false, fmt.Errorf("notify: claim: %w", res.Error)
	}
	d, err := scanDelivery(s.db.WithContext(ctx).Raw(qByKey, key, r).Row())
	if err != nil {
		return Delivery{}, false, fmt.Errorf("notify: claim: %w", err)
	}
	return d, res.RowsAffected == 1, nil
}

const qStartSend = `UPDATE notify_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued'`

// startSend moves a queued row to sending; false: someone else has it.
func (s store) startSend(ctx context.Context, id int64, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec(qStartSend, now, id)
	if res.Error != nil {
		return false, fmt.Errorf("notify: start send: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

const qSettle = `UPDATE notify_deliveries SET status = ?, provider_id = ?, reason = ?, updated_at = ? WHERE id = ? AND status = ?`

// settle moves a row from status from to to; false when it was not in from.
func (s store) settle(ctx context.Context, id int64, from, to Status, providerID, reason string, now time.Time) (bool, error) {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	res := s.db.WithContext(ctx).Exec(qSettle, to, providerID, reason, now, id, from)
	if res.Error != nil {
		return false, fmt.Errorf("notify: settle: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

const qByProvider = `SELECT ` + deliveryCols + ` FROM notify_deliveries WHERE route = ? AND provider_id = ? AND provider_id <> ''`

// byProvider finds the row a provider's status callback is about.
func (s store) byProvider(ctx context.Context, r Route, providerID string) (Delivery, error) {
	d, err := scanDelivery(s.db.WithContext(ctx).Raw(qByProvider, r, providerID).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrUnknownMessage
	}
	return d, err
}

const qByTicket = `SELECT ` + deliveryCols + ` FROM notify_deliveries WHERE ticket_id = ? ORDER BY created_at DESC, id DESC LIMIT 200`

// list returns a ticket's notifications, newest first.
func (s store) list(ctx context.Context, ticketID int64) ([]Delivery, error) {
	rows, err := s.db.WithContext(ctx).Raw(qByTicket, ticketID).Rows()
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("notify: list: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrUnknownMessage: a status callback names no notification of ours.
var ErrUnknownMessage = errors.New("notify: unknown provider message")

// notify_early_sms: Twilio statuses that named an SID before the send
// recorded it (twilio.go).
const (
	qEarlyKeep = `INSERT INTO notify_early_sms (message_sid, status, error_code, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (message_sid) DO UPDATE SET status = excluded.status, error_code = excluded.error_code, expires_at = excluded.expires_at`
	qEarly      = `SELECT status, error_code FROM notify_early_sms WHERE message_sid = ? AND expires_at > ?`
	qEarlyDrop  = `DELETE FROM notify_early_sms WHERE message_sid = ?`
	qEarlyPurge = `DELETE FROM notify_early_sms WHERE expires_at <= ?`
)

// keepEarly keeps a status of an SID not recorded yet until expires (the
// latest status of an SID wins).
func (s store) keepEarly(ctx context.Context, st TwilioStatus, expires time.Time) error {
	if err := s.db.WithContext(ctx).Exec(qEarlyKeep, st.MessageSID, st.Status, st.ErrorCode, expires).Error; err != nil {
		return fmt.Errorf("notify: keep early sms status: %w", err)
	}
	return nil
}

// early is the kept status of sid, if one is kept and not expired.
func (s store) early(ctx context.Context, sid string, now time.Time) (TwilioStatus, bool, error) {
	st := TwilioStatus{MessageSID: sid}
	err := s.db.WithContext(ctx).Raw(qEarly, sid, now).Row().Scan(&st.Status, &st.ErrorCode)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("notify: early sms status: %w", err)
	}
	return st, true, nil
}

func (s store) dropEarly(ctx context.Context, sid string) error {
	if err := s.db.WithContext(ctx).Exec(qEarlyDrop, sid).Error; err != nil {
		return fmt.Errorf("notify: drop early sms status: %w", err)
	}
	return nil
}

// purgeEarly forgets the kept statuses expired by now.
func (s store) purgeEarly(ctx context.Context, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(qEarlyPurge, now).Error; err != nil {
		return fmt.Errorf("notify: purge early sms statuses: %w", err)
	}
	return nil
}
