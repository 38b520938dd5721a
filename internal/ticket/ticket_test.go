package ticket_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

type fixture struct {
	db       *db.DB
	bus      *bus.Bus
	tickets  *ticket.Service
	agents   *agent.Service
	router   *routing.Router
	settings *routing.Settings
	agent    agent.Agent // member of queue "umum"
	other    agent.Agent // member of no queue
	queueID  int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testenv.DB(t), bus: testenv.Bus(t)}
	log := testenv.Logger(t)
	settings := routing.NewSettings(routing.SettingsOpts{DB: f.db, DefaultQueue: "umum", Log: log})
	f.router = routing.New(routing.Opts{DB: f.db, Settings: settings, Log: log})
	f.settings = settings
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}}); err != nil {
		t.Fatal(err)
	}
	qid, err := settings.QueueID("umum")
	if err != nil {
		t.Fatal(err)
	}
	f.queueID = qid
	f.agents = agent.New(agent.Opts{DB: f.db, Log: log, BcryptCost: 4})
	f.agent, err = f.agents.Create(ctx, agent.NewAgent{Email: "rina@tanggap.test", Name: "Rina", Password: "password-rina", QueueCodes: []string{"umum"}, Capacity: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.other, err = f.agents.Create(ctx, agent.NewAgent{Email: "joko@tanggap.test", Name: "Joko", Password: "password-joko"})
	if err != nil {
		t.Fatal(err)
	}
	f.tickets = ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: f.router,
		Clocks: routing.NewClocks(routing.PartOpts{DB: f.db, Queues: settings, Log: log}), Log: log})
	return f
}

// seedTicket stores a citizen, their phone, a ticket in queue umum and
// their first message, the way the ingest path would.
func (f *fixture) seedTicket(t *testing.T, status domain.TicketStatus, assignee *int64) (id int64, tn string) {
	t.Helper()
	now := time.Now().UTC()
	tn = tracking.Generate()
	var contactID int64
	must(t, f.db.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error)
	phone := "+62812" + tn[len(tn)-7:len(tn)-5] + tn[len(tn)-4:] + "1"
	must(t, f.db.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'phone', ?, ?)`,
		contactID, phone, now).Error)
	must(t, f.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, queue_id, assignee_id,
		reporter_phone, created_at, updated_at, last_message_at) VALUES (?, ?, 'webform', 'insentif', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tn, contactID, status, f.queueID, assignee, phone, now, now, now).Scan(&id).Error)
	must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'in', 'webform', ?, 'Insentif saya belum cair', ?, ?)`, id, "form-"+tn, now, now).Error)
	if assignee != nil && status.Active() {
		must(t, f.db.Exec(`UPDATE agents SET active_load = active_load + 1 WHERE id = ?`, *assignee).Error)
	}
	return id, tn
}

func (f *fixture) phoneOf(t *testing.T, ticketID int64) string {
	t.Helper()
	var v string
	must(t, f.db.Raw(`SELECT ci.value FROM contact_identities ci JOIN tickets t ON t.contact_id = ci.contact_id WHERE t.id = ?`, ticketID).Scan(&v).Error)
	return v
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReplyIsStoredAndPublishedForTheChannel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, tn := f.seedTicket(t, domain.StatusNew, nil)

	msg, err := f.tickets.Reply(ctx, f.agent, id, "  Mohon ditunggu, sedang kami cek.  ")
	if err != nil {
		t.Fatal(err)
	}
	if msg.Body != "Mohon ditunggu, sedang kami cek." || msg.DeliveryStatus != domain.DeliveryQueued || msg.Author != "Rina" {
		t.Fatalf("reply = %+v", msg)
	}
	d, err := f.tickets.Get(ctx, f.agent, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.StatusOpen || d.FirstResponseAt == nil || len(d.Messages) != 2 {
		t.Fatalf("after reply: status %s first_response %v messages %d", d.Status, d.FirstResponseAt, len(d.Messages))
	}

	cons, err := f.bus.JS.CreateOrUpdateConsumer(ctx, f.bus.Names.StreamOutbound(), jetstream.ConsumerConfig{
		Durable: "test-reader", FilterSubject: f.bus.Names.Outbound(domain.ChannelWebform), AckPolicy: jetstream.AckExplicitPolicy})
	must(t, err)
	m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	must(t, err)
	var out envelope.Outbound
	must(t, json.Unmarshal(m.Data(), &out))
	if out.MessageID != msg.ID || out.TicketID != id || out.TrackingNumber != tn || out.To.Phone == "" || out.AgentName != "Rina" {
		t.Fatalf("outbound = %+v", out)
	}
}

func TestReplyRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	closedID, _ := f.seedTicket(t, domain.StatusClosed, nil)
	openID, _ := f.seedTicket(t, domain.StatusOpen, nil)

	cases := []struct {
		name   string
		viewer agent.Agent
		id     int64
		body   string
		want   error
	}{
		{"closed ticket refuses replies", f.agent, closedID, "halo", ticket.ErrClosed},
		{"agent outside the queue cannot reply", f.other, openID, "halo", ticket.ErrForbidden},
		{"unknown ticket", f.agent, 999999, "halo", ticket.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.tickets.Reply(ctx, tc.viewer, tc.id, tc.body); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("empty body is a validation error", func(t *testing.T) {
		_, err := f.tickets.Reply(ctx, f.agent, openID, "   ")
		var ve *apperr.ValidationError
		if !errors.As(err, &ve) || ve.Fields["body"].Key != "validation.body_required" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSummaryOnlyForWhoMaySeeTheTicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, tn := f.seedTicket(t, domain.StatusOpen, nil)
	got, err := f.tickets.Summary(ctx, f.agent, id)
	if err != nil || got.ID != id || got.TrackingNumber != tn {
		t.Fatalf("Summary = %+v, %v", got, err)
	}
	if _, err := f.tickets.Summary(ctx, f.other, id); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("agent outside the queue: %v, want ErrForbidden", err)
	}
	if _, err := f.tickets.Summary(ctx, f.agent, 999999); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("unknown ticket: %v, want ErrNotFound", err)
	}
}

func TestReplyWithTheBusDownStoresNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.seedTicket(t, domain.StatusOpen, nil)
	f.bus.Close()

	_, err := f.tickets.Reply(ctx, f.agent, id, "Balasan")
	if !errors.Is(err, bus.ErrUnavailable) {
		t.Fatalf("want bus.ErrUnavailable, got %v", err)
	}
	var n int64
	must(t, f.db.Raw(`SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND direction = 'out'`, id).Scan(&n).Error)
	if n != 0 {
		t.Fatalf("%d replies stored although the publish failed", n)
	}
}

func TestReceiptsOnlyMoveForward(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.seedTicket(t, domain.StatusOpen, nil)
	msg, err := f.tickets.Reply(ctx, f.agent, id, "Balasan")
	must(t, err)

	status := func() (domain.DeliveryStatus, string) {
		var row struct {
			DeliveryStatus domain.DeliveryStatus
			ExternalID     string
		}
		must(t, f.db.Raw(`SELECT delivery_status, external_id FROM messages WHERE id = ?`, msg.ID).Scan(&row).Error)
		return row.DeliveryStatus, row.ExternalID
	}
	apply := func(st domain.DeliveryStatus, ext string) {
		t.Helper()
		must(t, f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: st, ExternalID: ext, At: time.Now()}))
	}
	apply(domain.DeliverySent, "ext-1")
	apply(domain.DeliveryRead, "")
	apply(domain.DeliveryDelivered, "") // late: must not undo read
	if st, ext := status(); st != domain.DeliveryRead || ext != "ext-1" {
		t.Fatalf("status %s ext %s, want read ext-1", st, ext)
	}
	apply(domain.DeliveryFailed, "")
	apply(domain.DeliveryRead, "")
	if st, _ := status(); st != domain.DeliveryFailed {
		t.Fatalf("failed must be terminal, got %s", st)
	}
	err = f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: 987654, Status: "sent"})
	if !errors.Is(err, ticket.ErrMessageNotFound) {
		t.Fatalf("unknown message: %v", err)
	}
}

func TestStatusChangesKeepAgentLoad(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rina := f.agent.ID
	id, _ := f.seedTicket(t, domain.StatusOpen, &rina)
	load := func() int {
		a, err := f.agents.Get(ctx, rina)
		must(t, err)
		return a.ActiveLoad
	}
	if load() != 1 {
		t.Fatalf("load %d before", load())
	}
	steps := []struct {
		to       domain.TicketStatus
		wantErr  error
		wantLoad int
	}{
		{domain.StatusPending, nil, 1},
		{domain.StatusSolved, nil, 0},
		{domain.StatusOpen, nil, 1}, // reopened: back on Rina's load
		{domain.StatusClosed, nil, 0},
		{domain.StatusOpen, ticket.ErrInvalidStatusChange, 0},
	}
	for _, s := range steps {
		_, err := f.tickets.SetStatus(ctx, f.agent, id, s.to)
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("-> %s: err %v, want %v", s.to, err, s.wantErr)
		}
		if got := load(); got != s.wantLoad {
			t.Fatalf("-> %s: load %d, want %d", s.to, got, s.wantLoad)
		}
	}
	_, err := f.tickets.SetStatus(ctx, f.agent, id, "new")
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("status new by an agent: %v", err)
	}
}

func TestPublicLookupShowsOnlyDeliveredReplies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, tn := f.seedTicket(t, domain.StatusOpen, nil)
	phone := f.phoneOf(t, id)

	msg, err := f.tickets.Reply(ctx, f.agent, id, "Sudah kami proses")
	must(t, err)
	p, err := f.tickets.PublicLookup(ctx, tn, phone)
	must(t, err)
	if len(p.Messages) != 1 {
		t.Fatalf("undelivered reply visible: %+v", p.Messages)
	}
	must(t, f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: "delivered"}))
	// Local form, dashes dropped: both must still match.
	p, err = f.tickets.PublicLookup(ctx, tn[:4]+tn[5:9]+tn[10:14]+tn[15:], "0"+phone[3:])
	must(t, err)
	if len(p.Messages) != 2 || p.Messages[1].Body != "Sudah kami proses" || p.Messages[1].Author != "Rina" {
		t.Fatalf("public thread = %+v", p.Messages)
	}

	other, _ := f.seedTicket(t, domain.StatusOpen, nil)
	// Someone files a complaint naming this citizen's phone and their own
	// e-mail: contact resolution attaches the e-mail to the same contact.
	must(t, f.db.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at)
		SELECT contact_id, 'email', 'later@example.go.id', created_at FROM tickets WHERE id = ?`, id).Error)
	cases := []struct{ name, tn, contact string }{
		{"contact of another citizen", tn, f.phoneOf(t, other)},
		{"tracking number off by one digit", tn[:len(tn)-1] + string('0'+(tn[len(tn)-1]-'0'+1)%10), phone},
		{"garbage contact", tn, "x"},
		{"an address attached to the citizen later, not given with the ticket", tn, "later@example.go.id"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.tickets.PublicLookup(ctx, tc.tn, tc.contact); !errors.Is(err, ticket.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
	}
}

func TestListScopes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rina := f.agent.ID
	mine, _ := f.seedTicket(t, domain.StatusOpen, &rina)
	queued, _ := f.seedTicket(t, domain.StatusNew, nil)
	solved, _ := f.seedTicket(t, domain.StatusSolved, nil)

	ids := func(list []ticket.Summary) map[int64]bool {
		m := map[int64]bool{}
		for _, s := range list {
			m[s.ID] = true
		}
		return m
	}
	l, err := f.tickets.List(ctx, f.agent, ticket.Filter{Scope: "mine"})
	must(t, err)
	if got := ids(l); len(got) != 1 || !got[mine] {
		t.Fatalf("mine = %v", got)
	}
	l, err = f.tickets.List(ctx, f.agent, ticket.Filter{})
	must(t, err)
	if got := ids(l); len(got) != 2 || !got[mine] || !got[queued] {
		t.Fatalf("queue = %v", got)
	}
	// The agent's own ticket is in their queue too, so it is in two of the
	// list's branches: listed once, counted once.
	if len(l) != 2 {
		t.Fatalf("queue list has %d rows for 2 tickets: %+v", len(l), l)
	}
	n, err := f.tickets.Count(ctx, f.agent, ticket.Filter{})
	must(t, err)
	if n != 2 {
		t.Fatalf("queue count = %d, want 2", n)
	}
	l, err = f.tickets.List(ctx, f.agent, ticket.Filter{Status: "all"})
	must(t, err)
	if got := ids(l); !got[solved] {
		t.Fatalf("status=all misses solved: %v", got)
	}
	l, err = f.tickets.List(ctx, f.other, ticket.Filter{Scope: "all"})
	must(t, err)
	if len(l) != 0 {
		t.Fatalf("agent without queues sees %d tickets", len(l))
	}
}

// TestStatusPageShowsWhatTheChannelCouldNotCarry: a reply its channel
// could not carry (failed: a chat the citizen left, a phone call, which
// takes no text) is shown on the citizen's status page, where the SMS or
// email notice sent for it points; a queued one waits. The phone
// channel's records of a call are the agents', not the citizen's words:
// the page leaves them out and keeps the voicemail.
func TestStatusPageShowsWhatTheChannelCouldNotCarry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, tn := f.seedTicket(t, domain.StatusOpen, nil)
	phone := f.phoneOf(t, id)
	bodies := func() []string {
		t.Helper()
		p, err := f.tickets.PublicLookup(ctx, tn, phone)
		must(t, err)
		var out []string
		for _, m := range p.Messages {
			out = append(out, m.Body)
		}
		return out
	}
	msg, err := f.tickets.Reply(ctx, f.agent, id, "Jawaban kami ada di sini.")
	must(t, err)
	if got := bodies(); len(got) != 1 {
		t.Fatalf("a queued reply shown: %q", got)
	}
	must(t, f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: domain.DeliveryFailed, Error: "the citizen left"}))
	if got := bodies(); len(got) != 2 || got[1] != "Jawaban kami ada di sini." {
		t.Fatalf("a reply its channel could not carry: page shows %q", got)
	}
	now := time.Now().UTC()
	audio := map[domain.Kind]int64{}
	for kind, body := range map[domain.Kind]string{
		domain.KindCallRecording: "Rekaman percakapan dengan petugas, 95 detik.",
		domain.KindVoicemail:     "Pesan suara warga",
	} {
		var msgID, attID int64
		must(t, f.db.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, fields, created_at, updated_at)
			VALUES (?, 'in', 'voice', ?, ?, ?, ?, ?) RETURNING id`, id, "call-"+string(kind), body, `{"kind":"`+string(kind)+`"}`, now, now).Scan(&msgID).Error)
		must(t, f.db.Raw(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, created_at) VALUES (?, ?, 'rekaman.wav', 'audio/wave', 3, ?) RETURNING id`,
			msgID, "2026/12/"+string(kind)+".wav", now).Scan(&attID).Error)
		audio[kind] = attID
	}
	got := bodies()
	if len(got) != 3 || got[2] != "Pesan suara warga" {
		t.Fatalf("status page with a recorded conversation and a voicemail: %q, want the voicemail and not the recording", got)
	}
	// Nor is the recording's audio served to the page; the voicemail's is.
	if _, err := f.tickets.PublicAttachment(ctx, tn, phone, audio[domain.KindCallRecording]); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("the recorded conversation's audio from the status page: %v, want not found", err)
	}
	if a, err := f.tickets.PublicAttachment(ctx, tn, phone, audio[domain.KindVoicemail]); err != nil || a.Filename != "rekaman.wav" {
		t.Fatalf("the voicemail's audio from the status page: %+v %v", a, err)
	}
}
