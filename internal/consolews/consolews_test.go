package consolews

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// No console ever receives an event about a ticket outside its viewer's
// scope, and every console receives every event inside it: agents in
// different queues, an agent in none, a supervisor and an admin, hundreds
// of events with assignments, transfers between queues and unassignments
// (whoever lost a ticket hears it), board metrics, presence, and events
// that lack queue_id (resolved from the database).
func TestNoEventOutsideScope(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	type person struct {
		a agent.Agent
		c *console
	}
	var people []*person
	for _, p := range []struct {
		name   string
		role   domain.Role
		queues []string
	}{
		{"Ana", domain.RoleAgent, []string{"umum"}},
		{"Budi", domain.RoleAgent, []string{"umum", "pajak"}},
		{"Citra", domain.RoleAgent, []string{"pajak"}},
		{"Dedi", domain.RoleAgent, nil},
		{"Eka", domain.RoleAgent, []string{"darurat"}},
		{"Sari", domain.RoleSupervisor, []string{"pajak"}},
		{"Admin", domain.RoleAdmin, nil},
	} {
		a, token := e.agent(p.name, p.role, p.queues...)
		people = append(people, &person{a: a, c: connect(t, in.url, p.name, token)})
	}
	queues := []int64{e.queue("umum"), e.queue("pajak"), e.queue("darurat"), e.queue("kosong")}
	// Tickets in the database, for events that lack queue_id.
	dedi := people[3].a.ID
	stored := map[int64]scope{}
	for _, s := range []scope{{queue: queues[0]}, {queue: queues[2], assignee: dedi}, {queue: queues[3]}} {
		stored[e.ticket(s.queue, s.assignee)] = s
	}

	type sent struct {
		seq   int
		scope *scope // nil: no ticket
		kind  string // "agent", "queue", "other" without a ticket
	}
	var log []sent
	rng := rand.New(rand.NewPCG(11, 12))
	state := map[int64]scope{}
	anyAgent := func() int64 {
		if rng.IntN(4) == 0 {
			return 0
		}
		return people[rng.IntN(len(people))].a.ID
	}
	publish := func(entity, action string, payload map[string]any) {
		emitRaw(t, in.bus, entity, action, payload)
	}
	for seq := 0; seq < 600; seq++ {
		id := int64(900000 + rng.IntN(40))
		s := state[id]
		prev, left := int64(0), int64(0) // the assignee and the queue the event takes it from
		var entity, action string
		switch r := rng.IntN(12); {
		case r == 0:
			entity, action = "ticket", "created"
			s = scope{queue: queues[rng.IntN(len(queues))]}
		case r == 1:
			entity, action = "ticket", "assigned"
			prev, s.assignee = s.assignee, anyAgent()
		case r == 2:
			entity, action = "ticket", "unassigned"
			prev, s.assignee = s.assignee, 0
		case r == 3:
			entity, action = "ticket", "transferred"
			prev, left = s.assignee, s.queue
			s = scope{queue: queues[rng.IntN(len(queues))], assignee: anyAgent()}
		case r == 4:
			publish("queue", "metrics", map[string]any{"seq": seq, "queues": []any{}})
			log = append(log, sent{seq: seq, kind: "queue"})
			continue
		case r == 5:
			publish("agent", "presence", map[string]any{"seq": seq, "agent_id": anyAgent(), "presence": "online"})
			log = append(log, sent{seq: seq, kind: "agent"})
			continue
		case r == 6:
			publish("livechat", "typing", map[string]any{"seq": seq, "tracking_number": "X", "on": true})
			log = append(log, sent{seq: seq, kind: "other"})
			continue
		case r == 7:
			// A publisher that does not send the scope fields yet.
			ids := make([]int64, 0, len(stored))
			for id := range stored {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			id := ids[rng.IntN(len(ids))]
			publish("message", "created", map[string]any{"seq": seq, "ticket_id": id, "direction": "in"})
			st := stored[id]
			log = append(log, sent{seq: seq, scope: &st})
			continue
		default:
			entity, action = []string{"message", "message", "ticket", "sla"}[r%4], []string{"created", "updated", "typing", "warning"}[r%4]
		}
		state[id] = s
		p := map[string]any{"seq": seq, "ticket_id": id, "queue_id": s.queue, "assignee_id": s.assignee}
		if prev != 0 && prev != s.assignee {
			p["previous_assignee_id"] = prev
		} else {
			prev = 0
		}
		if left != 0 && left != s.queue {
			p["previous_queue_id"] = left
		} else {
			left = 0
		}
		publish(entity, action, p)
		got := scope{queue: s.queue, assignee: s.assignee, previous: prev, previousQueue: left}
		log = append(log, sent{seq: seq, scope: &got})
	}
	publish("agent", "presence", map[string]any{"seq": -1, "agent_id": 0, "presence": "online"})

	for _, p := range people {
		p.c.wait(func(f frame) bool { return f.Event == "agent.presence" && bytes.Contains(f.Data, []byte(`"seq":-1`)) }, "the last event")
		want := map[int]bool{}
		for _, s := range log {
			var ok bool
			switch {
			case s.scope != nil:
				ok = p.a.Role == domain.RoleAdmin || s.scope.assignee == p.a.ID || s.scope.previous == p.a.ID ||
					(s.scope.queue != 0 && slices.Contains(p.a.QueueIDs, s.scope.queue)) ||
					(s.scope.previousQueue != 0 && slices.Contains(p.a.QueueIDs, s.scope.previousQueue))
			case s.kind == "agent":
				ok = true
			case s.kind == "queue":
				ok = p.a.Role != domain.RoleAgent
			default:
				ok = p.a.Role == domain.RoleAdmin
			}
			if ok {
				want[s.seq] = true
			}
		}
		got := map[int]bool{}
		for _, f := range p.c.events() {
			var d struct {
				Seq int `json:"seq"`
			}
			if err := json.Unmarshal(f.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Seq == -1 {
				continue
			}
			if got[d.Seq] {
				t.Errorf("%s got event %d twice", p.a.Name, d.Seq)
			}
			got[d.Seq] = true
			if !want[d.Seq] {
				t.Errorf("%s (%s, queues %v) got event %d outside their scope: %s %s", p.a.Name, p.a.Role, p.a.QueueIDs, d.Seq, f.Event, f.Data)
			}
		}
		for seq := range want {
			if !got[seq] {
				t.Errorf("%s missed event %d in their scope", p.a.Name, seq)
			}
		}
		t.Logf("%s (%s) received %d of %d events", p.a.Name, p.a.Role, len(got), len(log))
	}
}

// The payload reaches the console unchanged, wrapped in an event frame.
func TestEventFramePassesPayloadThrough(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	a, token := e.agent("Ana", domain.RoleAgent, "umum")
	c := connect(t, in.url, "Ana", token)
	raw := fmt.Sprintf(`{"v":1,"ticket_id":5,"queue_id":%d,"assignee_id":0,"preview":"Halo \u003cb\u003e","x":[1,2]}`, a.QueueIDs[0])
	if err := in.bus.NC.Publish(in.bus.Names.Event("ticket", "created"), []byte(raw)); err != nil {
		t.Fatal(err)
	}
	f := c.wait(func(f frame) bool { return f.Type == "event" }, "the event")
	if f.Event != "ticket.created" || string(f.Data) != raw {
		t.Fatalf("got %s %s, want ticket.created %s", f.Event, f.Data, raw)
	}
}

// hello first; ping answers pong; a socket needs a session (401 before
// the upgrade); a cookie session needs a page of this site.
func TestHandshake(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), 7*time.Second)
	a, token := e.agent("Ana", domain.RoleSupervisor, "umum")

	c := connect(t, in.url, "Ana", token)
	hello := c.wait(func(f frame) bool { return f.Type == "hello" }, "hello")
	if hello.AgentID != a.ID || hello.Role != domain.RoleSupervisor || hello.HB != 7 {
		t.Fatalf("hello %+v", hello)
	}
	c.send(map[string]any{"type": "ping"})
	c.wait(func(f frame) bool { return f.Type == "pong" }, "pong")

	host := in.url[len("ws://"):]
	host = host[:len(host)-len("/api/v1/ws")]
	cookie := "tanggap_session=" + token
	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"no session is refused before the upgrade", http.Header{}, http.StatusUnauthorized},
		{"a wrong token is refused before the upgrade", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
		{"a cookie without Origin is refused", http.Header{"Cookie": {cookie}}, http.StatusForbidden},
		{"a cookie from another site is refused", http.Header{"Cookie": {cookie}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"a cookie from this site connects", http.Header{"Cookie": {cookie}, "Origin": {"http://" + host}}, http.StatusSwitchingProtocols},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws, res, err := dial(t, in.url, tc.header)
			if ws != nil {
				ws.Close()
			}
			if res == nil {
				t.Fatalf("no answer: %v", err)
			}
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", res.StatusCode, tc.status, err)
			}
		})
	}
}

// A logged-out agent gets bye and the socket closes within a heartbeat;
// an agent removed from the database too; an open console is touched
// every heartbeat, a closed one no more; a queue the agent joined counts
// once the memberships are read again.
func TestSessionRecheck(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), 50*time.Millisecond)
	ana, anaToken := e.agent("Ana", domain.RoleAgent, "umum")
	budi, budiToken := e.agent("Budi", domain.RoleAgent, "umum")
	cita, citaToken := e.agent("Cita", domain.RoleAgent, "umum")
	anaC := connect(t, in.url, "Ana", anaToken)
	budiC := connect(t, in.url, "Budi", budiToken)
	citaC := connect(t, in.url, "Cita", citaToken)

	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := e.touch.count(ana.ID); n < 2 {
			return fmt.Errorf("Ana touched %d times", n)
		}
		return nil
	})

	if err := e.sessions.Logout(context.Background(), anaToken); err != nil {
		t.Fatal(err)
	}
	anaC.wait(func(f frame) bool { return f.Type == "bye" && f.Reason == "session_ended" }, "bye")
	if err := anaC.closedErr(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("Ana's socket: %v", err)
	}
	anaTouches := e.touch.count(ana.ID)

	if err := e.db.Exec(`DELETE FROM sessions WHERE agent_id = ?`, budi.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Exec(`DELETE FROM queue_members WHERE agent_id = ?`, budi.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Exec(`DELETE FROM agents WHERE id = ?`, budi.ID).Error; err != nil {
		t.Fatal(err)
	}
	budiC.wait(func(f frame) bool { return f.Type == "bye" }, "bye")
	budiC.closedErr()

	// Cita joins "pajak": events of that queue reach her once her
	// memberships are read again.
	pajak := e.queue("pajak")
	if err := e.db.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, pajak, cita.ID).Error; err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		emitRaw(t, in.bus, "ticket", "created", map[string]any{"ticket_id": 77, "queue_id": pajak, "assignee_id": 0})
		for _, f := range citaC.events() {
			if f.Event == "ticket.created" {
				return nil
			}
		}
		return fmt.Errorf("no pajak event for Cita yet")
	})
	// Heartbeats went by since Ana's bye: none counted her as alive.
	if n := e.touch.count(ana.ID); n != anaTouches {
		t.Fatalf("Ana was touched %d times after her session ended", n-anaTouches)
	}
}

// An event without queue_id is scoped by the ticket as stored, read once
// and cached; a later ticket event drops the cached scope, so a ticket
// moved to another queue is followed by its new queue's agents only.
func TestEventsWithoutScopeFollowTheTicket(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	_, anaToken := e.agent("Ana", domain.RoleAgent, "umum")
	_, citaToken := e.agent("Cita", domain.RoleAgent, "pajak")
	ana := connect(t, in.url, "Ana", anaToken)
	cita := connect(t, in.url, "Cita", citaToken)
	id := e.ticket(e.queue("umum"), 0)

	msg := func(seq int) { emitRaw(t, in.bus, "message", "created", map[string]any{"ticket_id": id, "seq": seq}) }
	has := func(seq int) func(frame) bool {
		return func(f frame) bool { return bytes.Contains(f.Data, []byte(fmt.Sprintf(`"seq":%d`, seq))) }
	}
	msg(1)
	ana.wait(has(1), "message 1")

	if err := e.db.Exec(`UPDATE tickets SET queue_id = ? WHERE id = ?`, e.queue("pajak"), id).Error; err != nil {
		t.Fatal(err)
	}
	emitRaw(t, in.bus, "ticket", "updated", map[string]any{"ticket_id": id, "status": "open", "seq": 2})
	msg(3)
	cita.wait(has(3), "message 3")
	// Everything Ana gets comes in order: the last event for everyone
	// shows she got nothing of the moved ticket after message 1.
	emitRaw(t, in.bus, "agent", "presence", map[string]any{"agent_id": 0, "seq": 4})
	ana.wait(has(4), "the presence event")
	for _, f := range ana.events() {
		if has(2)(f) || has(3)(f) {
			t.Fatalf("Ana got an event of a ticket that left her queue: %s", f.Data)
		}
	}
}

// A satisfaction event names the queue the ticket was solved in; the
// ticket may have left it since. Its scope is not taken for the ticket's:
// a later event without scope fields follows the ticket where it is.
func TestOldScopeOfASurveyIsNotTheTickets(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	_, anaToken := e.agent("Ana", domain.RoleAgent, "umum")
	_, citaToken := e.agent("Cita", domain.RoleAgent, "pajak")
	ana := connect(t, in.url, "Ana", anaToken)
	cita := connect(t, in.url, "Cita", citaToken)
	id := e.ticket(e.queue("pajak"), 0) // moved to pajak after its solve in umum
	has := func(seq int) func(frame) bool {
		return func(f frame) bool { return bytes.Contains(f.Data, []byte(fmt.Sprintf(`"seq":%d`, seq))) }
	}
	emitRaw(t, in.bus, "csat", "rated", map[string]any{"ticket_id": id, "queue_id": e.queue("umum"), "assignee_id": 0, "rating": 4, "seq": 1})
	ana.wait(has(1), "the rating, to the queue it was solved in")
	emitRaw(t, in.bus, "message", "created", map[string]any{"ticket_id": id, "seq": 2})
	cita.wait(has(2), "the message, to the ticket's queue now")
	emitRaw(t, in.bus, "agent", "presence", map[string]any{"agent_id": 0, "seq": 3})
	ana.wait(has(3), "the presence event")
	for _, f := range ana.events() {
		if has(2)(f) {
			t.Fatalf("Ana got a message of a ticket no longer in her queue, by the survey's old scope: %s", f.Data)
		}
	}
}

// An agent event about a connected agent (agent.presence) reads the
// agent's queue memberships again at once, without waiting for the
// heartbeat.
func TestAgentEventRefreshesMemberships(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	cita, token := e.agent("Cita", domain.RoleAgent, "umum")
	c := connect(t, in.url, "Cita", token)
	pajak := e.queue("pajak")
	if err := e.db.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, pajak, cita.ID).Error; err != nil {
		t.Fatal(err)
	}
	emitRaw(t, in.bus, "agent", "presence", map[string]any{"agent_id": cita.ID, "presence": "online", "queue_ids": []int64{pajak}})
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		emitRaw(t, in.bus, "ticket", "created", map[string]any{"ticket_id": 78, "queue_id": pajak, "assignee_id": 0})
		for _, f := range c.events() {
			if f.Event == "ticket.created" {
				return nil
			}
		}
		return fmt.Errorf("no pajak event for Cita yet")
	})
}

// emitRaw publishes a hand-made payload on an event's subject, as a
// publisher of another version (or a bug) could: the gateway must route
// on the scope fields alone and pass the rest through untouched.
func emitRaw(t testing.TB, b *bus.Bus, entity, action string, payload any) {
	t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.NC.Publish(b.Names.Event(entity, action), data); err != nil {
		t.Fatal(err)
	}
}

// TestComplaintCeilingToBoards: complaint.escalated and complaint.warning
// reach every supervisor and admin (queue member or not) and the ticket's
// audience; complaint.updated follows the scope rule only.
func TestComplaintCeilingToBoards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	member, mt := e.agent("Ana", domain.RoleAgent, "umum")
	_, ot := e.agent("Budi", domain.RoleAgent, "pajak")
	_, st := e.agent("Sari", domain.RoleSupervisor, "pajak")
	cMember, cOther, cSpv := connect(t, in.url, "Ana", mt), connect(t, in.url, "Budi", ot), connect(t, in.url, "Sari", st)
	q := e.queue("umum")
	id := e.ticket(q, 0)
	scope := map[string]any{"ticket_id": id, "queue_id": q, "assignee_id": 0}
	with := func(k string, v any) map[string]any {
		m := map[string]any{k: v}
		for k, v := range scope {
			m[k] = v
		}
		return m
	}
	emitRaw(t, in.bus, bus.EntityComplaint, bus.ActionUpdated, with("step", "verified"))
	emitRaw(t, in.bus, bus.EntityComplaint, bus.ActionComplaintWarning, with("tracking_number", "T-1"))
	emitRaw(t, in.bus, bus.EntityComplaint, bus.ActionComplaintEscalated, with("tracking_number", "T-1"))
	// A fence every console hears, after the three.
	emitRaw(t, in.bus, bus.EntityAgent, bus.ActionPresence, map[string]any{"agent_id": member.ID, "presence": "online"})
	for _, c := range []*console{cMember, cOther, cSpv} {
		c.wait(func(f frame) bool { return f.Type == "event" && f.Event == "agent.presence" }, "the fence")
	}
	names := func(c *console) string {
		var out []string
		for _, f := range c.events() {
			if strings.HasPrefix(f.Event, "complaint.") {
				out = append(out, f.Event)
			}
		}
		return strings.Join(out, ",")
	}
	for _, w := range []struct {
		c    *console
		want string
	}{
		{cMember, "complaint.updated,complaint.warning,complaint.escalated"},
		{cOther, ""},
		{cSpv, "complaint.warning,complaint.escalated"},
	} {
		if got := names(w.c); got != w.want {
			t.Errorf("%s heard %q, want %q", w.c.name, got, w.want)
		}
	}
}

// TestCSATCommentedToTheAlertsAudience: csat.commented follows the scope
// rule, which covers everyone who lists the ticket's low-rating alert
// (GET /api/v1/csat/alerts: admins every queue, a supervisor their own):
// the queue's supervisor and member and the admin hear it; a supervisor
// and an agent of another queue do not.
func TestCSATCommentedToTheAlertsAudience(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	member, mt := e.agent("Ana", domain.RoleAgent, "umum")
	_, st := e.agent("Sari", domain.RoleSupervisor, "umum")
	_, ot := e.agent("Budi", domain.RoleAgent, "pajak")
	_, dt := e.agent("Dewi", domain.RoleSupervisor, "pajak")
	_, at := e.agent("Admin", domain.RoleAdmin)
	hear := []*console{connect(t, in.url, "Ana", mt), connect(t, in.url, "Sari", st), connect(t, in.url, "Admin", at)}
	deaf := []*console{connect(t, in.url, "Budi", ot), connect(t, in.url, "Dewi", dt)}
	q := e.queue("umum")
	id := e.ticket(q, member.ID)
	in.bus.Emit(bus.CSATCommented{Scope: bus.Scope{TicketID: id, QueueID: q, AssigneeID: member.ID}, TrackingNumber: "T-1",
		SurveyID: 5, AlertID: 3, Rating: 2, Channel: "whatsapp", At: time.Now().UTC()})
	// A fence every console hears, after it.
	emitRaw(t, in.bus, bus.EntityAgent, bus.ActionPresence, map[string]any{"agent_id": member.ID, "presence": "online"})
	for _, c := range append(slices.Clone(hear), deaf...) {
		c.wait(func(f frame) bool { return f.Type == "event" && f.Event == "agent.presence" }, "the fence")
		heard := slices.ContainsFunc(c.events(), func(f frame) bool { return f.Event == "csat.commented" })
		if want := slices.Contains(hear, c); heard != want {
			t.Errorf("%s heard csat.commented: %v, want %v", c.name, heard, want)
		}
	}
}

// An admin's console receives every event, so its send queue is longer
// than an agent's: a burst an agent never sees does not close it as slow.
func TestConsoleOfEveryQueueQueuesMore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	_, at := e.agent("Ana", domain.RoleAgent, "umum")
	_, dt := e.agent("Dewi", domain.RoleAdmin)
	connect(t, in.url, "Ana", at)
	connect(t, in.url, "Dewi", dt)
	in.gw.mu.RLock()
	defer in.gw.mu.RUnlock()
	got := map[string]int{}
	for v := range in.gw.viewers {
		_, got[v.name] = v.conn.Backlog()
	}
	if got["Ana"] != 1024 || got["Dewi"] != 1024*allQueuesFactor {
		t.Errorf("send queues %v, want Ana 1024 and Dewi %d", got, 1024*allQueuesFactor)
	}
}
