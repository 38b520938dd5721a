package consolews

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/contact"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/ingest"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// queueSessions admits the bench's consoles like benchSessions, with the
// queue ids of a real database: agent i is in queues[i%len], every 100th
// a supervisor of two queues, agent 0 an admin.
type queueSessions struct{ queues []int64 }

func (s queueSessions) agent(i int64) agent.Agent {
	n := int64(len(s.queues))
	a := agent.Agent{ID: i + 1, Name: "Petugas " + strconv.FormatInt(i, 10), Role: domain.RoleAgent, QueueIDs: []int64{s.queues[i%n]}}
	switch {
	case i == 0:
		a.Role, a.QueueIDs = domain.RoleAdmin, nil
	case i%100 == 0:
		a.Role, a.QueueIDs = domain.RoleSupervisor, []int64{s.queues[i%n], s.queues[(i+1)%n]}
	}
	return a
}

func (s queueSessions) Authenticate(_ context.Context, token string) (agent.Agent, error) {
	i, err := strconv.ParseInt(token, 10, 64)
	if err != nil {
		return agent.Agent{}, err
	}
	return s.agent(i), nil
}

func (s queueSessions) AuthenticateMany(ctx context.Context, tokens []string) (map[string]agent.Agent, error) {
	out := make(map[string]agent.Agent, len(tokens))
	for _, t := range tokens {
		if a, err := s.Authenticate(ctx, t); err == nil {
			out[t] = a
		}
	}
	return out, nil
}

// BenchmarkConsoleFanoutIngest is BenchmarkConsoleFanout with the events
// made by the real core: 1,000 console sockets (held by a child process)
// over 20 queues while citizens send 500 messages/s for 10 s through the
// ingest path (published to the INBOUND stream, stored by the ingest
// consumer on PostgreSQL in its batch transactions, routed, announced on
// cc.events.* through the external NATS server). Reported: p50 and p99
// from the moment a message.created event is on the bus (seen by a
// subscriber in this process) to the frame read on each console socket
// in its scope, the server's memory per idle connection, and how far
// behind the citizens the core ran (publish to event, p99). Run with
// TEST_DATABASE_URL and TEST_NATS_URL; CONSOLEWS_BENCH_CONNS and
// CONSOLEWS_BENCH_SECONDS change the size.
//
//	go test -run '^$' -bench ConsoleFanoutIngest -benchtime 1x ./internal/consolews/
func BenchmarkConsoleFanoutIngest(b *testing.B) {
	if !testenv.UsingPostgres() || !testenv.UsingExternalNATS() {
		b.Skip("measured on PostgreSQL with an external NATS server (TEST_DATABASE_URL, TEST_NATS_URL)")
	}
	conns, seconds := 1000, 10
	if n, err := strconv.Atoi(os.Getenv("CONSOLEWS_BENCH_CONNS")); err == nil && n > 0 {
		conns = n
	}
	if n, err := strconv.Atoi(os.Getenv("CONSOLEWS_BENCH_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	ctx := context.Background()
	log := testenv.Logger(b)
	d := testenv.DB(b)
	bus := testenv.Bus(b)

	// The core: 20 queues, category cNN files in queue qNN; no agent in
	// the database, so tickets wait in their queues and every event goes
	// to the queue's consoles.
	var specs []routing.QueueSpec
	categories := map[string]string{}
	for q := 1; q <= benchQueues; q++ {
		code := fmt.Sprintf("q%02d", q)
		specs = append(specs, routing.QueueSpec{Code: code, Name: "Wilayah " + code})
		categories[fmt.Sprintf("c%02d", q)] = code
	}
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, CategoryQueues: categories, DefaultQueue: "q01", Log: log})
	if err := settings.EnsureQueues(ctx, specs); err != nil {
		b.Fatal(err)
	}
	queues := make([]int64, len(specs))
	for i, s := range specs {
		id, err := settings.QueueID(s.Code)
		if err != nil {
			b.Fatal(err)
		}
		queues[i] = id
	}
	router := routing.New(routing.Opts{DB: d, Settings: settings, Events: bus, Log: log})
	consumer := ingest.New(ingest.Opts{DB: d, Bus: bus, Contacts: contact.New(contact.Opts{DB: d, Log: log}), Router: router,
		Queues: settings, Clocks: routing.NewClocks(routing.PartOpts{DB: d, Queues: settings, Log: log}), Log: log})
	runCtx, stopCore := context.WithCancel(ctx)
	coreDone := make(chan error, 1)
	go func() { coreDone <- consumer.Run(runCtx) }()
	b.Cleanup(func() {
		stopCore()
		if err := <-coreDone; err != nil {
			b.Error(err)
		}
	})

	sessions := queueSessions{queues: queues}
	gw, err := New(Opts{NC: bus.NC, Names: bus.Names, Sessions: sessions, Scopes: noScopes{}, Typing: &typingLog{},
		Liveness: &touchCounter{n: map[int64]int{}}, Heartbeat: time.Hour, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	ln := serveSocket(b, gw, sessions)

	// When each message.created event is on the bus, by message id, and
	// when its citizen message was published, by provider message id.
	var (
		mu        sync.Mutex
		onBus     = map[int64]int64{}
		behind    []time.Duration
		published = map[string]time.Time{}
	)
	sub, err := bus.NC.Subscribe(bus.Names.Event("message", "created"), func(m *nats.Msg) {
		now := time.Now()
		var ev struct {
			MessageID int64 `json:"message_id"`
		}
		if json.Unmarshal(m.Data, &ev) != nil {
			return
		}
		mu.Lock()
		onBus[ev.MessageID] = now.UnixNano()
		mu.Unlock()
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sub.Unsubscribe() })

	for i := 0; i < b.N; i++ {
		before := inUse()
		times := filepath.Join(b.TempDir(), "events")
		cmd, expect := startClients(b, "ws://"+ln.Addr().String()+"/api/v1/ws", conns, "CONSOLEWS_CLIENTS_TIMES="+times)
		expect("READY")
		per := float64(inUse()-before) / float64(conns)
		cpu0 := selfCPU()

		// Citizens: a new complaint from each of 2,000 citizens, then
		// follow-ups on their tickets, 500 a second on schedule.
		total := benchRate * seconds
		start := time.Now()
		for n := 0; n < total; n++ {
			if wait := time.Until(start.Add(time.Duration(n) * time.Second / benchRate)); wait > 0 {
				time.Sleep(wait)
			}
			citizen := n % 2000
			in := envelope.Inbound{V: envelope.Version, Channel: domain.ChannelWebform,
				ProviderMessageID: fmt.Sprintf("fanout-%d-%d", i, n), ReceivedAt: time.Now().UTC(),
				Sender: envelope.Sender{Phone: fmt.Sprintf("+62812%08d", citizen)},
				Text:   "Mohon segera ditindaklanjuti, terima kasih.",
				Fields: map[string]string{envelope.FieldKind: "follow_up"}}
			if n < 2000 {
				in.Sender.Name = fmt.Sprintf("Warga %d", citizen)
				in.Fields = map[string]string{envelope.FieldKind: string(domain.KindComplaint),
					envelope.FieldCategory: fmt.Sprintf("c%02d", citizen%benchQueues+1)}
			}
			mu.Lock()
			published[in.ProviderMessageID] = time.Now()
			mu.Unlock()
			if err := bus.PublishInbound(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		// Every message stored and announced, then the closing event.
		var stored int64
		testenv.CheckFor(b, 60*time.Second, 50*time.Millisecond, func() error {
			if err := d.Raw(`SELECT COUNT(*) FROM messages WHERE provider_message_id LIKE ?`, fmt.Sprintf("fanout-%d-%%", i)).Scan(&stored).Error; err != nil {
				return err
			}
			mu.Lock()
			seen := len(onBus)
			mu.Unlock()
			if stored != int64(total) || seen < total*(i+1) {
				return fmt.Errorf("%d of %d messages stored, %d events seen", stored, total, seen)
			}
			return nil
		})
		var rows []struct {
			ID                int64
			ProviderMessageID string
		}
		if err := d.Raw(`SELECT id, provider_message_id FROM messages WHERE provider_message_id LIKE ?`, fmt.Sprintf("fanout-%d-%%", i)).Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(times)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		mu.Lock()
		for _, r := range rows {
			at := onBus[r.ID]
			fmt.Fprintf(w, "%d %d\n", r.ID, at)
			behind = append(behind, time.Unix(0, at).Sub(published[r.ProviderMessageID]))
		}
		mu.Unlock()
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := bus.NC.Publish(bus.Names.Event("agent", "presence"), []byte(`{"agent_id":0,"presence":"online","end":true}`)); err != nil {
			b.Fatal(err)
		}
		res := strings.Fields(expect("LATENCY"))
		cpu := selfCPU() - cpu0
		_ = cmd.Wait()
		if len(res) != 5 {
			b.Fatalf("client result %q", res)
		}
		p50, _ := strconv.ParseFloat(res[1], 64)
		p99, _ := strconv.ParseFloat(res[2], 64)
		frames, _ := strconv.Atoi(res[3])
		dropped, _ := strconv.Atoi(res[4])
		lag := percentile(behind, 0.99)
		b.ReportMetric(p50, "p50-ms")
		b.ReportMetric(p99, "p99-ms")
		b.ReportMetric(per/1024, "KiB/conn")
		b.ReportMetric(float64(lag.Microseconds())/1000, "core-p99-ms")
		b.ReportMetric(float64(cpu.Nanoseconds())/1000/float64(total), "server-cpu-µs/msg")
		b.Logf("%d consoles, %d citizen messages in %v (%.0f/s), %d message.created frames timed, %d sockets closed early; event→socket p50 %.2f ms, p99 %.2f ms; citizen publish→event p50 %.1f ms, p99 %.1f ms; server process CPU (ingest, fan-out, load generator) %v, %.0f µs per citizen message; idle %.1f KiB per connection",
			conns, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), frames, dropped, p50, p99,
			float64(percentile(behind, 0.5).Microseconds())/1000, float64(lag.Microseconds())/1000,
			cpu.Round(time.Millisecond), float64(cpu.Nanoseconds())/1000/float64(total), per/1024)
	}
}

// percentile of unsorted durations (0 when there are none).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}
