// Package webhooks keeps the health of the providers' webhooks for the
// admins: per channel, how many deliveries were refused lately, the last
// refusal's time and reason, and when one was last accepted. A wrong
// WHATSAPP_APP_SECRET refuses every delivery with a 401; without this the
// admins saw it only in a metric and the log.
//
// Guarantees, and what keeps them:
//   - No database work per request: Accepted and Refused only count in
//     memory under a mutex. Run adds the counts to the database once a
//     second, one upsert per (hour, channel, reason) that moved and one
//     per channel accepted, so a flood of bad requests costs at most
//     channels × reasons writes a second (TestFloodIsOneWrite).
//   - Bounded memory: only the channels of domain.Channels and the reason
//     codes below are kept; anything else is counted as its channel's
//     "payload" or dropped (an unknown path names no channel).
//   - Several instances: each adds its own counts (refused = refused +
//     excluded.refused) and keeps the later time, so the screen shows the
//     sum of all instances.
//   - Bounded table: hours older than Keep are purged once an hour, the
//     first time PurgeFirst after start (an instance may start before
//     another, or its own core, has applied the migrations) and again
//     PurgeRetry after a purge that failed (TestPurgeIsTriedAgain); the
//     summary and the purge read a range of the primary key, whose first
//     column is the hour (TestQueriesUseTheKey).
package webhooks

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// Reason codes: why a webhook delivery was refused.
const (
	// ReasonSignature: the provider's signature is missing or does not
	// match the configured secret.
	ReasonSignature = "signature"
	// ReasonVerify: the subscription handshake's verify token is wrong.
	ReasonVerify = "verify"
	// ReasonPayload: the body is not a delivery the channel can read.
	ReasonPayload = "payload"
	// ReasonTooLarge: the body is over the channel's limit.
	ReasonTooLarge = "too_large"
	// ReasonEncoding: the body came compressed.
	ReasonEncoding = "encoding"
)

var reasons = []string{ReasonSignature, ReasonVerify, ReasonPayload, ReasonTooLarge, ReasonEncoding}

const (
	// Recent is the longest window of the summary's count (see
	// RecentSince).
	Recent = 24 * time.Hour
	// Keep is how long hourly counts stay (the last refusal is shown
	// within it).
	Keep = 7 * 24 * time.Hour
	// FlushEvery is how often counts go to the database.
	FlushEvery = time.Second
	// PurgeEvery is how often old hours are purged; PurgeFirst is the
	// first purge's delay after start and PurgeRetry the next one's after
	// a failure.
	PurgeEvery = time.Hour
	PurgeFirst = time.Minute
	PurgeRetry = time.Minute
)

// Opts wires the service.
type Opts struct {
	DB  *db.DB
	Log *slog.Logger
	// Channels are the channels whose webhooks run here: each has a row
	// in the summary even before its first delivery.
	Channels []string
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

type key struct {
	hour            time.Time
	channel, reason string
}

type count struct {
	n    int64
	last time.Time
}

// Service counts webhook outcomes and serves the admin summary.
type Service struct {
	o     Opts
	store store

	mu       sync.Mutex
	refused  map[key]count
	accepted map[string]time.Time
	// nextPurge is when Flush purges next.
	nextPurge time.Time
}

// New returns a service.
func New(o Opts) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o, store: store{db: o.DB}, refused: map[key]count{}, accepted: map[string]time.Time{},
		nextPurge: o.Now().Add(PurgeFirst)}
}

// known is channel as its domain constant: a caller's string may point
// into a request buffer that is reused (fasthttp), and is never kept.
func known(channel string) (string, bool) {
	i := slices.Index(domain.Channels, domain.Channel(channel))
	if i < 0 {
		return "", false
	}
	return string(domain.Channels[i]), true
}

// Accepted notes a delivery of channel that was taken.
func (s *Service) Accepted(channel string) {
	channel, ok := known(channel)
	if !ok {
		return
	}
	now := s.o.Now().UTC()
	s.mu.Lock()
	s.accepted[channel] = now
	s.mu.Unlock()
}

// Refused notes a delivery of channel refused for reason (a Reason code;
// another is counted as ReasonPayload).
func (s *Service) Refused(channel, reason string) {
	channel, ok := known(channel)
	if !ok {
		return
	}
	if i := slices.Index(reasons, reason); i >= 0 {
		reason = reasons[i]
	} else {
		reason = ReasonPayload
	}
	now := s.o.Now().UTC()
	k := key{hour: now.Truncate(time.Hour), channel: channel, reason: reason}
	s.mu.Lock()
	c := s.refused[k]
	s.refused[k] = count{n: c.n + 1, last: now}
	s.mu.Unlock()
}

// Run adds the counts to the database every FlushEvery until ctx ends,
// then once more.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			last, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Flush(last); err != nil {
				s.o.Log.Warn("webhook health: last flush", "err", err)
			}
			return nil
		case <-tick.C:
			if err := s.Flush(ctx); err != nil {
				s.o.Log.Warn("webhook health: flush", "err", err)
			}
		}
	}
}

// Flush writes the counts taken since the last flush. Counts a write
// failed for are put back, to be tried with the next flush.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	refused, accepted := s.refused, s.accepted
	s.refused, s.accepted = map[key]count{}, map[string]time.Time{}
	now := s.o.Now().UTC()
	purge := !now.Before(s.nextPurge)
	if purge {
		s.nextPurge = now.Add(PurgeEvery)
	}
	s.mu.Unlock()
	var firstErr error
	for k, c := range refused {
		if err := s.store.addRefused(ctx, k, c); err != nil {
			firstErr = err
			s.putBack(k, c)
		}
	}
	for ch, at := range accepted {
		if err := s.store.accepted(ctx, ch, at); err != nil {
			firstErr = err
			s.mu.Lock()
			if s.accepted[ch].Before(at) {
				s.accepted[ch] = at
			}
			s.mu.Unlock()
		}
	}
	if purge {
		if err := s.store.purge(ctx, now.Add(-Keep)); err != nil {
			firstErr = err
			s.mu.Lock()
			s.nextPurge = now.Add(PurgeRetry)
			s.mu.Unlock()
		}
	}
	return firstErr
}

func (s *Service) putBack(k key, c count) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.refused[k]
	cur.n += c.n
	if cur.last.Before(c.last) {
		cur.last = c.last
	}
	s.refused[k] = cur
}

// RecentSince is where the summary's count starts at now: the start of the
// oldest whole hour within Recent. Counts are kept by the hour, so a window
// of exactly Recent would cut an hour in two; the count covers the current
// hour and the whole hours before it back to RecentSince (between
// Recent-1h and Recent), and the screen says from when, never more.
func RecentSince(now time.Time) time.Time {
	return now.UTC().Truncate(time.Hour).Add(time.Hour - Recent)
}

// Health is one channel's webhook health.
type Health struct {
	Channel string `json:"channel"`
	// Refused counts refused deliveries since RecentSince, all instances
	// together.
	Refused        int64      `json:"refused"`
	LastRefusedAt  *time.Time `json:"last_refused_at,omitempty"`
	LastReason     string     `json:"last_reason,omitempty"`
	LastAcceptedAt *time.Time `json:"last_accepted_at,omitempty"`
}

// Summary is the health of every channel with webhooks here or with
// counts kept, by channel name, and where its counts start (RecentSince).
// Counts are as of the instances' last flush (at most FlushEvery old).
func (s *Service) Summary(ctx context.Context) ([]Health, time.Time, error) {
	now := s.o.Now().UTC()
	since := RecentSince(now)
	rows, err := s.store.refusedSince(ctx, now.Add(-Keep).Truncate(time.Hour))
	if err != nil {
		return nil, since, err
	}
	acc, err := s.store.acceptedAll(ctx)
	if err != nil {
		return nil, since, err
	}
	by := map[string]*Health{}
	get := func(ch string) *Health {
		h, ok := by[ch]
		if !ok {
			h = &Health{Channel: ch}
			by[ch] = h
		}
		return h
	}
	for _, ch := range s.o.Channels {
		get(ch)
	}
	for _, r := range rows {
		h := get(r.Channel)
		last := r.LastAt.UTC()
		if !r.Hour.UTC().Before(since) {
			h.Refused += r.Refused
		}
		if h.LastRefusedAt == nil || last.After(*h.LastRefusedAt) {
			h.LastRefusedAt, h.LastReason = &last, r.Reason
		}
	}
	for _, a := range acc {
		at := a.LastAt.UTC()
		get(a.Channel).LastAcceptedAt = &at
	}
	out := make([]Health, 0, len(by))
	for _, h := range by {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b Health) int { return cmp.Compare(a.Channel, b.Channel) })
	return out, since, nil
}
