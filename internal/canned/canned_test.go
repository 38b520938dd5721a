package canned_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/canned"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

type fixture struct {
	db      *db.DB
	bus     *bus.Bus
	tickets *ticket.Service
	router  *routing.Router
	clocks  *routing.Clocks
	svc     *canned.Service
	queues  map[string]int64
	// budi: agent of umum; joko: agent of kartu; dewi: supervisor of
	// umum; admin: admin of no queue.
	budi, joko, dewi, admin agent.Agent
}

func newFixture(t *testing.T, tagger canned.Tagger) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testenv.DB(t), bus: testenv.Bus(t), queues: map[string]int64{}}
	log := testenv.Logger(t)
	settings := routing.NewSettings(routing.SettingsOpts{DB: f.db, DefaultQueue: "umum", Log: log})
	f.router = routing.New(routing.Opts{DB: f.db, Settings: settings, Log: log})
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}, {Code: "kartu", Name: "Kartu Prakerja"}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"umum", "kartu"} {
		id, err := settings.QueueID(q)
		must(t, err)
		f.queues[q] = id
	}
	agents := agent.New(agent.Opts{DB: f.db, Log: log, BcryptCost: 4})
	mk := func(email, name string, role domain.Role, queues ...string) agent.Agent {
		a, err := agents.Create(ctx, agent.NewAgent{Email: email, Name: name, Password: "kata-sandi-panjang", Role: role, QueueCodes: queues, Capacity: 5})
		must(t, err)
		return a
	}
	f.budi = mk("budi@tanggap.test", "Budi", domain.RoleAgent, "umum")
	f.joko = mk("joko@tanggap.test", "Joko", domain.RoleAgent, "kartu")
	f.dewi = mk("dewi@tanggap.test", "Dewi", domain.RoleSupervisor, "umum")
	f.admin = mk("admin@tanggap.test", "Admin", domain.RoleAdmin)
	cat, err := locale.Load()
	must(t, err)
	f.clocks = routing.NewClocks(routing.PartOpts{DB: f.db, Queues: settings, Log: log})
	f.tickets = ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: f.router, Clocks: f.clocks, Log: log})
	f.svc = canned.New(canned.Opts{DB: f.db, Tickets: f.tickets, Work: f.router, Tagger: tagger, Texts: cat,
		PublicURL: "https://layanan.example.go.id/", Log: log})
	return f
}

// seedTicket stores a citizen and an open web-form ticket of a queue,
// assigned to assignee (0: none).
func (f *fixture) seedTicket(t *testing.T, queue string, assignee int64, citizen string) (int64, string) {
	t.Helper()
	now := time.Now().UTC()
	tn := tracking.Generate()
	var contactID, id int64
	must(t, f.db.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id`, citizen, now, now).Scan(&contactID).Error)
	var a any
	if assignee != 0 {
		a = assignee
		must(t, f.db.Exec(`UPDATE agents SET active_load = active_load + 1 WHERE id = ?`, assignee).Error)
	}
	must(t, f.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, queue_id, assignee_id,
		created_at, updated_at, last_message_at) VALUES (?, ?, 'webform', 'insentif', 'open', ?, ?, ?, ?, ?) RETURNING id`,
		tn, contactID, f.queues[queue], a, now, now, now).Scan(&id).Error)
	must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'in', 'webform', ?, 'Insentif saya belum cair', ?, ?)`, id, "form-"+tn, now, now).Error)
	return id, tn
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr(v int64) *int64 { return &v }

func titles(list []canned.Response) string {
	var out []string
	for _, r := range list {
		out = append(out, r.Title)
	}
	return strings.Join(out, ",")
}

// Who may create which canned reply, and who sees it: agents their own
// and the shared ones of their queues (and of every queue); supervisors
// manage the shared ones of their queues, admins every shared one.
func TestCannedOwnershipAndScope(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	body := "Halo {{citizen_name}}, tiket {{tracking_number}}."
	for _, c := range []struct {
		name string
		who  agent.Agent
		d    canned.Draft
		want error
	}{
		{"an agent's personal reply", f.budi, canned.Draft{Title: "Budi pribadi", Body: body}, nil},
		{"an agent may not share", f.budi, canned.Draft{Title: "x", Body: body, Shared: true, QueueID: ptr(f.queues["umum"])}, canned.ErrForbidden},
		{"a supervisor shares in their queue", f.dewi, canned.Draft{Title: "Umum bersama", Body: body, Shared: true, QueueID: ptr(f.queues["umum"])}, nil},
		{"not in a queue they do not supervise", f.dewi, canned.Draft{Title: "x", Body: body, Shared: true, QueueID: ptr(f.queues["kartu"])}, canned.ErrForbidden},
		{"nor for every queue", f.dewi, canned.Draft{Title: "x", Body: body, Shared: true}, canned.ErrForbidden},
		{"an admin shares with every queue", f.admin, canned.Draft{Title: "Semua antrean", Body: body, Shared: true, Lang: "en-US"}, nil},
		{"an admin shares in any queue", f.admin, canned.Draft{Title: "Kartu bersama", Body: body, Shared: true, QueueID: ptr(f.queues["kartu"])}, nil},
		{"joko's personal reply", f.joko, canned.Draft{Title: "Joko pribadi", Body: body}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, c.who, c.d)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	for _, c := range []struct {
		who  agent.Agent
		want string
	}{
		{f.budi, "Budi pribadi,Semua antrean,Umum bersama"},
		{f.joko, "Joko pribadi,Kartu bersama,Semua antrean"},
		{f.dewi, "Kartu bersama,Semua antrean,Umum bersama"},
	} {
		list, err := f.svc.List(ctx, c.who, canned.ListOpts{})
		must(t, err)
		if got := titles(list); got != c.want {
			t.Errorf("%s sees %q, want %q", c.who.Name, got, c.want)
		}
	}
	// No one reaches a reply outside their view, even by id.
	list, _ := f.svc.List(ctx, f.budi, canned.ListOpts{Q: "budi"})
	if len(list) != 1 || !list[0].Editable {
		t.Fatalf("budi's search = %+v", list)
	}
	mine := list[0]
	if _, err := f.svc.Get(ctx, f.joko, mine.ID); !errors.Is(err, canned.ErrNotFound) {
		t.Fatalf("joko reads budi's reply: %v", err)
	}
	if _, err := f.svc.Update(ctx, f.joko, mine.ID, canned.Draft{Title: "t", Body: "b"}); !errors.Is(err, canned.ErrNotFound) {
		t.Fatalf("joko changes budi's reply: %v", err)
	}
	if err := f.svc.Delete(ctx, f.dewi, mine.ID); !errors.Is(err, canned.ErrNotFound) {
		t.Fatalf("a supervisor deletes an agent's personal reply: %v", err)
	}
	shared, _ := f.svc.List(ctx, f.budi, canned.ListOpts{Q: "umum"})
	if len(shared) != 1 || shared[0].Editable {
		t.Fatalf("budi's view of the shared reply = %+v", shared)
	}
	if _, err := f.svc.Update(ctx, f.budi, shared[0].ID, canned.Draft{Shared: true, Title: "t", Body: "b", QueueID: ptr(f.queues["umum"])}); !errors.Is(err, canned.ErrForbidden) {
		t.Fatalf("an agent changes a shared reply: %v", err)
	}
	if _, err := f.svc.Update(ctx, f.dewi, shared[0].ID, canned.Draft{Shared: true, Title: "Umum baru", Body: "b", QueueID: ptr(f.queues["umum"])}); err != nil {
		t.Fatalf("the supervisor changes it: %v", err)
	}
	if err := f.svc.Delete(ctx, f.budi, mine.ID); err != nil {
		t.Fatal(err)
	}
	// English only.
	en, _ := f.svc.List(ctx, f.budi, canned.ListOpts{Lang: "en-US"})
	if titles(en) != "Semua antrean" {
		t.Fatalf("en-US list = %q", titles(en))
	}
}

func TestCannedValidation(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		d     canned.Draft
		field string
		key   string
	}{
		{"unknown variable", canned.Draft{Title: "t", Body: "Halo {{nama_warga}}"}, "body", "canned.unknown_variable"},
		{"no title", canned.Draft{Body: "b"}, "title", "validation.required"},
		{"bad language", canned.Draft{Title: "t", Body: "b", Lang: "fr-FR"}, "lang", "canned.lang_invalid"},
		{"bad shortcut", canned.Draft{Title: "t", Body: "b", Shortcut: "Salam Pembuka"}, "shortcut", "canned.shortcut_invalid"},
		{"a personal reply has no queue", canned.Draft{Title: "t", Body: "b", QueueID: ptr(f.queues["umum"])}, "queue_id", "canned.personal_no_queue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, f.budi, c.d)
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) || ve.Fields[c.field].Key != c.key {
				t.Fatalf("err = %v, want %s on %s", err, c.key, c.field)
			}
		})
	}
}

// Inserting a canned reply fills its variables for the ticket, in the
// reply's language, counts the use, and needs a ticket the agent may see.
func TestUseFillsVariablesAndCounts(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	id, tn := f.seedTicket(t, "umum", 0, "Siti Aminah")
	r, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Status", Shortcut: "status",
		Body: "Yth. {{ citizen_name }}, tiket {{tracking_number}} di antrean {{queue}} berstatus {{status}}: {{status_link}} Salam, {{agent_name}}. {{tidak_ada"})
	must(t, err)
	got, err := f.svc.Use(ctx, f.budi, r.ID, id)
	must(t, err)
	want := "Yth. Siti Aminah, tiket " + tn + " di antrean Umum berstatus Dikerjakan: https://layanan.example.go.id/pengaduan/status?tn=" + tn + " Salam, Budi. {{tidak_ada"
	if got.Body != want {
		t.Fatalf("filled:\n%s\nwant:\n%s", got.Body, want)
	}
	en, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Status EN", Lang: "en-US", Body: "Dear {{citizen_name}}, status {{status}}: {{status_link}}"})
	must(t, err)
	anon, _ := f.seedTicket(t, "umum", 0, "")
	got, err = f.svc.Use(ctx, f.budi, en.ID, anon)
	must(t, err)
	if !strings.HasPrefix(got.Body, "Dear Sir/Madam, status Open: https://") || !strings.HasSuffix(got.Body, "&lang=en-US") {
		t.Fatalf("en-US, no name: %s", got.Body)
	}
	list, _ := f.svc.List(ctx, f.budi, canned.ListOpts{Q: "/stat"})
	if len(list) != 2 || list[0].ID != r.ID || list[0].UsageCount != 1 || list[0].Filled != "" {
		t.Fatalf("after one use each, most used first, nothing filled without a ticket: %+v", list)
	}
	// The list for a ticket previews each reply as inserting it would
	// write it, and counts no use.
	list, err = f.svc.List(ctx, f.budi, canned.ListOpts{Q: "/stat", TicketID: id})
	must(t, err)
	if len(list) != 2 || list[0].Filled != want || list[0].UsageCount != 1 || !strings.HasPrefix(list[1].Filled, "Dear Siti Aminah, status Open: ") {
		t.Fatalf("listed for the ticket: %+v", list)
	}

	other, _ := f.seedTicket(t, "kartu", 0, "Warga Lain")
	if _, err := f.svc.Use(ctx, f.budi, r.ID, other); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("a ticket outside budi's queues: %v", err)
	}
	if _, err := f.svc.List(ctx, f.budi, canned.ListOpts{TicketID: other}); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("listed for a ticket outside budi's queues: %v", err)
	}
}

// The list statements are served by indexes for each kind of viewer.
func TestCannedStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	viewers := map[string]agent.Agent{
		"agent with queues": {ID: 1, Role: domain.RoleAgent, QueueIDs: []int64{1, 2}},
		"agent, no queue":   {ID: 1, Role: domain.RoleAgent},
		"supervisor":        {ID: 1, Role: domain.RoleSupervisor, QueueIDs: []int64{1}},
	}
	for name, v := range viewers {
		for table, stmt := range map[string]func(agent.Agent) (string, []any){"canned_responses": canned.ListResponsesSQL, "macros": canned.ListMacrosSQL} {
			q, args := stmt(v)
			plan := testenv.Plan(t, d, q, args...)
			// Supervisors' "every shared one" is an owner_id IS NULL lookup,
			// which the owner index serves too.
			if !strings.Contains(plan, table+"_owner_idx") || !v.SeesAll() && !strings.Contains(plan, table+"_shared_idx") {
				t.Errorf("%s, %s: not served by the owner and shared indexes:\n%s", table, name, plan)
			}
			if strings.Contains(plan, "Seq Scan on "+table) || strings.Contains(plan, "SCAN c\n") || strings.HasSuffix(plan, "SCAN c") {
				t.Errorf("%s, %s: reads the whole table:\n%s", table, name, plan)
			}
		}
	}
}
