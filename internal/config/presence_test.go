package config

import (
	"strings"
	"testing"
	"time"
)

func TestPresenceSettings(t *testing.T) {
	c, err := parse(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Presence != (Presence{AwayAfter: 2 * time.Minute, OfflineAfter: 10 * time.Minute, SweepInterval: 30 * time.Second, TouchInterval: 20 * time.Second}) {
		t.Fatalf("defaults: %+v", c.Presence)
	}
	env := map[string]string{"PRESENCE_AWAY_AFTER": "10s", "PRESENCE_OFFLINE_AFTER": "5s", "PRESENCE_TOUCH_INTERVAL": "20s", "PRESENCE_SWEEP_INTERVAL": "soon"}
	_, err = parse(func(k string) string { return env[k] })
	for _, want := range []string{"PRESENCE_SWEEP_INTERVAL: \"soon\"", "PRESENCE_AWAY_AFTER (10s) must be longer than PRESENCE_TOUCH_INTERVAL",
		"PRESENCE_OFFLINE_AFTER must be longer than PRESENCE_AWAY_AFTER"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems %v lack %q", err, want)
		}
	}
	env = map[string]string{"CONSOLE_HEARTBEAT": "1m", "PRESENCE_AWAY_AFTER": "90s"}
	if _, err = parse(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "PRESENCE_AWAY_AFTER (1m30s) must be longer than twice CONSOLE_HEARTBEAT (1m0s)") {
		t.Errorf("an away limit an idle console's heartbeat cannot meet: %v", err)
	}
	env = map[string]string{"PRESENCE_AWAY_AFTER": "0", "PRESENCE_OFFLINE_AFTER": "0"}
	if c, err := parse(func(k string) string { return env[k] }); err != nil || c.Presence.AwayAfter != 0 {
		t.Fatalf("turning the sweep off: %v %+v", err, c.Presence)
	}
}
