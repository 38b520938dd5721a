package refused

import "errors"

// ErrNotFound: no such refused item (or it was purged or erased).
var ErrNotFound = errors.New("refused: item not found")
