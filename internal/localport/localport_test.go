package localport

import (
	"fmt"
	"net"
	"testing"
)

// The ports handed to the nodes and instances come from below the range
// the kernel hands out itself (where the system says what it is), so no
// outgoing connection can take one before the child listens on it.
func TestFreeIsOutsideTheEphemeralRange(t *testing.T) {
	t.Parallel()
	lo, ok := ephemeralLow()
	for range 50 {
		p, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if ok && (p >= lo || p < lowestPort) {
			t.Fatalf("port %d, want one in [%d, %d): below the ephemeral range", p, lowestPort, lo)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		l.Close()
	}
	if !ok {
		t.Logf("%s unreadable: the kernel picked the ports", ephemeralRange)
	}
}
