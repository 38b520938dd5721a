package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
)

type store struct {
	db *db.DB
}

const summaryColumns = `t.id, t.tracking_number, t.status, t.priority, t.channel, t.category, t.subject,
	t.contact_id, c.name AS contact_name, t.queue_id, COALESCE(q.name, '') AS queue, t.assignee_id,
	COALESCE(a.name, '') AS assignee_name, t.created_at, t.updated_at, t.last_message_at,
	t.first_response_at, t.solved_at, t.first_response_due_at, t.resolution_due_at`

const summaryJoins = `FROM tickets t
	JOIN contacts c ON c.id = t.contact_id
	LEFT JOIN queues q ON q.id = t.queue_id
	LEFT JOIN agents a ON a.id = t.assignee_id`

func (s *store) summary(ctx context.Context, id int64) (Summary, error) {
	return s.summaryOf(s.db.WithContext(ctx), id, false)
}

// summaryOf reads one ticket. With lock (inside a transaction) it holds the
// ticket's row lock on PostgreSQL (FOR UPDATE OF t) so concurrent status
// changes and replies on one ticket serialize; SQLite's write transaction
// already serializes writers.
func (s *store) summaryOf(q *gorm.DB, id int64, lock bool) (Summary, error) {
	var rows []Summary
	sql := `SELECT ` + summaryColumns + ` ` + summaryJoins + ` WHERE t.id = ?`
	if lock && s.db.Dialect == db.Postgres {
		sql += ` FOR UPDATE OF t`
	}
	if err := q.Raw(sql, id).Scan(&rows).Error; err != nil {
		return Summary{}, fmt.Errorf("ticket: get: %w", err)
	}
	if len(rows) == 0 {
		return Summary{}, ErrNotFound
	}
	return rows[0], nil
}

// lockTicket reads a ticket inside tx and holds it for the rest of tx.
func (s *store) lockTicket(ctx context.Context, tx *gorm.DB, id int64) (Summary, error) {
	return s.summaryOf(tx.WithContext(ctx), id, true)
}

func (s *store) detail(ctx context.Context, id int64) (Detail, error) {
	sum, err := s.summary(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	q := s.db.WithContext(ctx)
	d := Detail{Summary: sum}
	if d.Contact, err = s.contact(ctx, q, sum.ContactID); err != nil {
		return Detail{}, err
	}
	if d.Messages, err = s.messages(ctx, q, id); err != nil {
		return Detail{}, err
	}
	return d, nil
}

func (s *store) contact(ctx context.Context, q *gorm.DB, id int64) (Contact, error) {
	var cs []struct {
		ID           int64
		Name         string
		ProvinceCode string
	}
	if err := q.Raw(`SELECT id, name, province_code FROM contacts WHERE id = ?`, id).Scan(&cs).Error; err != nil {
		return Contact{}, fmt.Errorf("ticket: contact: %w", err)
	}
	if len(cs) == 0 {
		return Contact{}, ErrNotFound
	}
	c := Contact{ID: cs[0].ID, Name: cs[0].Name, Province: cs[0].ProvinceCode}
	var ids []struct{ Kind, Value string }
	if err := q.Raw(`SELECT kind, value FROM contact_identities WHERE contact_id = ? ORDER BY id`, id).Scan(&ids).Error; err != nil {
		return Contact{}, fmt.Errorf("ticket: identities: %w", err)
	}
	for _, i := range ids {
		switch {
		case i.Kind == "phone" && c.Phone == "":
			c.Phone = i.Value
		case i.Kind == "email" && c.Email == "":
			c.Email = i.Value
		case i.Kind == "nik" && c.NIKMasked == "":
			c.NIKMasked = mask.NIK(i.Value)
		}
	}
	return c, nil
}

type messageRow struct {
	ID             int64
	Direction      domain.Direction
	Channel        string
	Body           string
	AgentID        *int64
	AgentName      string
	ContactName    string
	CreatedAt      time.Time
	DeliveryStatus domain.DeliveryStatus
	DeliveryError  string
	Fields         string
}

func (s *store) messages(ctx context.Context, q *gorm.DB, ticketID int64) ([]Message, error) {
	var rows []messageRow
	if err := q.Raw(`SELECT m.id, m.direction, m.channel, m.body, m.agent_id, COALESCE(a.name, '') AS agent_name,
			c.name AS contact_name, m.created_at, m.delivery_status, m.delivery_error, m.fields
		FROM messages m
		JOIN tickets t ON t.id = m.ticket_id
		JOIN contacts c ON c.id = t.contact_id
		LEFT JOIN agents a ON a.id = m.agent_id
		WHERE m.ticket_id = ? ORDER BY m.created_at, m.id`, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ticket: messages: %w", err)
	}
	var atts []struct {
		Attachment
		MessageID int64
	}
	if err := q.Raw(`SELECT a.id, a.message_id, a.filename, a.mime, a.size, a.available, a.storage_key
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = ? ORDER BY a.id`, ticketID).
		Scan(&atts).Error; err != nil {
		return nil, fmt.Errorf("ticket: attachments: %w", err)
	}
	byMsg := map[int64][]Attachment{}
	for _, a := range atts {
		byMsg[a.MessageID] = append(byMsg[a.MessageID], a.Attachment)
	}
	out := make([]Message, 0, len(rows))
	for _, r := range rows {
		author := r.ContactName
		if r.Direction != domain.DirectionIn {
			author = r.AgentName
		}
		m := Message{ID: r.ID, Direction: r.Direction, Channel: r.Channel, Body: r.Body, Author: author, AgentID: r.AgentID,
			CreatedAt: r.CreatedAt, DeliveryStatus: r.DeliveryStatus, DeliveryError: r.DeliveryError, Attachments: byMsg[r.ID]}
		if m.Attachments == nil {
			m.Attachments = []Attachment{}
		}
		if r.Fields != "" && r.Fields != "{}" {
			// Structured data the channel sent (menu path, call outcome);
			// stored by the core from a validated envelope.
			if err := json.Unmarshal([]byte(r.Fields), &m.Fields); err != nil {
				return nil, fmt.Errorf("ticket: message %d fields: %w", r.ID, err)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *store) insertReply(ctx context.Context, tx *gorm.DB, ticketID int64, channel string, agentID int64, providerID, body string, now time.Time) (int64, error) {
	var id int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields,
			delivery_status, created_at, updated_at)
		VALUES (?, `+domain.SQLDirectionOut+`, ?, ?, ?, ?, '{}', ?, ?, ?) RETURNING id`,
		ticketID, channel, providerID, agentID, body, domain.DeliveryQueued, now, now).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("ticket: insert reply: %w", err)
	}
	return id, nil
}

// repliedSince is a Collision naming another agent who replied on the
// ticket after message seen, or nil. It reads the ticket's messages along
// messages_ticket_idx.
func (s *store) repliedSince(ctx context.Context, tx *gorm.DB, ticketID, seen, agentID int64) (*Collision, error) {
	var names []string
	err := tx.WithContext(ctx).Raw(repliedSinceSQL, ticketID, seen, agentID).Scan(&names).Error
	if err != nil {
		return nil, fmt.Errorf("ticket: replies since: %w", err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	return &Collision{Agent: names[0]}, nil
}

const repliedSinceSQL = `SELECT a.name FROM messages m JOIN agents a ON a.id = m.agent_id
	WHERE m.ticket_id = ? AND m.id > ? AND m.direction = ` + domain.SQLDirectionOut + ` AND m.agent_id <> ?
	ORDER BY m.id LIMIT 1`

func (s *store) markReplied(ctx context.Context, tx *gorm.DB, ticketID int64, status domain.TicketStatus, now time.Time) error {
	err := tx.WithContext(ctx).Exec(`UPDATE tickets SET status = ?, first_response_at = COALESCE(first_response_at, ?),
		updated_at = ?, last_message_at = ? WHERE id = ?`, status, now, now, now, ticketID).Error
	if err != nil {
		return fmt.Errorf("ticket: mark replied: %w", err)
	}
	return nil
}

func (s *store) setStatus(ctx context.Context, tx *gorm.DB, ticketID int64, status domain.TicketStatus, now time.Time) error {
	var solvedAt, closedAt any
	sql := `UPDATE tickets SET status = ?, updated_at = ?`
	args := []any{status, now}
	switch status {
	case domain.StatusSolved:
		solvedAt = now
		sql += `, solved_at = ?`
		args = append(args, solvedAt)
	case domain.StatusClosed:
		closedAt = now
		sql += `, closed_at = ?`
		args = append(args, closedAt)
	case domain.StatusOpen, domain.StatusPending:
		sql += `, solved_at = NULL`
	}
	sql += ` WHERE id = ?`
	args = append(args, ticketID)
	if err := tx.WithContext(ctx).Exec(sql, args...).Error; err != nil {
		return fmt.Errorf("ticket: set status: %w", err)
	}
	return nil
}

func (s *store) audit(ctx context.Context, tx *gorm.DB, agentID int64, action string, ticketID int64, detail string, now time.Time) error {
	if err := tx.WithContext(ctx).Exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
		agentID, action, ticketID, detail, now).Error; err != nil {
		return fmt.Errorf("ticket: audit: %w", err)
	}
	return nil
}

// recipient gathers the citizen's addresses for the outbound envelope.
func (s *store) recipient(ctx context.Context, tx *gorm.DB, contactID int64) (envelope.Sender, error) {
	var rows []struct{ Kind, Value, Name string }
	if err := tx.WithContext(ctx).Raw(`SELECT ci.kind, ci.value, c.name FROM contacts c
		LEFT JOIN contact_identities ci ON ci.contact_id = c.id WHERE c.id = ? ORDER BY ci.id`, contactID).Scan(&rows).Error; err != nil {
		return envelope.Sender{}, fmt.Errorf("ticket: recipient: %w", err)
	}
	var to envelope.Sender
	for _, r := range rows {
		to.Name = r.Name
		switch r.Kind {
		case "phone":
			if to.Phone == "" {
				to.Phone = r.Value
			}
		case "email":
			if to.Email == "" {
				to.Email = r.Value
			}
		case "visitor":
			if to.VisitorID == "" {
				to.VisitorID = r.Value
			}
		}
	}
	return to, nil
}

// applyReceipt moves a reply's delivery status forward only. The rank
// comparison in SQL is the invariant: a late "delivered" never overwrites
// "read", and nothing overwrites "failed". The row is looked up before the
// update: a receipt can arrive while the reply's transaction is still open,
// and only a row that is already visible may turn a no-op update into
// "stale" rather than "not there yet".
func (s *store) applyReceipt(ctx context.Context, r envelope.Receipt, now time.Time) (*receiptTicket, error) {
	var tickets []receiptTicket
	if err := s.db.WithContext(ctx).Raw(`SELECT m.ticket_id, t.queue_id, t.assignee_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.id = ? AND m.direction = `+domain.SQLDirectionOut, r.MessageID).Scan(&tickets).Error; err != nil {
		return nil, fmt.Errorf("ticket: receipt message: %w", err)
	}
	if len(tickets) == 0 {
		return nil, ErrMessageNotFound
	}
	res := s.db.WithContext(ctx).Exec(`UPDATE messages SET delivery_status = ?, delivery_error = ?,
			external_id = CASE WHEN ? <> '' THEN ? ELSE external_id END, updated_at = ?
		WHERE id = ? AND direction = `+domain.SQLDirectionOut+` AND `+domain.DeliveryRankSQL+` < ?`,
		string(r.Status), r.Error, r.ExternalID, r.ExternalID, now, r.MessageID, r.Status.Rank())
	if res.Error != nil {
		return nil, fmt.Errorf("ticket: apply receipt: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil // stale receipt: the status already moved past it
	}
	return &tickets[0], nil
}

// receiptTicket is the ticket of a reply whose receipt changed its status,
// as its event's scope needs it.
type receiptTicket struct {
	TicketID   int64
	QueueID    *int64
	AssigneeID *int64
}

func (s *store) attachment(ctx context.Context, id int64) (Attachment, int64, error) {
	var rows []struct {
		Attachment
		TicketID int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.filename, a.mime, a.size, a.available, a.storage_key, m.ticket_id
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?`, id).Scan(&rows).Error; err != nil {
		return Attachment{}, 0, fmt.Errorf("ticket: attachment: %w", err)
	}
	if len(rows) == 0 {
		return Attachment{}, 0, ErrNotFound
	}
	return rows[0].Attachment, rows[0].TicketID, nil
}

func (s *store) publicTicket(ctx context.Context, tn, kind, value string) (Public, error) {
	var rows []struct {
		ID             int64
		TrackingNumber string
		Status         domain.TicketStatus
		Category       string
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	// Only the addresses given with the ticket count (see the migration):
	// kind picks the column, never user input.
	column := "t.reporter_phone"
	if kind == "email" {
		column = "t.reporter_email"
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.tracking_number, t.status, t.category, t.created_at, t.updated_at
		FROM tickets t WHERE t.tracking_number = ? AND `+column+` = ?`, tn, value).Scan(&rows).Error; err != nil {
		return Public{}, fmt.Errorf("ticket: public lookup: %w", err)
	}
	if len(rows) == 0 {
		return Public{}, ErrNotFound
	}
	r := rows[0]
	return Public{TicketID: r.ID, TrackingNumber: r.TrackingNumber, Status: r.Status, Category: r.Category,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

// publicMessages is the thread a citizen sees: their own messages and the
// replies sent to them (reached, or failed on their channel: the notice
// sent for such a reply points here); notes, queued replies and the phone
// channel's records of a call stay inside.
// The citizen's own files are listed (they may download them again), and
// the files of the replies shown (files.go serves both).
func (s *store) publicMessages(ctx context.Context, ticketID int64) ([]PublicMessage, error) {
	var rows []struct {
		ID             int64
		Direction      domain.Direction
		Body           string
		AgentName      string
		CreatedAt      time.Time
		DeliveryStatus domain.DeliveryStatus
		Attachments    int
		Fields         string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT m.id, m.direction, m.body, COALESCE(a.name, '') AS agent_name, m.created_at,
			m.delivery_status, (SELECT COUNT(*) FROM attachments x WHERE x.message_id = m.id) AS attachments, m.fields
		FROM messages m LEFT JOIN agents a ON a.id = m.agent_id
		WHERE m.ticket_id = ? AND (m.direction = `+domain.SQLDirectionIn+` OR (m.direction = `+domain.SQLDirectionOut+` AND m.delivery_status IN `+domain.PublicStatusesSQL+`))
		ORDER BY m.created_at, m.id`, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ticket: public messages: %w", err)
	}
	var files []struct {
		PublicFile
		MessageID int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.message_id, a.filename, a.mime, a.size
		FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id = ? AND m.direction <> `+domain.SQLDirectionNote+` AND a.available ORDER BY a.id`, ticketID).Scan(&files).Error; err != nil {
		return nil, fmt.Errorf("ticket: public attachments: %w", err)
	}
	byMsg := map[int64][]PublicFile{}
	for _, f := range files {
		byMsg[f.MessageID] = append(byMsg[f.MessageID], f.PublicFile)
	}
	out := make([]PublicMessage, 0, len(rows))
	for _, r := range rows {
		if phoneRecord(r.Fields) {
			continue
		}
		pm := PublicMessage{MessageID: r.ID, Direction: r.Direction, Body: r.Body, CreatedAt: r.CreatedAt,
			Attachments: r.Attachments, Files: byMsg[r.ID], DeliveryStatus: r.DeliveryStatus}
		if r.Direction == domain.DirectionOut {
			pm.Author = r.AgentName
		}
		if pm.Files == nil {
			pm.Files = []PublicFile{}
		}
		out = append(out, pm)
	}
	return out, nil
}

// phoneRecord reports whether a message's fields mark it as the phone
// channel's record of a call (domain.Kind.PhoneRecord).
func phoneRecord(fields string) bool {
	if fields == "" || fields == "{}" {
		return false
	}
	var f struct {
		Kind domain.Kind `json:"kind"`
	}
	return json.Unmarshal([]byte(fields), &f) == nil && f.Kind.PhoneRecord()
}

func (s *store) scope(ctx context.Context, id int64) (Scope, error) {
	var rows []Scope
	if err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(queue_id, 0) AS queue_id, COALESCE(assignee_id, 0) AS assignee_id FROM tickets WHERE id = ?`, id).
		Scan(&rows).Error; err != nil {
		return Scope{}, fmt.Errorf("ticket: scope: %w", err)
	}
	if len(rows) == 0 {
		return Scope{}, ErrNotFound
	}
	return rows[0], nil
}

// briefs reads tickets by tracking number.
//
//	SELECT t.id, t.tracking_number, t.status, t.queue_id, t.assignee_id, a.name
//	FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.tracking_number IN ?
func (s *store) briefs(ctx context.Context, tns []string) (map[string]Brief, error) {
	out := map[string]Brief{}
	if len(tns) == 0 {
		return out, nil
	}
	var rows []Brief
	err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.tracking_number, t.status, t.queue_id, t.assignee_id, COALESCE(a.name, '') AS assignee_name, t.solved_at
FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.tracking_number IN ?`, tns).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("ticket: briefs: %w", err)
	}
	for _, r := range rows {
		out[r.TrackingNumber] = r
	}
	return out, nil
}

// brief reads one ticket by id.
func (s *store) brief(ctx context.Context, id int64) (Brief, error) {
	var rows []Brief
	err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.tracking_number, t.status, t.queue_id, t.assignee_id, COALESCE(a.name, '') AS assignee_name, t.solved_at
FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return Brief{}, fmt.Errorf("ticket: brief: %w", err)
	}
	if len(rows) == 0 {
		return Brief{}, ErrNotFound
	}
	return rows[0], nil
}

// mediaState tells whether the placeholder attachments wait for a file.
//
//	SELECT available FROM attachments WHERE storage_key = ?
func (s *store) mediaState(ctx context.Context, key string) (int, error) {
	var rows []struct{ Available bool }
	if err := s.db.WithContext(ctx).Raw(`SELECT available FROM attachments WHERE storage_key = ?`, key).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("ticket: attachment state: %w", err)
	}
	if len(rows) == 0 {
		return MediaAbsent, nil
	}
	for _, r := range rows {
		if !r.Available {
			return MediaPending, nil
		}
	}
	return MediaDone, nil
}

// completeMedia points the placeholder attachments at the stored file. The
// condition on available makes a concurrent second fetch a no-op (false).
//
//	UPDATE attachments SET storage_key = ?, mime = ?, size = ?, available = ?
//	WHERE storage_key = ? AND available = ?
func (s *store) completeMedia(ctx context.Context, placeholder, key, mime string, size int64) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE attachments SET storage_key = ?, mime = ?, size = ?, available = ?
		WHERE storage_key = ? AND available = ?`, key, mime, size, true, placeholder, false)
	if res.Error != nil {
		return false, fmt.Errorf("ticket: complete attachment: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}
