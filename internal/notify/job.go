package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/mask"
)

// work is the job handler: database trouble retries the job; whatever
// happens with providers is settled per route inside process.
func (s *Service) work(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
	var j job
	if err := json.Unmarshal(data, &j); err != nil || j.Key == "" || j.TicketID <= 0 {
		s.log.Warn("notify: bad job dropped", "err", err)
		return bus.JobDrop, 0
	}
	out, delay, err := s.process(ctx, j)
	if errors.Is(err, errNoTicket) {
		s.failures.forget(j.Key)
		return bus.JobDone, 0
	}
	if err == nil && out == bus.JobDone && j.Kind == KindReply {
		// The status notices held behind this reply may go (replyAhead).
		err = s.store.noticeDone(ctx, j.Key, j.TicketID, s.o.Now().UTC())
	}
	if err != nil {
		// The backoff counts this job's failures in a row, not its
		// deliveries: a notice that waited its turn a hundred times is not
		// a hundred failures.
		n := s.failures.add(j.Key, s.o.Now())
		if ctx.Err() == nil {
			s.log.Warn("notify: job", "key", j.Key, "attempt", attempt, "failures", n, "err", err)
		}
		return bus.JobRetry, s.backoff(n)
	}
	s.failures.forget(j.Key)
	return out, delay
}

// failureCounts counts each job's failures in a row on this instance (a
// job that moves to another instance starts again at one, which only
// shortens its first wait there). A job that failed here and then ended
// elsewhere leaves its count behind: once there are many, counts not
// added to for an hour (the longest backoff is ten minutes) are dropped,
// looked for at most every ten minutes so that an outage's thousands of
// failing jobs do not each sweep the map.
type failureCounts struct {
	mu    sync.Mutex
	n     map[string]failureCount
	swept time.Time
}

type failureCount struct {
	n    int
	last time.Time
}

// failureCountsKept is how many counts may be kept before the stale ones
// are looked for.
const failureCountsKept = 1000

func (f *failureCounts) add(key string, now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]failureCount{}
	}
	if len(f.n) >= failureCountsKept && now.Sub(f.swept) >= 10*time.Minute {
		f.swept = now
		for k, c := range f.n {
			if now.Sub(c.last) > time.Hour {
				delete(f.n, k)
			}
		}
	}
	c := f.n[key]
	c.n++
	c.last = now
	f.n[key] = c
	return c.n
}

func (f *failureCounts) forget(key string) {
	f.mu.Lock()
	delete(f.n, key)
	f.mu.Unlock()
}

// replyPoll is how often a status notice held behind a reply looks again.
const replyPoll = time.Second

// heldByReply reports whether status notice j waits for an agent reply
// written before it was queued (and at most ReplyHold before) whose own
// notice has not gone out: still on its way to the status page, or its
// job not done. Past ReplyHold after queuing it waits no more. A job
// queued before Queued existed (an upgrade) does not wait.
func (s *Service) heldByReply(ctx context.Context, t ticketInfo, j job) (bool, error) {
	if j.MessageID != 0 || (j.Kind != KindSolved && j.Kind != KindMoreInfo) || j.Queued.IsZero() {
		return false, nil
	}
	id, err := s.store.replyAhead(ctx, t.ID, j.Queued.Add(-s.o.ReplyHold), j.Queued)
	if err != nil || id == 0 {
		return false, err
	}
	if s.o.Now().Sub(j.Queued) < s.o.ReplyHold {
		return true, nil
	}
	s.log.Info("notify: status notice goes before an earlier reply's notice, held long enough", "key", j.Key, "reply_message_id", id)
	return false, nil
}

// observe tells the observer, if any, what became of one send on route r.
func (s *Service) observe(r Route, outcome string) {
	if s.o.Observe != nil {
		s.o.Observe.NotifySend(string(r), outcome)
	}
}

// backoff is the wait before retry n: Backoff doubled per attempt, at most
// ten minutes.
func (s *Service) backoff(n int) time.Duration {
	d := s.o.Backoff
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// process sends j on the first route that has not failed, and settles it.
func (s *Service) process(ctx context.Context, j job) (bus.JobOutcome, time.Duration, error) {
	t, err := s.store.ticket(ctx, j.TicketID)
	if err != nil {
		return 0, 0, err
	}
	if superseded(j.Key, t) {
		s.log.Debug("notify: status notice superseded", "key", j.Key, "status_seq", t.StatusSeq)
		return bus.JobDone, 0, nil
	}
	routes, err := s.routes(ctx, t, j)
	if err != nil || len(routes) == 0 {
		return bus.JobDone, 0, err
	}
	if held, err := s.heldByReply(ctx, t, j); err != nil {
		return 0, 0, err
	} else if held {
		s.heldTimes.Add(1)
		return bus.JobWait, replyPoll, nil
	}
	lang := locale.Default
	if l, err := s.store.lang(ctx, t.ID); err != nil {
		return 0, 0, err
	} else if n, ok := locale.Normalize(l); ok {
		lang = n
	}
	survey, surveyFetched := "", false
	for _, r := range routes {
		// The provider's pace first: a token is spent even when the row
		// turns out settled, which costs nothing but a little pacing.
		if err := s.buckets[r].wait(ctx); err != nil {
			return 0, 0, err
		}
		d, created, err := s.store.claim(ctx, j.Key, r, t.ID, j.Kind, s.o.Now().UTC())
		if err != nil {
			return 0, 0, err
		}
		switch {
		case created:
			s.emit(ctx, t, d) // sending, attempt 1: ours
		case d.Status == StatusSent && r == RouteSMS:
			// Never twice; a status Twilio sent before the SID was
			// recorded may still wait (the first try failed to apply it).
			return bus.JobDone, 0, s.applyEarlySMS(ctx, d)
		case d.Status == StatusSent || d.Status == StatusDelivered:
			return bus.JobDone, 0, nil // never twice
		case d.Status == StatusFailed:
			continue // fall back to the next route
		case d.Status == StatusSending:
			// An earlier attempt stopped between asking the provider and
			// recording the answer: it may have been sent. Not again.
			if err := s.settle(ctx, t, d, StatusSending, StatusFailed, "", reasonInterrupted); err != nil {
				return 0, 0, err
			}
			return bus.JobDone, 0, nil
		default: // queued: a retry after a temporary failure
			ok, err := s.store.startSend(ctx, d.ID, s.o.Now().UTC())
			if err != nil {
				return 0, 0, err
			}
			if !ok {
				return bus.JobWait, time.Second, nil // another worker has it
			}
			d.Attempts++
			d.Status = StatusSending
		}
		if !surveyFetched {
			survey, surveyFetched = s.surveyLink(ctx, t, j), true
		}
		m, err := s.compose(ctx, t, j.Kind, r, lang, survey)
		if err == nil {
			s.addressBack(&m, d)
		}
		var pid string
		if err == nil {
			pid, err = s.o.Providers[r].Send(ctx, m)
		}
		if err == nil {
			s.observe(r, OutcomeSent)
			if err := s.settle(ctx, t, d, StatusSending, StatusSent, pid, ""); err != nil || r != RouteSMS {
				return bus.JobDone, 0, err
			}
			// The SID is recorded: a status Twilio sent before it was
			// (twilio.go) is applied now. An error retries the job, which
			// finds the row sent and tries this again.
			d.Status, d.ProviderID = StatusSent, pid
			return bus.JobDone, 0, s.applyEarlySMS(ctx, d)
		}
		reason := err.Error()
		if IsPermanent(err) || d.Attempts >= s.o.MaxAttempts {
			s.observe(r, OutcomeFailed)
			if err := s.settle(ctx, t, d, StatusSending, StatusFailed, "", reason); err != nil {
				return 0, 0, err
			}
			continue
		}
		s.observe(r, OutcomeRetry)
		if err := s.settle(ctx, t, d, StatusSending, StatusQueued, "", reason); err != nil {
			return 0, 0, err
		}
		delay := s.backoff(d.Attempts)
		var ra *RetryAfterError
		if errors.As(err, &ra) && ra.After > delay {
			delay = ra.After
		}
		return bus.JobRetry, delay, nil
	}
	return bus.JobDone, 0, nil
}

// surveyLink is the survey link of a "solved" notification: the one kept
// for it if an earlier attempt fetched it, otherwise fetched now and kept,
// so every retry and route of one notification carries the same link and
// the survey is asked for once. A failure leaves the link out.
func (s *Service) surveyLink(ctx context.Context, t ticketInfo, j job) string {
	if j.Kind != KindSolved || s.o.Survey == nil {
		return ""
	}
	_, kept, err := s.store.notice(ctx, j.Key)
	if err != nil {
		s.log.Warn("notify: survey link", "ticket_id", t.ID, "err", err)
	}
	if kept != "" {
		return kept
	}
	u, err := s.o.Survey.SurveyURL(ctx, t.ID)
	if err != nil {
		s.log.Warn("notify: survey link", "ticket_id", t.ID, "err", err)
		return ""
	}
	kept, err = s.store.keepSurvey(ctx, j.Key, t.ID, u, s.o.Now().UTC())
	if err != nil || kept == "" {
		s.log.Warn("notify: keep survey link", "ticket_id", t.ID, "err", err)
		return u
	}
	return kept
}

const reasonInterrupted = "interrupted while sending; not sent again so that the citizen never gets it twice"

// settle moves d from one status to another, stores it and tells the
// console.
func (s *Service) settle(ctx context.Context, t ticketInfo, d Delivery, from, to Status, providerID, reason string) error {
	ok, err := s.store.settle(ctx, d.ID, from, to, providerID, reason, s.o.Now().UTC())
	if err != nil || !ok {
		return err
	}
	d.Status, d.Reason, d.ProviderID = to, reason, providerID
	s.emit(ctx, t, d)
	return nil
}

func (s *Service) emit(ctx context.Context, t ticketInfo, d Delivery) {
	bus.EmitIn(ctx, s.events, bus.TicketNotified{
		Scope:      bus.Scope{TicketID: t.ID, QueueID: nullID(t.QueueID), AssigneeID: nullID(t.AssigneeID)},
		DeliveryID: d.ID, Route: string(d.Route), Kind: string(d.Kind), Status: string(d.Status), Attempts: d.Attempts,
		Reason: mask.Preview(d.Reason), At: s.o.Now().UTC(),
	})
}

func nullID(n sql.NullInt64) int64 {
	if n.Valid {
		return n.Int64
	}
	return 0
}

// routes are the configured routes, in order, by which this citizen may
// be told of j: only when they are not on a live channel, and only to an
// address they gave (the form's e-mail or phone, the caller's number) or
// the WhatsApp conversation they opened.
func (s *Service) routes(ctx context.Context, t ticketInfo, j job) ([]Route, error) {
	ch := domain.Channel(t.Channel)
	if j.MessageID != 0 {
		_, dir, msgCh, err := s.store.message(ctx, j.MessageID)
		if err != nil {
			return nil, err
		}
		// Only agent replies; WhatsApp replies are the adapter's business.
		if domain.Direction(dir) != domain.DirectionOut || domain.Channel(msgCh) == domain.ChannelWhatsApp {
			return nil, nil
		}
	} else {
		switch ch {
		case domain.ChannelLiveChat, domain.ChannelWhatsApp:
			last, err := s.store.lastInbound(ctx, t.ID)
			if err != nil {
				return nil, err
			}
			idle := s.o.LiveIdle
			if ch == domain.ChannelWhatsApp {
				idle = s.o.WhatsAppWindow
			}
			if !last.IsZero() && s.o.Now().Sub(last) < idle {
				return nil, nil // still on the channel: it tells them
			}
		}
	}
	var out []Route
	for _, r := range s.o.Routes {
		if s.o.Providers[r] == nil {
			continue
		}
		switch r {
		case RouteEmail:
			if t.ReporterEmail != "" {
				out = append(out, r)
			}
		case RouteSMS:
			if t.ReporterPhone != "" && ch != domain.ChannelWhatsApp {
				out = append(out, r)
			}
		case RouteWhatsApp:
			if t.ReporterPhone != "" && ch == domain.ChannelWhatsApp {
				if ok, err := s.hasWhatsAppTemplate(ctx); err != nil {
					return nil, err
				} else if ok {
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

// Deliveries lists a ticket's notifications, newest first. The caller
// checks that the viewer may see the ticket.
func (s *Service) Deliveries(ctx context.Context, ticketID int64) ([]Delivery, error) {
	return s.store.list(ctx, ticketID)
}
