package config

import (
	"fmt"
	"time"
)

// Presence configures agent liveness: a console that stops sending signs
// of life (API requests, socket heartbeats) takes its agent to away, then
// offline (tickets go back per ROUTING_RETURN_TICKETS).
type Presence struct {
	// AwayAfter: online or busy agents silent this long become away (0: never).
	AwayAfter time.Duration
	// OfflineAfter: away agents silent this long become offline (0: never).
	OfflineAfter time.Duration
	// SweepInterval: how often silent consoles are looked for.
	SweepInterval time.Duration
	// TouchInterval: an agent's requests record a sign of life at most this often.
	TouchInterval time.Duration
}

func defaultPresence() Presence {
	return Presence{AwayAfter: 2 * time.Minute, OfflineAfter: 10 * time.Minute, SweepInterval: 30 * time.Second, TouchInterval: 20 * time.Second}
}

// parsePresence reads the PRESENCE_* variables into r, adding problems to p.
func parsePresence(get func(string) string, r *Presence, p *Problems) {
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{
		{"PRESENCE_AWAY_AFTER", &r.AwayAfter}, {"PRESENCE_OFFLINE_AFTER", &r.OfflineAfter},
		{"PRESENCE_SWEEP_INTERVAL", &r.SweepInterval}, {"PRESENCE_TOUCH_INTERVAL", &r.TouchInterval},
	} {
		if s := get(v.name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				*p = append(*p, fmt.Sprintf("%s: %q is not a duration (e.g. 30s, 2m)", v.name, s))
				continue
			}
			*v.dst = d
		}
	}
	if r.SweepInterval < 100*time.Millisecond {
		*p = append(*p, "PRESENCE_SWEEP_INTERVAL must be at least 100ms")
	}
	// A live console must be able to say so before the sweep gives up on it.
	for _, limit := range []struct {
		name string
		d    time.Duration
	}{{"PRESENCE_AWAY_AFTER", r.AwayAfter}, {"PRESENCE_OFFLINE_AFTER", r.OfflineAfter}} {
		if limit.d > 0 && limit.d <= r.TouchInterval {
			*p = append(*p, fmt.Sprintf("%s (%s) must be longer than PRESENCE_TOUCH_INTERVAL (%s)", limit.name, limit.d, r.TouchInterval))
		}
	}
	if r.AwayAfter > 0 && r.OfflineAfter > 0 && r.OfflineAfter <= r.AwayAfter {
		*p = append(*p, "PRESENCE_OFFLINE_AFTER must be longer than PRESENCE_AWAY_AFTER")
	}
}
