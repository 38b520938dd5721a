package tracking

import (
	"encoding/binary"
	"strconv"
)

// FromDigest returns the tracking number a digest stands for, in canonical
// form: the first eight bytes of digest (at least eight, uniformly
// distributed, e.g. a SHA-256) pick the 15-digit payload, then the check
// digit. The same digest always gives the same number, so a client's
// retried submission gets its first number back without anyone asking the
// database. It panics on a digest shorter than eight bytes.
func FromDigest(digest []byte) string {
	n := binary.BigEndian.Uint64(digest[:8]) % uint64(payloadSpace.Int64())
	payload := strconv.FormatInt(int64(n)+payloadBase, 10)
	return format(payload + string(rune('0'+dammCheck(payload))))
}
