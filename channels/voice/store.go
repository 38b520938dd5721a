package voice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// Call outcomes as stored and reported.
const (
	OutcomeAnswered    = "answered"
	OutcomeAbandoned   = "abandoned"
	OutcomeVoicemail   = domain.CallOutcomeVoicemail
	OutcomeCallback    = domain.CallOutcomeCallback
	OutcomeSelfService = "self_service"
	// OutcomeUnanswered is a callback the citizen did not pick up.
	OutcomeUnanswered = "unanswered"
)

// Callback request states.
const (
	callbackWaiting = "waiting"
	callbackCalling = "calling"
	callbackDone    = "done"
)

// maxPathBytes bounds a call's stored menu path; a caller looping through
// menus for an hour stops lengthening it.
const maxPathBytes = 900

// store is every SQL statement of the voice channel.
type store struct {
	db *db.DB
}

type callRow struct {
	CallSid         string
	Direction       string
	Caller          string
	Path            string
	Outcome         string
	Status          string
	DurationSeconds int
	CallbackID      *int64
	StartedAt       time.Time
	EndedAt         *time.Time
}

// startCall records a call once, its path beginning at path; a provider
// retry finds it there and changes nothing. It reports whether this was
// the call's first record.
func (s *store) startCall(ctx context.Context, sid, direction, caller, path string, callbackID *int64, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`INSERT INTO voice_calls (call_sid, direction, caller, path, callback_id, started_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_sid) DO NOTHING`, sid, direction, caller, path, callbackID, now, now)
	if res.Error != nil {
		return false, fmt.Errorf("voice: start call: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// step appends a menu node to the call's path, while it has room.
func (s *store) step(ctx context.Context, sid, node string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE voice_calls
		SET path = CASE WHEN path = '' THEN ? ELSE path || '>' || ? END, updated_at = ?
		WHERE call_sid = ? AND LENGTH(path) < ?`, node, node, now, sid, maxPathBytes).Error
	if err != nil {
		return fmt.Errorf("voice: step: %w", err)
	}
	return nil
}

// setOutcome records what the call achieved so far; the latest wins.
func (s *store) setOutcome(ctx context.Context, sid, outcome string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE voice_calls SET outcome = ?, updated_at = ? WHERE call_sid = ?`, outcome, now, sid).Error
	if err != nil {
		return fmt.Errorf("voice: outcome: %w", err)
	}
	return nil
}

// call reads one call.
func (s *store) call(ctx context.Context, sid string) (callRow, error) {
	var rows []callRow
	if err := s.db.WithContext(ctx).Raw(`SELECT call_sid, direction, caller, path, outcome, status, duration_seconds, callback_id, started_at, ended_at
		FROM voice_calls WHERE call_sid = ?`, sid).Scan(&rows).Error; err != nil {
		return callRow{}, fmt.Errorf("voice: call: %w", err)
	}
	if len(rows) == 0 {
		return callRow{}, errCallNotFound
	}
	return rows[0], nil
}

var errCallNotFound = errors.New("voice: call not found")

// bridge records the agent's call that took a queued caller, so that what
// the provider reports under the agent's call (the recording of the
// agents' <Dial><Queue>) finds the caller. The latest agent wins.
func (s *store) bridge(ctx context.Context, sid, agentCallSid string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE voice_calls SET agent_call_sid = ?, updated_at = ? WHERE call_sid = ?`, agentCallSid, now, sid).Error
	if err != nil {
		return fmt.Errorf("voice: bridge: %w", err)
	}
	return nil
}

// callOfAgent reads the call an agent's call took from the queue, the
// newest when the agent took several (voice_calls_agent_call_idx).
func (s *store) callOfAgent(ctx context.Context, agentCallSid string) (callRow, error) {
	var rows []callRow
	if err := s.db.WithContext(ctx).Raw(`SELECT call_sid, direction, caller, path, outcome, status, duration_seconds, callback_id, started_at, ended_at
		FROM voice_calls WHERE agent_call_sid = ? AND agent_call_sid <> '' ORDER BY started_at DESC LIMIT 1`, agentCallSid).Scan(&rows).Error; err != nil {
		return callRow{}, fmt.Errorf("voice: call of agent: %w", err)
	}
	if len(rows) == 0 {
		return callRow{}, errCallNotFound
	}
	return rows[0], nil
}

// finish records the provider's final status and duration. A call that
// achieved nothing was abandoned.
func (s *store) finish(ctx context.Context, sid, status string, duration int, now time.Time) (callRow, error) {
	err := s.db.WithContext(ctx).Exec(`UPDATE voice_calls
		SET status = ?, duration_seconds = ?, ended_at = ?, updated_at = ?,
		    outcome = CASE WHEN outcome = '' THEN ? ELSE outcome END
		WHERE call_sid = ?`, status, duration, now, now, OutcomeAbandoned, sid).Error
	if err != nil {
		return callRow{}, fmt.Errorf("voice: finish: %w", err)
	}
	return s.call(ctx, sid)
}

// Callback is one request in the callback line.
type Callback struct {
	ID          int64     `json:"id"`
	Phone       string    `json:"phone"`
	Status      string    `json:"status"`
	Position    int       `json:"position"`
	Attempts    int       `json:"attempts"`
	LastOutcome string    `json:"last_outcome,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

// requestCallback puts phone in the callback line, or finds its open
// request: asking again never loses or improves the place.
func (s *store) requestCallback(ctx context.Context, phone, sid string, now time.Time) (Callback, error) {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO voice_callbacks (phone, call_sid, status, requested_at, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (phone) WHERE status <> 'done' DO NOTHING`, phone, sid, callbackWaiting, now, now).Error
	if err != nil {
		return Callback{}, fmt.Errorf("voice: request callback: %w", err)
	}
	return s.openCallback(ctx, phone)
}

// openCallback is the number's waiting or calling request with its
// position in the line (1 = next).
func (s *store) openCallback(ctx context.Context, phone string) (Callback, error) {
	var rows []Callback
	if err := s.db.WithContext(ctx).Raw(`SELECT c.id, c.phone, c.status, c.attempts, c.last_outcome, c.requested_at,
		(SELECT COUNT(*) FROM voice_callbacks o WHERE o.status <> 'done'
		   AND (o.requested_at < c.requested_at OR (o.requested_at = c.requested_at AND o.id <= c.id))) AS position
		FROM voice_callbacks c WHERE c.phone = ? AND c.status <> 'done'`, phone).Scan(&rows).Error; err != nil {
		return Callback{}, fmt.Errorf("voice: open callback: %w", err)
	}
	if len(rows) == 0 {
		return Callback{}, ErrNoCallback
	}
	return rows[0], nil
}

// callbacks is the open callback line, first in line first.
func (s *store) callbacks(ctx context.Context, limit int) ([]Callback, error) {
	var rows []Callback
	if err := s.db.WithContext(ctx).Raw(`SELECT id, phone, status, attempts, last_outcome, requested_at FROM voice_callbacks
		WHERE status <> 'done' ORDER BY requested_at, id LIMIT ?`, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("voice: callbacks: %w", err)
	}
	for i := range rows {
		rows[i].Position = i + 1
	}
	return rows, nil
}

// CallbacksOfSQL lists the requests one agent is calling now (served by
// voice_callbacks_status_idx).
const CallbacksOfSQL = `SELECT id, phone, status, attempts, last_outcome, requested_at FROM voice_callbacks
		WHERE status = 'calling' AND agent_id = ? ORDER BY requested_at, id LIMIT ?`

// callbacksOf lists the requests agentID is calling now, with their
// place in the whole line.
func (s *store) callbacksOf(ctx context.Context, agentID int64, limit int) ([]Callback, error) {
	var rows []Callback
	if err := s.db.WithContext(ctx).Raw(CallbacksOfSQL, agentID, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("voice: callbacks of agent: %w", err)
	}
	for i := range rows {
		p, err := s.openCallback(ctx, rows[i].Phone)
		if err != nil && !errors.Is(err, ErrNoCallback) {
			return nil, err
		}
		rows[i].Position = p.Position
	}
	return rows, nil
}

// QueueIDSQL finds a queue by code (served by its unique index).
const QueueIDSQL = `SELECT id FROM queues WHERE code = ?`

// queueID is the id of the queue with code.
func (s *store) queueID(ctx context.Context, code string) (int64, bool, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(QueueIDSQL, code).Scan(&ids).Error; err != nil {
		return 0, false, fmt.Errorf("voice: queue %s: %w", code, err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// staleCalling is how long a request may stay "calling" without the
// provider's status callback before another agent may call again: a lost
// callback must not block the citizen's request for ever.
const staleCalling = 15 * time.Minute

// claimCallback marks a waiting (or stale calling) request as being called
// by agentID. The conditional UPDATE is what stops two agents calling the
// same citizen at once: only one of them changes the row.
func (s *store) claimCallback(ctx context.Context, id, agentID int64, now time.Time) (bool, error) {
	var agent *int64 // 0: not an agent (NULL)
	if agentID > 0 {
		agent = &agentID
	}
	res := s.db.WithContext(ctx).Exec(`UPDATE voice_callbacks SET status = ?, attempts = attempts + 1, agent_id = ?, updated_at = ?
		WHERE id = ? AND (status = ? OR (status = ? AND updated_at < ?))`,
		callbackCalling, agent, now, id, callbackWaiting, callbackCalling, now.Add(-staleCalling))
	if res.Error != nil {
		return false, fmt.Errorf("voice: claim callback: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// callbackCall records the provider's id of the outbound call.
func (s *store) callbackCall(ctx context.Context, id int64, sid string, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE voice_callbacks SET last_call_sid = ?, updated_at = ? WHERE id = ?`, sid, now, id).Error; err != nil {
		return fmt.Errorf("voice: callback call: %w", err)
	}
	return nil
}

// settleCallback ends an attempt: answered closes the request; anything
// else puts it back in line at its original place.
func (s *store) settleCallback(ctx context.Context, id int64, outcome string, answered bool, now time.Time) error {
	status := callbackWaiting
	if answered {
		status = callbackDone
	}
	err := s.db.WithContext(ctx).Exec(`UPDATE voice_callbacks SET status = ?, last_outcome = ?, updated_at = ?
		WHERE id = ? AND status = ?`, status, outcome, now, id, callbackCalling).Error
	if err != nil {
		return fmt.Errorf("voice: settle callback: %w", err)
	}
	return nil
}

// Stats counts calls since a moment.
type Stats struct {
	Since            time.Time      `json:"since"`
	Calls            int            `json:"calls"`
	Inbound          int            `json:"inbound"`
	Outbound         int            `json:"outbound"`
	Abandoned        int            `json:"abandoned"`
	ByOutcome        map[string]int `json:"by_outcome"`
	AvgDuration      float64        `json:"avg_duration_seconds"`
	CallbacksWaiting int            `json:"callbacks_waiting"`
}

func (s *store) stats(ctx context.Context, since time.Time) (Stats, error) {
	var rows []struct {
		Direction string
		Outcome   string
		N         int
		Total     int64
	}
	tx := s.db.WithContext(ctx)
	if err := tx.Raw(`SELECT direction, outcome, COUNT(*) AS n, COALESCE(SUM(duration_seconds), 0) AS total
		FROM voice_calls WHERE started_at >= ? GROUP BY direction, outcome`, since).Scan(&rows).Error; err != nil {
		return Stats{}, fmt.Errorf("voice: stats: %w", err)
	}
	st := Stats{Since: since, ByOutcome: map[string]int{}}
	var total int64
	for _, r := range rows {
		st.Calls += r.N
		total += r.Total
		if r.Direction == "outbound" {
			st.Outbound += r.N
		} else {
			st.Inbound += r.N
		}
		if r.Outcome != "" {
			st.ByOutcome[r.Outcome] += r.N
		}
	}
	st.Abandoned = st.ByOutcome[OutcomeAbandoned]
	if st.Calls > 0 {
		st.AvgDuration = float64(total) / float64(st.Calls)
	}
	if err := tx.Raw(`SELECT COUNT(*) FROM voice_callbacks WHERE status <> 'done'`).Scan(&st.CallbacksWaiting).Error; err != nil {
		return Stats{}, fmt.Errorf("voice: stats: %w", err)
	}
	return st, nil
}
