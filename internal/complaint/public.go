package complaint

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/contact"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

// PINDigits is the length of a follow-up PIN.
const PINDigits = 8

// Intake is an anonymous or confidential submission as the form hands it
// over, before it goes on the bus.
type Intake struct {
	// Key is the submission's provider message id.
	Key string
	// IdempotencyKey is the client's key of a keyed submission ("" none):
	// the PIN is sealed with a key derived from it so a retry of the same
	// submission is shown it again for a while (pinguard.go).
	IdempotencyKey string
	Anonymous      bool
	Confidential   bool
	// The identity of a confidential complaint (empty when anonymous).
	Name, Phone, Email, NIK string
}

// Registered is what the form tells the citizen (the PIN, once) and puts
// on the envelope (the pseudonym the ticket's contact becomes).
type Registered struct {
	PIN       string
	VisitorID string
	// Replayed: an earlier (or concurrent) submission of the same key
	// registered it; the caller must not Discard it.
	Replayed bool
}

// Register keeps an anonymous or confidential submission's PIN hash and
// (confidential) identity. The caller removes it with Discard when the
// submission does not reach the bus (unless Replayed). A keyed submission
// registered before gets the first registration back while its replay
// window lasts, ErrPINShown after it: never a second PIN for one
// complaint, never an error for a concurrent duplicate.
func (s *Service) Register(ctx context.Context, in Intake) (Registered, error) {
	pin, err := newPIN()
	if err != nil {
		return Registered{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pin), s.pinCost())
	if err != nil {
		return Registered{}, fmt.Errorf("complaint: pin: %w", err)
	}
	vid, err := randomDigits(20)
	if err != nil {
		return Registered{}, err
	}
	prefix := contact.VisitorAnonymousForm
	if !in.Anonymous {
		prefix = contact.VisitorConfidentialForm
	}
	row := intake{IntakeKey: in.Key, Anonymous: in.Anonymous, Confidential: in.Confidential && !in.Anonymous, PinHash: string(hash),
		VisitorID: prefix + vid, CreatedAt: s.now()}
	if !in.Anonymous {
		row.Name, row.Phone, row.Email, row.NIK = in.Name, in.Phone, in.Email, in.NIK
	}
	if in.IdempotencyKey != "" {
		sealed, err := sealPIN(in.IdempotencyKey, in.Key, pin)
		if err != nil {
			return Registered{}, err
		}
		until := row.CreatedAt.Add(s.replayWindow())
		row.PinSealed, row.PinSealedUntil = &sealed, &until
	}
	fresh, err := s.store.putIntake(ctx, row)
	if err != nil {
		return Registered{}, err
	}
	if !fresh {
		prev, ok, err := s.store.intakeOf(ctx, in.Key)
		if err != nil {
			return Registered{}, err
		}
		if !ok { // registered and discarded meanwhile: the retry tries again
			return Registered{}, fmt.Errorf("complaint: intake %w", ErrPINShown)
		}
		return s.replayOf(ctx, prev, in.IdempotencyKey)
	}
	return Registered{PIN: pin, VisitorID: row.VisitorID}, nil
}

// Discard removes an intake whose submission never reached the bus.
func (s *Service) Discard(ctx context.Context, key string) error {
	return s.store.deleteIntake(ctx, key)
}

func (s *Service) pinCost() int {
	if s.o.PINCost > 0 {
		return s.o.PINCost
	}
	return bcrypt.DefaultCost
}

// NormalizePIN keeps the digits of a typed PIN ("1234 5678", "1234-5678").
func NormalizePIN(pin string) (string, bool) {
	var b strings.Builder
	for _, r := range pin {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", false
		}
		if b.Len() > PINDigits {
			return "", false
		}
	}
	return b.String(), b.Len() == PINDigits
}

// FormatPIN groups a PIN as the citizen is shown it: 1234-5678.
func FormatPIN(pin string) string {
	if len(pin) != PINDigits {
		return pin
	}
	return pin[:4] + "-" + pin[4:]
}

// Private is an anonymous or confidential complaint opened with its PIN.
type Private struct {
	TicketID  int64
	VisitorID string
	Public    ticket.Public
}

// OpenWithPIN checks a tracking number and PIN typed from a client
// address. Any mismatch (unknown number, no PIN on that complaint, wrong
// PIN) is ErrNotFound; more than PINAttempts attempts on one number from
// the client's network within PINWindow are ErrPINLocked until the window
// ends, more than PINCeiling from all networks ErrPINHeld (pinguard.go).
func (s *Service) OpenWithPIN(ctx context.Context, trackingNumber, pin, client string) (Private, error) {
	tn, err := tracking.Normalize(trackingNumber)
	if err != nil {
		return Private{}, ErrNotFound
	}
	digits, ok := NormalizePIN(pin)
	if !ok {
		return Private{}, ErrNotFound
	}
	counted, err := s.attempt(ctx, tn, client, digits)
	if err != nil {
		return Private{}, err
	}
	// Every miss spends one hash at the real cost, so timing tells no
	// unknown number from a complaint without a PIN or a wrong PIN.
	miss := func() (Private, error) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(digits))
		return Private{}, ErrNotFound
	}
	id, err := s.store.ticketByTracking(ctx, tn)
	if errors.Is(err, ErrNotFound) {
		return miss()
	}
	if err != nil {
		return Private{}, err
	}
	r, err := s.ensure(ctx, id)
	if err != nil {
		if isNoComplaint(err) {
			return miss()
		}
		return Private{}, err
	}
	if r.IntakeKey == "" {
		return miss()
	}
	in, ok, err := s.store.intakeOf(ctx, r.IntakeKey)
	if err != nil {
		return Private{}, err
	}
	if !ok {
		return miss()
	}
	if bcrypt.CompareHashAndPassword([]byte(in.PinHash), []byte(digits)) != nil {
		return Private{}, ErrNotFound
	}
	s.cleared(ctx, tn, client, digits, counted)
	p, err := s.o.Tickets.PublicByTracking(ctx, tn)
	if err != nil {
		return Private{}, err
	}
	return Private{TicketID: id, VisitorID: in.VisitorID, Public: p}, nil
}

// dummyHash is a PIN hash at the service's own cost, made once.
func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() { s.dummy, _ = bcrypt.GenerateFromPassword([]byte("00000000"), s.pinCost()) })
	return s.dummy
}

// PublicStep is one step of the citizen's timeline: a step name the page
// words in the citizen's language, and what the program wrote for them.
type PublicStep struct {
	Step string    `json:"step"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// Timeline is the lifecycle as the citizen sees it.
type Timeline struct {
	Kind  Kind         `json:"kind"`
	Stage Stage        `json:"stage"`
	Steps []PublicStep `json:"steps"`
	// DueAt is when the current stage is due (nil: none running).
	DueAt *time.Time `json:"due_at"`
	// CanDisagree: a follow-up is published and the citizen may say it
	// does not settle the complaint (until CloseDueAt).
	CanDisagree bool       `json:"can_disagree"`
	CloseDueAt  *time.Time `json:"close_due_at"`
	// Incomplete: the program waits for the citizen's information.
	Incomplete bool `json:"incomplete"`
}

// publicSteps are the steps the citizen sees; the others (kind changes,
// returns to the unit, the unit's draft answer, warnings) are internal.
var publicSteps = map[string]bool{"received": true, "verified": true, "incomplete": true, "completed": true, "not_authority": true,
	"archived": true, "disposed": true, "published": true, "reopened": true, "closed": true}

// TimelineOf is the citizen's timeline of a ticket the caller has already
// matched to the citizen (tracking number and contact, or PIN).
// ErrNotFound when the ticket is not a complaint.
func (s *Service) TimelineOf(ctx context.Context, ticketID int64) (Timeline, error) {
	r, err := s.ensure(ctx, ticketID)
	if err != nil {
		if isNoComplaint(err) {
			return Timeline{}, ErrNotFound
		}
		return Timeline{}, err
	}
	steps, err := s.store.steps(ctx, ticketID)
	if err != nil {
		return Timeline{}, err
	}
	t := Timeline{Kind: r.Kind, Stage: r.Stage, Steps: []PublicStep{}, CanDisagree: r.Stage == StageFollowedUp,
		Incomplete: r.Stage == StageIncomplete}
	if r.DueAt != nil {
		d := r.DueAt.UTC()
		t.DueAt = &d
	}
	if r.CloseDueAt != nil && r.Stage == StageFollowedUp {
		d := r.CloseDueAt.UTC()
		t.CloseDueAt = &d
	}
	for _, st := range steps {
		if !publicSteps[st.Step] {
			continue
		}
		note := st.PublicNote
		if st.Step == "archived" {
			note = "" // the reason is the program's, in reports
		}
		t.Steps = append(t.Steps, PublicStep{Step: st.Step, Note: note, At: st.CreatedAt.UTC()})
	}
	return t, nil
}

// TicketIDByTracking finds the ticket of a tracking number.
func (s *Service) TicketIDByTracking(ctx context.Context, trackingNumber string) (int64, error) {
	tn, err := tracking.Normalize(trackingNumber)
	if err != nil {
		return 0, ErrNotFound
	}
	return s.store.ticketByTracking(ctx, tn)
}

func newPIN() (string, error) { return randomDigits(PINDigits) }

func randomDigits(n int) (string, error) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", fmt.Errorf("complaint: random: %w", err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}
