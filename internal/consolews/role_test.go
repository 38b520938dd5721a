package consolews

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/testenv"
)

// An admin takes "queues.all" from a role while a holder's consoles are
// open on two instances: each console is greeted again with the new rights
// (the role.updated event crossed NATS to the other instance), and from
// then on the events of queues outside the holder's own stop reaching it,
// while those of their queue still do. The admin's console hears the
// change. Giving the right back widens the scope again.
func TestRoleEditRescopesOpenConsoles(t *testing.T) {
	e := newEnv(t)
	busCfg := testenv.SharedBusConfig(t)
	one := e.start(testenv.ConnectBus(t, busCfg), time.Hour) // no heartbeat re-check helps
	two := e.start(testenv.ConnectBus(t, busCfg), time.Hour)
	// The admin's side: the agent service that emits role events, on
	// instance one's connection.
	admin := agent.New(agent.Opts{DB: e.db, Log: testenv.Logger(t), BcryptCost: bcrypt.MinCost, Events: one.bus})
	ctx := context.Background()
	wide := []permission.P{permission.TicketsWork, permission.QueuesAll}
	if _, err := admin.CreateRole(ctx, agent.RoleInput{Name: "pengawas", Label: "Pengawas", Permissions: wide}); err != nil {
		t.Fatal(err)
	}
	_, veraToken := e.agent("Vera", "pengawas", "umum")
	_, dewiToken := e.agent("Dewi", domain.RoleAdmin)
	umum, pajak := e.queue("umum"), e.queue("pajak")
	onOne := connect(t, one.url, "Vera on one", veraToken)
	onTwo := connect(t, two.url, "Vera on two", veraToken)
	dewi := connect(t, one.url, "Dewi", dewiToken)

	seq := 0
	emit := func(queue int64) int {
		seq++
		emitRaw(t, one.bus, "ticket", "created", map[string]any{"ticket_id": 500 + seq, "queue_id": queue, "assignee_id": 0, "seq": seq})
		return seq
	}
	has := func(n int) func(frame) bool {
		return func(f frame) bool { return bytes.Contains(f.Data, []byte(fmt.Sprintf(`"seq":%d,`, n))) }
	}
	hellos := func(c *console) int {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, f := range c.frames {
			if f.Type == "hello" {
				n++
			}
		}
		return n
	}
	consoles := []*console{onOne, onTwo}

	before := emit(pajak)
	for _, c := range consoles {
		c.wait(has(before), "a pajak event under queues.all")
	}

	if _, err := admin.UpdateRole(ctx, agent.RoleInput{Name: "pengawas", Label: "Pengawas", Permissions: []permission.P{permission.TicketsWork}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range consoles {
		f := c.wait(func(f frame) bool { return f.Type == "hello" && !slices.Contains(f.Permissions, permission.QueuesAll) }, "hello with the narrowed rights")
		if !slices.Contains(f.Permissions, permission.TicketsWork) || f.Role != "pengawas" {
			t.Errorf("%s: hello %+v", c.name, f)
		}
	}
	dewi.wait(func(f frame) bool {
		return f.Event == "role.updated" && bytes.Contains(f.Data, []byte(`"role":"pengawas"`))
	}, "role.updated")

	// Events come in order: once the umum event arrived, the pajak one
	// sent before it would have too, had the scope not narrowed.
	lost := emit(pajak)
	kept := emit(umum)
	for _, c := range consoles {
		c.wait(has(kept), "the umum event")
		for _, f := range c.events() {
			if has(lost)(f) {
				t.Errorf("%s: got a pajak event after losing queues.all: %s", c.name, f.Data)
			}
		}
	}

	// The right given back: pajak events reach the consoles again.
	n := hellos(onTwo)
	if _, err := admin.UpdateRole(ctx, agent.RoleInput{Name: "pengawas", Label: "Pengawas", Permissions: wide}); err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if got := hellos(onTwo); got != n+1 {
			return fmt.Errorf("Vera on two greeted %d times since, want once", got-n)
		}
		return nil
	})
	if f := onTwo.wait(func(f frame) bool { return f.Type == "hello" }, "the last hello"); !slices.Contains(f.Permissions, permission.QueuesAll) {
		t.Errorf("the last hello has %v, want queues.all back", f.Permissions)
	}
	again := emit(pajak)
	onTwo.wait(has(again), "a pajak event with queues.all again")
}
