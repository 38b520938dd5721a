package api

import (
	"testing"
	"unsafe"
)

// The method label outlives the request: it must not share the buffer
// fasthttp reuses for the next request on the connection.
func TestMethodLabelOwnsItsBytes(t *testing.T) {
	for _, m := range []string{"GET", "POST", "PATCH", "PROPFIND"} {
		buf := []byte(m)
		label := methodLabel(unsafe.String(&buf[0], len(buf)))
		for i := range buf {
			buf[i] = 'x'
		}
		if label != m {
			t.Errorf("label %q became %q when the buffer was reused", m, label)
		}
	}
}
