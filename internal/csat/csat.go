// Package csat asks citizens how we did once their ticket is solved and
// keeps what they answer: a 1–5 rating with an optional comment, per
// solve, on the channel the citizen used.
//
// Guarantees, and what keeps them:
//   - Asked once per solve: a survey row per (ticket, round) is unique;
//     round is the solve's time ("solve:<solved_at>"), so every instance
//     and every redelivery of one solve finds the same survey, and a
//     ticket reopened and solved again gets a new one.
//   - Rated once per survey: csat_responses is keyed by the survey; a
//     second answer (another channel, a double click, a provider's retry)
//     is ErrAlreadyRated and changes nothing.
//   - Commented once: a citizen who rated without a comment (a WhatsApp
//     tap, the keypad) may add one through the survey's link while it
//     takes answers (AddComment); one conditional UPDATE sets it only on
//     an answer that has none, so a second is ErrAlreadyCommented.
//   - Asking is durable work: the ticket.updated event of a solve (core
//     NATS, a queue subscription so one instance takes it) becomes a job
//     on the JOBS stream ("csat"/"solve"); its worker makes the survey and
//     hands the channels that push a question (WhatsApp, live chat) their
//     own job ("<channel>"/"csat"), each deduplicated by the survey id. An
//     event lost while no instance listens loses that question: the survey
//     is still made when notify asks for the link (SurveyURL).
//   - A survey link is unguessable and expires (token.go); nothing of it
//     is stored.
//   - A rating at or below AlertMax records an alert in the same
//     transaction and pushes csat.alert to the queue's supervisors; a
//     comment added later pushes csat.commented (with the alert's id) once
//     it is stored.
package csat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/permission"
	"tanggap/internal/tracing"
)

// Job names on the JOBS stream.
const (
	jobChannel = envelope.Channel("csat")
	jobSolve   = "solve"
	// JobAsk is the kind of the job a pushing channel's adapter works:
	// bus.Names.Job(<channel>, JobAsk) carries an Ask.
	JobAsk = "csat"
)

// Answered-by values: how the rating arrived.
const (
	ByLink     = "link"
	ByStatus   = "status_page"
	ByWhatsApp = "whatsapp"
	ByLiveChat = "livechat"
	ByPhone    = "phone"
)

// viaCovered marks the row of a phone solve whose caller rated the call
// since the previous solve: the solve is not asked again, and the row is
// where the next solve's "since" starts. It takes no answer and the
// report does not count it.
const viaCovered = "covered"

// Config is the satisfaction settings.
type Config struct {
	// LinkTTL is how long a survey (and its link) takes answers (default 7 days).
	LinkTTL time.Duration
	// SatisfiedMin: ratings at or above it count as satisfied (default 4).
	SatisfiedMin int
	// AlertMax: ratings at or below it alert the queue's supervisors (1–4, default 2).
	AlertMax int
}

// Opts configures the service.
type Opts struct {
	DB  *db.DB
	Bus *bus.Bus
	// Secret signs survey links (the deployment's signing secret; a key
	// for this purpose is derived from it).
	Secret []byte
	// PublicURL is the base of survey links (no trailing slash).
	PublicURL string
	Config    Config
	// Push lists the channels whose adapters put the question to the
	// citizen themselves (they work bus.Names.Job(channel, JobAsk)).
	Push []string
	Log  *slog.Logger
	Now  func() time.Time
}

// Service is the satisfaction service.
type Service struct {
	o     Opts
	key   []byte
	store *store
}

// New returns the service.
func New(o Opts) *Service {
	if o.Config.LinkTTL <= 0 {
		o.Config.LinkTTL = 7 * 24 * time.Hour
	}
	if o.Config.SatisfiedMin < 1 || o.Config.SatisfiedMin > 5 {
		o.Config.SatisfiedMin = 4
	}
	if o.Config.AlertMax <= 0 || o.Config.AlertMax > 5 {
		o.Config.AlertMax = 2
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return &Service{o: o, key: tokenKey(o.Secret), store: &store{db: o.DB}}
}

// Config is the service's settings (defaults applied).
func (s *Service) Config() Config { return s.o.Config }

// Ask is the job a pushing channel gets: put the question to the citizen
// of TicketID. Choices go back with Token (ButtonID, or the chat's rating
// frame).
type Ask struct {
	SurveyID       int64     `json:"survey_id"`
	TicketID       int64     `json:"ticket_id"`
	TrackingNumber string    `json:"tracking_number"`
	ContactID      int64     `json:"contact_id"`
	Token          string    `json:"token"`
	URL            string    `json:"url"`
	ExpiresAt      time.Time `json:"expires_at"`
	// Phone is the citizen's number in E.164 ("" when none); LastInboundAt
	// their last message on the ticket (a WhatsApp service window opens
	// there).
	Phone         string     `json:"phone,omitempty"`
	LastInboundAt *time.Time `json:"last_inbound_at,omitempty"`
}

// solveJob is the durable form of a solve event.
type solveJob struct {
	TicketID int64 `json:"ticket_id"`
}

// Run listens for solves and works the asking jobs until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	b := s.o.Bus
	sub, err := b.NC.QueueSubscribe(b.Names.Event(bus.EntityTicket, bus.ActionUpdated), "csat-solves", func(m *nats.Msg) {
		var ev bus.TicketUpdated
		if err := json.Unmarshal(m.Data, &ev); err != nil || ev.Status != domain.StatusSolved || ev.TicketID == 0 {
			return
		}
		// The solve's trace goes on to the asking job.
		pctx, cancel := context.WithTimeout(tracing.Extract(ctx, m.Header), 5*time.Second)
		defer cancel()
		key := strconv.FormatInt(ev.TicketID, 10) + ":" + strconv.FormatInt(ev.At.UnixNano(), 10)
		if err := b.PublishJob(pctx, jobChannel, jobSolve, key, solveJob{TicketID: ev.TicketID}); err != nil {
			s.o.Log.Warn("csat: queue solve", "ticket_id", ev.TicketID, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("csat: subscribe: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	return b.RunJobs(ctx, bus.JobOpts{Channel: jobChannel, Kind: jobSolve, Log: s.o.Log}, s.workSolve)
}

func (s *Service) workSolve(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
	var j solveJob
	if err := json.Unmarshal(data, &j); err != nil || j.TicketID == 0 {
		s.o.Log.Warn("csat: bad solve job dropped", "err", err)
		return bus.JobDrop, 0
	}
	if err := s.AskSolved(ctx, j.TicketID); err != nil {
		if attempt >= 8 {
			s.o.Log.Error("csat: ask failed for good", "ticket_id", j.TicketID, "err", err)
			return bus.JobDrop, 0
		}
		s.o.Log.Warn("csat: ask", "ticket_id", j.TicketID, "attempt", attempt, "err", err)
		return bus.JobRetry, min(time.Duration(attempt)*2*time.Second, time.Minute)
	}
	return bus.JobDone, 0
}

// AskSolved makes the survey of a solved ticket's current solve and, on a
// pushing channel, queues the question. A ticket no longer solved, or a
// phone ticket whose caller rated the call since the last solve, is not
// asked. Safe to repeat.
func (s *Service) AskSolved(ctx context.Context, ticketID int64) error {
	sv, t, err := s.solveSurvey(ctx, ticketID)
	if errors.Is(err, ErrNoSurvey) {
		return nil
	}
	if err != nil {
		return err
	}
	if sv.AskedAt != nil || !slices.Contains(s.o.Push, sv.Channel) {
		return s.store.markAsked(ctx, sv.ID, s.o.Now().UTC())
	}
	ask := Ask{SurveyID: sv.ID, TicketID: sv.TicketID, TrackingNumber: t.TrackingNumber, ContactID: t.ContactID,
		Token: s.sign(sv.ID, sv.ExpiresAt), ExpiresAt: sv.ExpiresAt}
	ask.URL = s.link(ask.Token)
	if ask.Phone, ask.LastInboundAt, err = s.store.reach(ctx, t.ContactID, t.ID); err != nil {
		return err
	}
	b := s.o.Bus
	if err := b.PublishJob(ctx, envelope.Channel(sv.Channel), JobAsk, strconv.FormatInt(sv.ID, 10), ask); err != nil {
		return fmt.Errorf("csat: queue ask: %w", err)
	}
	return s.store.markAsked(ctx, sv.ID, s.o.Now().UTC())
}

// solveSurvey returns (making it when missing) the survey of a solved
// ticket's current solve; ErrNoSurvey when the ticket is not solved or a
// phone rating covers this solve.
func (s *Service) solveSurvey(ctx context.Context, ticketID int64) (Survey, ticketRow, error) {
	t, err := s.store.ticket(ctx, s.o.DB.DB, ticketID)
	if err != nil {
		return Survey{}, t, err
	}
	if t.Status != domain.StatusSolved || t.SolvedAt == nil {
		return Survey{}, t, ErrNoSurvey
	}
	round := "solve:" + strconv.FormatInt(t.SolvedAt.UnixNano(), 10)
	if sv, err := s.store.oneSurvey(ctx, s.o.DB.DB, sqlSurveyByRound, t.ID, round); err == nil {
		if sv.Via == viaCovered {
			return Survey{}, t, ErrNoSurvey
		}
		return sv, t, nil
	} else if !isNotFound(err) {
		return Survey{}, t, err
	}
	if t.Channel == string(domain.ChannelVoice) {
		// A keypad rating given since the ticket's previous solve covers
		// this one. Every solve leaves its row (a covered one too), so
		// the previous solve's row is where "since" starts: a call rated
		// in an earlier round never silences a later solve.
		since := time.Time{}
		if prev, err := s.store.oneSurvey(ctx, s.o.DB.DB, sqlLatestSolveSurvey, t.ID); err == nil {
			since = prev.CreatedAt
		} else if !isNotFound(err) {
			return Survey{}, t, err
		}
		rated, err := s.store.callAnsweredSince(ctx, t.ID, since)
		if err != nil {
			return Survey{}, t, err
		}
		if rated {
			now := s.o.Now().UTC()
			if _, _, err := s.store.ensureSurvey(ctx, t, round, viaCovered, now, now); err != nil {
				return Survey{}, t, err
			}
			return Survey{}, t, ErrNoSurvey
		}
	}
	now := s.o.Now().UTC()
	sv, _, err := s.store.ensureSurvey(ctx, t, round, "", now, now.Add(s.o.Config.LinkTTL))
	return sv, t, err
}

// link is the survey page of a token: the status page with the rating card.
func (s *Service) link(token string) string {
	return s.o.PublicURL + "/pengaduan/status?" + url.Values{"csat": {token}}.Encode()
}

// Link is the survey page of a token for a message that leaves the site
// (the WhatsApp thanks inviting a comment): "" when no public address is
// configured, as a relative link means nothing there.
func (s *Service) Link(token string) string {
	if !strings.HasPrefix(s.o.PublicURL, "https://") && !strings.HasPrefix(s.o.PublicURL, "http://") {
		return ""
	}
	return s.link(token)
}

// SurveyURL is the survey link of a ticket's current solve, for the
// notification that tells the citizen it is solved (notify's
// SurveyLinker). The same solve always gives the same link. ErrNoSurvey
// when the ticket is not solved (or its phone caller rated the call).
func (s *Service) SurveyURL(ctx context.Context, ticketID int64) (string, error) {
	sv, _, err := s.solveSurvey(ctx, ticketID)
	if err != nil {
		return "", err
	}
	return s.link(s.sign(sv.ID, sv.ExpiresAt)), nil
}

// OpenToken is the token of the current solve's survey of a ticket while
// it waits for an answer: for the status page, after the citizen looked
// their ticket up. It only reads: the survey is made by the solve's job
// (or the notification), never here. ErrNoSurvey when the ticket is not
// solved, its survey is not made yet, answered, expired, or covered by a
// keypad rating.
func (s *Service) OpenToken(ctx context.Context, ticketID int64) (string, error) {
	t, err := s.store.ticket(ctx, s.o.DB.DB, ticketID)
	if err != nil {
		return "", err
	}
	if t.Status != domain.StatusSolved || t.SolvedAt == nil {
		return "", ErrNoSurvey
	}
	sv, err := s.store.oneSurvey(ctx, s.o.DB.DB, sqlSurveyByRound, t.ID, "solve:"+strconv.FormatInt(t.SolvedAt.UnixNano(), 10))
	if isNotFound(err) || err == nil && (sv.Via == viaCovered || !s.o.Now().Before(sv.ExpiresAt)) {
		return "", ErrNoSurvey
	}
	if err != nil {
		return "", err
	}
	r, err := s.store.response(ctx, sv.ID)
	if err != nil {
		return "", err
	}
	if r != nil {
		return "", ErrNoSurvey
	}
	return s.sign(sv.ID, sv.ExpiresAt), nil
}

// CallSurvey opens the keypad survey of a phone call an agent answered:
// the ticket is the one the call's message (channel, providerMessageID)
// landed in. It returns the token the keypad's answer comes back with.
func (s *Service) CallSurvey(ctx context.Context, channel, providerMessageID, callID string) (string, error) {
	tid, err := s.store.callTicket(ctx, channel, providerMessageID)
	if err != nil {
		return "", err
	}
	t, err := s.store.ticket(ctx, s.o.DB.DB, tid)
	if err != nil {
		return "", err
	}
	now := s.o.Now().UTC()
	sv, _, err := s.store.ensureSurvey(ctx, t, "call:"+callID, ByPhone, now, now.Add(s.o.Config.LinkTTL))
	if err != nil {
		return "", err
	}
	if err := s.store.markAsked(ctx, sv.ID, now); err != nil {
		return "", err
	}
	return s.sign(sv.ID, sv.ExpiresAt), nil
}

// Open is a survey as the rating card shows it.
type Open struct {
	TrackingNumber string    `json:"tracking_number"`
	ExpiresAt      time.Time `json:"expires_at"`
	Rated          bool      `json:"rated"`
	Rating         int       `json:"rating,omitempty"`
	// Commented: the answer has its comment. A rated survey without one
	// still takes a comment (AddComment).
	Commented bool `json:"commented"`
}

// Survey checks a token and returns what the rating card needs.
func (s *Service) Survey(ctx context.Context, token string) (Open, error) {
	sv, t, err := s.byToken(ctx, token)
	if err != nil {
		return Open{}, err
	}
	o := Open{TrackingNumber: t.TrackingNumber, ExpiresAt: sv.ExpiresAt}
	r, err := s.store.response(ctx, sv.ID)
	if err != nil {
		return Open{}, err
	}
	if r != nil {
		o.Rated, o.Rating, o.Commented = true, r.Rating, r.Comment != ""
	}
	return o, nil
}

func (s *Service) byToken(ctx context.Context, token string) (Survey, ticketRow, error) {
	id, exp, err := parseToken(s.key, token)
	if err != nil {
		return Survey{}, ticketRow{}, err
	}
	if !s.o.Now().Before(exp) {
		return Survey{}, ticketRow{}, ErrExpired
	}
	sv, err := s.store.oneSurvey(ctx, s.o.DB.DB, sqlSurveyByID, id)
	if err != nil {
		return Survey{}, ticketRow{}, err
	}
	if !sv.ExpiresAt.Equal(exp) && sv.ExpiresAt.Unix() != exp.Unix() {
		return Survey{}, ticketRow{}, ErrBadToken
	}
	t, err := s.store.ticket(ctx, s.o.DB.DB, sv.TicketID)
	return sv, t, err
}

// Rate records the answer to the survey of token. by is how it came
// (ByLink, ByWhatsApp, …). ErrAlreadyRated for a second answer.
func (s *Service) Rate(ctx context.Context, token string, a Answer, by string) error {
	a, err := ParseAnswer(a.Rating, a.Comment)
	if err != nil {
		return err
	}
	sv, t, err := s.byToken(ctx, token)
	if err != nil {
		return err
	}
	now := s.o.Now().UTC()
	low := a.Rating <= s.o.Config.AlertMax
	alertID, sups, err := s.store.record(ctx, sv, a, by, low, now)
	if err != nil {
		return err
	}
	scope := bus.Scope{TicketID: sv.TicketID, QueueID: deref(sv.QueueID), AssigneeID: deref(sv.AgentID)}
	s.o.Bus.EmitCtx(ctx, bus.CSATRated{Scope: scope, TrackingNumber: t.TrackingNumber, SurveyID: sv.ID, Rating: a.Rating, Channel: sv.Channel, At: now})
	if low {
		if sups == nil {
			sups = []int64{}
		}
		s.o.Bus.EmitCtx(ctx, bus.CSATLowRating{Scope: scope, AlertID: alertID, TrackingNumber: t.TrackingNumber, Rating: a.Rating,
			Channel: sv.Channel, SupervisorIDs: sups, At: now})
	}
	s.o.Log.Info("csat: rated", "ticket_id", sv.TicketID, "survey_id", sv.ID, "rating", a.Rating, "by", by)
	return nil
}

// AddComment adds the comment of a survey rated without one (a WhatsApp
// tap, the keypad, a form left blank): through the survey's link, while
// it takes answers (the token's rules, as for Rate). by is how it came
// (ByLink, ByStatus). ErrNoComment for an empty comment, ErrBadRating for
// one too long, ErrNotRated before the rating, ErrAlreadyCommented when
// the answer has its comment. A low rating's alert shows the comment (the
// alerts read it from the answer). Once stored, csat.commented tells the
// consoles (the rating's scope and its alert, never the comment).
func (s *Service) AddComment(ctx context.Context, token, comment, by string) error {
	c, err := ParseComment(comment)
	if err != nil {
		return err
	}
	if c == "" {
		return ErrNoComment
	}
	sv, t, err := s.byToken(ctx, token)
	if err != nil {
		return err
	}
	now := s.o.Now().UTC()
	rating, err := s.store.addComment(ctx, sv.ID, c, by, now)
	if err != nil {
		return err
	}
	// The comment is stored: a failed look-up of the alert costs the
	// event its alert_id (screens also match the ticket), not the answer.
	alertID, err := s.store.alertOf(ctx, sv.ID)
	if err != nil {
		s.o.Log.Warn("csat: comment's alert", "survey_id", sv.ID, "err", err)
	}
	scope := bus.Scope{TicketID: sv.TicketID, QueueID: deref(sv.QueueID), AssigneeID: deref(sv.AgentID)}
	s.o.Bus.EmitCtx(ctx, bus.CSATCommented{Scope: scope, TrackingNumber: t.TrackingNumber, SurveyID: sv.ID, AlertID: alertID,
		Rating: rating, Channel: sv.Channel, At: now})
	s.o.Log.Info("csat: commented", "ticket_id", sv.TicketID, "survey_id", sv.ID, "by", by)
	return nil
}

// TicketRatings lists a ticket's ratings (the caller checked the viewer
// may see the ticket).
func (s *Service) TicketRatings(ctx context.Context, ticketID int64) ([]TicketRating, error) {
	return s.store.ticketRatings(ctx, ticketID)
}

// AgentFigures is an agent's own satisfaction over a period.
type AgentFigures struct {
	Responses    int     `json:"responses"`
	Average      float64 `json:"average"`
	Satisfied    float64 `json:"satisfied_pct"`
	SatisfiedMin int     `json:"satisfied_min"`
	Days         int     `json:"days"`
}

// AgentFigures returns the agent's ratings of the last days days.
func (s *Service) AgentFigures(ctx context.Context, agentID int64, days int) (AgentFigures, error) {
	if days <= 0 || days > 366 {
		days = 30
	}
	f, err := s.store.agentFigures(ctx, agentID, s.o.Now().UTC().AddDate(0, 0, -days), s.o.Config.SatisfiedMin)
	if err != nil {
		return AgentFigures{}, err
	}
	out := AgentFigures{Responses: f.N, SatisfiedMin: s.o.Config.SatisfiedMin, Days: days}
	if f.N > 0 {
		out.Average = round2(float64(f.Total) / float64(f.N))
		out.Satisfied = round2(100 * float64(f.Satisfied) / float64(f.N))
	}
	return out, nil
}

// Alerts lists the latest low ratings the viewer supervises: admins see
// every queue, supervisors their queues.
func (s *Service) Alerts(ctx context.Context, viewer agent.Agent, limit int) ([]Alert, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.store.alerts(ctx, viewer.QueueIDs, viewer.Can(permission.QueuesAll), limit)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
