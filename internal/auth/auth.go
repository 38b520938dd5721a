// Package auth issues and checks console sessions. A session is a random
// bearer token; only its SHA-256 is stored, so a database leak does not
// hand out live sessions. The same token travels as a Bearer header (API
// clients) or an HttpOnly cookie (console pages).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
)

// Errors of the auth service.
var (
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	ErrUnauthenticated    = errors.New("auth: no valid session")
)

// Opts configures the service.
type Opts struct {
	DB     *db.DB
	Agents *agent.Service
	TTL    time.Duration
	Log    *slog.Logger
	// Throttle limits failed sign-ins per account (SignIn).
	Throttle Throttle
	// AddressFailuresPerMinute bounds failed sign-ins per client address
	// (SignInFrom; 0: no limit). Both limits live in the database, shared
	// by every instance.
	AddressFailuresPerMinute int
	// Now is the clock of the sign-in limits (tests; default time.Now).
	Now func() time.Time
	// DeviceKey signs known-device cookies (nil: no known devices, every
	// browser counts against the account). DeviceTTL is how long a
	// browser stays known after a successful sign-in (default 90 days).
	DeviceKey []byte
	DeviceTTL time.Duration
}

// Service issues and checks sessions.
type Service struct {
	store     *store
	agents    *agent.Service
	ttl       time.Duration
	log       *slog.Logger
	fails     *failures
	account   rule
	address   rule // Free 0: no per-address limit
	deviceKey []byte
	deviceTTL time.Duration
	recent    recent // along.go
}

// New returns the auth service.
func New(o Opts) *Service {
	if o.DeviceTTL <= 0 {
		o.DeviceTTL = 90 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{store: &store{db: o.DB}, agents: o.Agents, ttl: o.TTL, log: o.Log,
		fails: newFailures(o.DB, o.Now, o.Log), account: o.Throttle.accountRule(), deviceKey: o.DeviceKey, deviceTTL: o.DeviceTTL}
	if o.AddressFailuresPerMinute > 0 {
		s.address = addressRule(o.AddressFailuresPerMinute)
	}
	return s
}

// Session is what a successful login returns.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Agent     agent.Agent
}

// Login checks the credentials and opens a session.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	a, err := s.agents.Authenticate(ctx, email, password)
	if errors.Is(err, agent.ErrNotFound) {
		return Session{}, ErrInvalidCredentials
	}
	if err != nil {
		return Session{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Session{}, fmt.Errorf("auth: random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := time.Now().UTC()
	exp := now.Add(s.ttl)
	if err := s.store.create(ctx, hash(token), a.ID, now, exp); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: exp, Agent: a}, nil
}

// Authenticate returns the agent of a live session.
func (s *Service) Authenticate(ctx context.Context, token string) (agent.Agent, error) {
	if token == "" || len(token) > 128 {
		return agent.Agent{}, ErrUnauthenticated
	}
	// One statement: the session, its agent, the role and the queues.
	a, err := s.agents.BySession(ctx, hash(token), time.Now().UTC())
	if errors.Is(err, agent.ErrNotFound) {
		return agent.Agent{}, ErrUnauthenticated
	}
	return a, err
}

// AuthenticateMany checks many sessions at once (a console gateway's
// heartbeat) in a few set-based statements: the agents of the live ones,
// by token. A token whose session ended, or whose agent is gone, is
// absent from the map.
func (s *Service) AuthenticateMany(ctx context.Context, tokens []string) (map[string]agent.Agent, error) {
	byHash := make(map[string]string, len(tokens))
	hashes := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if t == "" || len(t) > 128 {
			continue
		}
		h := hash(t)
		if _, dup := byHash[h]; !dup {
			byHash[h] = t
			hashes = append(hashes, h)
		}
	}
	live, err := s.store.agentsFor(ctx, hashes, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(live))
	seen := make(map[int64]bool, len(live))
	for _, id := range live {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	agents, err := s.agents.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]agent.Agent, len(live))
	for h, id := range live {
		if a, ok := agents[id]; ok {
			out[byHash[h]] = a
		}
	}
	return out, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	s.recent.forget(hash(token))
	return s.store.delete(ctx, hash(token))
}

func hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
