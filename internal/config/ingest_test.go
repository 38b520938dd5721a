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

func TestIngestGathering(t *testing.T) {
	if d := Defaults(); d.IngestLinger != 250*time.Millisecond || d.IngestFill != 16 {
		t.Fatalf("defaults INGEST_LINGER = %v, INGEST_FILL = %d; want 250ms, 16", d.IngestLinger, d.IngestFill)
	}
	for _, tc := range []struct {
		name        string
		env         map[string]string
		linger      time.Duration
		fill        int
		problemsFor []string
	}{
		{name: "a shorter linger is taken", env: map[string]string{"INGEST_LINGER": "100ms"}, linger: 100 * time.Millisecond, fill: 16},
		{name: "zero linger turns gathering off", env: map[string]string{"INGEST_LINGER": "0s"}, linger: 0, fill: 16},
		{name: "a bare zero linger is taken", env: map[string]string{"INGEST_LINGER": "0"}, linger: 0, fill: 16},
		{name: "the highest linger is taken", env: map[string]string{"INGEST_LINGER": "1s"}, linger: time.Second, fill: 16},
		{name: "a larger fill is taken", env: map[string]string{"INGEST_FILL": "32"}, linger: 250 * time.Millisecond, fill: 32},
		{name: "a fill of one is taken", env: map[string]string{"INGEST_FILL": "1"}, linger: 250 * time.Millisecond, fill: 1},
		{name: "the default fill shrinks to a smaller batch size", env: map[string]string{"INGEST_BATCH_SIZE": "10"}, linger: 250 * time.Millisecond, fill: 10},
		{name: "a fill up to the batch size is taken", env: map[string]string{"INGEST_FILL": "50", "INGEST_BATCH_SIZE": "50"}, linger: 250 * time.Millisecond, fill: 50},
		{name: "a linger that is not a duration is refused", env: map[string]string{"INGEST_LINGER": "soon"}, problemsFor: []string{"INGEST_LINGER"}},
		{name: "a negative linger is refused", env: map[string]string{"INGEST_LINGER": "-5ms"}, problemsFor: []string{"INGEST_LINGER"}},
		{name: "a linger over a second is refused", env: map[string]string{"INGEST_LINGER": "1001ms"}, problemsFor: []string{"INGEST_LINGER"}},
		{name: "a fill that is not a number is refused", env: map[string]string{"INGEST_FILL": "many"}, problemsFor: []string{"INGEST_FILL"}},
		{name: "a zero fill is refused", env: map[string]string{"INGEST_FILL": "0"}, problemsFor: []string{"INGEST_FILL"}},
		{name: "a fill over a thousand is refused", env: map[string]string{"INGEST_FILL": "1001", "INGEST_BATCH_SIZE": "5000"}, problemsFor: []string{"INGEST_FILL"}},
		{name: "a fill over the batch size is refused", env: map[string]string{"INGEST_FILL": "20", "INGEST_BATCH_SIZE": "10"}, problemsFor: []string{"INGEST_FILL", "INGEST_BATCH_SIZE"}},
		{name: "both problems are listed together", env: map[string]string{"INGEST_FILL": "0", "INGEST_LINGER": "2s"}, problemsFor: []string{"INGEST_FILL", "INGEST_LINGER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(envOf(tc.env), "")
			if len(tc.problemsFor) > 0 {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				for _, want := range tc.problemsFor {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%s not reported in %v", want, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.IngestLinger != tc.linger || c.IngestFill != tc.fill {
				t.Fatalf("IngestLinger, IngestFill = %v, %d; want %v, %d", c.IngestLinger, c.IngestFill, tc.linger, tc.fill)
			}
		})
	}
}
