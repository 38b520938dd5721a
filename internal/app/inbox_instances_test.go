package app_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/search/benchseed"
	"tanggap/internal/testenv"
)

// The inbox page is read in the session's round trip, for the scope the
// session had on that instance's last request (auth.AuthenticateAlong).
// Two instances on one database and one NATS: what an admin changes on A
// holds on B's very next request, with nothing sent between them. Taken
// out of a queue: B's next page has none of that queue's tickets (and
// given the role that sees all, all of them again); signed out on A or
// deactivated on A: B's next request is refused.
func TestInboxOnEveryInstanceFollowsTheSessionOfTheRequest(t *testing.T) {
	a, b, cfg := apptest.StartTwo(t)

	d, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 1}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// 60 unassigned tickets, half active, in queues bq0 and bq1.
	if err := benchseed.Seed(context.Background(), d, benchseed.Size{Tickets: 60, Messages: 1, Queues: 2}); err != nil {
		t.Fatal(err)
	}
	var bq0 int64
	if err := d.Raw(`SELECT id FROM queues WHERE code = 'bq0'`).Scan(&bq0).Error; err != nil {
		t.Fatal(err)
	}
	var in0, in1 int // active tickets of bq0 and of bq1
	if err := d.Raw(`SELECT COUNT(*) FROM tickets WHERE queue_id = ? AND status IN `+domain.ActiveStatusesSQL, bq0).Scan(&in0).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Raw(`SELECT COUNT(*) FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE q.code = 'bq1' AND t.status IN ` + domain.ActiveStatusesSQL).Scan(&in1).Error; err != nil {
		t.Fatal(err)
	}
	if in0 == 0 || in1 == 0 {
		t.Fatalf("seeded %d active tickets in bq0, %d in bq1", in0, in1)
	}

	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var created struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "nina@tanggap.test", "name": "Nina",
		"password": "rahasia-nina-1", "role": "agent", "queues": []string{"bq0", "bq1"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &created)
	if created.Agent.ID == 0 {
		t.Fatalf("created agent: %s", res.Body)
	}

	// inbox reads nina's page on B and counts its tickets, and those of bq0.
	inbox := func(c *apptest.Client) (status, all, ofBQ0 int) {
		t.Helper()
		var page struct {
			Tickets []struct {
				QueueID *int64 `json:"queue_id"`
			} `json:"tickets"`
		}
		res := c.Do(http.MethodGet, "/api/v1/tickets?limit=100", nil)
		if res.Status != http.StatusOK {
			return res.Status, 0, 0
		}
		res.JSON(t, &page)
		for _, tk := range page.Tickets {
			if tk.QueueID != nil && *tk.QueueID == bq0 {
				ofBQ0++
			}
		}
		return res.Status, len(page.Tickets), ofBQ0
	}
	nina := apptest.NewClient(t, b.URL())
	nina.Login("nina@tanggap.test", "rahasia-nina-1")
	for i := range 3 { // the first read alone, the next ones with the session's
		if st, all, of0 := inbox(nina); st != http.StatusOK || all != in0+in1 || of0 != in0 {
			t.Fatalf("page %d on B: status %d, %d tickets, %d of bq0; want 200, %d, %d", i, st, all, of0, in0+in1, in0)
		}
	}

	// Taken out of bq0 on A: B's next page has none of bq0.
	if res := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d/routing", created.Agent.ID), map[string]any{"queues": []string{"bq1"}}); res.Status != http.StatusOK {
		t.Fatalf("take out of bq0: %d %s", res.Status, res.Body)
	}
	for i := range 2 {
		if st, all, of0 := inbox(nina); st != http.StatusOK || all != in1 || of0 != 0 {
			t.Fatalf("page %d on B after leaving bq0: status %d, %d tickets, %d of bq0; want 200, %d, 0", i, st, all, of0, in1)
		}
	}
	// Made a supervisor on A (sees every queue): B's next page has all.
	if res := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d", created.Agent.ID), map[string]any{"role": "supervisor"}); res.Status != http.StatusOK {
		t.Fatalf("make supervisor: %d %s", res.Status, res.Body)
	}
	if st, all, of0 := inbox(nina); st != http.StatusOK || all < in0+in1 || of0 != in0 {
		t.Fatalf("page on B as a supervisor: status %d, %d tickets, %d of bq0; want 200, at least %d, %d", st, all, of0, in0+in1, in0)
	}

	// Signed out on A: B's next request with the same token is refused.
	onA := apptest.NewClient(t, a.URL())
	onA.Token = nina.Token
	if res := onA.Do(http.MethodPost, "/api/v1/auth/logout", nil); res.Status/100 != 2 {
		t.Fatalf("logout on A: %d %s", res.Status, res.Body)
	}
	if st, _, _ := inbox(nina); st != http.StatusUnauthorized {
		t.Fatalf("page on B after logout on A: %d, want 401", st)
	}

	// Deactivated on A: B's next request with a session it knew is refused.
	nina = apptest.NewClient(t, b.URL())
	nina.Login("nina@tanggap.test", "rahasia-nina-1")
	for range 2 {
		if st, all, _ := inbox(nina); st != http.StatusOK || all < in0+in1 {
			t.Fatalf("page on B after signing in again: status %d, %d tickets", st, all)
		}
	}
	if res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/admin/agents/%d/deactivate", created.Agent.ID), nil); res.Status/100 != 2 {
		t.Fatalf("deactivate on A: %d %s", res.Status, res.Body)
	}
	if st, _, _ := inbox(nina); st != http.StatusUnauthorized {
		t.Fatalf("page on B after deactivation on A: %d, want 401", st)
	}
}
