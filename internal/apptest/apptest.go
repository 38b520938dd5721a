// Package apptest starts the whole contact center for tests, on the same
// services the rest of the suite uses (internal/testenv): SQLite + embedded
// NATS by default, PostgreSQL + external NATS when TEST_DATABASE_URL and
// TEST_NATS_URL are set. It also speaks the public API like a client would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"tanggap/internal/app"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

// Admin credentials of every test app.
const (
	AdminEmail    = "admin@tanggap.test"
	AdminPassword = "rahasia-admin-123"
)

// Config returns a configuration for a test app: its own database and bus,
// a random local port, and an admin.
func Config(t testing.TB) config.Config {
	t.Helper()
	// An empty database: every app test also proves that start-up
	// migrates a fresh install.
	dbc := testenv.EmptyDBConfig(t)
	bc := testenv.BusConfig(t)
	cfg := config.Defaults()
	cfg.DatabaseURL = dbc.URL
	// On SQLite the database file lives in dbc.DataDir; the embedded NATS
	// store goes beside it (DataDir/nats), so one folder is the whole state
	// and a restart test reuses it.
	cfg.DataDir = dbc.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.NATSURL = bc.URL
	cfg.NATSSubjectPrefix = bc.SubjectPrefix
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.MetricsAddr = "127.0.0.1:0" // parallel apps each get a port of their own
	// Every test client comes from 127.0.0.1 and polls while the core
	// catches up; per-address limits have their own tests in the webform
	// package.
	cfg.FormRateLimit = 0
	cfg.LookupRateLimit = 0
	cfg.AdminEmail = AdminEmail
	cfg.AdminPassword = AdminPassword
	cfg.ShutdownTimeout = 10 * time.Second
	// The cheapest bcrypt cost: tests sign in often, and the race
	// detector makes each hash ten times slower.
	cfg.PasswordCost = 4
	return cfg
}

// Start runs an app with cfg until the test ends, logging to the test's log.
func Start(t testing.TB, cfg config.Config) *app.App {
	t.Helper()
	return StartLogging(t, cfg, testenv.Logger(t))
}

// StartTwo runs two instances on one database and one NATS until the
// test ends: a runs every component, b only the HTTP side (API and
// sockets), so whatever b shows of the core crossed NATS or the database.
// It returns both and a's configuration.
func StartTwo(t testing.TB) (a, b *app.App, cfg config.Config) {
	t.Helper()
	return StartTwoWith(t, nil)
}

// StartTwoWith is StartTwo with both configurations changed by edit
// (when not nil) before the instances start; b's starts as a copy of a's.
func StartTwoWith(t testing.TB, edit func(a, b *config.Config)) (a, b *app.App, cfg config.Config) {
	t.Helper()
	cfg = Config(t)
	busCfg := testenv.SharedBusConfig(t)
	cfg.NATSURL, cfg.NATSSubjectPrefix = busCfg.URL, busCfg.SubjectPrefix
	cfgB := cfg
	cfgB.Components = map[string]bool{"http": true}
	if edit != nil {
		edit(&cfg, &cfgB)
	}
	a = Start(t, cfg)
	b = Start(t, cfgB)
	return a, b, cfg
}

// StartLogging is Start with the app's logger given (benchmarks log as a
// deployment does: the test's log costs far more a line).
func StartLogging(t testing.TB, cfg config.Config, log *slog.Logger) *app.App {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		t.Fatalf("apptest: start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Stop(sctx); err != nil {
			t.Errorf("apptest: stop: %v", err)
		}
	})
	return a
}

// Client calls the API of one app.
type Client struct {
	T     testing.TB
	Base  string
	Token string
	HTTP  *http.Client
	Lang  string
}

// NewClient returns a client for base.
func NewClient(t testing.TB, base string) *Client {
	return &Client{T: t, Base: base, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("apptest: decode %s: %v", r.Body, err)
	}
}

// Do sends a request with an optional JSON body.
func (c *Client) Do(method, path string, body any) Response {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.T.Fatalf("apptest: encode: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatalf("apptest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req)
}

func (c *Client) send(req *http.Request) Response {
	c.T.Helper()
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("apptest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatalf("apptest: read body: %v", err)
	}
	return Response{Status: res.StatusCode, Body: b}
}

// Raw sends a body as given, with its content type.
func (c *Client) Raw(method, path, contentType, body string, header map[string]string) Response {
	c.T.Helper()
	req, err := http.NewRequest(method, c.Base+path, strings.NewReader(body))
	if err != nil {
		c.T.Fatalf("apptest: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.send(req)
}

// File is an attachment to upload.
type File struct {
	Name string
	Data []byte
}

// Multipart posts fields and files as multipart/form-data.
func (c *Client) Multipart(path string, fields map[string]string, files []File) Response {
	c.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			c.T.Fatal(err)
		}
	}
	for _, f := range files {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.Name))
		h.Set("Content-Type", "application/octet-stream")
		part, err := w.CreatePart(h)
		if err != nil {
			c.T.Fatal(err)
		}
		part.Write(f.Data)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, c.Base+path, &buf)
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.send(req)
}

// Login signs in and keeps the token.
func (c *Client) Login(email, password string) {
	c.T.Helper()
	res := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	if res.Status != http.StatusOK {
		c.T.Fatalf("apptest: login %s: %d %s", email, res.Status, res.Body)
	}
	var out struct {
		Token string `json:"token"`
	}
	res.JSON(c.T, &out)
	c.Token = out.Token
}

// Complaint submits the form as JSON and returns the tracking number.
func (c *Client) Complaint(fields map[string]string) string {
	c.T.Helper()
	res := c.Do(http.MethodPost, "/api/v1/complaints", fields)
	if res.Status != http.StatusCreated {
		c.T.Fatalf("apptest: complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(c.T, &out)
	return out.TrackingNumber
}

// TicketID waits until the ticket of a tracking number is listed to this
// client at /api/v1/tickets?query and returns its id.
func (c *Client) TicketID(tn, query string) int64 {
	c.T.Helper()
	return c.listedTicket(query, "ticket "+tn, func(n, _ string) bool { return n == tn })
}

// TicketOn waits until the ticket list (query, as TicketID) holds a
// ticket of channel and returns the id of the first listed.
func (c *Client) TicketOn(channel, query string) int64 {
	c.T.Helper()
	return c.listedTicket(query, "a "+channel+" ticket", func(_, ch string) bool { return ch == channel })
}

// listedTicket waits until the ticket list (query) holds a ticket that
// match takes (by tracking number and channel) and returns its id.
func (c *Client) listedTicket(query, what string, match func(tn, channel string) bool) int64 {
	c.T.Helper()
	var id int64
	testenv.CheckFor(c.T, 20*time.Second, 20*time.Millisecond, func() error {
		var list struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
				Channel        string `json:"channel"`
			} `json:"tickets"`
		}
		c.Do(http.MethodGet, "/api/v1/tickets?"+query, nil).JSON(c.T, &list)
		for _, tk := range list.Tickets {
			if match(tk.TrackingNumber, tk.Channel) {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("%s not listed yet", what)
	})
	return id
}
