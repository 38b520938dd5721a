package livechat_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// benchConfig is an app whose NATS a test can reach from outside (for
// the agent-side events), with the per-address limits off: every
// generated client comes from 127.0.0.1.
func benchConfig(b *testing.B) config.Config {
	b.Helper()
	cfg := apptest.Config(b)
	if !testenv.UsingExternalNATS() {
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: b.TempDir(), NoSigs: true, NoLog: true})
		if err != nil {
			b.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			b.Fatal("nats server did not start")
		}
		b.Cleanup(ns.Shutdown)
		cfg.NATSURL = ns.ClientURL()
	}
	cfg.LivechatMaxConnsPerIP = 0
	cfg.LivechatNewConnsPerMinute = 0
	cfg.LogLevel = "warn"
	return cfg
}

// BenchmarkIdleConnections measures the gateway's memory per idle visitor
// connection (said hello, subscribed, waiting) at 10,000 connections, or
// LIVECHAT_IDLE_CONNS (each process needs that many file descriptors). The
// clients run in a child process so only the server's memory is counted:
// Go heap in use plus goroutine stacks, after a GC, before and after.
//
//	go test -run '^$' -bench IdleConnections -benchtime 1x ./channels/livechat/
func BenchmarkIdleConnections(b *testing.B) {
	conns := 10000
	if n, err := strconv.Atoi(os.Getenv("LIVECHAT_IDLE_CONNS")); err == nil && n > 0 {
		conns = n
	}
	cfg := benchConfig(b)
	a := apptest.Start(b, cfg)
	for i := 0; i < b.N; i++ {
		before := inUse()
		stackBefore, gBefore := stacks()
		cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "LIVECHAT_IDLE_URL="+wsURL(a.URL()), "LIVECHAT_IDLE_N="+strconv.Itoa(conns))
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		ready := false
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY") {
				ready = true
				break
			}
			if strings.HasPrefix(sc.Text(), "FAIL") {
				b.Fatal(sc.Text())
			}
		}
		if !ready {
			b.Fatalf("client process ended before its connections were up")
		}
		opened := time.Since(start)
		after := inUse()
		if p := os.Getenv("LIVECHAT_HEAP_PROFILE"); p != "" {
			if f, err := os.Create(p); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		per := float64(after-before) / float64(conns)
		stackAfter, gAfter := stacks()
		b.Logf("goroutines %d -> %d, stacks %.1f MiB -> %.1f MiB", gBefore, gAfter, float64(stackBefore)/(1<<20), float64(stackAfter)/(1<<20))
		b.ReportMetric(per/1024, "KiB/conn")
		b.ReportMetric(float64(conns)/opened.Seconds(), "conns/s")
		b.Logf("%d idle connections (hello done) opened in %v; server heap+stacks %.1f MiB -> %.1f MiB: %.1f KiB per connection",
			conns, opened.Round(time.Millisecond), float64(before)/(1<<20), float64(after)/(1<<20), per/1024)
		stdin.Close()
		_ = cmd.Wait()
	}
}

// inUse is the heap in use plus goroutine stacks once the memory of idle
// connections is at its steady state: each GC halves a stack that uses
// less than a quarter of it (grown while handling hello), so several GCs
// give what a connection costs after minutes of idling.
func inUse() uint64 {
	for range 5 {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

func stacks() (uint64, int) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse, runtime.NumGoroutine()
}

// TestIdleClientsHelper is the client side of BenchmarkIdleConnections,
// run in a child process; it does nothing in a normal test run.
func TestIdleClientsHelper(t *testing.T) {
	url := os.Getenv("LIVECHAT_IDLE_URL")
	if url == "" {
		t.Skip("helper process of BenchmarkIdleConnections")
	}
	n, _ := strconv.Atoi(os.Getenv("LIVECHAT_IDLE_N"))
	dialer := *websocket.DefaultDialer
	dialer.ReadBufferSize, dialer.WriteBufferSize = 512, 512
	var (
		mu    sync.Mutex
		conns []*websocket.Conn
		fails atomic.Int64
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 64)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ws, _, err := dialer.Dial(url, nil)
			if err != nil {
				fails.Add(1)
				return
			}
			if err := ws.WriteJSON(map[string]any{"v": 1, "type": "hello"}); err != nil {
				fails.Add(1)
				return
			}
			for { // welcome, replayed
				var f frame
				if err := ws.ReadJSON(&f); err != nil {
					fails.Add(1)
					return
				}
				if f.str("type") == "replayed" {
					break
				}
			}
			mu.Lock()
			conns = append(conns, ws)
			mu.Unlock()
			go func() { // answer pings, notice the end
				for {
					if _, _, err := ws.ReadMessage(); err != nil {
						return
					}
				}
			}()
		}()
	}
	wg.Wait()
	if f := fails.Load(); f > 0 {
		fmt.Printf("FAIL %d of %d connections failed\n", f, n)
		return
	}
	fmt.Println("READY")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	for _, c := range conns {
		c.Close()
	}
}

// BenchmarkMessageToAgentEvent measures visitor message → stored → the
// agent-side event (message.created on cc.events, emitted after the core
// committed the message) at a fixed rate of 500 messages/s from 250
// visitors, and agent reply → widget for replies sent through the
// console API at 100/s. Latencies are end to end on this machine: the
// load generator, the app and its database share the CPU.
func BenchmarkMessageToAgentEvent(b *testing.B) {
	const (
		visitors = 250
		rate     = 500 // messages per second
		seconds  = 10
	)
	cfg := benchConfig(b)
	a := apptest.Start(b, cfg)
	base := a.URL()
	nc, err := nats.Connect(cfg.NATSURL)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer check.Close()

	var evMu sync.Mutex
	eventAt := map[int64]time.Time{}
	sub, err := nc.Subscribe(cfg.NATSSubjectPrefix+".events.message.created", func(m *nats.Msg) {
		at := time.Now()
		var ev struct {
			MessageID int64  `json:"message_id"`
			Direction string `json:"direction"`
		}
		if json.Unmarshal(m.Data, &ev) == nil && ev.Direction == "in" {
			evMu.Lock()
			eventAt[ev.MessageID] = at
			evMu.Unlock()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Unsubscribe()

	vs := make([]*benchWidget, visitors)
	var wg sync.WaitGroup
	for i := range vs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w, err := dialBench(base)
			if err != nil {
				b.Error(err)
				return
			}
			b.Cleanup(func() { w.ws.Close() })
			vs[i] = w
		}(i)
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}

	for n := 0; n < b.N; n++ {
		sentAt := sync.Map{}
		total := rate * seconds
		start := time.Now()
		for i := 0; i < total; i++ {
			// A fixed schedule, not a ticker: a late tick is not dropped.
			time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / rate)))
			w := vs[i%visitors]
			cid := fmt.Sprintf("b%d-%d", n, i)
			sentAt.Store(w.id+":"+cid, time.Now())
			w.send(cid, "pesan uji beban "+cid)
		}
		sendDur := time.Since(start)
		var ids []int64
		testenv.CheckFor(b, 2*time.Minute, 50*time.Millisecond, func() error {
			evMu.Lock()
			defer evMu.Unlock()
			if len(eventAt) < total*(n+1) {
				return fmt.Errorf("%d of %d events", len(eventAt), total)
			}
			return nil
		})
		var rows []struct {
			ID                int64
			ProviderMessageID string
		}
		if err := check.Raw(`SELECT id, provider_message_id FROM messages WHERE channel = 'livechat' AND direction = 'in'`).Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
		var ackLat []time.Duration
		for _, w := range vs {
			w.mu.Lock()
			for cid, at := range w.acked {
				if s, ok := sentAt.Load(w.id + ":" + cid); ok {
					ackLat = append(ackLat, at.Sub(s.(time.Time)))
				}
			}
			w.mu.Unlock()
		}
		var lat []time.Duration
		evMu.Lock()
		for _, r := range rows {
			s, ok := sentAt.Load(r.ProviderMessageID)
			at, ok2 := eventAt[r.ID]
			if ok && ok2 {
				lat = append(lat, at.Sub(s.(time.Time)))
				ids = append(ids, r.ID)
			}
		}
		evMu.Unlock()
		if len(lat) != total {
			b.Fatalf("matched %d of %d messages", len(lat), total)
		}
		p50, p99 := pct(lat, 50), pct(lat, 99)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.Logf("visitor → stored → agent event: %d messages at %.0f/s: p50 %v p99 %v max %v (of which visitor → ack: p50 %v p99 %v)",
			total, float64(total)/sendDur.Seconds(), p50, p99, pct(lat, 100), pct(ackLat, 50), pct(ackLat, 99))
	}

	// Agent reply → widget, through the console API.
	ag := newAgent(b, base)
	var tickets []struct {
		ID int64
		TN string
	}
	if err := check.Raw(`SELECT id, tracking_number AS tn FROM tickets WHERE channel = 'livechat'`).Scan(&tickets).Error; err != nil {
		b.Fatal(err)
	}
	byTN := map[string]*benchWidget{}
	for _, w := range vs {
		byTN[w.tn] = w
	}
	const replies = 500
	var replyLat []time.Duration
	var latMu sync.Mutex
	var rwg sync.WaitGroup
	rstart := time.Now()
	for i := 0; i < replies; i++ {
		time.Sleep(time.Until(rstart.Add(time.Duration(i) * time.Second / 100)))
		tk := tickets[i%len(tickets)]
		w := byTN[tk.TN]
		if w == nil {
			continue
		}
		text := fmt.Sprintf("balasan %d", i)
		ch := w.expect(text)
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			start := time.Now()
			ag.reply(b, tk.ID, text)
			select {
			case <-ch:
				latMu.Lock()
				replyLat = append(replyLat, time.Since(start))
				latMu.Unlock()
			case <-time.After(time.Minute):
				b.Errorf("reply %q never reached the widget", text)
			}
		}()
	}
	rwg.Wait()
	b.ReportMetric(float64(pct(replyLat, 99).Microseconds())/1000, "reply-p99-ms")
	b.Logf("agent reply (API) → widget: %d replies at 100/s: p50 %v p99 %v", len(replyLat), pct(replyLat, 50), pct(replyLat, 99))
}

// BenchmarkNewChats measures new chats per second: each is a new visitor
// that connects, says hello and sends a first message, acked once
// JetStream has it; the clock stops when every chat is a stored, routed
// ticket. newChatClients visitors at a time.
func BenchmarkNewChats(b *testing.B) {
	const chats = 5000
	cfg := benchConfig(b)
	a := apptest.Start(b, cfg)
	url := wsURL(a.URL())
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer check.Close()
	for n := 0; n < b.N; n++ {
		var before int64
		if err := check.Raw(`SELECT COUNT(*) FROM tickets`).Scan(&before).Error; err != nil {
			b.Fatal(err)
		}
		var fails atomic.Int64
		var wg sync.WaitGroup
		sem := make(chan struct{}, newChatClients)
		start := time.Now()
		for i := 0; i < chats; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(i int) {
				defer wg.Done()
				defer func() { <-sem }()
				if err := oneChat(url, i); err != nil {
					if fails.Add(1) == 1 {
						b.Logf("chat failed: %v", err)
					}
				}
			}(i)
		}
		wg.Wait()
		accepted := time.Since(start)
		if f := fails.Load(); f > 0 {
			b.Fatalf("%d chats failed", f)
		}
		testenv.CheckFor(b, 2*time.Minute, 20*time.Millisecond, func() error {
			var c int64
			if err := check.Raw(`SELECT COUNT(*) FROM tickets WHERE queue_id IS NOT NULL`).Scan(&c).Error; err != nil {
				return err
			}
			if c-before < chats {
				return fmt.Errorf("%d of %d tickets", c-before, chats)
			}
			return nil
		})
		stored := time.Since(start)
		b.ReportMetric(float64(chats)/stored.Seconds(), "chats/s")
		b.Logf("%d new chats: all acked after %v (%.0f/s), all stored and queued after %v (%.0f/s)",
			chats, accepted.Round(time.Millisecond), float64(chats)/accepted.Seconds(), stored.Round(time.Millisecond), float64(chats)/stored.Seconds())
	}
}

// newChatClients is how many visitors open chats at the same time.
const newChatClients = 256

func oneChat(url string, i int) error {
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return err
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "hello"}); err != nil {
		return err
	}
	for {
		var f frame
		if err := ws.ReadJSON(&f); err != nil {
			return err
		}
		switch f.str("type") {
		case "replayed":
			if err := ws.WriteJSON(map[string]any{"v": 1, "type": "msg", "cid": "first", "text": fmt.Sprintf("Halo, saya butuh bantuan (%d)", i)}); err != nil {
				return err
			}
		case "ack":
			return nil
		case "error":
			return fmt.Errorf("error frame %v", f)
		}
	}
}

// benchWidget is a visitor connection for the latency benchmark.
type benchWidget struct {
	ws      *websocket.Conn
	id, tn  string
	wmu     sync.Mutex
	mu      sync.Mutex
	waiting map[string]chan struct{}
	acked   map[string]time.Time // cid -> when its ack arrived
}

func dialBench(base string) (*benchWidget, error) {
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(base), nil)
	if err != nil {
		return nil, err
	}
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "hello"}); err != nil {
		return nil, err
	}
	var wel frame
	if err := ws.ReadJSON(&wel); err != nil {
		return nil, err
	}
	tok := wel.str("token")
	w := &benchWidget{ws: ws, id: tok[:strings.IndexByte(tok, '.')], tn: wel["conversation"].(map[string]any)["tn"].(string),
		waiting: map[string]chan struct{}{}, acked: map[string]time.Time{}}
	go func() {
		for {
			var f frame
			if err := ws.ReadJSON(&f); err != nil {
				return
			}
			if f.str("type") == "ack" {
				w.mu.Lock()
				w.acked[f.str("cid")] = time.Now()
				w.mu.Unlock()
			}
			if f.str("type") == "entry" && f.str("kind") == "reply" {
				w.mu.Lock()
				if ch, ok := w.waiting[f.str("text")]; ok {
					close(ch)
					delete(w.waiting, f.str("text"))
				}
				w.mu.Unlock()
			}
		}
	}()
	return w, nil
}

func (w *benchWidget) send(cid, text string) {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	_ = w.ws.WriteJSON(map[string]any{"v": 1, "type": "msg", "cid": cid, "text": text})
}

func (w *benchWidget) expect(text string) <-chan struct{} {
	ch := make(chan struct{})
	w.mu.Lock()
	w.waiting[text] = ch
	w.mu.Unlock()
	return ch
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := len(s) * p / 100
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}
