package webform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/tracking"
)

// IdempotencyHeader carries the client's key for one complaint: the form
// makes one per form fill and sends it again on every retry, so a
// resubmission after a dropped answer gets the first tracking number, not
// a second ticket.
const IdempotencyHeader = "Idempotency-Key"

// Bounds of a key: long enough to be unguessable (a UUID is 36), short
// enough to be no burden.
const (
	minKeyLen = 16
	maxKeyLen = 128
)

var errKey = errors.New("webform: Idempotency-Key must be 16 to 128 letters, digits, '-', '_', '.' or ':'")

// submission is how one complaint is named: its tracking number, the
// provider message id that makes it one message however often it is
// published, and the digest of its key ("" without one).
type submission struct {
	tracking   string
	providerID string
	keyHash    string
}

// newSubmission names a complaint. With a key, everything follows from
// the key: every retry, concurrent or after the database went away,
// gets the same number and publishes the same message. Without one, the
// number is random. The provider id never holds the tracking number, so
// no log line that names the message (with the sender's masked contact)
// carries it.
func newSubmission(key string) submission {
	if key == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // never fails (Go 1.24)
		return submission{tracking: tracking.Generate(), providerID: "form-" + hex.EncodeToString(b[:])}
	}
	sum := sha256.Sum256([]byte("tanggap complaint key\x00" + key))
	h := hex.EncodeToString(sum[:])
	return submission{tracking: tracking.FromDigest(sum[:8]), providerID: "form-k-" + h[16:48], keyHash: h}
}

// idempotencyKey reads the client's key ("" when none was sent).
func idempotencyKey(c *fiber.Ctx) (string, error) {
	k := c.Get(IdempotencyHeader)
	if k == "" {
		return "", nil
	}
	if len(k) < minKeyLen || len(k) > maxKeyLen {
		return "", &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: errKey}
	}
	for i := 0; i < len(k); i++ {
		switch ch := k[i]; {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_', ch == '.', ch == ':':
		default:
			return "", &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: errKey}
		}
	}
	return k, nil
}

// keyStore is the form's database access: the record of keyed
// submissions (form_idempotency). The form never needs it to take a
// complaint; it spares a retry storing its files and publishing again.
type keyStore struct {
	db *db.DB
}

// LookupKeySQL finds the submission of a key (served by the primary key).
const LookupKeySQL = `SELECT tracking_number FROM form_idempotency WHERE key_hash = ?`

// seen returns the tracking number first given for a key.
func (s *keyStore) seen(ctx context.Context, keyHash string) (string, bool, error) {
	if s.db == nil {
		return "", false, nil
	}
	var tns []string
	if err := s.db.WithContext(ctx).Raw(LookupKeySQL, keyHash).Scan(&tns).Error; err != nil {
		return "", false, fmt.Errorf("webform: read submission key: %w", err)
	}
	if len(tns) == 0 {
		return "", false, nil
	}
	return tns[0], true, nil
}

// remember records a keyed submission once the bus has it; a concurrent
// duplicate's record (the same number) loses quietly.
//
//	INSERT INTO form_idempotency (key_hash, tracking_number, created_at)
//	VALUES (?, ?, ?) ON CONFLICT (key_hash) DO NOTHING
func (s *keyStore) remember(ctx context.Context, keyHash, tn string, now time.Time) error {
	if s.db == nil {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO form_idempotency (key_hash, tracking_number, created_at)
		VALUES (?, ?, ?) ON CONFLICT (key_hash) DO NOTHING`, keyHash, tn, now).Error; err != nil {
		return fmt.Errorf("webform: record submission key: %w", err)
	}
	return nil
}
