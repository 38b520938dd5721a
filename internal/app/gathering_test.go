package app

import (
	"testing"
	"time"

	"tanggap/internal/config"
	"tanggap/internal/ingest"
)

// The configuration's defaults are the consumer's, and INGEST_LINGER=0
// reaches it as "never gather" (its zero Linger would mean the default).
func TestIngestGatheringReachesTheConsumer(t *testing.T) {
	d := config.Defaults()
	if d.IngestLinger != ingest.DefaultLinger || d.IngestFill != ingest.DefaultFill {
		t.Fatalf("config defaults %v, %d; the consumer's %v, %d", d.IngestLinger, d.IngestFill, ingest.DefaultLinger, ingest.DefaultFill)
	}
	for _, tc := range []struct {
		name       string
		set, wants time.Duration
	}{
		{"the default linger is passed on", 250 * time.Millisecond, 250 * time.Millisecond},
		{"a set linger is passed on", 100 * time.Millisecond, 100 * time.Millisecond},
		{"zero turns gathering off", 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.IngestLinger = tc.set
			if got := ingestLinger(cfg); got != tc.wants {
				t.Fatalf("Linger %v, want %v", got, tc.wants)
			}
		})
	}
}
