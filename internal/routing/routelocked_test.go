package routing

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// RouteLocked, after LockAgents has locked every member of the queues (as
// ingest does), assigns as RouteNew does: to the online members with room
// only, never to an offline or a full one; a ticket not filed yet is
// placed and routed too (its members locked as RouteNew locks them).
func TestRouteLockedAfterLockAgentsAssignsAsRouteNew(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.DB(t))
	offline := f.agent(string(domain.PresenceOffline), 5, 0, nil, "kartu")
	full := f.agent(string(domain.PresenceOnline), 1, 1, nil, "kartu")
	free := f.agent(string(domain.PresenceOnline), 5, 0, nil, "kartu")
	kartu := f.queue("kartu")
	var out []Assignment
	f.must(f.d.Tx(context.Background(), func(tx *gorm.DB) error {
		now := time.Now().UTC()
		filed := &Filing{QueueID: kartu, Priority: domain.PriorityNormal}
		ts := []Ticket{
			{ID: f.ticket(tx, "kartu", domain.PriorityNormal, now), Channel: "webform", QueueID: kartu, Filed: filed},
			{ID: f.ticket(tx, "kartu", domain.PriorityNormal, now), Channel: "webform", QueueID: kartu, Filed: filed},
		}
		if err := f.r.LockAgents(context.Background(), tx, []int64{kartu}, nil); err != nil {
			return err
		}
		var err error
		if out, err = f.r.RouteLocked(context.Background(), tx, ts); err != nil {
			return err
		}
		unfiled, err := f.r.RouteLocked(context.Background(), tx, []Ticket{{ID: f.ticket(tx, "", domain.PriorityNormal, now), Category: "kartu", Channel: "webform"}})
		out = append(out, unfiled...)
		return err
	}))
	if len(out) != 3 {
		t.Fatalf("%d assignments, want 3", len(out))
	}
	for _, a := range out {
		if a.AgentID != free || a.QueueID != kartu || f.assignee(a.TicketID) != free {
			t.Errorf("ticket %d: assignment %+v, stored assignee %d; want agent %d in queue %d", a.TicketID, a, f.assignee(a.TicketID), free, kartu)
		}
	}
	if got := []int{f.load(offline), f.load(full), f.load(free)}; got[0] != 0 || got[1] != 1 || got[2] != 3 {
		t.Errorf("loads offline/full/free %v, want [0 1 3]", got)
	}
}
