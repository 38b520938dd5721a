package search_test

import (
	"context"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/search"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

type fixture struct {
	db      *db.DB
	tickets *ticket.Service
	search  *search.Service
	queueA  int64
	queueB  int64
	agentA  agent.Agent // member of queue a
	agentB  agent.Agent // member of queue b
	super   agent.Agent
	admin   agent.Agent
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testenv.DB(t)}
	log := testenv.Logger(t)
	router := routing.NewSettings(routing.SettingsOpts{DB: f.db, DefaultQueue: "a", Log: log})
	must(t, router.EnsureQueues(ctx, []routing.QueueSpec{{Code: "a", Name: "Antrean A"}, {Code: "b", Name: "Antrean B"}}))
	var err error
	f.queueA, err = router.QueueID("a")
	must(t, err)
	f.queueB, err = router.QueueID("b")
	must(t, err)
	agents := agent.New(agent.Opts{DB: f.db, Log: log, BcryptCost: 4})
	mk := func(email, name string, role domain.Role, queues ...string) agent.Agent {
		a, err := agents.Create(ctx, agent.NewAgent{Email: email, Name: name, Password: "password-" + name, Role: role, QueueCodes: queues, Capacity: 5})
		must(t, err)
		return a
	}
	f.agentA = mk("rina@tanggap.test", "Rina", domain.RoleAgent, "a")
	f.agentB = mk("joko@tanggap.test", "Joko", domain.RoleAgent, "b")
	f.super = mk("dewi@tanggap.test", "Dewi", domain.RoleSupervisor, "a", "b")
	f.admin = mk("adi@tanggap.test", "Adi", domain.RoleAdmin)
	f.tickets = ticket.New(ticket.Opts{DB: f.db, Log: log})
	f.search = search.New(search.Opts{DB: f.db, Tickets: f.tickets, Log: log, CountTTL: time.Nanosecond})
	return f
}

// seed describes one ticket for the fixture.
type seed struct {
	name, phone, email, nik string
	queue                   int64
	assignee                *int64
	status                  domain.TicketStatus
	channel, category       string
	priority, province      string
	body                    string
	at                      time.Time
	resolutionDue           *time.Time
}

// add stores a citizen, identities, a ticket and its message the way the
// ingest path would, and returns the ticket id and tracking number.
func (f *fixture) add(t *testing.T, s seed) (int64, string) {
	t.Helper()
	if s.status == "" {
		s.status = domain.StatusOpen
	}
	if s.channel == "" {
		s.channel = "webform"
	}
	if s.priority == "" {
		s.priority = "normal"
	}
	if s.at.IsZero() {
		s.at = time.Now().UTC()
	}
	tn := tracking.Generate()
	var contactID, id int64
	must(t, f.db.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
		s.name, s.province, s.at, s.at).Scan(&contactID).Error)
	for kind, v := range map[string]string{"phone": s.phone, "email": s.email, "nik": s.nik} {
		if v != "" {
			must(t, f.db.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, ?, ?, ?)`,
				contactID, kind, v, s.at).Error)
		}
	}
	var queue any
	if s.queue != 0 {
		queue = s.queue
	}
	must(t, f.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, assignee_id,
		province_code, created_at, updated_at, last_message_at, resolution_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tn, contactID, s.channel, s.category, s.status, s.priority, queue, s.assignee, s.province, s.at, s.at, s.at, s.resolutionDue).Scan(&id).Error)
	must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'in', ?, ?, ?, ?, ?)`, id, s.channel, "p-"+tn, s.body, s.at, s.at).Error)
	return id, tn
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids(rs search.Results) []int64 {
	out := []int64{}
	for _, r := range rs.Results {
		out = append(out, r.Ticket.ID)
	}
	return out
}

func ticketIDs(ts []ticket.Summary) []int64 {
	out := []int64{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func has(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}
