package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIngestAckWait(t *testing.T) {
	if d := Defaults().IngestAckWait; d != 30*time.Second {
		t.Fatalf("default INGEST_ACK_WAIT = %v, want 30s", d)
	}
	for _, tc := range []struct {
		name, value string
		want        time.Duration
	}{
		{"a minute is taken", "1m", time.Minute},
		{"the lowest bound is taken", "5s", 5 * time.Second},
		{"the highest bound is taken", "10m", 10 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(envOf(map[string]string{"INGEST_ACK_WAIT": tc.value}), "")
			if err != nil {
				t.Fatal(err)
			}
			if c.IngestAckWait != tc.want {
				t.Fatalf("IngestAckWait = %v, want %v", c.IngestAckWait, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, value string }{
		{"not a duration is refused", "soon"},
		{"no unit is refused", "30"},
		{"below the in-progress cadence's floor is refused", "4s"},
		{"zero is refused", "0s"},
		{"negative is refused", "-30s"},
		{"longer than ten minutes is refused", "11m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(envOf(map[string]string{"INGEST_ACK_WAIT": tc.value, "INGEST_BATCH_SIZE": "0"}), "")
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
			// Listed together with the other problems.
			for _, want := range []string{"INGEST_ACK_WAIT", "INGEST_BATCH_SIZE"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s not reported in %v", want, err)
				}
			}
		})
	}
}
