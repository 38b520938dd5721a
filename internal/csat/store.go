package csat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// The statements run per request or per event, by name, so a test proves
// each is served by an index (store_test.go).
const (
	sqlTicket = `SELECT t.id, t.tracking_number, t.status, t.solved_at, t.channel, t.queue_id, t.assignee_id,
		t.category, t.province_code, t.contact_id FROM tickets t WHERE t.id = ?`
	sqlSurveyByRound = `SELECT ` + surveyCols + ` FROM csat_surveys WHERE ticket_id = ? AND round = ?`
	sqlSurveyByID    = `SELECT ` + surveyCols + ` FROM csat_surveys WHERE id = ?`
	// A ticket's latest solve (round "solve:<19-digit nanoseconds>" sorts
	// in time order), served by the (ticket_id, round) key.
	sqlLatestSolveSurvey = `SELECT ` + surveyCols + ` FROM csat_surveys WHERE ticket_id = ? AND round >= 'solve:' AND round < 'solve;' ORDER BY round DESC LIMIT 1`
	sqlResponse          = `SELECT survey_id, rating, comment, answered_by, created_at, comment_by, commented_at FROM csat_responses WHERE survey_id = ?`
	// A comment given after the rating: only on an answer that has none
	// (the row exists only with its rating), by the primary key. It
	// returns the rating it comments, for the event.
	sqlAddComment = `UPDATE csat_responses SET comment = ?, comment_by = ?, commented_at = ? WHERE survey_id = ? AND comment = '' RETURNING rating`
	// A survey's low-rating alert (survey_id is unique: its index).
	sqlAlertBySurvey = `SELECT id FROM csat_alerts WHERE survey_id = ?`
	// A call survey answered since the ticket's last solve survey: the
	// phone caller was asked already.
	sqlCallSince = `SELECT 1 FROM csat_surveys s JOIN csat_responses r ON r.survey_id = s.id
		WHERE s.ticket_id = ? AND s.round LIKE 'call:%' AND s.created_at > ? LIMIT 1`
	sqlTicketRatings = `SELECT r.survey_id, r.rating, r.comment, r.answered_by, r.created_at, r.comment_by, r.commented_at, s.channel, s.agent_id
		FROM csat_responses r JOIN csat_surveys s ON s.id = r.survey_id WHERE r.ticket_id = ? ORDER BY r.created_at`
	sqlAgentFigures = `SELECT COUNT(*) AS n, COALESCE(SUM(rating), 0) AS total, COALESCE(SUM(CASE WHEN rating >= ? THEN 1 ELSE 0 END), 0) AS satisfied
		FROM csat_responses WHERE agent_id = ? AND created_at >= ?`
	sqlAlertsAll = `SELECT a.id, a.survey_id, a.ticket_id, a.queue_id, a.rating, a.created_at, t.tracking_number, s.channel, s.agent_id,
		COALESCE(r.comment, '') AS comment
		FROM csat_alerts a JOIN tickets t ON t.id = a.ticket_id JOIN csat_surveys s ON s.id = a.survey_id
		LEFT JOIN csat_responses r ON r.survey_id = a.survey_id
		ORDER BY a.created_at DESC LIMIT ?`
	sqlAlertsQueues = `SELECT a.id, a.survey_id, a.ticket_id, a.queue_id, a.rating, a.created_at, t.tracking_number, s.channel, s.agent_id,
		COALESCE(r.comment, '') AS comment
		FROM csat_alerts a JOIN tickets t ON t.id = a.ticket_id JOIN csat_surveys s ON s.id = a.survey_id
		LEFT JOIN csat_responses r ON r.survey_id = a.survey_id
		WHERE a.queue_id IN ? ORDER BY a.created_at DESC LIMIT ?`
	sqlSupervisors = `SELECT a.id FROM agents a JOIN queue_members m ON m.agent_id = a.id
		WHERE m.queue_id = ? AND ` + permission.SupervisingSQL + ` ORDER BY a.id`
	sqlCallTicket = `SELECT ticket_id FROM messages WHERE channel = ? AND provider_message_id = ?`
	// The citizen's phone (a WhatsApp wa_id is one) and their last message
	// on the ticket, for a channel that asks within a service window.
	sqlContactPhone = `SELECT value FROM contact_identities WHERE contact_id = ? AND kind = 'phone' ORDER BY id LIMIT 1`
	sqlLastInbound  = `SELECT created_at FROM messages WHERE ticket_id = ? AND direction = 'in' ORDER BY created_at DESC, id DESC LIMIT 1`
)

const surveyCols = `id, ticket_id, round, channel, via, queue_id, agent_id, category, province_code, created_at, expires_at, asked_at`

type store struct {
	db *db.DB
}

// ticketRow is the ticket as a survey snapshots it.
type ticketRow struct {
	ID             int64
	TrackingNumber string
	Status         domain.TicketStatus
	SolvedAt       *time.Time
	Channel        string
	QueueID        *int64
	AssigneeID     *int64
	Category       string
	ProvinceCode   string
	ContactID      int64
}

// Survey is one question put to a citizen.
type Survey struct {
	ID           int64      `json:"id"`
	TicketID     int64      `json:"ticket_id"`
	Round        string     `json:"-"`
	Channel      string     `json:"channel"`
	Via          string     `json:"via"`
	QueueID      *int64     `json:"queue_id"`
	AgentID      *int64     `json:"agent_id"`
	Category     string     `json:"category"`
	ProvinceCode string     `json:"province_code"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	AskedAt      *time.Time `json:"asked_at"`
}

// Response is a citizen's answer to a survey. The comment may come with
// the rating or once afterwards (AddComment): CommentBy and CommentedAt
// say how and when.
type Response struct {
	SurveyID    int64      `json:"survey_id"`
	Rating      int        `json:"rating"`
	Comment     string     `json:"comment"`
	AnsweredBy  string     `json:"answered_by"`
	CreatedAt   time.Time  `json:"created_at"`
	CommentBy   string     `json:"comment_by,omitempty"`
	CommentedAt *time.Time `json:"commented_at,omitempty"`
}

func (s *store) ticket(ctx context.Context, q *gorm.DB, id int64) (ticketRow, error) {
	var rows []ticketRow
	if err := q.WithContext(ctx).Raw(sqlTicket, id).Scan(&rows).Error; err != nil {
		return ticketRow{}, fmt.Errorf("csat: ticket: %w", err)
	}
	if len(rows) == 0 {
		return ticketRow{}, ErrNotFound
	}
	return rows[0], nil
}

func (s *store) oneSurvey(ctx context.Context, q *gorm.DB, sql string, args ...any) (Survey, error) {
	var rows []Survey
	if err := q.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return Survey{}, fmt.Errorf("csat: survey: %w", err)
	}
	if len(rows) == 0 {
		return Survey{}, ErrNotFound
	}
	return rows[0], nil
}

// ensureSurvey returns the survey of a ticket's round, making it when
// missing. (ticket_id, round) is unique: two instances handling one solve
// make one survey; created says whether this call made it.
func (s *store) ensureSurvey(ctx context.Context, t ticketRow, round, via string, now, expires time.Time) (Survey, bool, error) {
	var sv Survey
	created := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.WithContext(ctx).Exec(`INSERT INTO csat_surveys (ticket_id, round, channel, via, queue_id, agent_id, category, province_code, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, round) DO NOTHING`,
			t.ID, round, t.Channel, via, t.QueueID, t.AssigneeID, t.Category, t.ProvinceCode, now, expires)
		if res.Error != nil {
			return fmt.Errorf("csat: insert survey: %w", res.Error)
		}
		created = res.RowsAffected == 1
		var err error
		sv, err = s.oneSurvey(ctx, tx, sqlSurveyByRound, t.ID, round)
		return err
	})
	return sv, created, err
}

func (s *store) markAsked(ctx context.Context, id int64, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE csat_surveys SET asked_at = COALESCE(asked_at, ?) WHERE id = ?`, now, id).Error; err != nil {
		return fmt.Errorf("csat: mark asked: %w", err)
	}
	return nil
}

func (s *store) response(ctx context.Context, surveyID int64) (*Response, error) {
	var rows []Response
	if err := s.db.WithContext(ctx).Raw(sqlResponse, surveyID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("csat: response: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil //nolint:nilnil // no answer yet is not an error
	}
	return &rows[0], nil
}

// record stores the one answer of a survey and, for a low rating, its
// alert, in one transaction. ErrAlreadyRated when the survey has one.
func (s *store) record(ctx context.Context, sv Survey, a Answer, by string, low bool, now time.Time) (alertID int64, supervisors []int64, err error) {
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		commentBy, commentedAt := "", (*time.Time)(nil)
		if a.Comment != "" {
			commentBy, commentedAt = by, &now
		}
		res := tx.WithContext(ctx).Exec(`INSERT INTO csat_responses (survey_id, ticket_id, agent_id, rating, comment, answered_by, created_at, comment_by, commented_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (survey_id) DO NOTHING`, sv.ID, sv.TicketID, sv.AgentID, a.Rating, a.Comment, by, now, commentBy, commentedAt)
		if res.Error != nil {
			return fmt.Errorf("csat: insert response: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrAlreadyRated
		}
		if !low {
			return nil
		}
		if err := tx.WithContext(ctx).Raw(`INSERT INTO csat_alerts (survey_id, ticket_id, queue_id, rating, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			sv.ID, sv.TicketID, sv.QueueID, a.Rating, now).Scan(&alertID).Error; err != nil {
			return fmt.Errorf("csat: insert alert: %w", err)
		}
		if sv.QueueID != nil {
			if err := tx.WithContext(ctx).Raw(sqlSupervisors, *sv.QueueID).Scan(&supervisors).Error; err != nil {
				return fmt.Errorf("csat: supervisors: %w", err)
			}
		}
		return nil
	})
	return alertID, supervisors, err
}

// addComment sets the comment of a rated survey that has none, in one
// statement (sqlAddComment): two comments racing, one wins. It returns
// the rating commented. When nothing changed it tells why: ErrNotRated
// (no answer yet) or ErrAlreadyCommented.
func (s *store) addComment(ctx context.Context, surveyID int64, comment, by string, now time.Time) (rating int, err error) {
	var ratings []int
	if err := s.db.WithContext(ctx).Raw(sqlAddComment, comment, by, now, surveyID).Scan(&ratings).Error; err != nil {
		return 0, fmt.Errorf("csat: add comment: %w", err)
	}
	if len(ratings) == 1 {
		return ratings[0], nil
	}
	r, err := s.response(ctx, surveyID)
	if err != nil {
		return 0, err
	}
	if r == nil {
		return 0, ErrNotRated
	}
	return 0, ErrAlreadyCommented
}

// alertOf is the id of a survey's low-rating alert, 0 when it has none.
func (s *store) alertOf(ctx context.Context, surveyID int64) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(sqlAlertBySurvey, surveyID).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("csat: survey's alert: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

func (s *store) callTicket(ctx context.Context, channel, providerID string) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(sqlCallTicket, channel, providerID).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("csat: call ticket: %w", err)
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

func (s *store) callAnsweredSince(ctx context.Context, ticketID int64, since time.Time) (bool, error) {
	var n []int
	if err := s.db.WithContext(ctx).Raw(sqlCallSince, ticketID, since).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("csat: call survey: %w", err)
	}
	return len(n) > 0, nil
}

// TicketRating is one rating on a ticket, as the console shows it.
type TicketRating struct {
	Response
	Channel string `json:"channel"`
	AgentID *int64 `json:"agent_id"`
}

func (s *store) ticketRatings(ctx context.Context, ticketID int64) ([]TicketRating, error) {
	var rows []struct {
		SurveyID    int64
		Rating      int
		Comment     string
		AnsweredBy  string
		CreatedAt   time.Time
		CommentBy   string
		CommentedAt *time.Time
		Channel     string
		AgentID     *int64
	}
	if err := s.db.WithContext(ctx).Raw(sqlTicketRatings, ticketID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("csat: ticket ratings: %w", err)
	}
	out := make([]TicketRating, 0, len(rows))
	for _, r := range rows {
		out = append(out, TicketRating{Response: Response{SurveyID: r.SurveyID, Rating: r.Rating, Comment: r.Comment, AnsweredBy: r.AnsweredBy, CreatedAt: r.CreatedAt,
			CommentBy: r.CommentBy, CommentedAt: r.CommentedAt},
			Channel: r.Channel, AgentID: r.AgentID})
	}
	return out, nil
}

// Alert is a low rating listed for supervisors.
type Alert struct {
	ID             int64     `json:"id"`
	SurveyID       int64     `json:"survey_id"`
	TicketID       int64     `json:"ticket_id"`
	QueueID        *int64    `json:"queue_id"`
	Rating         int       `json:"rating"`
	CreatedAt      time.Time `json:"created_at"`
	TrackingNumber string    `json:"tracking_number"`
	Channel        string    `json:"channel"`
	AgentID        *int64    `json:"agent_id"`
	// Comment is the citizen's comment on the rating, given with it or
	// afterwards ("" when none yet).
	Comment string `json:"comment"`
}

func (s *store) alerts(ctx context.Context, queues []int64, all bool, limit int) ([]Alert, error) {
	out := []Alert{}
	var err error
	switch {
	case all:
		err = s.db.WithContext(ctx).Raw(sqlAlertsAll, limit).Scan(&out).Error
	case len(queues) == 0:
		return out, nil
	default:
		err = s.db.WithContext(ctx).Raw(sqlAlertsQueues, queues, limit).Scan(&out).Error
	}
	if err != nil {
		return nil, fmt.Errorf("csat: alerts: %w", err)
	}
	return out, nil
}

// agentFigures are one agent's ratings since a time.
type agentFigures struct {
	N         int
	Total     int
	Satisfied int
}

func (s *store) agentFigures(ctx context.Context, agentID int64, since time.Time, satisfiedMin int) (agentFigures, error) {
	var f agentFigures
	if err := s.db.WithContext(ctx).Raw(sqlAgentFigures, satisfiedMin, agentID, since).Scan(&f).Error; err != nil {
		return f, fmt.Errorf("csat: agent figures: %w", err)
	}
	return f, nil
}

// isNotFound reports ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// reach is how a pushing channel reaches the citizen of a ticket.
func (s *store) reach(ctx context.Context, contactID, ticketID int64) (phone string, last *time.Time, err error) {
	var phones []string
	if err := s.db.WithContext(ctx).Raw(sqlContactPhone, contactID).Scan(&phones).Error; err != nil {
		return "", nil, fmt.Errorf("csat: contact phone: %w", err)
	}
	if len(phones) > 0 {
		phone = phones[0]
	}
	var at []time.Time
	if err := s.db.WithContext(ctx).Raw(sqlLastInbound, ticketID).Scan(&at).Error; err != nil {
		return "", nil, fmt.Errorf("csat: last message: %w", err)
	}
	if len(at) > 0 {
		last = &at[0]
	}
	return phone, last, nil
}
