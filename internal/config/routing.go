package config

import (
	"fmt"
	"strconv"
	"time"

	"tanggap/internal/domain"
)

// Routing configures queues' hand-out behaviour (internal/routing).
type Routing struct {
	// SeedFile is a YAML/JSON file of queues, agents' routing profiles,
	// holidays and priority rules applied at start (upserts).
	SeedFile string
	// ChannelCapacity is an agent's default capacity per channel.
	ChannelCapacity map[string]int
	// DefaultChannelCapacity applies to channels ChannelCapacity does not name.
	DefaultChannelCapacity int
	// AwayGrace is how long an away agent keeps their tickets.
	AwayGrace time.Duration
	// ReturnTickets: unstarted, active or none (tickets given back when
	// an agent goes offline or stays away past the grace).
	ReturnTickets   string
	SweepInterval   time.Duration
	MetricsInterval time.Duration
}

func defaultRouting() Routing {
	return Routing{
		ChannelCapacity:        map[string]int{string(domain.ChannelVoice): 1, string(domain.ChannelLiveChat): 3, string(domain.ChannelWhatsApp): 3, string(domain.ChannelWebform): 10},
		DefaultChannelCapacity: 5,
		AwayGrace:              5 * time.Minute,
		ReturnTickets:          "unstarted",
		SweepInterval:          15 * time.Second,
		MetricsInterval:        10 * time.Second,
	}
}

// parseRouting reads the ROUTING_* variables into r, adding problems to p.
func parseRouting(get func(string) string, r *Routing, p *Problems) {
	if v := get("ROUTING_SEED_FILE"); v != "" {
		r.SeedFile = v
	}
	if v := get("ROUTING_CHANNEL_CAPACITY"); v != "" {
		r.ChannelCapacity = map[string]int{}
		eachPair(v, func(item, ch, n string, ok bool) {
			c, err := strconv.Atoi(n)
			if !ok || err != nil || c < 0 || c > 1000 || !domain.ValidCode(ch) {
				*p = append(*p, fmt.Sprintf("ROUTING_CHANNEL_CAPACITY: %q must be channel:number (0-1000)", item))
				return
			}
			r.ChannelCapacity[ch] = c
		})
	}
	if v := get("ROUTING_DEFAULT_CHANNEL_CAPACITY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			*p = append(*p, fmt.Sprintf("ROUTING_DEFAULT_CHANNEL_CAPACITY: %q must be a number 0-1000", v))
		} else {
			r.DefaultChannelCapacity = n
		}
	}
	for name, dst := range map[string]*time.Duration{
		"ROUTING_AWAY_GRACE": &r.AwayGrace, "ROUTING_SWEEP_INTERVAL": &r.SweepInterval, "ROUTING_METRICS_INTERVAL": &r.MetricsInterval,
	} {
		if v := get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				*p = append(*p, fmt.Sprintf("%s: %q is not a duration (e.g. 30s, 5m)", name, v))
				continue
			}
			*dst = d
		}
	}
	if v := get("ROUTING_RETURN_TICKETS"); v != "" {
		r.ReturnTickets = v
	}
	switch r.ReturnTickets {
	case "unstarted", "active", "none":
	default:
		*p = append(*p, fmt.Sprintf("ROUTING_RETURN_TICKETS: %q must be unstarted, active or none", r.ReturnTickets))
	}
	if r.SweepInterval < time.Second || r.MetricsInterval < time.Second {
		*p = append(*p, "ROUTING_SWEEP_INTERVAL and ROUTING_METRICS_INTERVAL must be at least 1s")
	}
}
