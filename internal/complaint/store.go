package complaint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// store holds every statement of the package.
type store struct {
	db *db.DB
	// changed runs after every committed change (Service.changed).
	changed func(ctx context.Context, ticketID int64, step string)
}

// record is a complaints row.
type record struct {
	TicketID           int64
	IntakeKey          string
	Kind               Kind
	Stage              Stage
	Anonymous          bool
	Confidential       bool
	Category           string
	ProvinceCode       string
	TimeZone           string
	ReceivedAt         time.Time
	CompleteAt         *time.Time
	VerifiedAt         *time.Time
	DueAt              *time.Time
	PausedAt           *time.Time
	PausedLeftS        int64
	CompletedByCitizen bool
	Unit               string
	Instructions       string
	DisposedAt         *time.Time
	Answer             string
	AnsweredAt         *time.Time
	AnsweredInTime     *bool
	PublishedAt        *time.Time
	CloseDueAt         *time.Time
	CeilingAt          *time.Time
	CeilingWarned      bool
	EscalatedAt        *time.Time
	ReopenCount        int
	Agency             string
	ArchiveReason      string
	ClosedAt           *time.Time
	UpdatedAt          time.Time
}

const recordColumns = `ticket_id, intake_key, kind, stage, anonymous, confidential, category, province_code, time_zone,
	received_at, complete_at, verified_at, due_at, paused_at, paused_left_s, completed_by_citizen, unit, instructions,
	disposed_at, answer, answered_at, answered_in_time, published_at, close_due_at, ceiling_at, ceiling_warned,
	escalated_at, reopen_count, agency, archive_reason, closed_at, updated_at`

// The statements run per request or per scheduler tick, each served by an
// index (explain_test.go proves it on both dialects).
const (
	sqlGet    = `SELECT ` + recordColumns + ` FROM complaints WHERE ticket_id = ?`
	sqlSteps  = `SELECT id, ticket_id, step, agent_id, public_note, detail, created_at FROM complaint_steps WHERE ticket_id = ? ORDER BY id`
	sqlIntake = `SELECT intake_key, anonymous, confidential, pin_hash, visitor_id, name, phone, email, nik, created_at,
		pin_sealed, pin_sealed_until FROM complaint_intakes WHERE intake_key = ?`
	// CROSS JOIN keeps SQLite walking tickets past the cursor first (the
	// messages' key range would cover every form submission ever).
	sqlFormTickets = `SELECT t.id, t.category, t.province_code, t.created_at, m.provider_message_id, m.fields
		FROM tickets t CROSS JOIN messages m
		WHERE m.ticket_id = t.id AND m.channel = t.channel
		  AND m.provider_message_id >= 'form-' AND m.provider_message_id < 'form.'
		  AND t.channel = 'webform' AND t.id > ? ORDER BY t.id LIMIT ?`
	sqlFormTicket = `SELECT t.id, t.category, t.province_code, t.created_at, m.provider_message_id, m.fields
		FROM tickets t JOIN messages m ON m.ticket_id = t.id AND m.channel = t.channel
		  AND m.provider_message_id >= 'form-' AND m.provider_message_id < 'form.'
		WHERE t.id = ? AND t.channel = 'webform' ORDER BY m.id LIMIT 1`
	sqlCursor             = `SELECT ticket_id FROM complaint_cursors WHERE name = ?`
	sqlHolidays           = `SELECT day FROM holidays WHERE day >= ? AND day <= ?`
	sqlTicketByTracking   = `SELECT id FROM tickets WHERE tracking_number = ?`
	sqlIncompleteAnswered = `SELECT c.ticket_id, c.time_zone, c.paused_at, c.paused_left_s FROM complaints c
		WHERE c.stage = 'incomplete' AND c.paused_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = c.ticket_id AND m.created_at > c.paused_at AND m.direction = 'in')
		ORDER BY c.paused_at LIMIT ?`
	sqlFirstAnswer = `SELECT created_at FROM messages WHERE ticket_id = ? AND created_at > ? AND direction = 'in' ORDER BY created_at LIMIT 1`
	sqlCloseDue    = `SELECT ticket_id FROM complaints WHERE stage = 'followed_up' AND close_due_at <= ? ORDER BY close_due_at LIMIT ?`
	// A complaint already warned needs nothing until its ceiling: it is
	// skipped, so it never fills a batch ahead of ones still to be warned.
	sqlCeilingNear = `SELECT ticket_id, time_zone, ceiling_at, ceiling_warned, escalated_at FROM complaints
		WHERE closed_at IS NULL AND ceiling_at <= ? AND escalated_at IS NULL AND (NOT ceiling_warned OR ceiling_at <= ?)
		ORDER BY ceiling_at LIMIT ?`
	sqlEscalated = `SELECT ` + recordColumns + ` FROM complaints WHERE closed_at IS NULL AND ceiling_at IS NOT NULL
		AND escalated_at IS NOT NULL ORDER BY ceiling_at LIMIT ?`
)

// get reads one complaint.
//
//	SELECT … FROM complaints WHERE ticket_id = ?   -- primary key
func (s *store) get(ctx context.Context, q *gorm.DB, ticketID int64) (record, error) {
	var rows []record
	if err := q.WithContext(ctx).Raw(sqlGet, ticketID).Scan(&rows).Error; err != nil {
		return record{}, fmt.Errorf("complaint: get: %w", err)
	}
	if len(rows) == 0 {
		return record{}, errNoComplaint
	}
	return rows[0], nil
}

// intake is a complaint_intakes row.
type intake struct {
	IntakeKey    string
	Anonymous    bool
	Confidential bool
	PinHash      string
	VisitorID    string
	Name         string
	Phone        string
	Email        string
	NIK          string `gorm:"column:nik"`
	CreatedAt    time.Time
	// PinSealed is the PIN sealed for a retry of the same keyed
	// submission, until PinSealedUntil (pinguard.go).
	PinSealed      *string
	PinSealedUntil *time.Time
}

// putIntake stores an intake; false when one with its key is already
// there (a concurrent or earlier submission of the same key), which is
// left alone.
func (s *store) putIntake(ctx context.Context, in intake) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`INSERT INTO complaint_intakes (intake_key, anonymous, confidential, pin_hash, visitor_id, name, phone, email, nik, created_at,
		pin_sealed, pin_sealed_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (intake_key) DO NOTHING`,
		in.IntakeKey, in.Anonymous, in.Confidential, in.PinHash, in.VisitorID,
		in.Name, in.Phone, in.Email, in.NIK, in.CreatedAt, in.PinSealed, in.PinSealedUntil)
	if res.Error != nil {
		return false, fmt.Errorf("complaint: intake: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

func (s *store) deleteIntake(ctx context.Context, key string) error {
	return s.db.WithContext(ctx).Exec(`DELETE FROM complaint_intakes WHERE intake_key = ?`, key).Error
}

// intakeOf reads an intake by key (primary key).
func (s *store) intakeOf(ctx context.Context, key string) (intake, bool, error) {
	var rows []intake
	if err := s.db.WithContext(ctx).Raw(sqlIntake, key).Scan(&rows).Error; err != nil {
		return intake{}, false, fmt.Errorf("complaint: intake: %w", err)
	}
	if len(rows) == 0 {
		return intake{}, false, nil
	}
	return rows[0], true, nil
}

// formTicket is what linking a form ticket needs.
type formTicket struct {
	ID                int64
	Category          string
	ProvinceCode      string
	CreatedAt         time.Time
	ProviderMessageID string
	Fields            string
}

// formTickets lists form tickets after a ticket id with their first
// submission message ("form-…" provider ids).
//
//	tickets (channel, id) range; messages by (channel, provider_message_id)
func (s *store) formTickets(ctx context.Context, afterID int64, limit int) ([]formTicket, error) {
	var rows []formTicket
	err := s.db.WithContext(ctx).Raw(sqlFormTickets, afterID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("complaint: form tickets: %w", err)
	}
	return rows, nil
}

// formTicket reads one ticket's submission (nil: not a form complaint).
func (s *store) formTicket(ctx context.Context, q *gorm.DB, ticketID int64) (*formTicket, error) {
	var rows []formTicket
	err := q.WithContext(ctx).Raw(sqlFormTicket, ticketID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("complaint: form ticket: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

func fieldsOf(raw string) map[string]string {
	m := map[string]string{}
	_ = json.Unmarshal([]byte(raw), &m) // stored by ingest from a validated envelope; a bad value is an empty map
	return m
}

// insert stores a new complaint and its first step; a complaint already
// there (another instance linked it) is left alone.
func (s *store) insert(ctx context.Context, r record, step stepRow) error {
	_, err := s.insertNew(ctx, r, step)
	return err
}

// insertNew is insert, reporting whether this call stored the complaint.
func (s *store) insertNew(ctx context.Context, r record, step stepRow) (bool, error) {
	inserted := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO complaints (ticket_id, intake_key, kind, stage, anonymous, confidential, category, province_code, time_zone,
			received_at, complete_at, due_at, ceiling_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (ticket_id) DO NOTHING`,
			r.TicketID, r.IntakeKey, r.Kind, r.Stage, r.Anonymous, r.Confidential, r.Category, r.ProvinceCode, r.TimeZone,
			r.ReceivedAt, r.CompleteAt, r.DueAt, r.CeilingAt, r.UpdatedAt)
		if res.Error != nil {
			return fmt.Errorf("complaint: insert: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		inserted = true
		return addStep(tx, step)
	})
	return inserted, err
}

// stepRow is a complaint_steps row.
type stepRow struct {
	ID         int64
	TicketID   int64
	Step       string
	AgentID    *int64
	PublicNote string
	Detail     string
	CreatedAt  time.Time
}

func addStep(tx *gorm.DB, st stepRow) error {
	if err := tx.Exec(`INSERT INTO complaint_steps (ticket_id, step, agent_id, public_note, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		st.TicketID, st.Step, st.AgentID, st.PublicNote, st.Detail, st.CreatedAt).Error; err != nil {
		return fmt.Errorf("complaint: step: %w", err)
	}
	return nil
}

// steps lists a complaint's steps in order.
//
//	SELECT … FROM complaint_steps WHERE ticket_id = ? ORDER BY id   -- complaint_steps_ticket_idx
func (s *store) steps(ctx context.Context, ticketID int64) ([]stepRow, error) {
	var rows []stepRow
	if err := s.db.WithContext(ctx).Raw(sqlSteps, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("complaint: steps: %w", err)
	}
	return rows, nil
}

// change applies one stage change: sets runs only while the complaint is
// at one of from; the step is written in the same transaction. ErrStage
// when the complaint was not at from. move, when given, moves the
// complaint's ticket in the same transaction (ticket.CloseForLifecycleIn),
// first: it locks the ticket's row before the complaint's is written, the
// order of the paths that hold a ticket and then write its complaint (a
// data-subject erasure), so the two never wait for each other. A
// complaint not at from rolls the move back with the rest.
func (s *store) change(ctx context.Context, ticketID int64, from []Stage, sets map[string]any, step stepRow, move func(tx *gorm.DB) error) error {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if move != nil {
			if err := move(tx); err != nil {
				return err
			}
		}
		q := tx.Table("complaints").Where("ticket_id = ? AND stage IN ?", ticketID, from).Updates(sets)
		if q.Error != nil {
			return fmt.Errorf("complaint: change: %w", q.Error)
		}
		if q.RowsAffected == 0 {
			return ErrStage
		}
		return addStep(tx, step)
	})
	if err == nil && s.changed != nil {
		s.changed(ctx, ticketID, step.Step)
	}
	return err
}

// holidays lists holiday dates in a range (primary key range).
func (s *store) holidays(ctx context.Context, from, to time.Time) ([]string, error) {
	var days []string
	if err := s.db.WithContext(ctx).Raw(sqlHolidays,
		from.Format(time.DateOnly), to.Format(time.DateOnly)).Scan(&days).Error; err != nil {
		return nil, fmt.Errorf("complaint: holidays: %w", err)
	}
	return days, nil
}

// ticketByTracking finds a ticket id by its tracking number (unique).
func (s *store) ticketByTracking(ctx context.Context, tn string) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(sqlTicketByTracking, tn).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("complaint: tracking: %w", err)
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

// audit records a reveal in the audit log.
func (s *store) audit(ctx context.Context, agentID int64, action string, ticketID int64, detail string, at time.Time) error {
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
		agentID, action, ticketID, detail, at).Error; err != nil {
		return fmt.Errorf("complaint: audit: %w", err)
	}
	return nil
}

func isNoComplaint(err error) bool { return errors.Is(err, errNoComplaint) }

// cursor reads a scheduler cursor (primary key).
func (s *store) cursor(ctx context.Context, name string) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(sqlCursor, name).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("complaint: cursor: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// advance moves a cursor forward only (two instances may race: the
// further one wins).
func (s *store) advance(ctx context.Context, name string, to int64) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE complaint_cursors SET ticket_id = ? WHERE name = ? AND ticket_id < ?`, to, name, to).Error; err != nil {
		return fmt.Errorf("complaint: cursor: %w", err)
	}
	return nil
}

// completed is an incomplete complaint the citizen wrote on.
type completed struct {
	TicketID    int64
	TimeZone    string
	PausedAt    time.Time
	PausedLeftS int64
	WroteAt     time.Time
}

// completedByCitizen lists incomplete complaints with a citizen message
// after the request, with the first such message's time.
//
//	complaints_incomplete_idx; messages_ticket_idx (ticket_id, created_at, id)
func (s *store) completedByCitizen(ctx context.Context, limit int) ([]completed, error) {
	var rows []completed
	q := s.db.WithContext(ctx)
	err := q.Raw(sqlIncompleteAnswered, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("complaint: completed: %w", err)
	}
	for i := range rows {
		var at []time.Time
		if err := q.Raw(sqlFirstAnswer,
			rows[i].TicketID, rows[i].PausedAt).Scan(&at).Error; err != nil {
			return nil, fmt.Errorf("complaint: completed: %w", err)
		}
		if len(at) > 0 {
			rows[i].WroteAt = at[0]
		}
	}
	return rows, nil
}

// closeDue lists followed-up complaints whose closing day came.
//
//	complaints_close_due_idx
func (s *store) closeDue(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(sqlCloseDue, now, limit).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("complaint: close due: %w", err)
	}
	return ids, nil
}

// nearCeiling is an open complaint near its ceiling.
type nearCeiling struct {
	TicketID      int64
	TimeZone      string
	CeilingAt     time.Time
	CeilingWarned bool
	EscalatedAt   *time.Time
}

// ceilingNear lists open complaints not yet escalated whose ceiling lies
// before horizon: not yet warned, or at their ceiling by now.
//
//	complaints_ceiling_idx (ceiling_at) WHERE closed_at IS NULL
func (s *store) ceilingNear(ctx context.Context, now, horizon time.Time, limit int) ([]nearCeiling, error) {
	var rows []nearCeiling
	if err := s.db.WithContext(ctx).Raw(sqlCeilingNear, horizon, now, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("complaint: ceiling: %w", err)
	}
	return rows, nil
}

// mark sets flags on an open complaint while cond holds (ErrStage when it
// no longer does), with a step.
func (s *store) mark(ctx context.Context, ticketID int64, cond string, sets map[string]any, step stepRow, args ...any) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		q := tx.Table("complaints").Where("ticket_id = ? AND closed_at IS NULL", ticketID).Where(cond, args...).Updates(sets)
		if q.Error != nil {
			return fmt.Errorf("complaint: mark: %w", q.Error)
		}
		if q.RowsAffected == 0 {
			return ErrStage
		}
		return addStep(tx, step)
	})
}

// escalatedList lists open complaints past their ceiling (supervisors).
//
//	complaints_ceiling_idx
func (s *store) escalatedList(ctx context.Context, limit int) ([]record, error) {
	var rows []record
	if err := s.db.WithContext(ctx).Raw(sqlEscalated, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("complaint: escalated: %w", err)
	}
	return rows, nil
}
