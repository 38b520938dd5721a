package tracking

import "errors"

// ErrInvalid: not a well-formed tracking number (length, characters, first
// digit or check digit).
var ErrInvalid = errors.New("tracking: invalid tracking number")
