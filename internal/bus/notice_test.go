package bus_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// A notice from one connection reaches every connection listening on the
// subject, the sender's own included, and nothing else does.
func TestNoticeReachesEveryInstance(t *testing.T) {
	cfg := testenv.SharedBusConfig(t)
	a := testenv.ConnectBus(t, cfg)
	b := testenv.ConnectBus(t, cfg)
	ctx := context.Background()
	var onA, onB, other atomic.Int64
	if err := a.OnNotice(ctx, a.Names.RoutingSettings(), func() { onA.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := b.OnNotice(ctx, b.Names.RoutingSettings(), func() { onB.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := b.OnNotice(ctx, b.Names.Event("queue", "metrics"), func() { other.Add(1) }); err != nil {
		t.Fatal(err)
	}

	a.Notify(a.Names.RoutingSettings())
	a.Notify(a.Names.RoutingSettings())
	testenv.CheckFor(t, 5*time.Second, 5*time.Millisecond, func() error {
		if onA.Load() != 2 || onB.Load() != 2 {
			return fmt.Errorf("notices heard: A %d, B %d; want 2 each", onA.Load(), onB.Load())
		}
		return nil
	})
	if n := other.Load(); n != 0 {
		t.Fatalf("a listener on another subject heard %d notices", n)
	}
}
