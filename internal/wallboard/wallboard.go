// Package wallboard computes the supervisors' live wallboard (agents with
// their state, not-ready reason, load and tickets; each queue and channel
// today) and pushes it on the console socket as queue.wallboard.
//
// Guarantees, and what keeps them:
//   - A change shows within the interval (default 500 ms): every event
//     that changes the figures (ticket arrival, status and moves, agent
//     presence, SLA breach; not messages, typing or tags) marks the board
//     dirty, and the publisher
//     computes and emits it at most once per interval. Instances share the
//     events through a NATS queue group, so each event wakes one instance,
//     not all of them. A call that ends emits no event: today's calls
//     show with the next event or the periodic push (every 30 s).
//   - The board reads staff tables plus three ticket statements and one
//     of today's calls, each served by an index (tickets_assignee_status_idx,
//     the waiting-ticket partial index, tickets_created_idx,
//     voice_calls_started_idx: see the EXPLAIN test); the
//     day's figures are summed per queue and channel in the database, by
//     the reports' rules (reports/rules.go).
//   - The socket only hints: GET /api/v1/wallboard computes the same board
//     on demand, and the console refetches on (re)connect.
package wallboard

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/db"
)

// Opts configures the service.
type Opts struct {
	DB *db.DB
	// Thresholds are the service-level thresholds per channel; a channel
	// without one uses DefaultThreshold.
	Thresholds map[string]time.Duration
	// Zone is the day's time zone (default Asia/Jakarta: WIB).
	Zone *time.Location
	Log  *slog.Logger
}

// DefaultThreshold is the service-level threshold of a channel not
// configured.
const DefaultThreshold = 5 * time.Minute

// DefaultThresholds: a call within 20 s, a chat within 60 s, WhatsApp
// within 5 min, a web form within 4 h.
func DefaultThresholds() map[string]time.Duration {
	return map[string]time.Duration{"voice": 20 * time.Second, "livechat": time.Minute, "whatsapp": 5 * time.Minute, "webform": 4 * time.Hour}
}

// Service computes the wallboard and keeps the not-ready reasons.
type Service struct {
	db         *db.DB
	thresholds map[string]time.Duration
	zone       *time.Location
	log        *slog.Logger
}

// New returns the service.
func New(o Opts) *Service {
	if o.Thresholds == nil {
		o.Thresholds = DefaultThresholds()
	}
	if o.Zone == nil {
		z, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			z = time.FixedZone("WIB", 7*3600)
		}
		o.Zone = z
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, thresholds: o.Thresholds, zone: o.Zone, log: o.Log}
}

// ParseThresholds reads "voice=20s,livechat=1m,whatsapp=5m": a channel
// code and a Go duration per item. Empty gives the defaults.
func ParseThresholds(s string) (map[string]time.Duration, error) {
	out := DefaultThresholds()
	s = strings.TrimSpace(s)
	if s == "" {
		return out, nil
	}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("wallboard: threshold %q: want channel=duration", item)
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			if n, nerr := strconv.Atoi(strings.TrimSpace(v)); nerr == nil {
				d, err = time.Duration(n)*time.Second, nil
			}
		}
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("wallboard: threshold %q: want a positive duration such as 20s", item)
		}
		out[k] = d
	}
	return out, nil
}

func (s *Service) threshold(channel string) time.Duration {
	if d, ok := s.thresholds[channel]; ok {
		return d
	}
	return DefaultThreshold
}

// Board computes the wallboard at now.
func (s *Service) Board(ctx context.Context, now time.Time) (bus.Wallboard, error) {
	local := now.In(s.zone)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.zone).UTC()
	b := bus.Wallboard{Day: local.Format("2006-01-02"), At: now.UTC(),
		Agents: []bus.WallboardAgent{}, Lines: []bus.WallboardLine{}, Reasons: []bus.WallboardReason{}}
	tx := s.db.WithContext(ctx)
	agents, err := readAgents(tx)
	if err != nil {
		return b, err
	}
	if err := fillTickets(tx, agents); err != nil {
		return b, err
	}
	b.Agents = agents
	lines, err := s.readLines(tx, midnight, now)
	if err != nil {
		return b, err
	}
	b.Lines = lines
	if b.Calls, err = readCalls(tx, midnight); err != nil {
		return b, err
	}
	reasons, err := s.Reasons(ctx, false)
	if err != nil {
		return b, err
	}
	for _, r := range reasons {
		b.Reasons = append(b.Reasons, bus.WallboardReason{Code: r.Code, LabelID: r.LabelID, LabelEN: r.LabelEN, LimitSeconds: r.LimitSeconds})
	}
	return b, nil
}

func percent(n, of int) float64 {
	if of == 0 {
		return -1
	}
	return float64(int(float64(n)*1000/float64(of)+0.5)) / 10
}
