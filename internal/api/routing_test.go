package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/agent"
	"tanggap/internal/api"
	"tanggap/internal/auth"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// routingAPI is the API with the routing routes, the queue admin and one
// session per role.
type routingAPI struct {
	t      *testing.T
	app    *fiber.App
	d      *db.DB
	admin  *routing.Admin
	tokens map[domain.Role]string // role → bearer token
}

func newRoutingAPI(t *testing.T) *routingAPI {
	t.Helper()
	ctx := context.Background()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := testenv.DB(t)
	log := testenv.Logger(t)
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: bcrypt.MinCost})
	sessions := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log})
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, DefaultQueue: "umum", CategoryQueues: map[string]string{"kartu": "kartu"}, Log: log})
	router := routing.New(routing.Opts{DB: d, Settings: settings, Log: log})
	admin := routing.NewAdmin(routing.AdminOpts{DB: d, Settings: settings, Work: router, Log: log})
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}, {Code: "kartu", Name: "Kartu"}}); err != nil {
		t.Fatal(err)
	}
	a := &routingAPI{t: t, d: d, admin: admin, tokens: map[domain.Role]string{},
		app: api.New(api.Opts{Log: log, Locale: cat, Lang: pages.Lang, Auth: sessions, Agents: agents, Work: router, Queues: admin, SLA: routing.NewClocks(routing.PartOpts{DB: d, Queues: settings, Log: log}), Metrics: routing.NewMetrics(routing.PartOpts{DB: d, Queues: settings, Log: log})})}
	for _, role := range domain.Roles {
		email := string(role) + "@tanggap.example"
		if _, err := agents.Create(ctx, agent.NewAgent{Email: email, Name: string(role), Password: "rahasia-" + string(role) + "-2026", Role: role}); err != nil {
			t.Fatal(err)
		}
		s, err := sessions.Login(ctx, email, "rahasia-"+string(role)+"-2026")
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[role] = s.Token
	}
	return a
}

// do sends a request as role and decodes the JSON answer.
func (a *routingAPI) do(role domain.Role, method, path string) (int, map[string]any) {
	a.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	res, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		a.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, body
}

// ticket files a ticket with the given status in a queue.
func (a *routingAPI) ticket(queue, status string) {
	a.t.Helper()
	now := time.Now().UTC()
	var contact int64
	if err := a.d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`, now, now).Scan(&contact).Error; err != nil {
		a.t.Fatal(err)
	}
	if err := a.d.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', '', ?, 'normal', (SELECT id FROM queues WHERE code = ?), ?, ?, ?)`,
		fmt.Sprintf("T-%s-%d", queue, now.UnixNano()), contact, status, queue, now, now, now).Error; err != nil {
		a.t.Fatal(err)
	}
}

func errorOf(body map[string]any) (code, field string) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	fields, _ := e["fields"].(map[string]any)
	for _, v := range fields {
		field, _ = v.(string)
	}
	return code, field
}

func TestRemoveQueueThroughTheAPI(t *testing.T) {
	a := newRoutingAPI(t)
	ctx := context.Background()
	for _, q := range []routing.QueueSettings{{Code: "jabar"}, {Code: "banten", OverflowQueue: "umum"}} {
		if _, err := a.admin.SaveQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	a.ticket("jabar", "open")
	a.ticket("jabar", "closed")

	for _, role := range []domain.Role{domain.RoleAgent, domain.RoleSupervisor} {
		if status, body := a.do(role, http.MethodDelete, "/api/v1/admin/queues/jabar?move_to=kartu"); status != http.StatusForbidden {
			t.Fatalf("%s: %d %v, want 403", role, status, body)
		}
	}

	refusals := []struct {
		name, path string
		status     int
		code, says string
	}{
		{"an unknown queue", "/api/v1/admin/queues/tidak-ada", http.StatusNotFound, "not_found", ""},
		{"the default queue", "/api/v1/admin/queues/umum?move_to=kartu", http.StatusConflict, "queue_in_use", "default queue"},
		{"a category's queue", "/api/v1/admin/queues/kartu", http.StatusConflict, "queue_in_use", "CATEGORY_QUEUES"},
		{"open tickets without move_to", "/api/v1/admin/queues/jabar", http.StatusConflict, "queue_in_use", "1 open tickets"},
		{"move_to an unknown queue", "/api/v1/admin/queues/jabar?move_to=tidak-ada", http.StatusUnprocessableEntity, "validation", "tidak-ada"},
		{"move_to the queue itself", "/api/v1/admin/queues/jabar?move_to=jabar", http.StatusUnprocessableEntity, "validation", "another queue"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			status, body := a.do(domain.RoleAdmin, http.MethodDelete, r.path)
			code, field := errorOf(body)
			if status != r.status || code != r.code || !strings.Contains(field, r.says) {
				t.Fatalf("%d %v; want %d %s saying %q", status, body, r.status, r.code, r.says)
			}
		})
	}

	status, body := a.do(domain.RoleAdmin, http.MethodDelete, "/api/v1/admin/queues/jabar?move_to=kartu")
	if status != http.StatusOK || body["code"] != "jabar" || body["moved"] != float64(1) || body["archived"] != true {
		t.Fatalf("remove: %d %v; want 200 with one ticket moved and the queue archived", status, body)
	}
	status, body = a.do(domain.RoleAdmin, http.MethodDelete, "/api/v1/admin/queues/banten")
	if status != http.StatusOK || body["moved"] != float64(0) || body["archived"] != false {
		t.Fatalf("remove an empty queue: %d %v; want 200, deleted", status, body)
	}
	_, body = a.do(domain.RoleAdmin, http.MethodGet, "/api/v1/admin/queues")
	list, _ := body["queues"].([]any)
	for _, q := range list {
		if c := q.(map[string]any)["code"]; c == "jabar" || c == "banten" {
			t.Fatalf("removed queue %v is still listed", c)
		}
	}
	if len(list) != 2 {
		t.Fatalf("queues left: %v", list)
	}
	// The provinces come with the queues, by name, for the queue form.
	provinces, _ := body["provinces"].([]any)
	if len(provinces) != 38 || fmt.Sprint(provinces[0]) != "map[code:11 name:Aceh]" {
		t.Fatalf("provinces offered: %d, first %v; want the 38, Aceh first", len(provinces), provinces[0])
	}
}
