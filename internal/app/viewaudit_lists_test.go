package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// auditRow is a row of the admin's view audit.
type auditRow struct {
	AgentID   int64  `json:"agent_id"`
	Kind      string `json:"kind"`
	TicketID  *int64 `json:"ticket_id"`
	ContactID *int64 `json:"contact_id"`
}

// auditOf returns the audit rows of kind, newest first, that the admin
// query with filter returns.
func auditOf(t *testing.T, admin *apptest.Client, filter, kind string) ([]auditRow, error) {
	t.Helper()
	res := admin.Do(http.MethodGet, "/api/v1/admin/view-audit?limit=500&"+filter, nil)
	if res.Status != http.StatusOK {
		return nil, fmt.Errorf("view audit: %d %s", res.Status, res.Body)
	}
	var page struct {
		Views []auditRow `json:"views"`
	}
	res.JSON(t, &page)
	var out []auditRow
	for _, v := range page.Views {
		if v.Kind == kind {
			out = append(out, v)
		}
	}
	return out, nil
}

// TestViewAuditOfLists: lists that show citizens are in the view audit,
// one row per citizen shown, so the contact filter answers "who saw this
// citizen" for them too. An agent's search records the agent and each
// ticket and contact it showed; a supervisor's list of probable
// duplicates records each duplicate contact; a search that finds nothing
// records nothing.
func TestViewAuditOfLists(t *testing.T) {
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	agentID := func(email, name, password string) int64 {
		t.Helper()
		res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": email, "name": name,
			"password": password, "queues": []string{cfg.DefaultQueue}, "capacity": 5})
		if res.Status != http.StatusCreated {
			t.Fatalf("create agent: %d %s", res.Status, res.Body)
		}
		var created struct {
			Agent struct {
				ID int64 `json:"id"`
			} `json:"agent"`
		}
		res.JSON(t, &created)
		return created.Agent.ID
	}
	rinaID := agentID("rina@tanggap.test", "Rina", "rahasia-rina-1")
	rina := apptest.NewClient(t, a.URL())
	rina.Login("rina@tanggap.test", "rahasia-rina-1")
	dewiID := agentID("dewi@tanggap.test", "Dewi", "rahasia-dewi-1")
	if res := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d", dewiID), map[string]any{"role": "supervisor"}); res.Status != http.StatusOK {
		t.Fatalf("make a supervisor: %d %s", res.Status, res.Body)
	}
	dewi := apptest.NewClient(t, a.URL())
	dewi.Login("dewi@tanggap.test", "rahasia-dewi-1")

	// Two citizens: one by NIK (and a phone of their own), Budi by
	// phone; then a form with the NIK and Budi's phone files under the
	// NIK's contact and keeps Budi's phone on that ticket only, which
	// makes the two probable duplicates.
	citizen := apptest.NewClient(t, a.URL())
	const nik = "3171011508900001"
	otherTN := citizen.Complaint(map[string]string{"name": "Budi S", "phone": "081299998888", "nik": nik,
		"category": "insentif", "description": "Saya belum menerima jawaban atas pengaduan saya."})
	otherTicket := admin.TicketID(otherTN, "")
	budiTN := citizen.Complaint(map[string]string{"name": "Budi Santoso", "phone": "081234567890", "category": "insentif",
		"description": "Insentif bulan Oktober belum masuk ke rekening saya."})
	budiTicket := admin.TicketID(budiTN, "")
	reportedTN := citizen.Complaint(map[string]string{"name": "Budi S", "phone": "081234567890", "nik": nik,
		"category": "insentif", "description": "Pengaduan yang sama, dikirim lagi dengan nomor lain."})
	reportedTicket := admin.TicketID(reportedTN, "")
	contactOf := func(ticketID int64) int64 {
		t.Helper()
		var d struct {
			Contact struct{ ID int64 } `json:"contact"`
		}
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil).JSON(t, &d)
		return d.Contact.ID
	}
	budi, other := contactOf(budiTicket), contactOf(otherTicket)
	if budi == other || contactOf(reportedTicket) != other {
		t.Fatalf("contacts %d, %d, %d; the test needs the NIK's contact for the first and last", other, budi, contactOf(reportedTicket))
	}

	// The agent searches by the name: the three tickets are shown.
	var found struct {
		Results []struct {
			Ticket struct {
				ID        int64 `json:"id"`
				ContactID int64 `json:"contact_id"`
			} `json:"ticket"`
		} `json:"results"`
	}
	testenv.CheckFor(t, 20*time.Second, 100*time.Millisecond, func() error {
		res := rina.Do(http.MethodGet, "/api/v1/search?q="+url.QueryEscape("Budi"), nil)
		if res.Status != http.StatusOK {
			return fmt.Errorf("search: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &found)
		if len(found.Results) != 3 {
			return fmt.Errorf("search shows %d tickets, want 3: %s", len(found.Results), res.Body)
		}
		return nil
	})
	shown := map[int64]int64{} // ticket → contact, as the search showed them
	for _, r := range found.Results {
		shown[r.Ticket.ID] = r.Ticket.ContactID
	}
	want := map[int64]int64{otherTicket: other, budiTicket: budi, reportedTicket: other}
	if fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Fatalf("search showed %v, want %v", shown, want)
	}
	// A search that finds nothing.
	res := rina.Do(http.MethodGet, "/api/v1/search?q="+url.QueryEscape("Wahyuningsih"), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("empty search: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &found)
	if len(found.Results) != 0 {
		t.Fatalf("search for an unknown name: %s", res.Body)
	}

	// The supervisor opens the probable duplicates of Budi.
	res = dewi.Do(http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d/duplicates", budi), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("duplicates: %d %s", res.Status, res.Body)
	}
	var dups struct {
		Duplicates []struct {
			ContactID int64 `json:"contact_id"`
		} `json:"duplicates"`
	}
	res.JSON(t, &dups)
	if len(dups.Duplicates) != 1 || dups.Duplicates[0].ContactID != other {
		t.Fatalf("duplicates of %d: %s, want contact %d", budi, res.Body, other)
	}

	// "Who saw this citizen": the contact filter finds the search row of
	// each citizen, naming the agent and the ticket shown, and the
	// duplicate row of the other contact, naming the supervisor.
	testenv.CheckFor(t, 10*time.Second, 100*time.Millisecond, func() error {
		for contact, tickets := range map[int64][]int64{budi: {budiTicket}, other: {otherTicket, reportedTicket}} {
			rows, err := auditOf(t, admin, fmt.Sprintf("contact=%d", contact), "search")
			if err != nil {
				return err
			}
			seen := map[int64]bool{}
			for _, r := range rows {
				if r.AgentID == rinaID && r.TicketID != nil {
					seen[*r.TicketID] = true
				}
			}
			if len(rows) != len(tickets) || !seen[tickets[0]] || !seen[tickets[len(tickets)-1]] {
				return fmt.Errorf("search views of contact %d: %+v, want one by agent %d of each ticket of %v", contact, rows, rinaID, tickets)
			}
		}
		rows, err := auditOf(t, admin, fmt.Sprintf("contact=%d", other), "duplicate")
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0].AgentID != dewiID || rows[0].TicketID != nil {
			return fmt.Errorf("duplicate views of contact %d: %+v, want one by agent %d", other, rows, dewiID)
		}
		return nil
	})
	// The agent's search rows: the three tickets shown, nothing for the
	// search that found none; the supervisor's duplicate list showed
	// nobody else (Budi's own panel is the contact view, not a duplicate).
	if rows, err := auditOf(t, admin, fmt.Sprintf("agent=%d", rinaID), "search"); err != nil || len(rows) != 3 {
		t.Fatalf("search views by agent %d: %+v (%v), want 3", rinaID, rows, err)
	}
	if rows, err := auditOf(t, admin, fmt.Sprintf("agent=%d", dewiID), "duplicate"); err != nil || len(rows) != 1 {
		t.Fatalf("duplicate views by agent %d: %+v (%v), want 1", dewiID, rows, err)
	}
}

// TestViewAuditOfTicketLists: the ticket list (the inbox, and a saved
// view's page) shows citizens' names, so it is in the view audit: one row
// of kind "list" per ticket shown with its contact, for the agent who read
// it. The console reads its list again after every pushed change: reads
// within the hour record nothing more.
func TestViewAuditOfTicketLists(t *testing.T) {
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	citizen := apptest.NewClient(t, a.URL())
	tickets := map[int64]bool{}
	for _, name := range []string{"Sari Wulandari", "Agus Salim"} {
		tn := citizen.Complaint(map[string]string{"name": name, "phone": "0812" + fmt.Sprint(len(name)) + "4455667",
			"category": "insentif", "description": "Insentif saya belum masuk ke rekening, mohon dicek."})
		tickets[admin.TicketID(tn, "")] = true
	}
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	admin.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)
	list := func(path string) map[int64]int64 {
		t.Helper()
		res := admin.Do(http.MethodGet, path, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.Status, res.Body)
		}
		var p struct {
			Tickets []struct {
				ID        int64 `json:"id"`
				ContactID int64 `json:"contact_id"`
			} `json:"tickets"`
		}
		res.JSON(t, &p)
		shown := map[int64]int64{}
		for _, tk := range p.Tickets {
			shown[tk.ID] = tk.ContactID
		}
		return shown
	}
	shown := list("/api/v1/tickets?limit=20")
	for id := range tickets {
		if _, ok := shown[id]; !ok {
			t.Fatalf("the list %v misses ticket %d", shown, id)
		}
	}
	listRows := func() (map[int64]int, error) {
		rows, err := auditOf(t, admin, fmt.Sprintf("agent=%d", me.Agent.ID), "list")
		if err != nil {
			return nil, err
		}
		per := map[int64]int{}
		for _, r := range rows {
			if r.TicketID == nil || r.ContactID == nil || *r.ContactID != shown[*r.TicketID] {
				return nil, fmt.Errorf("list row %+v does not name a ticket shown with its contact (%v)", r, shown)
			}
			per[*r.TicketID]++
		}
		return per, nil
	}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		per, err := listRows()
		if err != nil {
			return err
		}
		if len(per) != len(shown) {
			return fmt.Errorf("list rows %v, want one for each of %v", per, shown)
		}
		return nil
	})
	// Read again, directly and through a saved view of everything: the
	// rows stay one per ticket.
	res := admin.Do(http.MethodPost, "/api/v1/views", map[string]any{"name": "Semua", "filters": map[string]any{}})
	if res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("create view: %d %s", res.Status, res.Body)
	}
	var view struct {
		View struct {
			ID int64 `json:"id"`
		} `json:"view"`
	}
	res.JSON(t, &view)
	list("/api/v1/tickets?limit=20")
	if got := list(fmt.Sprintf("/api/v1/views/%d/tickets", view.View.ID)); len(got) != len(shown) {
		t.Fatalf("the view shows %v, the list %v", got, shown)
	}
	// One read of the audit itself, after the flush of everything before
	// it (a read recorded later would show up here).
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", func() int64 {
		for id := range tickets {
			return id
		}
		return 0
	}()), nil)
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		rows, err := auditOf(t, admin, fmt.Sprintf("agent=%d", me.Agent.ID), "ticket")
		if err != nil || len(rows) == 0 {
			return fmt.Errorf("the ticket view is not written yet (%v)", err)
		}
		return nil
	})
	per, err := listRows()
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range per {
		if n != 1 {
			t.Fatalf("ticket %d: %d list rows after three reads within the hour, want 1", id, n)
		}
	}
}
