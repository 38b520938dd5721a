package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"tanggap/internal/apptest"
)

// The canned-reply list read for a ticket gives each reply as inserting
// it into that ticket would write it (filled), and counts no use; a
// ticket that is not one (or not a number) is 404, and without a ticket
// nothing is filled.
func TestCannedListFilledForATicket(t *testing.T) {
	base := apptest.Start(t, apptest.Config(t)).URL()
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina Marlina", "phone": "081311114454", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	adm := apptest.NewClient(t, base)
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := adm.TicketID(tn, "scope=all")
	if r := adm.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam", "body": "Halo {{citizen_name}}, tiket {{tracking_number}}."}); r.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", r.Status, r.Body)
	}
	type list struct {
		Replies []struct {
			Body       string  `json:"body"`
			Filled     *string `json:"filled"`
			UsageCount int64   `json:"usage_count"`
		} `json:"canned_responses"`
	}
	var got list
	r := adm.Do(http.MethodGet, fmt.Sprintf("/api/v1/canned-responses?ticket_id=%d", id), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list for the ticket: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &got)
	if want := "Halo Rina Marlina, tiket " + tn + "."; len(got.Replies) != 1 || got.Replies[0].Filled == nil || *got.Replies[0].Filled != want || got.Replies[0].UsageCount != 0 {
		t.Fatalf("list for the ticket: %s, want the reply filled as %q and no use counted", r.Body, want)
	}
	got = list{}
	adm.Do(http.MethodGet, "/api/v1/canned-responses", nil).JSON(t, &got)
	if len(got.Replies) != 1 || got.Replies[0].Filled != nil || got.Replies[0].UsageCount != 0 {
		t.Fatalf("list without a ticket: %+v, want nothing filled and no use counted", got)
	}
	for _, q := range []string{"ticket_id=abc", "ticket_id=0", "ticket_id=987654321"} {
		if r := adm.Do(http.MethodGet, "/api/v1/canned-responses?"+q, nil); r.Status != http.StatusNotFound {
			t.Errorf("list for %s: %d %s, want 404", q, r.Status, r.Body)
		}
	}
}
