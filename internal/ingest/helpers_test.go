package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/contact"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// Valid NIK from Jawa Barat (province 32).
const nikJabar = "3201012503900001"

// env is one "deployment": a database, a bus, and what a consumer needs.
type env struct {
	t      testing.TB
	dbCfg  db.Config
	busCfg bus.Config
	d      *db.DB
	b      *bus.Bus
	router *routingParts
}

var queueSpecs = []routing.QueueSpec{{Code: "umum", Name: "Umum"}, {Code: "kartu", Name: "Kartu Prakerja"}}

var categoryQueues = map[string]string{"kartu": "kartu"}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dbCfg: testenv.DBConfig(t), busCfg: testenv.BusConfig(t)}
	e.d = testenv.OpenDB(t, e.dbCfg)
	e.b = testenv.ConnectBus(t, e.busCfg)
	e.router = e.newRouter(e.d)
	return e
}

// routingParts is one instance's routing as the composition root builds
// it: the queue settings, the assignment engine and the admin.
type routingParts struct {
	*routing.Settings
	*routing.Router
	*routing.Admin
}

func newRouting(d *db.DB, o routing.SettingsOpts) *routingParts {
	o.DB = d
	s := routing.NewSettings(o)
	r := routing.New(routing.Opts{DB: d, Settings: s, Log: o.Log})
	return &routingParts{Settings: s, Router: r, Admin: routing.NewAdmin(routing.AdminOpts{DB: d, Settings: s, Work: r, Log: o.Log})}
}

func (e *env) newRouter(d *db.DB) *routingParts {
	e.t.Helper()
	r := newRouting(d, routing.SettingsOpts{CategoryQueues: categoryQueues, DefaultQueue: "umum", Log: testenv.Logger(e.t)})
	if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// consumer builds a consumer on the env's database and bus.
func (e *env) consumer(o Opts) *Consumer {
	if o.DB == nil {
		o.DB = e.d
	}
	if o.Bus == nil {
		o.Bus = e.b
	}
	if o.Router == nil {
		o.Router = e.router
	}
	parts, ok := o.Router.(*routingParts)
	if !ok {
		e.t.Fatalf("consumer: the tests route with *routingParts, got %T", o.Router)
	}
	if o.Queues == nil {
		o.Queues = parts.Settings
	}
	if o.Clocks == nil {
		o.Clocks = routing.NewClocks(routing.PartOpts{DB: o.DB, Queues: parts.Settings})
	}
	o.Contacts = contact.New(contact.Opts{DB: o.DB})
	if o.Log == nil {
		o.Log = testenv.Logger(e.t)
	}
	if o.MaxWait == 0 {
		o.MaxWait = 100 * time.Millisecond
	}
	return New(o)
}

// start runs c until the returned stop is called (or the test ends).
func (e *env) start(c *Consumer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg   sync.WaitGroup
		once sync.Once
		err  error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = c.Run(ctx)
	}()
	stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			if err != nil {
				e.t.Errorf("consumer Run: %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return stop
}

func (e *env) publish(in envelope.Inbound) {
	e.t.Helper()
	e.publishAs(in, bus.InboundMsgID(in.Channel, in.ProviderMessageID))
}

// publishAs publishes with a chosen Nats-Msg-Id (a different one bypasses
// the stream's dedupe window, as a provider retry after the window would).
func (e *env) publishAs(in envelope.Inbound, msgID string) {
	e.t.Helper()
	if err := e.b.PublishJSON(context.Background(), e.b.Names.Inbound(in.Channel), msgID, in); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) publishRaw(ch envelope.Channel, msgID string, data []byte) {
	e.t.Helper()
	if err := e.b.Publish(context.Background(), e.b.Names.Inbound(ch), msgID, data); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) count(q string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.d.Raw(q, args...).Scan(&n).Error; err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitCount polls until the query counts want.
func (e *env) waitCount(want int64, q string, args ...any) {
	e.t.Helper()
	testenv.CheckFor(e.t, 30*time.Second, 10*time.Millisecond, func() error {
		if n := e.count(q, args...); n != want {
			return fmt.Errorf("%s = %d, want %d", q, n, want)
		}
		return nil
	})
}

// waitSettled polls until the durable consumer has nothing pending or
// unacked.
func (e *env) waitSettled() {
	e.t.Helper()
	testenv.CheckFor(e.t, 30*time.Second, 10*time.Millisecond, func() error {
		cons, err := e.b.JS.Consumer(context.Background(), e.b.Names.StreamInbound(), e.b.Names.DurableIngest())
		if err != nil {
			return err
		}
		info, err := cons.Info(context.Background())
		if err != nil {
			return err
		}
		if info.NumPending != 0 || info.NumAckPending != 0 {
			return fmt.Errorf("consumer pending %d, ack pending %d", info.NumPending, info.NumAckPending)
		}
		// Pending counts can both read 0 while a message waits out a
		// NakWithDelay: settled means every message published so far
		// is behind the ack floor.
		st, err := e.b.JS.Stream(context.Background(), e.b.Names.StreamInbound())
		if err != nil {
			return err
		}
		sinfo, err := st.Info(context.Background())
		if err != nil {
			return err
		}
		if info.AckFloor.Stream < sinfo.State.LastSeq {
			return fmt.Errorf("acked up to %d of %d", info.AckFloor.Stream, sinfo.State.LastSeq)
		}
		return nil
	})
}

// agent creates an online agent in a queue.
func (e *env) agent(queue string, capacity int) int64 {
	e.t.Helper()
	qid, err := e.router.QueueID(queue)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UTC()
	var id int64
	err = e.d.Raw(`INSERT INTO agents (email, name, password_hash, role, presence, capacity, created_at, updated_at)
VALUES (?, 'Agen', 'x', 'agent', 'online', ?, ?, ?) RETURNING id`, fmt.Sprintf("agen-%d@example.id", now.UnixNano()), capacity, now, now).Scan(&id).Error
	if err == nil {
		err = e.d.Exec(`INSERT INTO queue_members (queue_id, agent_id) VALUES (?, ?)`, qid, id).Error
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// storedTicket is a ticket row as the tests read it.
type storedTicket struct {
	ID             int64
	TrackingNumber string
	ContactID      int64
	Channel        string
	Category       string
	Subject        string
	Status         string
	QueueID        *int64
	AssigneeID     *int64
	ProvinceCode   string
}

func (e *env) ticketOf(channel envelope.Channel, providerID string) storedTicket {
	e.t.Helper()
	var ts []storedTicket
	err := e.d.Raw(`SELECT t.id, t.tracking_number, t.contact_id, t.channel, t.category, t.subject, t.status, t.queue_id, t.assignee_id, t.province_code
FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.channel = ? AND m.provider_message_id = ?`, string(channel), providerID).Scan(&ts).Error
	if err != nil || len(ts) != 1 {
		e.t.Fatalf("ticket of message %s: %d rows, %v", providerID, len(ts), err)
	}
	return ts[0]
}

// at is a fixed received-at time for reproducible threads.
var at = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// complaint is a web-form complaint envelope.
func complaint(id, phone, text string) envelope.Inbound {
	return envelope.Inbound{
		V:                 envelope.Version,
		Channel:           domain.ChannelWebform,
		ProviderMessageID: id,
		Sender:            envelope.Sender{Name: "Budi Santoso", Phone: phone, Email: strings.ToLower("budi." + id + "@example.id")},
		Text:              text,
		Fields:            map[string]string{envelope.FieldKind: string(domain.KindComplaint), envelope.FieldCategory: "kartu"},
		ReceivedAt:        at,
	}
}

// followUp is a citizen message continuing a ticket (ref "" threads by
// contact).
func followUp(id, phone, ref, text string) envelope.Inbound {
	return envelope.Inbound{
		V:                 envelope.Version,
		Channel:           domain.ChannelWebform,
		ProviderMessageID: id,
		Sender:            envelope.Sender{Phone: phone},
		Text:              text,
		Fields:            map[string]string{envelope.FieldKind: "follow_up"},
		ThreadRef:         ref,
		ReceivedAt:        at.Add(time.Minute),
	}
}

// newRouterWith is a router whose categories may name queues that do not
// exist yet (EnsureQueues reports them; the test wants exactly that).
func (e *env) newRouterWith(categories map[string]string) *routingParts {
	e.t.Helper()
	r := newRouting(e.d, routing.SettingsOpts{CategoryQueues: categories, DefaultQueue: "umum", Log: testenv.Logger(e.t)})
	if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil && !errors.Is(err, routing.ErrUnknownQueue) {
		e.t.Fatal(err)
	}
	return r
}
