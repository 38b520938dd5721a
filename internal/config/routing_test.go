package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRoutingVariables(t *testing.T) {
	c, err := Load(envOf(map[string]string{
		"ROUTING_SEED_FILE":                "internal/routing/seed/demo.yaml",
		"ROUTING_CHANNEL_CAPACITY":         "voice:2, whatsapp:5",
		"ROUTING_DEFAULT_CHANNEL_CAPACITY": "4",
		"ROUTING_AWAY_GRACE":               "2m",
		"ROUTING_RETURN_TICKETS":           "active",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Routing
	if r.SeedFile != "internal/routing/seed/demo.yaml" || r.ChannelCapacity["voice"] != 2 || r.ChannelCapacity["whatsapp"] != 5 ||
		len(r.ChannelCapacity) != 2 || r.DefaultChannelCapacity != 4 || r.AwayGrace != 2*time.Minute || r.ReturnTickets != "active" {
		t.Fatalf("routing config %+v", r)
	}
	if d := Defaults().Routing; d.ChannelCapacity["voice"] != 1 || d.ChannelCapacity["webform"] != 10 || d.ReturnTickets != "unstarted" {
		t.Fatalf("defaults %+v", d)
	}
	_, err = Load(envOf(map[string]string{
		"ROUTING_CHANNEL_CAPACITY":         "voice",
		"ROUTING_DEFAULT_CHANNEL_CAPACITY": "-1",
		"ROUTING_AWAY_GRACE":               "soon",
		"ROUTING_RETURN_TICKETS":           "some",
		"ROUTING_SWEEP_INTERVAL":           "10ms",
	}), "")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"ROUTING_CHANNEL_CAPACITY", "ROUTING_DEFAULT_CHANNEL_CAPACITY", "ROUTING_AWAY_GRACE", "ROUTING_RETURN_TICKETS", "ROUTING_SWEEP_INTERVAL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s not reported in %v", want, err)
		}
	}
}
