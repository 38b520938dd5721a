package consolews

import (
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

func names(ms []mark) string {
	s := ""
	for _, m := range ms {
		s += m.Name
		if m.Typing {
			s += "*"
		}
		s += ","
	}
	return s
}

func is(want string) func([]mark) bool { return func(ms []mark) bool { return names(ms) == want } }

// Two agents on one ticket see each other's viewing and typing marks,
// across two instances, never their own; typing is also relayed to the
// citizen; a mark goes when its console leaves the ticket or closes, and
// when its instance goes silent (after two heartbeats).
func TestViewersAcrossInstances(t *testing.T) {
	e := newEnv(t)
	busCfg := testenv.SharedBusConfig(t)
	hb := 100 * time.Millisecond
	one := e.start(testenv.ConnectBus(t, busCfg), hb)
	twoBus := testenv.ConnectBus(t, busCfg)
	two := e.start(twoBus, hb)

	_, anaToken := e.agent("Ana", domain.RoleAgent, "umum")
	budi, budiToken := e.agent("Budi", domain.RoleAgent, "umum")
	_, citaToken := e.agent("Cita", domain.RoleAgent, "pajak")
	_, dewiToken := e.agent("Dewi", domain.RoleAdmin)
	ticket := e.ticket(e.queue("umum"), 0)
	other := e.ticket(e.queue("umum"), 0)

	ana := connect(t, one.url, "Ana", anaToken)
	budiC := connect(t, two.url, "Budi", budiToken)
	cita := connect(t, two.url, "Cita", citaToken)
	dewi := connect(t, one.url, "Dewi", dewiToken)

	ana.send(map[string]any{"type": "view", "ticket_id": ticket})
	ana.lastViewers(ticket, is(""), "nobody else yet")
	budiC.send(map[string]any{"type": "view", "ticket_id": ticket})
	ana.lastViewers(ticket, is("Budi,"), "Budi")
	budiC.lastViewers(ticket, is("Ana,"), "Ana")

	// Cita may not see the ticket (another queue): she is not shown, and
	// sees no one.
	cita.send(map[string]any{"type": "view", "ticket_id": ticket})
	dewi.send(map[string]any{"type": "view", "ticket_id": ticket})
	ana.lastViewers(ticket, is("Budi,Dewi,"), "Budi and Dewi")

	budiC.send(map[string]any{"type": "typing", "ticket_id": ticket, "on": true})
	ana.lastViewers(ticket, is("Budi*,Dewi,"), "Budi typing")
	dewi.lastViewers(ticket, is("Ana,Budi*,"), "Budi typing")
	testenv.CheckFor(t, 5*time.Second, 5*time.Millisecond, func() error {
		if !e.typing.has(budi.Name + ":" + itoa(ticket) + ":true") {
			return errf("typing not relayed to the citizen")
		}
		return nil
	})
	budiC.send(map[string]any{"type": "typing", "ticket_id": ticket, "on": false})
	ana.lastViewers(ticket, is("Budi,Dewi,"), "Budi stopped typing")

	dewi.send(map[string]any{"type": "view", "ticket_id": other})
	ana.lastViewers(ticket, is("Budi,"), "Dewi left")
	dewi.ws.Close()
	ana.send(map[string]any{"type": "view", "ticket_id": other})
	budiC.lastViewers(ticket, is(""), "Ana left")
	ana.lastViewers(other, is(""), "Dewi gone")

	ana.send(map[string]any{"type": "view", "ticket_id": ticket})
	ana.lastViewers(ticket, is("Budi,"), "Budi again")
	// Instance two goes silent: its marks expire on instance one.
	twoBus.NC.Close()
	ana.lastViewers(ticket, is(""), "Budi's instance gone")
	cita.mu.Lock()
	defer cita.mu.Unlock()
	for _, f := range cita.frames {
		if f.Type == "viewers" {
			t.Fatalf("Cita got viewers of a ticket outside her queues: %+v", f)
		}
	}
}
