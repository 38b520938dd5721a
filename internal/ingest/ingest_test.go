package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
	"tanggap/internal/tracking"
)

func TestWebformComplaintBecomesRoutedTicket(t *testing.T) {
	e := newEnv(t)
	agent := e.agent("kartu", 5)
	e.agent("umum", 5) // another queue's agent must not get it
	events, err := e.b.NC.SubscribeSync(e.b.Names.EventsAll())
	if err != nil {
		t.Fatal(err)
	}
	in := complaint("form-1", "+6281234567890", "Kartu belum aktif\nSudah dua minggu menunggu.")
	in.Sender.NIK = nikJabar
	in.Attachments = []envelope.Attachment{
		{Key: "att/1", Filename: "ktp.jpg", MIME: "image/jpeg", Size: 1234},
		{Key: "att/2", MIME: "application/pdf", Size: 10, Unavailable: true},
	}
	e.publish(in)
	e.start(e.consumer(Opts{}))
	e.waitCount(1, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()

	tk := e.ticketOf(in.Channel, in.ProviderMessageID)
	kartu, _ := e.router.QueueID("kartu")
	if tk.Status != "new" || tk.Category != "kartu" || tk.Subject != "Kartu belum aktif" || tk.ProvinceCode != "32" {
		t.Fatalf("ticket %+v", tk)
	}
	if tk.QueueID == nil || *tk.QueueID != kartu || tk.AssigneeID == nil || *tk.AssigneeID != agent {
		t.Fatalf("ticket routed to queue %v agent %v, want %d and %d", tk.QueueID, tk.AssigneeID, kartu, agent)
	}
	if n, err := tracking.Normalize(tk.TrackingNumber); err != nil || n != tk.TrackingNumber {
		t.Fatalf("tracking number %q not canonical: %v", tk.TrackingNumber, err)
	}
	var c struct {
		Name, ProvinceCode string
	}
	if err := e.d.Raw(`SELECT name, province_code FROM contacts WHERE id = ?`, tk.ContactID).Scan(&c).Error; err != nil || c.Name != "Budi Santoso" || c.ProvinceCode != "32" {
		t.Fatalf("contact %+v, %v", c, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM contact_identities WHERE contact_id = ?`, tk.ContactID); n != 3 {
		t.Fatalf("%d identities, want phone, email and NIK", n)
	}
	var m struct {
		Direction, Body, Fields string
		CreatedAt               time.Time
	}
	if err := e.d.Raw(`SELECT direction, body, fields, created_at FROM messages`).Scan(&m).Error; err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	if err := json.Unmarshal([]byte(m.Fields), &fields); err != nil || fields["category"] != "kartu" {
		t.Fatalf("fields %q: %v", m.Fields, err)
	}
	if m.Direction != "in" || m.Body != in.Text || !m.CreatedAt.Equal(at) {
		t.Fatalf("message %+v", m)
	}
	if n := e.count(`SELECT COUNT(*) FROM attachments WHERE available = ?`, true); n != 1 {
		t.Fatalf("%d available attachments, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM attachments WHERE available = ?`, false); n != 1 {
		t.Fatalf("%d unavailable attachments, want 1", n)
	}
	if n := e.count(`SELECT active_load FROM agents WHERE id = ?`, agent); n != 1 {
		t.Fatalf("agent load %d, want 1", n)
	}

	want := map[string]bool{"ticket.created": false, "ticket.assigned": false, "message.created": false}
	testenv.CheckFor(t, 10*time.Second, time.Millisecond, func() error {
		msg, err := events.NextMsg(100 * time.Millisecond)
		if err != nil {
			return err
		}
		body := string(msg.Data)
		for _, secret := range []string{"Budi", "81234567890", nikJabar, "example.id"} {
			if strings.Contains(body, secret) {
				t.Fatalf("event %s carries personal data: %s", msg.Subject, body)
			}
		}
		if !strings.Contains(body, fmt.Sprintf(`"ticket_id":%d`, tk.ID)) {
			t.Fatalf("event %s without the ticket id: %s", msg.Subject, body)
		}
		want[strings.TrimPrefix(msg.Subject, e.b.Names.Prefix()+".events.")] = true
		for k, seen := range want {
			if !seen {
				return fmt.Errorf("no %s event yet", k)
			}
		}
		return nil
	})
}

func TestThreading(t *testing.T) {
	const phone = "+6281300000001"
	setStatus := func(status string) func(e *env, tk storedTicket) {
		return func(e *env, tk storedTicket) {
			// What the ticket service does on solve/close: status and
			// Release in one go.
			if err := e.d.Exec(`UPDATE tickets SET status = ? WHERE id = ?`, status, tk.ID).Error; err != nil {
				t.Fatal(err)
			}
			if status == "solved" || status == "closed" {
				if err := e.d.Exec(`UPDATE tickets SET solved_at = ? WHERE id = ?`, time.Now().UTC(), tk.ID).Error; err != nil {
					t.Fatal(err)
				}
				if err := e.d.Exec(`UPDATE agents SET active_load = active_load - 1 WHERE id = ?`, *tk.AssigneeID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	cases := []struct {
		name       string
		prepare    func(e *env, tk storedTicket)
		next       func(tk storedTicket) envelope.Inbound
		wantSame   bool
		wantStatus string
		wantLoad   int64 // of the "kartu" agent; tickets without category go to "umum"
	}{{
		name:     "follow-up with ThreadRef lands on the same ticket",
		next:     func(tk storedTicket) envelope.Inbound { return followUp("f-2", phone, tk.TrackingNumber, "Ada kabar?") },
		wantSame: true, wantStatus: "new", wantLoad: 1,
	}, {
		name: "ThreadRef typed without dashes still finds the ticket",
		next: func(tk storedTicket) envelope.Inbound {
			return followUp("f-2", phone, strings.ReplaceAll(tk.TrackingNumber, "-", ""), "Ada kabar?")
		},
		wantSame: true, wantStatus: "new", wantLoad: 1,
	}, {
		name:    "ThreadRef on a solved ticket reopens it with its agent",
		prepare: setStatus("solved"),
		next: func(tk storedTicket) envelope.Inbound {
			return followUp("f-2", phone, tk.TrackingNumber, "Masih gagal")
		},
		wantSame: true, wantStatus: "open", wantLoad: 1,
	}, {
		name:    "ThreadRef on a pending ticket moves it back to open",
		prepare: setStatus("pending"),
		next: func(tk storedTicket) envelope.Inbound {
			return followUp("f-2", phone, tk.TrackingNumber, "Ini datanya")
		},
		wantSame: true, wantStatus: "open", wantLoad: 1,
	}, {
		name:    "ThreadRef on a closed ticket opens a new ticket",
		prepare: setStatus("closed"),
		next: func(tk storedTicket) envelope.Inbound {
			return followUp("f-2", phone, tk.TrackingNumber, "Masalah baru")
		},
		wantSame: false, wantStatus: "new", wantLoad: 0,
	}, {
		name:     "without ThreadRef a message joins the contact's newest active ticket on the channel",
		next:     func(storedTicket) envelope.Inbound { return followUp("f-2", phone, "", "Tambahan") },
		wantSame: true, wantStatus: "new", wantLoad: 1,
	}, {
		name:     "without ThreadRef a solved ticket is not reused",
		prepare:  setStatus("solved"),
		next:     func(storedTicket) envelope.Inbound { return followUp("f-2", phone, "", "Halo lagi") },
		wantSame: false, wantStatus: "new", wantLoad: 0,
	}, {
		name:     "a ThreadRef that names no ticket threads by contact",
		next:     func(storedTicket) envelope.Inbound { return followUp("f-2", phone, tracking.Generate(), "Tambahan") },
		wantSame: true, wantStatus: "new", wantLoad: 1,
	}, {
		name:     "a second complaint from the same citizen opens its own ticket",
		next:     func(storedTicket) envelope.Inbound { return complaint("f-2", phone, "Dana insentif belum cair") },
		wantSame: false, wantStatus: "new", wantLoad: 2,
	}, {
		name: "the same citizen on WhatsApp is the same contact but another conversation",
		next: func(storedTicket) envelope.Inbound {
			in := followUp("wamid.2", "", "", "Halo dari WA")
			in.Channel, in.Sender = domain.ChannelWhatsApp, envelope.Sender{WaID: phone, Name: "Budi WA"}
			return in
		},
		wantSame: false, wantStatus: "new", wantLoad: 1,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			agent := e.agent("kartu", 5)
			e.agent("umum", 5)
			e.start(e.consumer(Opts{}))
			first := complaint("f-1", phone, "Kartu belum aktif")
			e.publish(first)
			e.waitCount(1, `SELECT COUNT(*) FROM messages`)
			tk := e.ticketOf(first.Channel, first.ProviderMessageID)
			if tc.prepare != nil {
				tc.prepare(e, tk)
			}
			next := tc.next(tk)
			e.publish(next)
			e.waitCount(2, `SELECT COUNT(*) FROM messages`)
			got := e.ticketOf(next.Channel, next.ProviderMessageID)
			if (got.ID == tk.ID) != tc.wantSame {
				t.Fatalf("message landed on ticket %d, first ticket %d, want same = %v", got.ID, tk.ID, tc.wantSame)
			}
			if got.Status != tc.wantStatus {
				t.Fatalf("ticket status %q, want %q", got.Status, tc.wantStatus)
			}
			if got.ContactID != tk.ContactID {
				t.Fatalf("contact %d, want the citizen's contact %d", got.ContactID, tk.ContactID)
			}
			if n := e.count(`SELECT active_load FROM agents WHERE id = ?`, agent); n != tc.wantLoad {
				t.Fatalf("agent load %d, want %d", n, tc.wantLoad)
			}
			if got.ID == tk.ID && got.Status == "open" {
				if n := e.count(`SELECT COUNT(*) FROM tickets WHERE id = ? AND solved_at IS NULL`, got.ID); n != 1 {
					t.Fatal("reopened ticket keeps solved_at")
				}
			}
		})
	}
}

func TestDuplicateDeliveryStoresOnce(t *testing.T) {
	cases := []struct {
		name      string
		sameBatch bool
	}{
		{"duplicate in the same batch stores one message and one ticket", true},
		{"duplicate after the first was stored is a no-op", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			in := complaint("dup-1", "+6281300000002", "Tolong dicek")
			e.publish(in)
			if tc.sameBatch {
				e.publishAs(in, "provider-retry-1")
				e.start(e.consumer(Opts{}))
			} else {
				e.start(e.consumer(Opts{}))
				e.waitCount(1, `SELECT COUNT(*) FROM messages`)
				e.publishAs(in, "provider-retry-1")
			}
			e.waitSettled()
			if n := e.count(`SELECT COUNT(*) FROM messages`); n != 1 {
				t.Fatalf("%d messages, want 1", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM tickets`); n != 1 {
				t.Fatalf("%d tickets, want 1", n)
			}
		})
	}
}

// The core commits a batch and dies before acking. A new core with a short
// AckWait gets the redelivery and stores nothing twice.
func TestRedeliveryAfterCrashBeforeAckIsNoOp(t *testing.T) {
	e := newEnv(t)
	const n = 5
	for i := 0; i < n; i++ {
		e.publish(complaint(fmt.Sprintf("crash-%d", i), fmt.Sprintf("+62813100000%02d", i), "Mohon bantuan"))
	}
	var crashed atomic.Int32
	stop := e.start(e.consumer(Opts{AckWait: time.Second, afterCommit: func() error {
		crashed.Add(1)
		return errors.New("killed after commit")
	}}))
	testenv.CheckFor(t, 30*time.Second, 10*time.Millisecond, func() error {
		if crashed.Load() == 0 {
			return errors.New("no batch committed yet")
		}
		return nil
	})
	stop()
	e.waitCount(n, `SELECT COUNT(*) FROM messages`)

	var redelivered atomic.Int32
	e.start(e.consumer(Opts{AckWait: time.Second, afterCommit: func() error {
		redelivered.Add(1)
		return nil
	}}))
	e.waitSettled()
	if redelivered.Load() == 0 {
		t.Fatal("the restarted core never processed the redelivery")
	}
	if got := e.count(`SELECT COUNT(*) FROM messages`); got != n {
		t.Fatalf("%d messages after redelivery, want %d", got, n)
	}
	if got := e.count(`SELECT COUNT(*) FROM tickets`); got != n {
		t.Fatalf("%d tickets after redelivery, want %d", got, n)
	}
}

// Two core instances (own database pools, own consumers on the shared
// durable) store every message exactly once, even when providers deliver
// some twice under different Nats-Msg-Ids.
func TestTwoInstancesStoreEachMessageOnce(t *testing.T) {
	e := newEnv(t)
	const citizens, perCitizen = 60, 10
	for i := 0; i < citizens; i++ {
		phone := fmt.Sprintf("+6281400%06d", i)
		first := complaint(fmt.Sprintf("two-%d-0", i), phone, "Keluhan")
		e.publish(first)
		if i%4 == 0 {
			e.publishAs(first, fmt.Sprintf("retry-%d-0", i))
		}
		for k := 1; k < perCitizen; k++ {
			in := followUp(fmt.Sprintf("two-%d-%d", i, k), phone, "", "Susulan")
			e.publish(in)
			if k%3 == 0 {
				e.publishAs(in, fmt.Sprintf("retry-%d-%d", i, k))
			}
		}
	}
	for i := 0; i < 2; i++ {
		d := testenv.OpenDB(t, e.dbCfg)
		b := e.b
		if testenv.UsingExternalNATS() {
			b = testenv.ConnectBus(t, e.busCfg)
		}
		e.start(e.consumer(Opts{DB: d, Bus: b, Router: e.newRouter(d), BatchSize: 25}))
	}
	e.waitSettled()
	if got := e.count(`SELECT COUNT(*) FROM messages`); got != citizens*perCitizen {
		t.Fatalf("%d messages, want %d", got, citizens*perCitizen)
	}
	if got := e.count(`SELECT COUNT(DISTINCT provider_message_id) FROM messages`); got != citizens*perCitizen {
		t.Fatalf("%d distinct messages, want %d", got, citizens*perCitizen)
	}
	if got := e.count(`SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)`); got != 0 {
		t.Fatalf("%d tickets without messages", got)
	}
	if got := e.count(`SELECT COUNT(*) FROM contacts`); got != citizens {
		t.Fatalf("%d contacts, want %d", got, citizens)
	}
}

// Another instance stores the same message between this batch's duplicate
// check and its INSERT (the hook plays that instance inside the
// transaction, the only way to reach the moment on SQLite). The INSERT
// skips the message, and the ticket opened for it is removed again.
func TestConcurrentInstanceWinsMessageInsert(t *testing.T) {
	e := newEnv(t)
	in := complaint("race-1", "+6281900000001", "Kartu hilang")
	var rivalTicket int64
	e.publish(in)
	e.start(e.consumer(Opts{beforeMessages: func(tx *gorm.DB) error {
		if rivalTicket != 0 {
			return nil
		}
		now := time.Now().UTC()
		var contactID int64
		if err := tx.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('', '', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error; err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at)
VALUES ('rival', ?, 'webform', 'new', ?, ?, ?) RETURNING id`, contactID, now, now, now).Scan(&rivalTicket).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
VALUES (?, 'in', 'webform', ?, 'rival', ?, ?)`, rivalTicket, in.ProviderMessageID, now, now).Error
	}}))
	e.waitSettled()
	if n := e.count(`SELECT COUNT(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages, want only the rival's", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM tickets`); n != 1 {
		t.Fatalf("%d tickets, want the ticket opened for the duplicate removed", n)
	}
	if tk := e.ticketOf(in.Channel, in.ProviderMessageID); tk.ID != rivalTicket {
		t.Fatalf("message on ticket %d, want the rival's %d", tk.ID, rivalTicket)
	}
}

func TestInvalidEnvelopeIsTerminatedAndDoesNotBlock(t *testing.T) {
	e := newEnv(t)
	e.publishRaw(domain.ChannelWebform, "bad-1", []byte(`{not json`))
	noIdentity := complaint("bad-2", "", "Tanpa identitas")
	noIdentity.Sender = envelope.Sender{Name: "Anonim"}
	e.publish(noIdentity)
	good := complaint("good-1", "+6281500000001", "Valid")
	e.publish(good)
	e.start(e.consumer(Opts{}))
	e.waitCount(1, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()
	e.ticketOf(good.Channel, good.ProviderMessageID)

	st, err := e.b.JS.Stream(context.Background(), e.b.Names.StreamInbound())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 3 {
		t.Fatalf("stream holds %d messages, want the invalid ones kept for inspection", info.State.Msgs)
	}
	cons, err := e.b.JS.Consumer(context.Background(), e.b.Names.StreamInbound(), e.b.Names.DurableIngest())
	if err != nil {
		t.Fatal(err)
	}
	ci, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ci.NumRedelivered != 0 {
		t.Fatalf("%d redeliveries, want invalid envelopes terminated at once", ci.NumRedelivered)
	}
}

// A message that fails to store (its category's queue is missing) must
// not hold back the rest of its batch, must not be dropped, and is stored
// once the cause is fixed.
func TestPoisonMessageIsIsolatedAndRetried(t *testing.T) {
	e := newEnv(t)
	router := e.newRouterWith(map[string]string{"kartu": "kartu", "rusak": "hilang"})
	for i := 0; i < 4; i++ {
		e.publish(complaint(fmt.Sprintf("ok-%d", i), fmt.Sprintf("+62816000000%02d", i), "Biasa"))
	}
	poison := complaint("poison", "+6281699999999", "Kategori tanpa antrean")
	poison.Fields[envelope.FieldCategory] = "rusak"
	e.publish(poison)
	e.start(e.consumer(Opts{Router: router}))
	e.waitCount(4, `SELECT COUNT(*) FROM messages`)
	if n := e.count(`SELECT COUNT(*) FROM messages WHERE provider_message_id = 'poison'`); n != 0 {
		t.Fatal("poison message stored without its queue")
	}
	// The operator adds the queue; the redelivery succeeds.
	if err := e.d.Exec(`INSERT INTO queues (code, name, created_at) VALUES ('hilang', 'Hilang', ?)`, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	e.waitCount(5, `SELECT COUNT(*) FROM messages`)
	e.waitSettled()
}

func TestBatchKeepsStreamOrder(t *testing.T) {
	e := newEnv(t)
	const phone = "+6281700000001"
	e.publish(complaint("ord-0", phone, "Awal"))
	const n = 40
	for i := 1; i <= n; i++ {
		e.publish(followUp(fmt.Sprintf("ord-%d", i), phone, "", fmt.Sprintf("pesan %d", i)))
	}
	e.start(e.consumer(Opts{}))
	e.waitCount(n+1, `SELECT COUNT(*) FROM messages`)
	var bodies []string
	if err := e.d.Raw(`SELECT body FROM messages ORDER BY created_at, id`).Scan(&bodies).Error; err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if bodies[i] != fmt.Sprintf("pesan %d", i) {
			t.Fatalf("message %d is %q: thread out of stream order", i, bodies[i])
		}
	}
	if got := e.count(`SELECT COUNT(*) FROM tickets`); got != 1 {
		t.Fatalf("%d tickets, want the follow-ups threaded into the complaint", got)
	}
}

func TestTextWithNULIsStored(t *testing.T) {
	e := newEnv(t)
	in := complaint("nul-1", "+6281800000001", "sebelum\x00sesudah")
	in.Fields["catatan"] = "a\x00b"
	e.publish(in)
	e.start(e.consumer(Opts{}))
	e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE body = 'sebelumsesudah'`)
	e.waitSettled()
}

func TestSubjectOf(t *testing.T) {
	long := strings.Repeat("é", 130)
	photo := []envelope.Attachment{{Key: "k", Filename: "foto-kartu.jpg", MIME: "image/jpeg", Size: 10}}
	cases := []struct {
		name, text string
		files      []envelope.Attachment
		want       string
	}{
		{"first line", "Kartu belum aktif\nDetail", nil, "Kartu belum aktif"},
		{"leading blank lines skipped", "\n  \n  Halo  \nx", nil, "Halo"},
		{"long line cut to 120 runes", long, nil, strings.Repeat("é", 120)},
		{"text wins over a file", "Ini KTP saya", photo, "Ini KTP saya"},
		{"a photo sent alone is named by its file", " \n", photo, "foto-kartu.jpg"},
		{"empty", "", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := subjectOf(tc.text, tc.files); got != tc.want {
				t.Fatalf("subjectOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestComplaintKeepsTheTrackingNumberTheCitizenWasGiven: the form answers
// with a tracking number before the core has stored anything, so the ticket
// must open under exactly that number — and never inside another citizen's
// ticket should two numbers ever collide.
func TestComplaintKeepsTheTrackingNumberTheCitizenWasGiven(t *testing.T) {
	e := newEnv(t)
	e.agent("kartu", 5)
	e.start(e.consumer(Opts{}))

	minted := tracking.Generate()
	first := complaint("form-a", "+6281300000011", "Kartu belum aktif")
	first.ThreadRef = minted
	// A follow-up in the same stream window names the minted number too.
	follow := followUp("followup-a", "+6281300000011", minted, "Sudah saya coba lagi")
	e.publish(first)
	e.publish(follow)
	e.waitCount(2, `SELECT COUNT(*) FROM messages`)
	tk := e.ticketOf(first.Channel, first.ProviderMessageID)
	if tk.TrackingNumber != minted {
		t.Fatalf("ticket opened under %s, the citizen was given %s", tk.TrackingNumber, minted)
	}
	if got := e.ticketOf(follow.Channel, follow.ProviderMessageID); got.ID != tk.ID {
		t.Fatalf("follow-up on ticket %d, want %d", got.ID, tk.ID)
	}

	// Another citizen's complaint minted with the same number (a collision)
	// gets a ticket of its own under a fresh number.
	clash := complaint("form-b", "+6281300000022", "Saldo tidak masuk")
	clash.ThreadRef = minted
	e.publish(clash)
	e.waitCount(3, `SELECT COUNT(*) FROM messages`)
	other := e.ticketOf(clash.Channel, clash.ProviderMessageID)
	if other.ID == tk.ID || other.TrackingNumber == minted || other.ContactID == tk.ContactID {
		t.Fatalf("colliding complaint landed on %+v (first ticket %+v)", other, tk)
	}
}

// TestStopWhileStartingIsClean: a consumer whose context ends while it is
// still declaring its durable consumer stops without an error (an app
// stopped right after it started is not a failure).
func TestStopWhileStartingIsClean(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.consumer(Opts{}).Run(ctx); err != nil {
		t.Fatalf("Run with an ended context: %v", err)
	}
}

// TestPhotoSentAloneNamesItsTicket: a live chat whose first message is a
// photo without text opens a ticket named by the photo, not an empty
// subject (which the console showed as the tracking number, twice).
func TestPhotoSentAloneNamesItsTicket(t *testing.T) {
	e := newEnv(t)
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelLiveChat, ProviderMessageID: "visitor-1:c1",
		Sender:      envelope.Sender{VisitorID: "visitor-1"},
		Attachments: []envelope.Attachment{{Key: "2026/03/02/foto.jpg", Filename: "foto-kartu.jpg", MIME: "image/jpeg", Size: 2048}},
		Fields:      map[string]string{envelope.FieldKind: string(domain.KindChat)},
		ThreadRef:   "1234-5678-9012-3456",
		ReceivedAt:  at,
	}
	e.publish(in)
	e.start(e.consumer(Opts{}))
	e.waitCount(1, `SELECT COUNT(*) FROM messages`)
	if got := e.ticketOf(domain.ChannelLiveChat, "visitor-1:c1"); got.Subject != "foto-kartu.jpg" {
		t.Fatalf("ticket subject %q, want the photo's name", got.Subject)
	}
}
