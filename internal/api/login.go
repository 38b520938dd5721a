package api

import (
	"errors"
	"time"

	"tanggap/internal/auth"
)

// throttled reports the wait of a sign-in limit's refusal.
func throttled(err error) (time.Duration, bool) {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return te.RetryAfter, true
	}
	return 0, false
}
