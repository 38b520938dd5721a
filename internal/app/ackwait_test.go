package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// INGEST_ACK_WAIT reaches the ingest consumer JetStream redelivers by.
func TestIngestAckWaitIsTheConsumers(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.IngestAckWait = 7 * time.Second
	a := apptest.Start(t, cfg)
	b := a.Bus()
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cons, err := b.JS.Consumer(ctx, b.Names.StreamInbound(), b.Names.DurableIngest())
		if err != nil {
			return err
		}
		if got := cons.CachedInfo().Config.AckWait; got != 7*time.Second {
			return fmt.Errorf("ingest consumer AckWait %v, want 7s", got)
		}
		return nil
	})
}
