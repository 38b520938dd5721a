package localport

import (
	"fmt"
	"net"
	"testing"
)

// The ports handed to the nodes and instances come from below the range
// the kernel hands out itself (where the system says what it is), so no
// outgoing connection can take one before the child listens on it.
func TestFreeIsOutsideTheEphemeralRangeAndNeverTwice(t *testing.T) {
	t.Parallel()
	lo, ok := ephemeralLow()
	ok = ok && lo > lowestPort // a range from 10000 or lower: the kernel picks
	// 2,000 picks from about 22,000 ports: picked at random without
	// remembering, some port would come twice (about 90 on average).
	seen := map[int]bool{}
	for range 2000 {
		p, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if ok && (p >= lo || p < lowestPort) {
			t.Fatalf("port %d, want one in [%d, %d): below the ephemeral range", p, lowestPort, lo)
		}
		if ok && seen[p] {
			t.Fatalf("port %d given twice", p)
		}
		seen[p] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		l.Close()
	}
	if !ok {
		t.Logf("no ephemeral range above %d in %s: the kernel picked the ports", lowestPort, ephemeralRange)
	}
}
