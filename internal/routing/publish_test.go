package routing

import (
	"context"
	"strings"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/bus/bustest"
	"tanggap/internal/testenv"
)

// newPublishingFixture is a fixture whose router publishes on a real bus,
// and what it published.
func newPublishingFixture(t *testing.T) (*fixture, *bus.Bus, *bustest.Recorder) {
	t.Helper()
	b := testenv.Bus(t)
	f := newFixture(t, testenv.DB(t))
	f.r = newParts(testOpts{DB: f.d, DefaultQueue: "umum", CategoryQueues: map[string]string{"kartu": "kartu"}, Events: b, Log: testenv.Logger(t)})
	f.must(f.r.EnsureQueues(context.Background(), queueSpecs))
	p := bustest.Record(t, b)
	return f, b, p
}

// TestRoutingEvents: each routing change publishes its event with the
// scope fields and what a list row shows, read with the change.
func TestRoutingEvents(t *testing.T) {
	ctx := context.Background()
	due := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	type setup struct {
		f        *fixture
		b        *bus.Bus
		p        *bustest.Recorder
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
			ev := bustest.Wait(t, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket })
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
			ev := bustest.Wait(t, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket })
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
			ev := bustest.Wait(t, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != s.other || ev.PreviousAssigneeID != s.a || ev.QueueID != s.f.queue("umum") || ev.PreviousQueueID != 0 {
				t.Fatalf("ticket.transferred %+v, want %d -> %d in the same queue", ev, s.a, s.other)
			}
		},
	}, {
		name: "a transfer to another queue publishes ticket.transferred with no assignee in the new queue",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Transfer(ctx, Actor{ID: s.a}, s.ticket, Target{Queue: "kartu"}, ""))
			ev := bustest.Wait(t, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
			// The queue it left is named, so that queue's members hear it go.
			if ev.AssigneeID != 0 || ev.PreviousAssigneeID != s.a || ev.QueueID != s.f.queue("kartu") || ev.PreviousQueueID != s.f.queue("umum") {
				t.Fatalf("ticket.transferred %+v, want from %d in umum to queue kartu", ev, s.a)
			}
		},
	}, {
		name: "giving a ticket back publishes ticket.unassigned, then the offer's ticket.assigned",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Unclaim(ctx, Actor{ID: s.a}, s.ticket, ""))
			ev := bustest.Wait(t, s.p, func(e bus.TicketUnassigned) bool { return e.TicketID == s.ticket })
			row(t, s, bus.Ticket(ev))
			if ev.AssigneeID != 0 || ev.PreviousAssigneeID != s.a {
				t.Fatalf("ticket.unassigned %+v, want previous %d", ev, s.a)
			}
			next := bustest.Wait(t, s.p, func(e bus.TicketAssigned) bool { return e.TicketID == s.ticket && e.AssigneeID == s.other })
			row(t, s, bus.Ticket(next))
		},
	}, {
		name: "a supervisor moving a ticket between agents publishes ticket.transferred",
		run: func(t *testing.T, s setup) {
			claim(t, s)
			s.f.must(s.f.r.Assign(ctx, Actor{ID: s.other, Supervisor: true}, s.ticket, s.other))
			ev := bustest.Wait(t, s.p, func(e bus.TicketTransferred) bool { return e.TicketID == s.ticket })
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
			p := bustest.Wait(t, s.p, func(e bus.AgentPresence) bool { return e.AgentID == s.a })
			if p.Presence != "offline" || len(p.QueueIDs) != 1 || p.QueueIDs[0] != s.f.queue("umum") {
				t.Fatalf("agent.presence %+v", p)
			}
			ev := bustest.Wait(t, s.p, func(e bus.TicketUnassigned) bool { return e.TicketID == s.ticket })
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
			ev := bustest.Wait(t, s.p, func(e bus.TicketUpdated) bool { return e.TicketID == s.ticket })
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
			ev := bustest.Wait(t, s.p, func(e bus.TicketUpdated) bool { return e.TicketID == s.ticket })
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
