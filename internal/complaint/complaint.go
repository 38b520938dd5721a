// Package complaint runs the public-service complaint lifecycle as
// Indonesian regulation (UU 25/2009, Perpres 76/2013) and SP4N-LAPOR! run
// it: a complaint of a kind (pengaduan, aspirasi, permintaan informasi)
// waits for verification, is disposed to a work unit, the unit's answer is
// reviewed and published, and the complaint closes some working days later
// unless the citizen disagrees. Every deadline counts working days on the
// national calendar (weekends, holidays and cuti bersama off) in the
// complaint's zone (WIB, WITA, WIT).
//
// Anonymous and confidential complaints: the form registers them here
// before they go on the bus (Register). Their ticket's contact is a
// pseudonym; a confidential complaint's identity lives only in
// complaint_intakes and is read through Reveal, which needs a permitted
// role and a reason and writes the audit log. The citizen follows either
// kind up with the tracking number and a PIN shown once (only a bcrypt of
// it is kept).
//
// Guarantees, and what keeps them:
//
//   - A complaint row exists for every form ticket: the scheduler links new
//     form tickets in id order behind a cursor (INSERT … ON CONFLICT DO
//     NOTHING, so two instances linking one ticket store one row), and
//     every read of a complaint links it first when the sweep has not yet.
//   - Every stage change is one conditional UPDATE (… WHERE stage = the
//     stage the change starts from). Two agents acting at once, or two
//     scheduler instances ticking at once, change a complaint once; the
//     loser gets ErrStage (or, for the scheduler, nothing to do).
//   - Clocks are data, not timers: due times are stored; the scheduler
//     (Tick) only compares them with now, so a restart loses nothing and
//     a tick may run late or twice.
package complaint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"

	"gorm.io/gorm"
)

// Kind is what the citizen brings.
type Kind string

// Kinds, as SP4N-LAPOR! names them.
const (
	KindPengaduan Kind = "pengaduan" // a complaint about a service
	KindAspirasi  Kind = "aspirasi"  // a suggestion
	KindInformasi Kind = "informasi" // a request for information
)

// Kinds lists every kind in form order.
var Kinds = []Kind{KindPengaduan, KindAspirasi, KindInformasi}

// ParseKind reads a kind; "" is pengaduan.
func ParseKind(s string) (Kind, error) {
	if s == "" {
		return KindPengaduan, nil
	}
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("%w: kind %q", ErrInvalid, s)
}

// Stage is where a complaint is.
type Stage string

// Stages.
const (
	StageVerification Stage = "verification"
	StageIncomplete   Stage = "incomplete"
	StageVerified     Stage = "verified"
	StageDisposed     Stage = "disposed"
	StageAnswered     Stage = "answered"
	StageFollowedUp   Stage = "followed_up"
	StageClosed       Stage = "closed"
	StageNotAuthority Stage = "not_authority"
	StageArchived     Stage = "archived"
)

// Final reports whether nothing follows the stage.
func (s Stage) Final() bool {
	return s == StageClosed || s == StageNotAuthority || s == StageArchived
}

// Errors.
var (
	ErrNotFound  = fmt.Errorf("complaint: %w", ticket.ErrNotFound)
	ErrForbidden = fmt.Errorf("complaint: %w", ticket.ErrForbidden)
	// ErrStage: the action does not apply at the complaint's stage (or
	// someone else moved it meanwhile).
	ErrStage   = fmt.Errorf("complaint: not at this stage: %w", routing.ErrConflict)
	ErrInvalid = fmt.Errorf("complaint: %w", routing.ErrInvalid)
)

// Deadlines are the lifecycle's targets. Day counts are working days.
type Deadlines struct {
	VerifyDays  int // verification (default 3)
	FollowDays  int // the unit's follow-up (default 5)
	CloseDays   int // auto-close after the published follow-up (default 10)
	CeilingDays int // ceiling from a complete file (default 60)
	// CeilingWarnDays: a warning this many working days before the
	// ceiling (default 10).
	CeilingWarnDays int
}

// DefaultDeadlines are the regulation's.
func DefaultDeadlines() Deadlines {
	return Deadlines{VerifyDays: 3, FollowDays: 5, CloseDays: 10, CeilingDays: 60, CeilingWarnDays: 10}
}

// Unit is a work unit complaints are disposed to: an agent team with its
// own queue (Code is the queue code).
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Tickets is what the lifecycle needs of the ticketing core.
type Tickets interface {
	Summary(ctx context.Context, viewer agent.Agent, id int64) (ticket.Summary, error)
	Reply(ctx context.Context, viewer agent.Agent, ticketID int64, body string) (ticket.Message, error)
	// CheckDelivers refuses, before anything changes, a reply on a
	// ticket whose channel this installation does not run.
	CheckDelivers(t ticket.Summary) error
	CloseForLifecycle(ctx context.Context, ticketID int64, detail string) error
	// The In forms move the ticket inside the complaint's own transaction,
	// so that a stage and its ticket's status never part.
	CloseForLifecycleIn(ctx context.Context, tx *gorm.DB, ticketID int64, detail string) (ticket.LifecycleMove, error)
	ReopenForLifecycleIn(ctx context.Context, tx *gorm.DB, ticketID int64, detail string) (ticket.LifecycleMove, error)
	PublicByTracking(ctx context.Context, trackingNumber string) (ticket.Public, error)
}

// Transfers moves a ticket to a unit's queue (routing.Router).
type Transfers interface {
	Transfer(ctx context.Context, by routing.Actor, ticketID int64, to routing.Target, note string) error
}

// Opts configures the service.
type Opts struct {
	DB        *db.DB
	Tickets   Tickets
	Transfers Transfers
	Log       *slog.Logger
	Deadlines Deadlines
	Units     []Unit
	// Zone is the calendar's zone when a complaint's province names none
	// ("" = WIB).
	Zone string
	// SensitiveCategories make a complaint confidential unless the
	// citizen chooses otherwise.
	SensitiveCategories []string
	// RevealRoles may reveal a confidential complaint's identity (with a
	// reason, audited). Default: supervisor, admin.
	RevealRoles []domain.Role
	// PINCost is the bcrypt cost of PINs (0: bcrypt.DefaultCost).
	PINCost int
	// PINAttempts wrong PINs per tracking number from one client network
	// within PINWindow lock that network out until the window ends (0:
	// DefaultPINAttempts, DefaultPINWindow).
	PINAttempts int
	PINWindow   time.Duration
	// PINCeiling attempts per tracking number from all networks within
	// PINCeilingWindow hold it for networks that never opened it (0:
	// DefaultPINCeiling, DefaultCeilingSpan); a network that opened it is
	// remembered for PINKnownFor (0: DefaultPINKnownFor). pinguard.go.
	PINCeiling       int
	PINCeilingWindow time.Duration
	PINKnownFor      time.Duration
	// ReplayWindow: how long a retry of a keyed anonymous or confidential
	// submission is shown its PIN again (0: DefaultReplayWindow).
	ReplayWindow time.Duration
	// CalendarTTL: how long a zone's working-day calendar is kept before
	// it is read again (0: DefaultCalendarTTL). A holiday change through
	// this process drops it at once (DropCalendars).
	CalendarTTL time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Events gets complaint.updated after every change and
	// complaint.escalated / complaint.warning from the scheduler (nil:
	// none).
	Events Events
}

// Service runs the lifecycle.
type Service struct {
	o         Opts
	store     *store
	log       *slog.Logger
	units     map[string]Unit
	sensitive map[string]bool
	reveal    map[domain.Role]bool
	// dummy is a PIN hash at pinCost, spent on a miss (public.go).
	dummyOnce sync.Once
	dummy     []byte
	cals      calendars
}

// New returns the service.
func New(o Opts) *Service {
	d := DefaultDeadlines()
	if o.Deadlines.VerifyDays <= 0 {
		o.Deadlines.VerifyDays = d.VerifyDays
	}
	if o.Deadlines.FollowDays <= 0 {
		o.Deadlines.FollowDays = d.FollowDays
	}
	if o.Deadlines.CloseDays <= 0 {
		o.Deadlines.CloseDays = d.CloseDays
	}
	if o.Deadlines.CeilingDays <= 0 {
		o.Deadlines.CeilingDays = d.CeilingDays
	}
	if o.Deadlines.CeilingWarnDays < 0 || o.Deadlines.CeilingWarnDays >= o.Deadlines.CeilingDays {
		o.Deadlines.CeilingWarnDays = 0
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.RevealRoles) == 0 {
		o.RevealRoles = []domain.Role{domain.RoleSupervisor, domain.RoleAdmin}
	}
	s := &Service{o: o, store: &store{db: o.DB}, log: o.Log.With("component", "complaint"),
		units: map[string]Unit{}, sensitive: map[string]bool{}, reveal: map[domain.Role]bool{}}
	s.store.changed = s.changed
	for _, u := range o.Units {
		s.units[u.Code] = u
	}
	for _, c := range o.SensitiveCategories {
		s.sensitive[c] = true
	}
	for _, r := range o.RevealRoles {
		s.reveal[r] = true
	}
	return s
}

// Units lists the work units in configured order.
func (s *Service) Units() []Unit { return append([]Unit(nil), s.o.Units...) }

// Deadlines are the configured targets.
func (s *Service) Deadlines() Deadlines { return s.o.Deadlines }

// Sensitive reports whether a category makes complaints confidential by
// default.
func (s *Service) Sensitive(category string) bool { return s.sensitive[category] }

// CanReveal reports whether an agent may reveal confidential identities:
// the configured reveal roles (COMPLAINT_REVEAL_ROLES) decide for the
// roles they name and for the built-in ones; a custom role not named
// there decides by its identity.reveal permission.
func (s *Service) CanReveal(a agent.Agent) bool {
	if s.reveal[a.Role] || permission.BuiltIn(a.Role) {
		return s.reveal[a.Role]
	}
	return a.Can(permission.IdentityReveal)
}

func (s *Service) now() time.Time { return s.o.Now().UTC() }

var errNoComplaint = errors.New("complaint: ticket is not a complaint")
