package notes_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/bus/bustest"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/notes"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

type fixture struct {
	db      *db.DB
	bus     *bus.Bus
	tickets *ticket.Service
	notes   *notes.Service
	queues  map[string]int64
	// budi and sari work queue umum, joko only queue kartu; rudi1 and
	// rudi2 share a first name; dewi supervises (no queue).
	budi, sari, joko, rudi1, rudi2, dewi agent.Agent
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testenv.DB(t), bus: testenv.Bus(t), queues: map[string]int64{}}
	log := testenv.Logger(t)
	settings := routing.NewSettings(routing.SettingsOpts{DB: f.db, DefaultQueue: "umum", Log: log})
	router := routing.New(routing.Opts{DB: f.db, Settings: settings, Log: log})
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}, {Code: "kartu", Name: "Kartu"}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"umum", "kartu"} {
		id, err := settings.QueueID(q)
		if err != nil {
			t.Fatal(err)
		}
		f.queues[q] = id
	}
	agents := agent.New(agent.Opts{DB: f.db, Log: log, BcryptCost: 4})
	mk := func(email, name string, role domain.Role, queues ...string) agent.Agent {
		a, err := agents.Create(ctx, agent.NewAgent{Email: email, Name: name, Password: "kata-sandi-panjang", Role: role, QueueCodes: queues, Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.budi = mk("budi@tanggap.test", "Budi Santoso", domain.RoleAgent, "umum")
	f.sari = mk("sari@tanggap.test", "Sari Wulandari", domain.RoleAgent, "umum")
	f.joko = mk("joko@tanggap.test", "Joko", domain.RoleAgent, "kartu")
	f.rudi1 = mk("rudi.h@tanggap.test", "Rudi Hartono", domain.RoleAgent, "umum")
	f.rudi2 = mk("rudi.s@tanggap.test", "Rudi Setiawan", domain.RoleAgent, "umum")
	f.dewi = mk("dewi@tanggap.test", "Dewi", domain.RoleSupervisor)
	f.tickets = ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: router,
		Clocks: routing.NewClocks(routing.PartOpts{DB: f.db, Queues: settings, Log: log}), Log: log})
	f.notes = notes.New(notes.Opts{DB: f.db, Tickets: f.tickets, Summaries: f.tickets, Agents: agents, Events: f.bus, Log: log})
	return f
}

// seedTicket stores a citizen and a web-form ticket in a queue, as ingest would.
func (f *fixture) seedTicket(t *testing.T, queue string) int64 {
	t.Helper()
	now := time.Now().UTC()
	tn := tracking.Generate()
	var contactID, id int64
	must(t, f.db.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error)
	must(t, f.db.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'email', ?, ?)`,
		contactID, strings.ToLower(tn)+"@warga.test", now).Error)
	must(t, f.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, queue_id, reporter_email,
		created_at, updated_at, last_message_at) VALUES (?, ?, 'webform', 'insentif', 'open', ?, ?, ?, ?, ?) RETURNING id`,
		tn, contactID, f.queues[queue], strings.ToLower(tn)+"@warga.test", now, now, now).Scan(&id).Error)
	must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'in', 'webform', ?, 'Insentif saya belum cair', ?, ?)`, id, "form-"+tn, now, now).Error)
	return id
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	must(t, f.db.Raw(q, args...).Scan(&n).Error)
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// outbound counts what is published for delivery to citizens, on every
// channel.
func outbound(t *testing.T, b *bus.Bus) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	sub, err := b.NC.Subscribe(b.Names.OutboundAll(), func(*nats.Msg) { n.Add(1) })
	must(t, err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	must(t, b.NC.Flush())
	return &n
}

// A note with a mention is stored as an agent's note (told apart from
// system notes), publishes nothing for delivery on any channel, stays off
// the citizen's status page, and gives the mentioned agent one stored,
// pushed notification whose preview is masked.
func TestNoteIsInternalAndNotifiesTheMentionedAgent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.seedTicket(t, "umum")
	out := outbound(t, f.bus)
	rec := bustest.Record(t, f.bus)

	n, err := f.notes.Post(ctx, f.budi, id, "@sari tolong cek NIK 3201234567890001, warga minta ditelepon. @Sari @budi")
	if err != nil {
		t.Fatal(err)
	}
	if n.Direction != domain.DirectionNote || n.Fields[ticket.NoteKindField] != ticket.NoteKindAgent || len(n.Mentioned) != 1 || n.Mentioned[0].ID != f.sari.ID {
		t.Fatalf("note = %+v", n)
	}
	ev := bustest.Wait(t, rec, func(e bus.NotificationCreated) bool { return e.RecipientID == f.sari.ID })
	if ev.TicketID != id || ev.QueueID != f.queues["umum"] || ev.ActorID != f.budi.ID || ev.Kind != notes.KindMention || strings.Contains(ev.Preview, "3201234567890001") {
		t.Fatalf("event = %+v", ev)
	}
	bustest.Wait(t, rec, func(e bus.MessageCreated) bool { return e.MessageID == n.ID && e.Direction == domain.DirectionNote })

	// The thread shows it as an agent's note; the status page does not.
	d, err := f.tickets.Get(ctx, f.sari, id)
	must(t, err)
	last := d.Messages[len(d.Messages)-1]
	if last.ID != n.ID || last.Direction != domain.DirectionNote || last.Fields[ticket.NoteKindField] != ticket.NoteKindAgent {
		t.Fatalf("thread's last message = %+v", last)
	}
	var email string
	must(t, f.db.Raw(`SELECT reporter_email FROM tickets WHERE id = ?`, id).Scan(&email).Error)
	pub, err := f.tickets.PublicLookup(ctx, d.TrackingNumber, email)
	must(t, err)
	for _, m := range pub.Messages {
		if m.MessageID == n.ID || m.Direction == domain.DirectionNote {
			t.Fatalf("the status page shows the note: %+v", m)
		}
	}

	page, err := f.notes.List(ctx, f.sari, notes.ListOpts{})
	must(t, err)
	if page.Unread != 1 || len(page.Notifications) != 1 || page.Notifications[0].ActorName != "Budi Santoso" ||
		page.Notifications[0].TrackingNumber != d.TrackingNumber || strings.Contains(page.Notifications[0].Preview, "3201234567890001") {
		t.Fatalf("sari's notifications = %+v", page)
	}
	if mine, _ := f.notes.List(ctx, f.budi, notes.ListOpts{}); len(mine.Notifications) != 0 {
		t.Fatalf("mentioning oneself notified: %+v", mine)
	}

	// Nothing went out for delivery; a reply does (the count can move).
	must(t, f.bus.NC.Flush())
	if got := out.Load(); got != 0 {
		t.Fatalf("%d outbound messages after a note, want 0", got)
	}
	if _, err := f.tickets.Reply(ctx, f.budi, id, "Baik, kami cek."); err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 5*time.Second, 5*time.Millisecond, func() error {
		if out.Load() != 1 {
			return errors.New("the reply is not on the outbound stream yet")
		}
		return nil
	})

	// Marking read: only one's own.
	unread, err := f.notes.MarkRead(ctx, f.budi, []int64{page.Notifications[0].ID}, false)
	must(t, err)
	if unread != 0 || f.count(t, `SELECT COUNT(*) FROM notifications WHERE read_at IS NULL`) != 1 {
		t.Fatalf("budi marked sari's notification read")
	}
	if unread, err = f.notes.MarkRead(ctx, f.sari, []int64{page.Notifications[0].ID}, false); err != nil || unread != 0 {
		t.Fatalf("mark read: %d %v", unread, err)
	}
	page, _ = f.notes.List(ctx, f.sari, notes.ListOpts{UnreadOnly: true})
	if page.Unread != 0 || len(page.Notifications) != 0 {
		t.Fatalf("after marking read: %+v", page)
	}
}

// Mentions that name nobody, several agents or an agent who may not see
// the ticket refuse the whole note (nothing stored, nobody notified);
// e-mail addresses are no mentions.
func TestMentionRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.seedTicket(t, "umum")
	for _, c := range []struct {
		name, body, want string
	}{
		{"unknown handle", "@siapa tolong bantu", "notes.mention_unknown"},
		{"two agents share the first name", "@rudi tolong bantu", "notes.mention_ambiguous"},
		{"agent outside the ticket's queue", "@joko tolong bantu", "notes.mention_out_of_scope"},
		{"one bad mention among good ones", "@sari dan @joko", "notes.mention_out_of_scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.count(t, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, id)
			_, err := f.notes.Post(ctx, f.budi, id, c.body)
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) || ve.Fields["body"].Key != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if f.count(t, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, id) != before || f.count(t, `SELECT COUNT(*) FROM notifications`) != 0 {
				t.Fatal("a refused note left a message or a notification")
			}
		})
	}
	// Full handles disambiguate; the supervisor sees every ticket; an
	// e-mail address is not a mention.
	n, err := f.notes.Post(ctx, f.budi, id, "@rudi.h dan @dewi: warga menulis ke budi@example.go.id.")
	must(t, err)
	if len(n.Mentioned) != 2 || n.Mentioned[0].ID != f.rudi1.ID || n.Mentioned[1].ID != f.dewi.ID {
		t.Fatalf("mentioned = %+v", n.Mentioned)
	}
	// Only who may see the ticket is offered.
	list, err := f.notes.Mentionable(ctx, f.budi, id)
	must(t, err)
	for _, a := range list {
		if a.ID == f.joko.ID || a.ID == f.budi.ID {
			t.Fatalf("mentionable lists %s", a.Name)
		}
	}
	if len(list) != 4 {
		t.Fatalf("mentionable = %d agents, want sari, both rudis and dewi", len(list))
	}
	// Joko may not write on (or learn of) a ticket of another queue.
	if _, err := f.notes.Post(ctx, f.joko, id, "halo"); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("joko's note: %v", err)
	}
	if _, err := f.notes.Mentionable(ctx, f.joko, id); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("joko's mentionable: %v", err)
	}
	if _, err := f.notes.Post(ctx, f.budi, id, "   "); err == nil {
		t.Fatal("an empty note was stored")
	}
}

// A notification of a ticket that left the agent's scope drops out of
// their list and count; another agent's notifications are never listed.
func TestNotificationsStayInScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.seedTicket(t, "umum")
	b := f.seedTicket(t, "umum")
	for _, id := range []int64{a, b} {
		if _, err := f.notes.Post(ctx, f.budi, id, "@sari cek ya"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.notes.Post(ctx, f.sari, a, "@budi sudah"); err != nil {
		t.Fatal(err)
	}
	page, err := f.notes.List(ctx, f.sari, notes.ListOpts{})
	must(t, err)
	if page.Unread != 2 || len(page.Notifications) != 2 || page.Notifications[0].TicketID != b {
		t.Fatalf("sari's notifications = %+v", page)
	}
	must(t, f.db.Exec(`UPDATE tickets SET queue_id = ? WHERE id = ?`, f.queues["kartu"], b).Error)
	page, err = f.notes.List(ctx, f.sari, notes.ListOpts{})
	must(t, err)
	if page.Unread != 1 || len(page.Notifications) != 1 || page.Notifications[0].TicketID != a {
		t.Fatalf("after the ticket left sari's queue: %+v", page)
	}
	for _, n := range page.Notifications {
		if n.ActorID == nil || *n.ActorID != f.budi.ID {
			t.Fatalf("sari sees a notification not hers: %+v", n)
		}
	}
	// Paging: before the newest id.
	page, err = f.notes.List(ctx, f.budi, notes.ListOpts{Before: 1})
	must(t, err)
	if len(page.Notifications) != 0 {
		t.Fatalf("before=1: %+v", page.Notifications)
	}
	if _, err := f.notes.MarkRead(ctx, f.sari, nil, false); err == nil {
		t.Fatal("marking nothing read was accepted")
	}
	if n, err := f.notes.MarkRead(ctx, f.sari, nil, true); err != nil || n != 0 {
		t.Fatalf("mark all read: %d %v", n, err)
	}
}

// Every statement the notification routes run per request is served by
// an index.
func TestNotificationStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	for _, c := range []struct {
		name, q string
		args    []any
		index   string
	}{
		{"list, agent with queues", notes.ListSQL + ` AND (t.assignee_id = ? OR t.queue_id IN (?, ?)) ORDER BY n.id DESC LIMIT ?`,
			[]any{1, 1, 2, 3, 30}, "notifications_agent_idx"},
		{"next page", notes.ListSQL + ` AND n.id < ? ORDER BY n.id DESC LIMIT ?`, []any{1, 100, 30}, "notifications_agent_idx"},
		{"unread count", notes.UnreadSQL + ` AND t.assignee_id = ?`, []any{1, 1}, "notifications_unread_idx"},
		{"mark read", `UPDATE notifications SET read_at = CURRENT_TIMESTAMP WHERE agent_id = ? AND read_at IS NULL AND id IN (?, ?)`,
			[]any{1, 2, 3}, "notifications_"},
		{"mark all read", `UPDATE notifications SET read_at = CURRENT_TIMESTAMP WHERE agent_id = ? AND read_at IS NULL`,
			[]any{1}, "notifications_unread_idx"},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		t.Logf("%s:\n%s", c.name, plan)
		if !strings.Contains(plan, c.index) {
			t.Errorf("%s is not served by %s:\n%s", c.name, c.index, plan)
		}
		if strings.Contains(plan, "SCAN n\n") || strings.Contains(plan, "Seq Scan on notifications") || strings.HasSuffix(plan, "SCAN n") {
			t.Errorf("%s reads every notification:\n%s", c.name, plan)
		}
	}
}
