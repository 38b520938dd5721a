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
	"time"

	"tanggap/internal/apperr"
)

// PIN guard: wrong PINs are counted per tracking number in the database
// (complaint_pin_failures), so the limit holds across instances and on top
// of the form's per-address limit. Every attempt is counted before the PIN
// is compared (one upsert), so concurrent guesses cannot slip past the
// limit; a right PIN clears the count. Unknown numbers are counted like
// real ones: a lock tells nobody that a number exists.
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
	DefaultReplayWindow = 10 * time.Minute
)

// ErrPINLocked: too many wrong PINs for this tracking number; the citizen
// tries again later. It answers 429 with the code pin_locked.
var ErrPINLocked = &apperr.Coded{Status: http.StatusTooManyRequests, Code: apperr.CodePINLocked,
	Err: errors.New("complaint: too many wrong PINs for this tracking number")}

// ErrPINShown: a retry of a submission whose PIN can no longer be shown
// (its replay window passed, or the retry's key does not open it). It
// answers 409 with the code pin_shown.
var ErrPINShown = &apperr.Coded{Status: http.StatusConflict, Code: apperr.CodePINShown,
	Err: errors.New("complaint: this submission was received; its PIN was shown once")}

const (
	sqlPINAttempt = `INSERT INTO complaint_pin_failures (tracking_hash, failures, window_at) VALUES (?, 1, ?)
		ON CONFLICT (tracking_hash) DO UPDATE SET
		  failures = CASE WHEN complaint_pin_failures.window_at > ? THEN complaint_pin_failures.failures + 1 ELSE 1 END,
		  window_at = CASE WHEN complaint_pin_failures.window_at > ? THEN complaint_pin_failures.window_at ELSE excluded.window_at END
		RETURNING failures`
	sqlPINCleared    = `DELETE FROM complaint_pin_failures WHERE tracking_hash = ?`
	sqlPINFailsStale = `DELETE FROM complaint_pin_failures WHERE window_at <= ?`
	sqlSealedStale   = `UPDATE complaint_intakes SET pin_sealed = NULL, pin_sealed_until = NULL WHERE pin_sealed_until <= ?`
)

func (s *Service) pinAttempts() int {
	if s.o.PINAttempts > 0 {
		return s.o.PINAttempts
	}
	return DefaultPINAttempts
}

func (s *Service) pinWindow() time.Duration {
	if s.o.PINWindow > 0 {
		return s.o.PINWindow
	}
	return DefaultPINWindow
}

func (s *Service) replayWindow() time.Duration {
	if s.o.ReplayWindow > 0 {
		return s.o.ReplayWindow
	}
	return DefaultReplayWindow
}

func trackingHash(tn string) string {
	sum := sha256.Sum256([]byte("tanggap pin guard\x00" + tn))
	return hex.EncodeToString(sum[:])
}

// attempt counts one PIN attempt on a tracking number; ErrPINLocked when
// the number had its attempts in the current window.
func (s *Service) attempt(ctx context.Context, tn string) error {
	now := s.now()
	since := now.Add(-s.pinWindow())
	var n []int
	if err := s.o.DB.WithContext(ctx).Raw(sqlPINAttempt, trackingHash(tn), now, since, since).Scan(&n).Error; err != nil {
		return fmt.Errorf("complaint: pin attempt: %w", err)
	}
	if len(n) > 0 && n[0] > s.pinAttempts() {
		return ErrPINLocked
	}
	return nil
}

// cleared forgets a number's attempts after its right PIN.
func (s *Service) cleared(ctx context.Context, tn string) {
	if err := s.o.DB.WithContext(ctx).Exec(sqlPINCleared, trackingHash(tn)).Error; err != nil {
		s.log.Warn("clear pin attempts", "err", err)
	}
}

// sweepPINs forgets attempt windows that ended and wipes sealed PINs
// whose replay window passed (each statement by its own index).
func (s *Service) sweepPINs(ctx context.Context, now time.Time) error {
	q := s.o.DB.WithContext(ctx)
	if err := q.Exec(sqlPINFailsStale, now.Add(-s.pinWindow())).Error; err != nil {
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
