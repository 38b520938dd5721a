// Package agent manages the people who work tickets: agents, supervisors and
// admins, their passwords (bcrypt), queue memberships, presence and capacity.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// Agent is a console user.
type Agent struct {
	ID         int64
	Email      string
	Name       string
	Role       domain.Role
	RoleLabel  string         // the role's name as its admin wrote it
	Perms      permission.Set // the role's permissions, read with the account
	Presence   domain.Presence
	Capacity   int
	ActiveLoad int
	QueueIDs   []int64
}

// SeesAll reports whether the agent may see every ticket (by default
// supervisors and admins).
func (a Agent) SeesAll() bool { return a.Can(permission.TicketsAll) }

// Permissions is the agent's set: the role's definition as read with the
// account, or the built-in default of the role when the Agent was built
// without it.
func (a Agent) Permissions() permission.Set {
	if a.Perms.Loaded() {
		return a.Perms
	}
	return permission.Defaults(a.Role)
}

// Can reports whether the agent's role grants p.
func (a Agent) Can(p permission.P) bool { return a.Permissions().Has(p) }

// Opts configures the service.
type Opts struct {
	DB  *db.DB
	Log *slog.Logger
	// BcryptCost; 0 means bcrypt.DefaultCost.
	BcryptCost int
	// Events hears role changes (role.updated), so open consoles follow
	// them at once; nil: none are told.
	Events Events
}

// Events publishes realtime events (the bus).
type Events interface {
	Emit(ev bus.Event)
}

// Service manages agents.
type Service struct {
	store  *store
	log    *slog.Logger
	cost   int
	events Events

	// dummy is a hash at the service's cost, compared against when an
	// email is unknown so both login paths cost one full bcrypt comparison
	// (no timing answer to "does this agent exist?").
	dummyOnce sync.Once
	dummy     []byte
}

// New returns the agent service.
func New(o Opts) *Service {
	cost := o.BcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return &Service{store: &store{db: o.DB}, log: o.Log, cost: cost, events: o.Events}
}

// NewAgent is what creating an agent takes.
type NewAgent struct {
	Email      string
	Name       string
	Password   string
	Role       domain.Role
	Capacity   int
	QueueCodes []string
}

// Create adds an agent with a bcrypt password hash.
func (s *Service) Create(ctx context.Context, n NewAgent) (Agent, error) {
	var ve apperr.ValidationError
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	if n.Email == "" || !strings.Contains(n.Email, "@") {
		ve.Add("email", "validation.email_invalid")
	}
	if n.Name == "" {
		ve.Add("name", "validation.required")
	}
	if len(n.Password) < MinPasswordLen {
		ve.Add("password", "validation.password_too_short", "min", MinPasswordLen)
	}
	if n.Role == "" {
		n.Role = domain.RoleAgent
	}
	if ok, err := s.RoleExists(ctx, n.Role); err != nil {
		return Agent{}, err
	} else if !ok {
		ve.Add("role", "validation.invalid")
	}
	if n.Capacity == 0 {
		n.Capacity = 10
	}
	if n.Capacity < 0 || n.Capacity > 1000 {
		ve.Add("capacity", "validation.invalid")
	}
	if err := ve.Err(); err != nil {
		return Agent{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), s.cost)
	if err != nil {
		return Agent{}, fmt.Errorf("agent: hash password: %w", err)
	}
	id, err := s.store.create(ctx, n, string(hash), time.Now().UTC())
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, id)
}

// EnsureAdmin creates the first admin from configuration when no agent with
// that email exists. An existing account is left as it is: the password in
// the environment is for the first start, not a way to reset.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string, queueCodes []string) error {
	if email == "" {
		return nil
	}
	_, err := s.store.byEmail(ctx, strings.ToLower(email))
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	_, err = s.Create(ctx, NewAgent{Email: email, Name: "Administrator", Password: password, Role: domain.RoleAdmin, QueueCodes: queueCodes})
	if errors.Is(err, ErrEmailTaken) {
		return nil // another instance created it first
	}
	if err == nil {
		s.log.Info("first admin created")
	}
	return err
}

// Get returns one agent.
func (s *Service) Get(ctx context.Context, id int64) (Agent, error) {
	return s.store.get(ctx, id)
}

// GetMany returns the agents with these ids (with their queues); unknown
// ids are absent from the map.
func (s *Service) GetMany(ctx context.Context, ids []int64) (map[int64]Agent, error) {
	return s.store.getMany(ctx, ids)
}

// List returns every agent.
func (s *Service) List(ctx context.Context) ([]Agent, error) {
	return s.store.list(ctx)
}

// Authenticate checks an email and password. Unknown email and wrong
// password take the same time and give the same error.
func (s *Service) Authenticate(ctx context.Context, email, password string) (Agent, error) {
	row, err := s.store.byEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	var hash []byte
	switch {
	case err == nil:
		hash = []byte(row.PasswordHash)
	case errors.Is(err, ErrNotFound):
		hash = s.dummyHash()
	default:
		return Agent{}, err
	}
	cmpErr := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil || cmpErr != nil {
		return Agent{}, ErrNotFound
	}
	return s.Get(ctx, row.ID)
}

func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte("no agent has this password"), s.cost)
		if err != nil {
			s.log.Error("dummy password hash", "err", err)
		}
		s.dummy = h
	})
	return s.dummy
}

// SetPresence changes an agent's presence.
func (s *Service) SetPresence(ctx context.Context, id int64, presence domain.Presence) (Agent, error) {
	switch presence {
	case domain.PresenceOnline, domain.PresenceAway, domain.PresenceBusy, domain.PresenceOffline:
	default:
		return Agent{}, ErrInvalidPresence
	}
	if err := s.store.setPresence(ctx, id, presence, time.Now().UTC()); err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, id)
}
