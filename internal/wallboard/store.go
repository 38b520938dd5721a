package wallboard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/reports"
)

// ErrNotFound: no such not-ready reason.
var ErrNotFound = errors.New("wallboard: not found")

// agentsSQL reads the active staff (a staff table: grows with the staff).
const agentsSQL = `SELECT id, name, presence, not_ready_reason, presence_changed_at, active_load, capacity
FROM agents WHERE deactivated_at IS NULL ORDER BY name, id`

func readAgents(tx *gorm.DB) ([]bus.WallboardAgent, error) {
	var rows []struct {
		ID                int64
		Name              string
		Presence          string
		NotReadyReason    string
		PresenceChangedAt *time.Time
		ActiveLoad        int
		Capacity          int
	}
	if err := tx.Raw(agentsSQL).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("wallboard: agents: %w", err)
	}
	out := make([]bus.WallboardAgent, 0, len(rows))
	for _, r := range rows {
		a := bus.WallboardAgent{AgentID: r.ID, Name: r.Name, Presence: r.Presence, Load: r.ActiveLoad, Capacity: r.Capacity,
			Channels: map[string]int{}, Tickets: []bus.WallboardTicket{}}
		if r.Presence == "away" {
			a.Reason = r.NotReadyReason
		}
		if r.PresenceChangedAt != nil {
			t := r.PresenceChangedAt.UTC()
			a.StateSince = &t
		}
		out = append(out, a)
	}
	return out, nil
}

// currentTicketsSQL reads the open tickets of some agents, on
// tickets_assignee_status_idx.
const currentTicketsSQL = `SELECT id, tracking_number, channel, assignee_id FROM tickets
WHERE assignee_id IN (%s) AND status IN ('new', 'open', 'pending') ORDER BY id`

// MaxTicketsShown is how many of an agent's tickets the board names.
const MaxTicketsShown = 5

func fillTickets(tx *gorm.DB, agents []bus.WallboardAgent) error {
	idx := make(map[int64]int, len(agents))
	ids := make([]int64, 0, len(agents))
	for i, a := range agents {
		idx[a.AgentID] = i
		ids = append(ids, a.AgentID)
	}
	return db.Chunks(len(ids), 1, func(lo, hi int) error {
		var rows []struct {
			ID             int64
			TrackingNumber string
			Channel        string
			AssigneeID     int64
		}
		if err := tx.Raw(fmt.Sprintf(currentTicketsSQL, db.Placeholders(hi-lo)), db.Anys(ids[lo:hi])...).Scan(&rows).Error; err != nil {
			return fmt.Errorf("wallboard: current tickets: %w", err)
		}
		for _, r := range rows {
			a := &agents[idx[r.AssigneeID]]
			a.Channels[r.Channel]++
			a.TicketCount++
			if len(a.Tickets) < MaxTicketsShown {
				a.Tickets = append(a.Tickets, bus.WallboardTicket{TicketID: r.ID, TrackingNumber: r.TrackingNumber, Channel: r.Channel})
			}
		}
		return nil
	})
}

// waitingSQL counts the waiting tickets per queue and channel, on the
// waiting-ticket partial index (its predicate repeated).
const waitingSQL = `SELECT queue_id, channel, COUNT(*) AS n, MIN(created_at) AS oldest FROM tickets
WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND queue_id IS NOT NULL
GROUP BY queue_id, channel`

// todaySQL sums the tickets that arrived since midnight per queue and
// channel in the database (on tickets_created_idx): no ticket row comes
// back, whatever the day's volume. Tickets without a queue form the group
// 0, which no line shows (a filter on queue_id would let SQLite pick a
// queue index and read every queued ticket). Abandonment, the first-response SLA
// and the wait follow the reports' rules (reports.AbandonedSQL …), so
// the board and today's report agree. thresholds is the per-channel
// service-level threshold in seconds (thresholdSQL).
//
// decided counts the tickets whose service-level outcome is known: those
// answered, those abandoned, and those still unanswered whose wait has
// passed the threshold (cutoffs: cutoffSQL). A ticket waiting within its
// threshold is neither met nor missed yet, so a burst of new arrivals
// does not read as a service level of 0%.
func todaySQL(dialect db.Dialect, thresholds, cutoffs string) string {
	wait := reports.FirstResponseSecondsSQL(dialect, "")
	return `SELECT COALESCE(queue_id, 0) AS queue_id, channel, COUNT(*) AS offered,
	CAST(SUM(CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS answered,
	CAST(SUM(` + wait + `) AS BIGINT) AS wait_s,
	CAST(SUM(CASE WHEN first_response_at IS NOT NULL AND ` + wait + ` <= ` + thresholds + ` THEN 1 ELSE 0 END) AS BIGINT) AS within,
	CAST(SUM(CASE WHEN first_response_at IS NOT NULL OR ` + reports.AbandonedSQL("") + ` = 1 OR ` + cutoffs + ` THEN 1 ELSE 0 END) AS BIGINT) AS decided,
	CAST(SUM(` + reports.AbandonedSQL("") + `) AS BIGINT) AS abandoned,
	CAST(SUM(` + reports.FirstResponseDueSQL("") + `) AS BIGINT) AS sla_total,
	CAST(SUM(` + reports.FirstResponseMetSQL("") + `) AS BIGINT) AS sla_met
FROM tickets WHERE created_at >= ? GROUP BY COALESCE(queue_id, 0), channel`
}

// thresholdSQL is the service-level threshold of the row's channel in
// whole seconds, with its arguments.
func (s *Service) thresholdSQL() (string, []any) {
	chans := make([]string, 0, len(s.thresholds))
	for ch := range s.thresholds {
		chans = append(chans, ch)
	}
	sort.Strings(chans)
	var b strings.Builder
	args := make([]any, 0, len(chans)+1)
	b.WriteString("(CASE channel")
	for _, ch := range chans {
		fmt.Fprintf(&b, " WHEN ? THEN %d", int64(s.thresholds[ch]/time.Second))
		args = append(args, ch)
	}
	fmt.Fprintf(&b, " ELSE %d END)", int64(DefaultThreshold/time.Second))
	return b.String(), args
}

// todayQuery is todaySQL with its arguments: the tickets that arrived
// since, their outcomes as they stand at now.
func (s *Service) todayQuery(now, since time.Time) (string, []any) {
	th, args := s.thresholdSQL()
	cut, cutArgs := s.cutoffSQL(now)
	return todaySQL(s.db.Dialect, th, cut), append(append(args, cutArgs...), since)
}

// cutoffSQL is a condition on a ticket row: its wait has passed its
// channel's threshold at now (it arrived at or before now less the
// threshold), with its arguments. Each time is compared with created_at
// directly, so both dialects take it as a time.
func (s *Service) cutoffSQL(now time.Time) (string, []any) {
	// In UTC, as created_at is stored: SQLite compares times as text, and
	// a local offset would put every ticket of today past its threshold.
	now = now.UTC()
	chans := make([]string, 0, len(s.thresholds))
	for ch := range s.thresholds {
		chans = append(chans, ch)
	}
	sort.Strings(chans)
	var b strings.Builder
	args := make([]any, 0, 2*len(chans)+len(chans)+1)
	b.WriteString("(")
	for _, ch := range chans {
		b.WriteString("(channel = ? AND created_at <= ?) OR ")
		args = append(args, ch, now.Add(-s.thresholds[ch]))
	}
	b.WriteString("(created_at <= ?")
	args = append(args, now.Add(-DefaultThreshold))
	for _, ch := range chans {
		b.WriteString(" AND channel <> ?")
		args = append(args, ch)
	}
	b.WriteString("))")
	return b.String(), args
}

// callsSQL counts today's inbound calls and those abandoned in the IVR
// or the queue (reports.OutcomeAbandoned, as the abandonment report
// counts them), on voice_calls_started_idx.
const callsSQL = `SELECT COUNT(*) AS inbound, CAST(COALESCE(SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS abandoned
FROM voice_calls WHERE started_at >= ? AND direction = 'inbound'`

func readCalls(tx *gorm.DB, since time.Time) (bus.WallboardCalls, error) {
	var c struct{ Inbound, Abandoned int64 }
	if err := tx.Raw(callsSQL, reports.OutcomeAbandoned, since).Scan(&c).Error; err != nil {
		return bus.WallboardCalls{}, fmt.Errorf("wallboard: calls: %w", err)
	}
	return bus.WallboardCalls{Inbound: int(c.Inbound), Abandoned: int(c.Abandoned)}, nil
}

const queuesSQL = `SELECT id, code, name FROM queues WHERE archived_at IS NULL ORDER BY name, id`

type lineKey struct {
	queue   int64
	channel string
}

func (s *Service) readLines(tx *gorm.DB, since, now time.Time) ([]bus.WallboardLine, error) {
	var queues []struct {
		ID         int64
		Code, Name string
	}
	if err := tx.Raw(queuesSQL).Scan(&queues).Error; err != nil {
		return nil, fmt.Errorf("wallboard: queues: %w", err)
	}
	qi := map[int64]int{}
	for i, q := range queues {
		qi[q.ID] = i
	}
	lines := map[lineKey]*bus.WallboardLine{}
	line := func(q int64, ch string) *bus.WallboardLine {
		k := lineKey{q, ch}
		if l := lines[k]; l != nil {
			return l
		}
		i, ok := qi[q]
		if !ok {
			return nil
		}
		l := &bus.WallboardLine{QueueID: q, Queue: queues[i].Code, Name: queues[i].Name, Channel: ch,
			ThresholdSeconds: int64(s.threshold(ch) / time.Second)}
		lines[k] = l
		return l
	}
	var waiting []struct {
		QueueID int64
		Channel string
		N       int
		Oldest  *string
	}
	if err := tx.Raw(waitingSQL).Scan(&waiting).Error; err != nil {
		return nil, fmt.Errorf("wallboard: waiting: %w", err)
	}
	for _, w := range waiting {
		l := line(w.QueueID, w.Channel)
		if l == nil {
			continue
		}
		l.Waiting = w.N
		if t, ok := dbTime(w.Oldest); ok {
			l.LongestWaitSeconds = int64(max(now.Sub(t), 0) / time.Second)
		}
	}
	var today []struct {
		QueueID                                                                int64
		Channel                                                                string
		Offered, Answered, WaitS, Within, Decided, Abandoned, SLATotal, SLAMet int64
	}
	q, args := s.todayQuery(now, since)
	if err := tx.Raw(q, args...).Scan(&today).Error; err != nil {
		return nil, fmt.Errorf("wallboard: today: %w", err)
	}
	asa := map[lineKey]int64{}
	for _, r := range today {
		l := line(r.QueueID, r.Channel)
		if l == nil {
			continue
		}
		l.Offered, l.Answered, l.WithinThreshold, l.Decided = int(r.Offered), int(r.Answered), int(r.Within), int(r.Decided)
		l.Abandoned, l.SLATotal, l.SLAMet = int(r.Abandoned), int(r.SLATotal), int(r.SLAMet)
		asa[lineKey{r.QueueID, r.Channel}] = r.WaitS
	}
	out := make([]bus.WallboardLine, 0, len(lines))
	for k, l := range lines {
		l.ServiceLevel = percent(l.WithinThreshold, l.Decided)
		l.SLAPercent = percent(l.SLAMet, l.SLATotal)
		if l.Answered > 0 {
			l.ASASeconds = asa[k] / int64(l.Answered)
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := qi[out[i].QueueID], qi[out[j].QueueID]; a != b {
			return a < b
		}
		return out[i].Channel < out[j].Channel
	})
	return out, nil
}

// dbTime parses a timestamp an aggregate returned as text.
func dbTime(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if p, err := time.Parse(layout, *s); err == nil {
			return p, true
		}
	}
	return time.Time{}, false
}

// Reason is a not-ready reason.
type Reason struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	LabelID      string `json:"label_id"`
	LabelEN      string `json:"label_en"`
	LimitSeconds int    `json:"limit_seconds"`
	Position     int    `json:"position"`
	Retired      bool   `json:"retired"`
}

// Reasons lists the not-ready reasons in order; retired ones only when asked.
func (s *Service) Reasons(ctx context.Context, withRetired bool) ([]Reason, error) {
	q := `SELECT id, code, label_id, label_en, limit_seconds, position, retired_at FROM not_ready_reasons`
	if !withRetired {
		q += ` WHERE retired_at IS NULL`
	}
	var rows []struct {
		Reason
		RetiredAt *time.Time
	}
	if err := s.db.WithContext(ctx).Raw(q + ` ORDER BY position, id`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("wallboard: reasons: %w", err)
	}
	out := make([]Reason, 0, len(rows))
	for _, r := range rows {
		r.Reason.Retired = r.RetiredAt != nil
		out = append(out, r.Reason)
	}
	return out, nil
}

// ActiveReason reports whether code is a reason in use.
func (s *Service) ActiveReason(ctx context.Context, code string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM not_ready_reasons WHERE code = ? AND retired_at IS NULL`, code).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("wallboard: reason: %w", err)
	}
	return n > 0, nil
}

// SaveReason creates (id 0) or changes a reason.
func (s *Service) SaveReason(ctx context.Context, r Reason) (Reason, error) {
	var ve apperr.ValidationError
	r.Code = strings.ToLower(strings.TrimSpace(r.Code))
	r.LabelID, r.LabelEN = strings.TrimSpace(r.LabelID), strings.TrimSpace(r.LabelEN)
	if !domain.ValidCode(r.Code) {
		ve.Add("code", "validation.invalid")
	}
	if r.LabelID == "" {
		ve.Add("label_id", "validation.required")
	}
	if r.LabelEN == "" {
		ve.Add("label_en", "validation.required")
	}
	if r.LimitSeconds < 0 || r.LimitSeconds > 24*3600 {
		ve.Add("limit_seconds", "validation.invalid")
	}
	if err := ve.Err(); err != nil {
		return Reason{}, err
	}
	now := time.Now().UTC()
	tx := s.db.WithContext(ctx)
	var retired any
	if r.Retired {
		retired = now
	}
	if r.ID == 0 {
		if err := tx.Raw(`INSERT INTO not_ready_reasons (code, label_id, label_en, limit_seconds, position, retired_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Code, r.LabelID, r.LabelEN, r.LimitSeconds, r.Position, retired, now, now).Scan(&r.ID).Error; err != nil {
			if db.IsUniqueViolation(err) {
				ve.Add("code", "wallboard.reason_code_taken")
				return Reason{}, ve.Err()
			}
			return Reason{}, fmt.Errorf("wallboard: add reason: %w", err)
		}
		return r, nil
	}
	res := tx.Exec(`UPDATE not_ready_reasons SET code = ?, label_id = ?, label_en = ?, limit_seconds = ?, position = ?, retired_at = ?, updated_at = ? WHERE id = ?`,
		r.Code, r.LabelID, r.LabelEN, r.LimitSeconds, r.Position, retired, now, r.ID)
	if res.Error != nil {
		if db.IsUniqueViolation(res.Error) {
			ve.Add("code", "wallboard.reason_code_taken")
			return Reason{}, ve.Err()
		}
		return Reason{}, fmt.Errorf("wallboard: save reason: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Reason{}, ErrNotFound
	}
	return r, nil
}

// openTicketsSQL lists an agent's open tickets, on tickets_assignee_status_idx.
const openTicketsSQL = `SELECT id FROM tickets WHERE assignee_id = ? AND status IN ('new', 'open', 'pending') ORDER BY id`

// OpenTickets lists the ids of an agent's open tickets.
func (s *Service) OpenTickets(ctx context.Context, agentID int64) ([]int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(openTicketsSQL, agentID).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("wallboard: open tickets: %w", err)
	}
	return ids, nil
}
