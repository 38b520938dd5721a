package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// published collects the events a router put on NATS.
type published struct {
	mu  sync.Mutex
	got []*nats.Msg
}

// newPublishingFixture is a fixture whose router publishes on a real bus,
// and what it published.
func newPublishingFixture(t *testing.T) (*fixture, *bus.Bus, *published) {
	t.Helper()
	b := testenv.Bus(t)
	f := newFixture(t, testenv.DB(t))
	f.r = New(Opts{DB: f.d, DefaultQueue: "umum", CategoryQueues: map[string]string{"kartu": "kartu"}, Events: b, Log: testenv.Logger(t)})
	f.must(f.r.EnsureQueues(context.Background(), queueSpecs))
	p := &published{}
	sub, err := b.NC.Subscribe(b.Names.EventsAll(), func(m *nats.Msg) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got = append(p.got, m)
	})
	f.must(err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	f.must(b.NC.Flush())
	return f, b, p
}

// wait polls until an event of the given type matching ok was published,
// and returns it decoded.
func wait[E bus.Event](t *testing.T, b *bus.Bus, p *published, ok func(E) bool) E {
	t.Helper()
	var zero E
	subject := b.Names.EventSubject(zero)
	var got E
	testenv.CheckFor(t, 10*time.Second, time.Millisecond, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, m := range p.got {
			if m.Subject != subject {
				continue
			}
			var ev E
			dec := json.NewDecoder(strings.NewReader(string(m.Data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("%s: %v", subject, err)
			}
			if ok(ev) {
				got = ev
				return nil
			}
		}
		return fmt.Errorf("no matching %s yet", bus.Name(zero))
	})
	return got
}

// TestRoutingEvents: each routing change publishes its event with the
// scope fields and what a list row shows, read with the change.
func TestRoutingEvents(t *testing.T) {
	ctx := context.Background()
	due := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	type setup struct {
		f        *fixture
		b        *bus.Bus
		p        *published
		ticket   int64
		a, other int64 // agents of umum, online
	}
	// row checks the fields every ticket event carries about the ticket.
	row := func(t *testing.T, s setup, ev bus.Ticket) {
		t.Helper()
		if ev.V != bus.Version || !strings.HasPrefix(ev.TrackingNumber, "T-") || ev.Status != "new" || ev.Channel != "webform" || ev.At.IsZero() {
			t.Fatalf("event %+v lacks the ticket's row", ev)
		}
		if ev.Subject != "Kartu belum aktif, nomor ****" {
			t.Fatalf("subject %q, want it masked", ev.Subject)
		}
		if ev.FirstResponseDue == nil || !ev.FirstResponseDue.Equal(due) || ev.ResolutionDue == nil || !ev.ResolutionDue.Equal(due.Add(time.Hour)) {
			t.Fatalf("due times %v %v, want %s and an hour later", ev.FirstResponseDue, ev.ResolutionDue, due)
		}
	}
	claim := func(t *testing.T, s setup) {
		t.Helper()
		s.f.must(s.f.r.Claim(ctx, Actor{ID: s.a}, s.ticket))
	}
	cases := []struct {
		name string
		run  func(t *testing.T, s setup)
	}{{
		name: "a claim publishes ticket.assigned to the claiming agent",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			ev := wait(t, s.b, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != s.a || ev.QueueID != s.f.queue("umum") || ev.PreviousAssigneeID != 0 || ev.Priority != "normal" {
				t.Fatalf("ticket.assigned %+v, want agent %d in umum", ev, s.a)
			}
		},
	}, {
		name: "assigning waiting tickets to an agent publishes ticket.assigned",
		run: func(t *testing.T, s setup) {
			got, err := s.f.r.AssignWaiting(ctx, s.a)
			s.f.must(err)
			if len(got) != 1 {
				t.Fatalf("assigned %v", got)
			}
			ev := wait(t, s.b, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != s.a || ev.QueueID != s.f.queue("umum") {
				t.Fatalf("ticket.assigned %+v", ev)
			}
		},
	}, {
		name: "a transfer to another agent publishes ticket.transferred naming the previous agent",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Transfer(ctx, Actor{ID: s.a}, s.ticket, Target{AgentID: s.other}, "tolong lanjutkan"))
			ev := wait(t, s.b, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != s.other || ev.PreviousAssigneeID != s.a || ev.QueueID != s.f.queue("umum") {
				t.Fatalf("ticket.transferred %+v, want %d -> %d", ev, s.a, s.other)
			}
		},
	}, {
		name: "a transfer to another queue publishes ticket.transferred with no assignee in the new queue",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Transfer(ctx, Actor{ID: s.a}, s.ticket, Target{Queue: "kartu"}, ""))
			ev := wait(t, s.b, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
			if ev.AssigneeID != 0 || ev.PreviousAssigneeID != s.a || ev.QueueID != s.f.queue("kartu") {
				t.Fatalf("ticket.transferred %+v, want from %d to queue kartu", ev, s.a)
			}
		},
	}, {
		name: "giving a ticket back publishes ticket.unassigned, then the offer's ticket.assigned",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Unclaim(ctx, Actor{ID: s.a}, s.ticket, ""))
			ev := wait(t, s.b, s.p, func(e bus.TicketUnassigned) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != 0 || ev.PreviousAssigneeID != s.a {
				t.Fatalf("ticket.unassigned %+v, want previous %d", ev, s.a)
			}
			next := wait(t, s.b, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket && e.AssigneeID == s.other })
			row(t, s, bus.Ticket(next))
		},
	}, {
		name: "a supervisor moving a ticket between agents publishes ticket.transferred",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Assign(ctx, Actor{ID: s.other, Supervisor: true}, s.ticket, s.other))
			ev := wait(t, s.b, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
			if ev.AssigneeID != s.other || ev.PreviousAssigneeID != s.a {
				t.Fatalf("ticket.transferred %+v, want %d -> %d", ev, s.a, s.other)
			}
		},
	}, {
		name: "an agent going offline publishes agent.presence and ticket.unassigned for each ticket returned",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.d.Exec(`UPDATE agents SET presence = 'offline' WHERE id = ?`, s.a).Error)
			s.f.must(s.f.r.PresenceChanged(ctx, s.a, "offline"))
			p := wait(t, s.b, s.p, func(e bus.AgentPresence) bool { return e.AgentID == s.a })
			if p.Presence != "offline" || len(p.QueueIDs) != 1 || p.QueueIDs[0] != s.f.queue("umum") {
				t.Fatalf("agent.presence %+v", p)
			}
			ev := wait(t, s.b, s.p, func(e bus.TicketUnassigned) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.PreviousAssigneeID != s.a || ev.AssigneeID != 0 || ev.QueueID != s.f.queue("umum") {
				t.Fatalf("ticket.unassigned %+v, want previous %d", ev, s.a)
			}
		},
	}, {
		name: "a priority change publishes ticket.updated with the new priority",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.SetPriority(ctx, Actor{ID: s.a}, s.ticket, "urgent"))
			ev := wait(t, s.b, s.p, func(e bus.TicketUpdated) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.Priority != "urgent" || ev.AssigneeID != s.a {
				t.Fatalf("ticket.updated %+v", ev)
			}
		},
	}, {
		name: "removing a queue publishes ticket.updated for each ticket moved",
		run: func(t *testing.T, s setup) {
			s.f.must(s.f.d.Exec(`UPDATE tickets SET queue_id = ? WHERE id = ?`, s.f.queue("dana"), s.ticket).Error)
			_, err := s.f.r.RemoveQueue(ctx, Actor{ID: s.other, Supervisor: true}, "dana", "umum")
			s.f.must(err)
			ev := wait(t, s.b, s.p, func(e bus.TicketUpdated) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.QueueID != s.f.queue("umum") {
				t.Fatalf("ticket.updated %+v, want queue umum", ev)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, b, p := newPublishingFixture(t)
			s := setup{f: f, b: b, p: p}
			s.ticket = f.ticket(nil, "umum", "normal", time.Now().UTC().Add(-time.Minute))
			f.must(f.d.Exec(`UPDATE tickets SET subject = ?, first_response_due_at = ?, resolution_due_at = ? WHERE id = ?`,
				"Kartu belum aktif, nomor 081234567890", due, due.Add(time.Hour), s.ticket).Error)
			s.a = f.agent("online", 5, 0, nil, "umum")
			s.other = f.agent("online", 5, 0, nil, "umum")
			tc.run(t, s)
		})
	}
}
