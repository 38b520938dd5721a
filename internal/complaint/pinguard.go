package complaint

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"tanggap/internal/apperr"
	"tanggap/internal/tracking"
)

// PIN guard: wrong PINs are counted in the database, so the limits hold
// across instances and on top of the form's per-address limit, at two
// levels:
//
//   - per tracking number and client network (complaint_pin_client_failures):
//     PINAttempts attempts within PINWindow, then that network waits the
//     window out (429 pin_locked). A stranger typing someone's number locks
//     only their own network, never the citizen's.
//   - per tracking number across all networks (complaint_pin_failures): a
//     ceiling of PINCeiling attempts within PINCeilingWindow, then the
//     number is held for every network that never opened it (429
//     pin_held). It only stops guessing spread over many networks.
//
// The arithmetic: a PIN has PINDigits = 8 digits, 10^8 values. With the
// default ceiling of 100 attempts a day, guessing from any number of
// networks finds a given PIN with a chance of at most 100/10^8 = 10^-6 a
// day; finding it on average takes 5·10^7/100 = 500,000 days (about
// 1,370 years), and over a complaint's 60-day ceiling the chance is at
// most 6,000/10^8 = 0.006 %. One network alone gets 5 attempts per 15
// minutes (480 a day), so reaching the ceiling in a day takes at least 21
// networks; each further network adds nothing once the ceiling is hit.
//
// The citizen keeps a way in: the network that submitted the complaint,
// and a network that opened it with its right PIN, is remembered for
// PINKnownFor, and the right PIN from it is not
// held by the ceiling, only by the network's own limit; the per-network
// lock of a stranger never reaches it. (A complaint with a contact is
// looked up by the contact or by the signed link of its notifications,
// which no PIN lock touches.) The remembered row is keyed by a digest of
// number, network and PIN together, so the database alone cannot tell
// which network follows an anonymous complaint: recovering it takes the
// PIN as well as the number. The short-lived per-network counts (gone
// after their window) are digests of number and network only.
//
// Every attempt is counted before the PIN is compared (one upsert per
// level), so concurrent guesses cannot slip past a limit; a right PIN
// clears its network's count and gives back its ceiling count. Unknown
// numbers are counted exactly like real ones: a lock tells nobody that a
// number exists. A client network is an IPv4 address or an IPv6 /64 (one
// subscriber's usual share), so one host cannot spread over 2^64
// addresses; only SHA-256 digests of numbers and networks are kept.
//
// PIN replay: the PIN of a keyed submission (Idempotency-Key) is also kept
// sealed with a key derived from the Idempotency-Key (never stored), so a
// retry of that submission — after a dropped answer, or sent twice at
// once — is shown the same PIN, until ReplayWindow after the first
// submission; then the sealed copy is wiped.

// Defaults of the PIN guard and replay window.
const (
	DefaultPINAttempts  = 5
	DefaultPINWindow    = 15 * time.Minute
	DefaultPINCeiling   = 100
	DefaultCeilingSpan  = 24 * time.Hour
	DefaultPINKnownFor  = 30 * 24 * time.Hour
	DefaultReplayWindow = 10 * time.Minute
)

// ErrPINLocked: too many wrong PINs for this tracking number from this
// client's network; it tries again after the window. It answers 429 with
// the code pin_locked.
var ErrPINLocked = &apperr.Coded{Status: http.StatusTooManyRequests, Code: apperr.CodePINLocked,
	Err: errors.New("complaint: too many wrong PINs for this tracking number")}

// ErrPINHeld: the tracking number reached its ceiling of attempts across
// all networks; a network that never opened it waits for the ceiling's
// window. It answers 429 with the code pin_held.
var ErrPINHeld = &apperr.Coded{Status: http.StatusTooManyRequests, Code: apperr.CodePINHeld,
	Err: errors.New("complaint: too many PIN attempts on this tracking number from many networks")}

// ErrPINShown: a retry of a submission whose PIN can no longer be shown
// (its replay window passed, or the retry's key does not open it). It
// answers 409 with the code pin_shown.
var ErrPINShown = &apperr.Coded{Status: http.StatusConflict, Code: apperr.CodePINShown,
	Err: errors.New("complaint: this submission was received; its PIN was shown once")}

const (
	// The ceiling: attempts per tracking number from all networks.
	sqlPINAttempt = `INSERT INTO complaint_pin_failures (tracking_hash, failures, window_at) VALUES (?, 1, ?)
		ON CONFLICT (tracking_hash) DO UPDATE SET
		  failures = CASE WHEN complaint_pin_failures.window_at > ? THEN complaint_pin_failures.failures + 1 ELSE 1 END,
		  window_at = CASE WHEN complaint_pin_failures.window_at > ? THEN complaint_pin_failures.window_at ELSE excluded.window_at END
		RETURNING failures`
	// A right PIN from a network the ceiling counted gives its attempt back.
	sqlPINGiveBack   = `UPDATE complaint_pin_failures SET failures = failures - 1 WHERE tracking_hash = ? AND failures > 0`
	sqlPINFailsStale = `DELETE FROM complaint_pin_failures WHERE window_at <= ?`
	// Per tracking number and network.
	sqlPINClientAttempt = `INSERT INTO complaint_pin_client_failures (tracking_hash, client_hash, failures, window_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (tracking_hash, client_hash) DO UPDATE SET
		  failures = CASE WHEN complaint_pin_client_failures.window_at > ? THEN complaint_pin_client_failures.failures + 1 ELSE 1 END,
		  window_at = CASE WHEN complaint_pin_client_failures.window_at > ? THEN complaint_pin_client_failures.window_at ELSE excluded.window_at END
		RETURNING failures`
	sqlPINClientCleared = `UPDATE complaint_pin_client_failures SET failures = 0 WHERE tracking_hash = ? AND client_hash = ?`
	// The network that opened the complaint with this PIN (known_until
	// keeps the row past its window).
	sqlPINKnown    = `SELECT known_until FROM complaint_pin_client_failures WHERE tracking_hash = ? AND client_hash = ?`
	sqlPINRemember = `INSERT INTO complaint_pin_client_failures (tracking_hash, client_hash, failures, window_at, known_until) VALUES (?, ?, 0, ?, ?)
		ON CONFLICT (tracking_hash, client_hash) DO UPDATE SET known_until = excluded.known_until`
	sqlPINClientStale = `DELETE FROM complaint_pin_client_failures WHERE window_at <= ? AND (known_until IS NULL OR known_until <= ?)`
	sqlSealedStale    = `UPDATE complaint_intakes SET pin_sealed = NULL, pin_sealed_until = NULL WHERE pin_sealed_until <= ?`
)

// orDefault is a positive option's value, or def when it is unset.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (s *Service) pinAttempts() int         { return orDefault(s.o.PINAttempts, DefaultPINAttempts) }
func (s *Service) pinWindow() time.Duration { return orDefault(s.o.PINWindow, DefaultPINWindow) }
func (s *Service) replayWindow() time.Duration {
	return orDefault(s.o.ReplayWindow, DefaultReplayWindow)
}
func (s *Service) pinCeiling() int { return orDefault(s.o.PINCeiling, DefaultPINCeiling) }
func (s *Service) ceilingSpan() time.Duration {
	return orDefault(s.o.PINCeilingWindow, DefaultCeilingSpan)
}
func (s *Service) knownFor() time.Duration { return orDefault(s.o.PINKnownFor, DefaultPINKnownFor) }

func trackingHash(tn string) string {
	sum := sha256.Sum256([]byte("tanggap pin guard\x00" + tn))
	return hex.EncodeToString(sum[:])
}

// ClientNetwork is what the PIN guard counts a client by: an IPv4 address,
// or the /64 of an IPv6 address (a subscriber usually holds a whole /64,
// so counting single IPv6 addresses would give one host 2^64 tries).
// Anything else (no address known) is one network of its own.
func ClientNetwork(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return "?"
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return "?"
	}
	return p.String()
}

func clientHash(tn, client string) string {
	sum := sha256.Sum256([]byte("tanggap pin client\x00" + tn + "\x00" + ClientNetwork(client)))
	return hex.EncodeToString(sum[:])
}

// knownHash names the network that opened a number with a PIN (another
// domain than clientHash, so the two rows never meet).
func knownHash(tn, client, pin string) string {
	sum := sha256.Sum256([]byte("tanggap pin known\x00" + tn + "\x00" + ClientNetwork(client) + "\x00" + pin))
	return hex.EncodeToString(sum[:])
}

// attempt counts one PIN attempt (pin: the typed digits) on a tracking
// number from a client: ErrPINLocked when the client's network had its
// attempts in the current window, ErrPINHeld when the number reached its
// ceiling and this network never opened it with this PIN. It reports
// whether the ceiling counted the attempt.
func (s *Service) attempt(ctx context.Context, tn, client, pin string) (counted bool, err error) {
	now := s.now()
	since := now.Add(-s.pinWindow())
	q := s.o.DB.WithContext(ctx)
	var n []int
	if err := q.Raw(sqlPINClientAttempt, trackingHash(tn), clientHash(tn, client), now, since, since).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("complaint: pin attempt: %w", err)
	}
	if len(n) > 0 && n[0] > s.pinAttempts() {
		return false, ErrPINLocked
	}
	var known []*time.Time
	if err := q.Raw(sqlPINKnown, trackingHash(tn), knownHash(tn, client, pin)).Scan(&known).Error; err != nil {
		return false, fmt.Errorf("complaint: pin attempt: %w", err)
	}
	if len(known) > 0 && known[0] != nil && known[0].After(now) {
		return false, nil // the citizen's own network with their PIN: no ceiling
	}
	span := now.Add(-s.ceilingSpan())
	n = n[:0]
	if err := q.Raw(sqlPINAttempt, trackingHash(tn), now, span, span).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("complaint: pin attempt: %w", err)
	}
	if len(n) > 0 && n[0] > s.pinCeiling() {
		return true, ErrPINHeld
	}
	return true, nil
}

// cleared forgets a network's attempts after its right PIN, remembers the
// network as the citizen's (with that PIN), and gives the ceiling its
// attempt back.
func (s *Service) cleared(ctx context.Context, tn, client, pin string, counted bool) {
	q := s.o.DB.WithContext(ctx)
	now := s.now()
	if err := q.Exec(sqlPINClientCleared, trackingHash(tn), clientHash(tn, client)).Error; err != nil {
		s.log.Warn("clear pin attempts", "err", err)
	}
	if err := q.Exec(sqlPINRemember, trackingHash(tn), knownHash(tn, client, pin), now, now.Add(s.knownFor())).Error; err != nil {
		s.log.Warn("remember pin network", "err", err)
	}
	if !counted {
		return
	}
	if err := q.Exec(sqlPINGiveBack, trackingHash(tn)).Error; err != nil {
		s.log.Warn("give back pin attempt", "err", err)
	}
}

// RememberNetwork marks the network a complaint was submitted from as the
// citizen's, with the PIN it was shown (the form calls it once the
// submission is on the bus): from there that PIN is not held by the
// ceiling, as after an opening with it.
func (s *Service) RememberNetwork(ctx context.Context, trackingNumber, client, pin string) error {
	tn, err := tracking.Normalize(trackingNumber)
	if err != nil {
		return fmt.Errorf("complaint: remember network: %w", err)
	}
	digits, ok := NormalizePIN(pin)
	if !ok {
		return fmt.Errorf("complaint: remember network: %w", ErrInvalid)
	}
	now := s.now()
	if err := s.o.DB.WithContext(ctx).Exec(sqlPINRemember, trackingHash(tn), knownHash(tn, client, digits), now, now.Add(s.knownFor())).Error; err != nil {
		return fmt.Errorf("complaint: remember network: %w", err)
	}
	return nil
}

// sweepPINs forgets attempt windows that ended (a network's row stays
// while it is remembered as the citizen's) and wipes sealed PINs whose
// replay window passed (each statement by its own index).
func (s *Service) sweepPINs(ctx context.Context, now time.Time) error {
	q := s.o.DB.WithContext(ctx)
	if err := q.Exec(sqlPINFailsStale, now.Add(-s.ceilingSpan())).Error; err != nil {
		return fmt.Errorf("complaint: sweep pin attempts: %w", err)
	}
	if err := q.Exec(sqlPINClientStale, now.Add(-s.pinWindow()), now).Error; err != nil {
		return fmt.Errorf("complaint: sweep pin attempts: %w", err)
	}
	if err := q.Exec(sqlSealedStale, now).Error; err != nil {
		return fmt.Errorf("complaint: sweep sealed pins: %w", err)
	}
	return nil
}

// sealKey derives the sealing key of a PIN from the submission's
// Idempotency-Key (a different derivation from the key's stored digest).
func sealKey(idemKey string) []byte {
	sum := sha256.Sum256([]byte("tanggap complaint pin seal\x00" + idemKey))
	return sum[:]
}

// sealPIN encrypts a PIN for its intake (the intake key is bound as
// additional data, so a sealed PIN moved to another row does not open).
func sealPIN(idemKey, intakeKey, pin string) (string, error) {
	gcm, err := newGCM(idemKey)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("complaint: seal: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(pin), []byte(intakeKey))), nil
}

// openPIN decrypts a sealed PIN; false when the key does not open it.
func openPIN(idemKey, intakeKey, sealed string) (string, bool) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", false
	}
	gcm, err := newGCM(idemKey)
	if err != nil || len(raw) < gcm.NonceSize() {
		return "", false
	}
	pin, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte(intakeKey))
	if err != nil {
		return "", false
	}
	return string(pin), true
}

func newGCM(idemKey string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(sealKey(idemKey))
	if err != nil {
		return nil, fmt.Errorf("complaint: seal: %w", err)
	}
	return cipher.NewGCM(block)
}

// Replay is the registration of a keyed submission as its retry sees it:
// the same pseudonym and PIN while the replay window lasts, ErrPINShown
// after it (or for a key that does not open it), ok false when the
// submission registered nothing (it was neither anonymous nor
// confidential, or it never got this far).
func (s *Service) Replay(ctx context.Context, intakeKey, idemKey string) (Registered, bool, error) {
	in, ok, err := s.store.intakeOf(ctx, intakeKey)
	if err != nil || !ok {
		return Registered{}, false, err
	}
	r, err := s.replayOf(ctx, in, idemKey)
	return r, err == nil || errors.Is(err, ErrPINShown), err
}

func (s *Service) replayOf(ctx context.Context, in intake, idemKey string) (Registered, error) {
	if idemKey == "" || in.PinSealed == nil || in.PinSealedUntil == nil {
		return Registered{}, ErrPINShown
	}
	if !s.now().Before(*in.PinSealedUntil) {
		if err := s.o.DB.WithContext(ctx).Exec(`UPDATE complaint_intakes SET pin_sealed = NULL, pin_sealed_until = NULL WHERE intake_key = ?`,
			in.IntakeKey).Error; err != nil {
			s.log.Warn("wipe sealed pin", "err", err)
		}
		return Registered{}, ErrPINShown
	}
	pin, ok := openPIN(idemKey, in.IntakeKey, *in.PinSealed)
	if !ok {
		return Registered{}, ErrPINShown
	}
	return Registered{PIN: pin, VisitorID: in.VisitorID, Replayed: true}, nil
}
