package app_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

// What a new user trips over on the first day, proved through the API of a
// running app with the demo seed.

type agentsList struct {
	Agents []struct {
		ID       int64   `json:"id"`
		Email    string  `json:"email"`
		Name     string  `json:"name"`
		Presence string  `json:"presence"`
		QueueIDs []int64 `json:"queue_ids"`
	} `json:"agents"`
}

// demoApp starts an app with the demo seed and signs in its admin.
func demoApp(t *testing.T, tune func(*config.Config)) (url string, admin *apptest.Client) {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.Routing.SeedFile = filepath.Join("..", "..", "internal", "routing", "seed", "demo.yaml")
	if tune != nil {
		tune(&cfg)
	}
	a := apptest.Start(t, cfg)
	admin = apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	return a.URL(), admin
}

// signIn logs a demo agent in and returns the client and the agent's id.
func signIn(t *testing.T, url, email, password string) (*apptest.Client, int64) {
	t.Helper()
	c := apptest.NewClient(t, url)
	c.Login(email, password)
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	c.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	return c, me.Agent.ID
}

func setPresence(t *testing.T, c *apptest.Client, presence string) {
	t.Helper()
	if res := c.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": presence}); res.Status != http.StatusOK {
		t.Fatalf("presence %s: %d %s", presence, res.Status, res.Body)
	}
}

// fileComplaint submits a complaint to the national queue and waits for
// its ticket; it returns the ticket id.
func fileComplaint(t *testing.T, admin *apptest.Client, description string) int64 {
	t.Helper()
	tn := admin.Complaint(map[string]string{"name": "Rina", "phone": "081234567890", "category": "lainnya", "description": description})
	var id int64
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var list ticketList
		admin.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == tn {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", tn)
	})
	return id
}

// assigneeOf reads a ticket's assignee (0: waiting in the queue).
func assigneeOf(t *testing.T, c *apptest.Client, id int64) int64 {
	t.Helper()
	var v routingView
	res := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/routing", id), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("routing view: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &v)
	return v.Routing.AgentID
}

func presenceOf(t *testing.T, admin *apptest.Client, id int64) string {
	t.Helper()
	var list agentsList
	admin.Do(http.MethodGet, "/api/v1/agents", nil).JSON(t, &list)
	for _, a := range list.Agents {
		if a.ID == id {
			return a.Presence
		}
	}
	t.Fatalf("agent %d not listed", id)
	return ""
}

// Issue 12, bug 1: logging out leaves no agent online, and their ticket
// goes back to the queue as on a manual switch to offline.
func TestLogoutTakesTheAgentOffline(t *testing.T) {
	url, admin := demoApp(t, nil)
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	setPresence(t, sari, "online")
	id := fileComplaint(t, admin, "Kartu saya belum aktif sejak minggu lalu, mohon bantuan.")
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if got := assigneeOf(t, admin, id); got != sariID {
			return fmt.Errorf("assignee %d, want Sari %d", got, sariID)
		}
		return nil
	})

	if res := sari.Do(http.MethodPost, "/api/v1/auth/logout", nil); res.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	if got := presenceOf(t, admin, sariID); got != "offline" {
		t.Fatalf("after logout Sari is %s, want offline", got)
	}
	if got := assigneeOf(t, admin, id); got != 0 {
		t.Fatalf("after logout the ticket is with %d, want back in the queue", got)
	}
	if res := sari.Do(http.MethodGet, "/api/v1/auth/me", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("session after logout: %d", res.Status)
	}
}

// Issue 12, bug 1: a console that stops sending signs of life takes its
// agent to away, then offline, and the ticket goes back to the queue.
func TestSilentConsoleGoesAwayThenOffline(t *testing.T) {
	url, admin := demoApp(t, func(c *config.Config) {
		c.Presence = config.Presence{AwayAfter: 1500 * time.Millisecond, OfflineAfter: 3 * time.Second,
			SweepInterval: 100 * time.Millisecond, TouchInterval: 200 * time.Millisecond}
	})
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	budi, budiID := signIn(t, url, "budi@tanggap.example", "demo-budi-2026")
	setPresence(t, sari, "online")
	id := fileComplaint(t, admin, "Dana insentif saya belum masuk, mohon dicek.")
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if got := assigneeOf(t, admin, id); got != sariID {
			return fmt.Errorf("assignee %d, want Sari %d", got, sariID)
		}
		return nil
	})
	setPresence(t, budi, "busy")

	// Sari's console goes silent; Budi's keeps asking for its list.
	alive := func() { budi.Do(http.MethodGet, "/api/v1/tickets", nil) }
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		alive()
		if got := presenceOf(t, admin, sariID); got != "away" {
			return fmt.Errorf("silent Sari is %s, want away", got)
		}
		return nil
	})
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		alive()
		if got := presenceOf(t, admin, sariID); got != "offline" {
			return fmt.Errorf("silent Sari is %s, want offline", got)
		}
		return nil
	})
	// The sweep stores "offline" first and then gives the tickets back,
	// as a manual switch does: wait for the second step.
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if got := assigneeOf(t, admin, id); got != 0 {
			return fmt.Errorf("Sari offline, the ticket is with %d, want back in the queue", got)
		}
		return nil
	})
	if got := presenceOf(t, admin, budiID); got != "busy" {
		t.Fatalf("Budi, whose console spoke, is %s, want busy", got)
	}
}

// Issue 12, bug 3: an agent may list whom and where to transfer to.
func TestAgentListsTransferTargets(t *testing.T) {
	url, _ := demoApp(t, nil)
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	res := sari.Do(http.MethodGet, "/api/v1/transfer-targets", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("transfer targets as an agent: %d %s", res.Status, res.Body)
	}
	var out struct {
		Agents []struct {
			ID       int64   `json:"id"`
			Name     string  `json:"name"`
			Presence string  `json:"presence"`
			QueueIDs []int64 `json:"queue_ids"`
			Email    string  `json:"email"`
		} `json:"agents"`
		Queues []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"queues"`
	}
	res.JSON(t, &out)
	names := map[string]int{}
	for _, a := range out.Agents {
		if a.ID == sariID {
			t.Errorf("the caller is listed as a target")
		}
		if a.Email != "" {
			t.Errorf("targets carry emails: %+v", a)
		}
		names[a.Name] = len(a.QueueIDs)
		if a.Presence == "" {
			t.Errorf("%s has no presence", a.Name)
		}
	}
	if names["Budi"] != 3 || names["Dewi"] != 6 {
		t.Errorf("colleagues and their queue counts %v, want Budi 3 and Dewi 6", names)
	}
	byCode := map[string]string{}
	for _, q := range out.Queues {
		byCode[q.Code] = q.Name
	}
	if byCode["umum"] != "Umum (nasional)" || byCode["jabar"] != "Jawa Barat" {
		t.Errorf("queues %v, want umum and jabar by name", byCode)
	}
	anon := apptest.NewClient(t, url)
	if res := anon.Do(http.MethodGet, "/api/v1/transfer-targets", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("transfer targets without a session: %d", res.Status)
	}
}

// Issue 12, bug 13: the agents list carries the seeded agents' queues.
func TestAgentsListCarriesQueues(t *testing.T) {
	_, admin := demoApp(t, nil)
	var list agentsList
	res := admin.Do(http.MethodGet, "/api/v1/agents", nil)
	res.JSON(t, &list)
	got := map[string]int{}
	for _, a := range list.Agents {
		got[a.Email] = len(a.QueueIDs)
	}
	want := map[string]int{"sari@tanggap.example": 2, "budi@tanggap.example": 3, "dewi@tanggap.example": 6}
	for email, n := range want {
		if got[email] != n {
			t.Errorf("%s has %d queue ids, want %d (%s)", email, got[email], n, res.Body)
		}
	}
}

// notesOf returns the bodies of a ticket's internal notes as lang reads them.
func notesOf(t *testing.T, c *apptest.Client, id int64, lang string) []string {
	t.Helper()
	c.Lang = lang
	defer func() { c.Lang = "" }()
	var d ticketDetail
	res := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("ticket: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &d)
	var out []string
	for _, m := range d.Messages {
		if m.Direction == "note" {
			out = append(out, m.Body)
		}
	}
	return out
}

// Issue 12, bugs 4 and 10: transfer notes read in the viewer's language
// with names; a solved ticket's SLA clocks are stopped and it can no
// longer be transferred or released.
func TestTransferNotesAndInactiveTickets(t *testing.T) {
	var cfg *config.Config
	url, admin := demoApp(t, func(c *config.Config) { cfg = c })
	sari, sariID := signIn(t, url, "sari@tanggap.example", "demo-sari-2026")
	budi, budiID := signIn(t, url, "budi@tanggap.example", "demo-budi-2026")
	dewi, _ := signIn(t, url, "dewi@tanggap.example", "demo-dewi-2026")
	setPresence(t, sari, "online")
	id := fileComplaint(t, admin, "Kartu saya belum aktif sejak minggu lalu, mohon bantuan.")
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if got := assigneeOf(t, admin, id); got != sariID {
			return fmt.Errorf("assignee %d, want Sari %d", got, sariID)
		}
		return nil
	})
	setPresence(t, budi, "busy")
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	if res := sari.Do(http.MethodPost, path+"/transfer", map[string]any{"agent_id": budiID, "note": "Mohon dicek ulang"}); res.Status != http.StatusOK {
		t.Fatalf("transfer to Budi: %d %s", res.Status, res.Body)
	}
	if res := budi.Do(http.MethodPost, path+"/transfer", map[string]any{"queue": "jabar"}); res.Status != http.StatusOK {
		t.Fatalf("transfer to jabar: %d %s", res.Status, res.Body)
	}
	want := map[string][]string{
		"id-ID": {"Dialihkan dari Sari ke Budi: Mohon dicek ulang", "Dialihkan dari Budi ke antrean Jawa Barat"},
		"en-US": {"Transferred from Sari to Budi: Mohon dicek ulang", "Transferred from Budi to the Jawa Barat queue"},
	}
	for lang, w := range want {
		if got := notesOf(t, dewi, id, lang); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s notes %q, want %q", lang, got, w)
		}
	}

	// Solved: the clocks stop, and transfer and release are refused.
	apptest.FollowedUp(t, *cfg, admin, id) // a complaint is solved once its follow-up is published
	if res := dewi.Do(http.MethodPatch, path, map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	var v routingView
	dewi.Do(http.MethodGet, path+"/routing", nil).JSON(t, &v)
	if st := v.Routing.SLA.FirstResponseState; st != "stopped" && st != "met" && st != "breached" {
		t.Errorf("solved ticket's first response SLA is %q, want stopped, met or breached", st)
	}
	for _, action := range []struct {
		name, path string
		body       any
	}{
		{"transfer", path + "/transfer", map[string]any{"agent_id": sariID}},
		{"release", path + "/release", nil},
	} {
		var e apiError
		res := dewi.Do(http.MethodPost, action.path, action.body)
		res.JSON(t, &e)
		if res.Status != http.StatusConflict || e.Error.Code != "ticket_inactive" || e.Error.Message == "" {
			t.Errorf("%s of a solved ticket: %d %s; want 409 ticket_inactive", action.name, res.Status, res.Body)
		}
	}
}

// Issue 12, bug 11: outside business hours (here a holiday) with nobody
// online, the console is told the queue is closed and when it opens.
func TestRoutingViewSaysTheQueueIsClosed(t *testing.T) {
	_, admin := demoApp(t, nil)
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(wib)
	holidays := map[string]any{"holidays": []map[string]string{{"day": today.Format(time.DateOnly), "name": "Libur uji", "kind": "national"}}}
	if res := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/holidays/%d", today.Year()), holidays); res.Status != http.StatusOK {
		t.Fatalf("holidays: %d %s", res.Status, res.Body)
	}
	id := fileComplaint(t, admin, "Kartu saya belum aktif sejak minggu lalu, mohon bantuan.")
	var v struct {
		Routing struct {
			Open     bool       `json:"open"`
			Closed   bool       `json:"closed"`
			OpensAt  *time.Time `json:"opens_at"`
			WaitSecs int64      `json:"estimated_wait_seconds"`
		} `json:"routing"`
	}
	res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/routing", id), nil)
	res.JSON(t, &v)
	r := v.Routing
	if r.Open || !r.Closed || r.OpensAt == nil || !r.OpensAt.After(time.Now()) {
		t.Fatalf("on a holiday with nobody online: %s; want closed with opens_at ahead", res.Body)
	}
	if until := time.Until(*r.OpensAt); time.Duration(r.WaitSecs)*time.Second < until-time.Minute {
		t.Errorf("estimate %ds while the queue opens in %v", r.WaitSecs, until)
	}
}
