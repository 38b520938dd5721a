package consolews

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

const (
	benchQueues = 20
	benchRate   = 500 // events per second
)

// benchSessions admits the bench's consoles without a database: agent i
// (header X-Bench-Agent) is in queue i%20+1; every 100th is a supervisor
// of two queues, agent 0 an admin. The bench measures the socket and the
// fan-out, which the session check at connect does not touch.
type benchSessions struct{}

func benchAgent(i int64) agent.Agent {
	a := agent.Agent{ID: i + 1, Name: "Petugas " + strconv.FormatInt(i, 10), Role: domain.RoleAgent, QueueIDs: []int64{i%benchQueues + 1}}
	switch {
	case i == 0:
		a.Role, a.QueueIDs = domain.RoleAdmin, nil
	case i%100 == 0:
		a.Role, a.QueueIDs = domain.RoleSupervisor, []int64{i%benchQueues + 1, (i+1)%benchQueues + 1}
	}
	return a
}

func (b benchSessions) AuthenticateMany(ctx context.Context, tokens []string) (map[string]agent.Agent, error) {
	out := make(map[string]agent.Agent, len(tokens))
	for _, t := range tokens {
		if a, err := b.Authenticate(ctx, t); err == nil {
			out[t] = a
		}
	}
	return out, nil
}

func (benchSessions) Authenticate(_ context.Context, token string) (agent.Agent, error) {
	i, err := strconv.ParseInt(token, 10, 64)
	if err != nil {
		return agent.Agent{}, err
	}
	return benchAgent(i), nil
}

type noScopes struct{}

func (noScopes) Scope(context.Context, int64) (ticket.Scope, error) {
	return ticket.Scope{}, ticket.ErrNotFound
}

// BenchmarkConsoleFanout: 1,000 console sockets (real websockets over
// loopback, held by a child process so only the server's memory counts)
// spread over 20 queues, and ticket events published through NATS at
// 500/s for 10 s, each carrying its send time. Reported: p50 and p99 from
// publish to the frame read on the socket, and the server's memory per
// idle connection (heap in use + stacks after GC, delta / connections).
// CONSOLEWS_BENCH_CONNS and CONSOLEWS_BENCH_SECONDS change the size.
//
//	go test -run '^$' -bench ConsoleFanout -benchtime 1x ./internal/consolews/
func BenchmarkConsoleFanout(b *testing.B) {
	conns, seconds := 1000, 10
	if n, err := strconv.Atoi(os.Getenv("CONSOLEWS_BENCH_CONNS")); err == nil && n > 0 {
		conns = n
	}
	if n, err := strconv.Atoi(os.Getenv("CONSOLEWS_BENCH_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	bus := testenv.Bus(b)
	gw, err := New(Opts{NC: bus.NC, Names: bus.Names, Sessions: benchSessions{}, Scopes: noScopes{}, Typing: &typingLog{},
		Liveness: &touchCounter{n: map[int64]int{}}, Heartbeat: time.Hour, Log: testenv.Logger(b)})
	if err != nil {
		b.Fatal(err)
	}
	ln := serveSocket(b, gw, benchSessions{})

	for i := 0; i < b.N; i++ {
		before := inUse()
		cmd, expect := startClients(b, "ws://"+ln.Addr().String()+"/api/v1/ws", conns)
		expect("READY")
		after := inUse()
		per := float64(after-before) / float64(conns)
		cpu0 := selfCPU()

		// Events at benchRate for the given seconds, then one that every
		// console gets (agent.presence) to close the measurement.
		rng := rand.New(rand.NewPCG(1, 2))
		published := 0
		start := time.Now()
		for published < benchRate*seconds {
			// On schedule: a publisher that fell behind catches up
			// rather than lowering the rate.
			if wait := time.Until(start.Add(time.Duration(published) * time.Second / benchRate)); wait > 0 {
				time.Sleep(wait)
			}
			q := int64(rng.IntN(benchQueues) + 1)
			payload := fmt.Sprintf(`{"v":1,"ticket_id":%d,"queue_id":%d,"assignee_id":%d,"tracking_number":"4821-0193-7730-1265","status":"open","channel":"whatsapp","priority":"normal","subject":"Insentif belum masuk","preview":"Sudah 2 minggu insentif belum masuk ke rekening sa***","at":"2026-12-02T13:00:00Z","sent":%d}`,
				rng.IntN(100000)+1, q, rng.IntN(conns)+1, time.Now().UnixNano())
			if err := bus.NC.Publish(bus.Names.Event("message", "created"), []byte(payload)); err != nil {
				b.Fatal(err)
			}
			published++
		}
		elapsed := time.Since(start)
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
		b.ReportMetric(p50, "p50-ms")
		b.ReportMetric(p99, "p99-ms")
		b.ReportMetric(per/1024, "KiB/conn")
		b.ReportMetric(float64(frames)/elapsed.Seconds(), "frames/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/1000/float64(max(frames, 1)), "server-cpu-µs/frame")
		b.Logf("%d consoles, %d events in %v (%.0f/s), %d frames delivered, %d sockets closed early; p50 %.2f ms, p99 %.2f ms; server CPU %v (%.1f µs per frame); server heap+stacks %.1f MiB -> %.1f MiB idle: %.1f KiB per connection",
			conns, published, elapsed.Round(time.Millisecond), float64(published)/elapsed.Seconds(), frames, dropped, p50, p99,
			cpu.Round(time.Millisecond), float64(cpu.Nanoseconds())/1000/float64(max(frames, 1)),
			float64(before)/(1<<20), float64(after)/(1<<20), per/1024)
	}
}

// selfCPU is the CPU time this process (the server side) spent so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// inUse is the heap in use plus goroutine stacks at a steady state: each
// GC shrinks stacks grown during the handshake, so several GCs give what
// an idle connection costs after a while.
func inUse() uint64 {
	for range 5 {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// TestConsoleClientsHelper is the client side of BenchmarkConsoleFanout
// and BenchmarkConsoleFanoutIngest, run in a child process; it does
// nothing in a normal test run. It opens the consoles, prints READY once
// every hello arrived, then times every event frame until the closing one
// reached every console and prints
// "LATENCY <p50 ms> <p99 ms> <frames> <closed early>". An event frame is
// timed from its "sent" field, or, with CONSOLEWS_CLIENTS_TIMES, a
// message.created frame from the time its message id was on the bus, as
// that file lists them ("<message id> <unix ns>" lines, written before
// the closing event).
func TestConsoleClientsHelper(t *testing.T) {
	url := os.Getenv("CONSOLEWS_CLIENTS_URL")
	if url == "" {
		t.Skip("client side of BenchmarkConsoleFanout")
	}
	n, _ := strconv.Atoi(os.Getenv("CONSOLEWS_CLIENTS_N"))
	var (
		mu       sync.Mutex
		lat      []time.Duration
		closed   atomic.Int64
		hellos   sync.WaitGroup
		finished sync.WaitGroup
	)
	sentKey := []byte(`"sent":`)
	timesFile := os.Getenv("CONSOLEWS_CLIENTS_TIMES")
	type arrival struct{ id, at int64 }
	var arrivals []arrival
	idKey, createdKey := []byte(`"message_id":`), []byte(`"event":"message.created"`)
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256}
	for i := range n {
		ws, _, err := d.Dial(url, http.Header{"Authorization": {"Bearer " + strconv.Itoa(i)}})
		if err != nil {
			fmt.Println("FAIL dial:", err)
			os.Exit(1)
		}
		hellos.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			defer ws.Close()
			var (
				mine []time.Duration
				got  []arrival
			)
			first := true
			for {
				_, data, err := ws.ReadMessage()
				now := time.Now().UnixNano()
				if err != nil {
					closed.Add(1)
					if first {
						hellos.Done()
					}
					break
				}
				if first {
					first = false
					hellos.Done()
					continue
				}
				if bytes.Contains(data, []byte(`"end":true`)) {
					break
				}
				if timesFile != "" {
					if bytes.Contains(data, createdKey) {
						if k := bytes.Index(data, idKey); k >= 0 {
							rest := data[k+len(idKey):]
							e := bytes.IndexAny(rest, ",}")
							if id, err := strconv.ParseInt(string(rest[:max(e, 0)]), 10, 64); err == nil {
								got = append(got, arrival{id, now})
							}
						}
					}
					continue
				}
				if k := bytes.Index(data, sentKey); k >= 0 {
					rest := data[k+len(sentKey):]
					if e := bytes.IndexByte(rest, '}'); e >= 0 {
						if sent, err := strconv.ParseInt(string(rest[:e]), 10, 64); err == nil {
							mine = append(mine, time.Duration(now-sent))
						}
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			arrivals = append(arrivals, got...)
			mu.Unlock()
		}()
	}
	hellos.Wait()
	fmt.Println("READY")
	finished.Wait()
	if timesFile != "" {
		b, err := os.ReadFile(timesFile)
		if err != nil {
			fmt.Println("FAIL times:", err)
			os.Exit(1)
		}
		onBus := map[int64]int64{}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var id, at int64
			if _, err := fmt.Sscan(line, &id, &at); err == nil && at > 0 {
				onBus[id] = at
			}
		}
		for _, a := range arrivals {
			if at, ok := onBus[a.id]; ok {
				lat = append(lat, time.Duration(a.at-at))
			}
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Fprintf(os.Stderr, "client: p90 %.2f ms, p95 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", pct(0.90), pct(0.95), pct(0.999), pct(1))
	fmt.Printf("LATENCY %.3f %.3f %d %d\n", pct(0.50), pct(0.99), len(lat), closed.Load())
}

// startClients runs n console clients in a child process (this test
// binary's TestConsoleClientsHelper) against url; expect reads its output
// up to the first line with a prefix, failing the benchmark if the child
// fails or ends first.
func startClients(b *testing.B, url string, n int, env ...string) (*exec.Cmd, func(prefix string) string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestConsoleClientsHelper$", "-test.v")
	cmd.Env = append(append(os.Environ(), "CONSOLEWS_CLIENTS_URL="+url, "CONSOLEWS_CLIENTS_N="+strconv.Itoa(n)), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	expect := func(prefix string) string {
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				return sc.Text()
			}
			if strings.HasPrefix(sc.Text(), "FAIL") || strings.HasPrefix(sc.Text(), "---") {
				b.Fatal(sc.Text())
			}
		}
		b.Fatalf("client process ended before %s", prefix)
		return ""
	}
	return cmd, expect
}

// serveSocket serves the gateway's push socket on a local port, signing in
// by bearer token through sessions, until the benchmark ends.
func serveSocket(b *testing.B, gw *Gateway, sessions interface {
	Authenticate(ctx context.Context, token string) (agent.Agent, error)
}) net.Listener {
	b.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = true
	app.Get("/api/v1/ws", func(c *fiber.Ctx) error {
		token := strings.TrimPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		a, err := sessions.Authenticate(c.UserContext(), token)
		if err != nil {
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		return gw.Serve(c, a, token)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
		_ = app.ShutdownWithContext(ctx)
	})
	return ln
}
