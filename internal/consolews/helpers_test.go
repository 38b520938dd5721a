package consolews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// env is one database with agents and queues, and the services a gateway
// uses, for one or more instances.
type env struct {
	t        testing.TB
	db       *db.DB
	agents   *agent.Service
	sessions *auth.Service
	tickets  *ticket.Service
	touch    *touchCounter
	typing   *typingLog
	queues   map[string]int64
	nextTN   int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := testenv.DB(t)
	return envOn(t, d)
}

func envOn(t testing.TB, d *db.DB) *env {
	agents := agent.New(agent.Opts{DB: d, Log: testenv.Logger(t), BcryptCost: bcrypt.MinCost})
	return &env{t: t, db: d, agents: agents,
		sessions: auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: testenv.Logger(t)}),
		tickets:  ticket.New(ticket.Opts{DB: d, Log: testenv.Logger(t)}),
		touch:    &touchCounter{n: map[int64]int{}}, typing: &typingLog{}, queues: map[string]int64{}}
}

// queue creates a queue and returns its id.
func (e *env) queue(code string) int64 {
	e.t.Helper()
	if id, ok := e.queues[code]; ok {
		return id
	}
	var id int64
	if err := e.db.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`, code, code, time.Now().UTC()).Scan(&id).Error; err != nil {
		e.t.Fatalf("queue: %v", err)
	}
	e.queues[code] = id
	return id
}

// agent creates a console user in queues and signs them in.
func (e *env) agent(name string, role domain.Role, queues ...string) (agent.Agent, string) {
	e.t.Helper()
	for _, q := range queues {
		e.queue(q)
	}
	ctx := context.Background()
	email := strings.ToLower(name) + "@tanggap.test"
	if _, err := e.agents.Create(ctx, agent.NewAgent{Email: email, Name: name, Password: "rahasia-123456", Role: role, QueueCodes: queues}); err != nil {
		e.t.Fatalf("create agent %s: %v", name, err)
	}
	s, err := e.sessions.Login(ctx, email, "rahasia-123456")
	if err != nil {
		e.t.Fatalf("login %s: %v", name, err)
	}
	return s.Agent, s.Token
}

// ticket stores a ticket in queue (0: none) assigned to assignee (0: none).
func (e *env) ticket(queue, assignee int64) int64 {
	e.t.Helper()
	now := time.Now().UTC()
	var contact, id int64
	if err := e.db.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`, now, now).Scan(&contact).Error; err != nil {
		e.t.Fatal(err)
	}
	e.nextTN++
	var q, a any
	if queue != 0 {
		q = queue
	}
	if assignee != 0 {
		a = assignee
	}
	if err := e.db.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, priority, queue_id, assignee_id, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', 'open', 'normal', ?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("WS-%d", e.nextTN), contact, q, a, now, now, now).Scan(&id).Error; err != nil {
		e.t.Fatal(err)
	}
	return id
}

// instance is one gateway on its own bus connection behind its own HTTP
// listener, like one process of several.
type instance struct {
	gw  *Gateway
	bus *bus.Bus
	url string // ws://host:port/api/v1/ws
	app *fiber.App
}

// start runs a gateway with the same session check as the API (Bearer or
// cookie; 401 before the upgrade).
func (e *env) start(b *bus.Bus, heartbeat time.Duration) *instance {
	e.t.Helper()
	gw, err := New(Opts{NC: b.NC, Names: b.Names, Sessions: e.sessions, Scopes: e.tickets, Typing: e.typing,
		Liveness: e.touch, Heartbeat: heartbeat, SendQueue: 1024, Log: testenv.Logger(e.t)})
	if err != nil {
		e.t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = true
	app.Get("/api/v1/ws", func(c *fiber.Ctx) error {
		token := strings.TrimPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if token == "" {
			token = c.Cookies("tanggap_session")
		}
		a, err := e.sessions.Authenticate(c.UserContext(), token)
		if err != nil {
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		return gw.Serve(c, a, token)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = gw.Run(ctx); close(done) }()
	e.t.Cleanup(func() {
		cancel()
		<-done
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = gw.Shutdown(sctx)
		_ = app.ShutdownWithContext(sctx)
	})
	return &instance{gw: gw, bus: b, url: "ws://" + ln.Addr().String() + "/api/v1/ws", app: app}
}

// frame is any server frame, decoded loosely.
type frame struct {
	Type     string          `json:"type"`
	Event    string          `json:"event"`
	Data     json.RawMessage `json:"data"`
	AgentID  int64           `json:"agent_id"`
	Role     domain.Role     `json:"role"`
	TicketID int64           `json:"ticket_id"`
	Viewers  []mark          `json:"viewers"`
	Reason   string          `json:"reason"`
	HB       int             `json:"heartbeat_seconds"`
	// Permissions: hello's rights.
	Permissions []permission.P `json:"permissions"`
}

// console is a test client: a reader goroutine keeps every frame.
type console struct {
	t      testing.TB
	name   string
	ws     *websocket.Conn
	mu     sync.Mutex
	frames []frame
	closed error
}

func dial(t testing.TB, url string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial(url, hdr)
}

// connect opens a console with a bearer token and waits for hello.
func connect(t testing.TB, url, name, token string) *console {
	t.Helper()
	ws, _, err := dial(t, url, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	c := &console{t: t, name: name, ws: ws}
	t.Cleanup(func() { ws.Close() })
	go c.read()
	c.wait(func(f frame) bool { return f.Type == "hello" }, "hello")
	return c
}

func (c *console) read() {
	for {
		_, data, err := c.ws.ReadMessage()
		c.mu.Lock()
		if err != nil {
			c.closed = err
			c.mu.Unlock()
			return
		}
		var f frame
		if json.Unmarshal(data, &f) == nil {
			c.frames = append(c.frames, f)
		}
		c.mu.Unlock()
	}
}

func (c *console) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// wait polls until a frame matching ok arrived and returns the last one.
func (c *console) wait(ok func(frame) bool, what string) frame {
	c.t.Helper()
	var got frame
	testenv.CheckFor(c.t, 10*time.Second, 5*time.Millisecond, func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.frames) - 1; i >= 0; i-- {
			if ok(c.frames[i]) {
				got = c.frames[i]
				return nil
			}
		}
		if c.closed != nil {
			return fmt.Errorf("%s: closed before %s: %v", c.name, what, c.closed)
		}
		return fmt.Errorf("%s: no %s yet", c.name, what)
	})
	return got
}

// lastViewers waits for the latest viewers frame of ticket to satisfy ok.
func (c *console) lastViewers(ticket int64, ok func([]mark) bool, what string) {
	c.t.Helper()
	testenv.CheckFor(c.t, 10*time.Second, 5*time.Millisecond, func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.frames) - 1; i >= 0; i-- {
			f := c.frames[i]
			if f.Type == "viewers" && f.TicketID == ticket {
				if ok(f.Viewers) {
					return nil
				}
				return fmt.Errorf("%s: viewers of %d are %+v, want %s", c.name, ticket, f.Viewers, what)
			}
		}
		return fmt.Errorf("%s: no viewers frame for %d yet", c.name, ticket)
	})
}

func (c *console) events() []frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []frame
	for _, f := range c.frames {
		if f.Type == "event" {
			out = append(out, f)
		}
	}
	return out
}

// closedErr waits until the server closed the socket.
func (c *console) closedErr() error {
	c.t.Helper()
	var err error
	testenv.CheckFor(c.t, 10*time.Second, 5*time.Millisecond, func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed == nil {
			return errors.New(c.name + ": still open")
		}
		err = c.closed
		return nil
	})
	return err
}

// touchCounter is the liveness stand-in: how often each agent was touched.
type touchCounter struct {
	mu sync.Mutex
	n  map[int64]int
}

func (tc *touchCounter) TouchMany(_ context.Context, ids []int64) error {
	tc.mu.Lock()
	for _, id := range ids {
		tc.n[id]++
	}
	tc.mu.Unlock()
	return nil
}

func (tc *touchCounter) count(id int64) int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.n[id]
}

// typingLog records what would be relayed to citizens.
type typingLog struct {
	mu  sync.Mutex
	got []string
}

func (l *typingLog) AgentTyping(_ context.Context, viewer agent.Agent, id int64, on bool) error {
	l.mu.Lock()
	l.got = append(l.got, fmt.Sprintf("%s:%d:%v", viewer.Name, id, on))
	l.mu.Unlock()
	return nil
}

func (l *typingLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.got {
		if g == s {
			return true
		}
	}
	return false
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(v int64) string { return fmt.Sprint(v) }

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }
